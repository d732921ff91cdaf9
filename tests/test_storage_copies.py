"""Kept local copies of S3 objects (moto over HTTP): reused while the ETag holds, fetched anew
when the object is replaced, the least recently used evicted under the cap, and a copy in use
still readable after its eviction."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from sqlmodel import select

from portal.datasets.models import DatasetFile
from portal.storage import key, open_storage
from tests import factories
from tests.cycler_data import maccor_head
from tests.helpers import upload_cycler_file

BODY = bytes(range(256)) * 1024  # 256 KiB
KIB = 1024


class GetCounter:
    """Counts the GetObject calls a boto3 client makes (its own event hooks; nothing replaced)."""

    def __init__(self, client) -> None:
        self.calls = 0
        client.meta.events.register("before-call.s3.GetObject", self._count)

    def _count(self, **_kwargs) -> None:
        self.calls += 1


def _store(s3_bucket, tmp_path, cap_kib: int):
    settings = {
        "DATA_DIR": tmp_path / "data",
        "STORAGE_CACHE_DIR": tmp_path / "copies",
        "STORAGE_CACHE_MB": 1,
        **s3_bucket.settings,
    }
    store = open_storage(settings)
    store.copies.max_bytes = cap_kib * KIB  # the setting counts whole MiB; the test wants less
    return store


def _kept(tmp_path) -> list[str]:
    folder = tmp_path / "copies"
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_a_kept_copy_is_reused_while_the_object_is_unchanged(s3_bucket, tmp_path):
    store = _store(s3_bucket, tmp_path, cap_kib=1024)
    gets = GetCounter(store.client)
    name = key("datasets", "table_1.parquet")
    store.put(name, io.BytesIO(BODY))
    for _ in range(3):
        with store.local_path(name, reuse=True) as path:
            assert path.read_bytes() == BODY
    assert gets.calls == 1
    assert len(_kept(tmp_path)) == 1
    # Replaced under the same key (a re-ingest writes the alternate name again): fetched anew.
    store.put(name, io.BytesIO(b"new table " * 100))
    with store.local_path(name, reuse=True) as path:
        assert path.read_bytes() == b"new table " * 100
    assert gets.calls == 2
    # Without reuse (an ingest reading an original once) nothing is kept.
    other = key("datasets", "original_1")
    store.put(other, io.BytesIO(BODY))
    with store.local_path(other) as path:
        assert path.read_bytes() == BODY and tmp_path / "copies" not in path.parents
    assert not any(n.startswith("datasets__original_1") for n in _kept(tmp_path))


def test_the_least_recently_used_copies_go_first_and_one_in_use_stays_readable(s3_bucket, tmp_path):
    store = _store(s3_bucket, tmp_path, cap_kib=600)  # room for two 256 KiB copies
    names = [key("datasets", f"table_{n}.parquet") for n in range(3)]
    for name in names:
        store.put(name, io.BytesIO(BODY))
    with store.local_path(names[0], reuse=True) as held:
        with store.local_path(names[1], reuse=True):
            pass
        with store.local_path(names[2], reuse=True):
            pass
        kept = _kept(tmp_path)
        assert len(kept) == 2 and not any("table_0" in n for n in kept)
        assert held.read_bytes() == BODY  # evicted, yet whole for the request reading it
    assert sum((tmp_path / "copies" / n).stat().st_size for n in _kept(tmp_path)) <= 600 * KIB
    assert not any(p.name.startswith(".") for p in (tmp_path / "copies").iterdir())


def test_what_a_killed_worker_left_is_removed_a_day_later(s3_bucket, tmp_path):
    store = _store(s3_bucket, tmp_path, cap_kib=1024)
    folder = tmp_path / "copies"
    folder.mkdir()
    old_link, old_part = folder / ".in-use-dead", folder / ".datasets__t.1234.part"
    fresh_link = folder / ".in-use-busy"
    for path in (old_link, fresh_link):
        path.mkdir()
        (path / "table.parquet").write_bytes(b"x")
    old_part.write_bytes(b"half")
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (old_link, old_part):
        os.utime(path, (two_days_ago, two_days_ago))
    name = key("datasets", "table_9.parquet")
    store.put(name, io.BytesIO(BODY))
    with store.local_path(name, reuse=True) as path:
        assert path.read_bytes() == BODY
    assert not old_link.exists() and not old_part.exists()
    assert fresh_link.exists()  # a request may still be reading through it


def test_an_object_larger_than_the_cap_is_copied_for_the_request_only(s3_bucket, tmp_path):
    store = _store(s3_bucket, tmp_path, cap_kib=100)
    name = key("datasets", "huge.parquet")
    store.put(name, io.BytesIO(BODY))
    with store.local_path(name, reuse=True) as path:
        assert path.read_bytes() == BODY
        assert Path(tmp_path / "copies") not in path.parents
    assert not (tmp_path / "copies").exists() or _kept(tmp_path) == []


@pytest.fixture
def app_config(app_config, s3_bucket):
    return {**app_config, **s3_bucket.settings}


def test_plots_and_exports_of_one_table_download_it_once(app, db, client, login_as):
    login_as("staff")
    dataset = factories.make_dataset(db, visibility="public")
    assert upload_cycler_file(client, dataset.slug, maccor_head()).status_code == 302
    dataset_file = db.exec(select(DatasetFile)).one()
    gets = GetCounter(app.extensions["storage"].client)
    base = f"/datasets/{dataset.slug}/files/{dataset_file.id}"
    first_csv = client.get(f"{base}/download/csv").data
    assert client.get(f"{base}/download/csv").data == first_csv
    assert client.get(f"{base}/dqdv.json?cycles=1").status_code == 200
    assert client.get(f"{base}/download/bdf").status_code == 200
    assert gets.calls == 1  # the first CSV fetched the table; the rest read the kept copy
