"""The storage interface, the same tests on both backends: file:// and s3:// (moto over HTTP)."""

from __future__ import annotations

import io

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.storage import FileStorage, key, open_storage
from portal.storage.s3 import S3Storage

BODY = bytes(range(256)) * 4096 + b"tail"  # 1 MiB and a bit: more than one read chunk


@pytest.fixture
def store(storage_settings, tmp_path):
    return open_storage({"DATA_DIR": tmp_path / "data", **storage_settings})


def test_the_backend_is_the_one_the_url_names(store, storage_settings):
    expected = S3Storage if storage_settings else FileStorage
    assert type(store) is expected
    assert store.url.startswith("s3://" if storage_settings else "file://")


def test_put_then_read_back_the_same_bytes(store):
    name = key("datasets", "ds_0123")
    assert store.put(name, io.BytesIO(BODY)) == len(BODY)
    assert store.exists(name)
    assert store.size(name) == len(BODY)
    with store.open(name) as stream:
        assert stream.read() == BODY
    with store.local_path(name) as path:
        assert path.read_bytes() == BODY


def test_a_byte_range_reads_only_those_bytes(store):
    name = key("evidence", "abc")
    store.put(name, io.BytesIO(BODY))
    assert b"".join(store.read_range(name, 0, 10)) == BODY[:10]
    assert b"".join(store.read_range(name, 1_000_000, 50_000)) == BODY[1_000_000:1_050_000]
    assert b"".join(store.read_range(name, len(BODY) - 4, 4)) == b"tail"
    assert b"".join(store.read_range(name, 5, 0)) == b""


def test_put_file_stores_a_local_file(store, tmp_path):
    source = tmp_path / "table.parquet"
    source.write_bytes(b"PAR1 data PAR1")
    store.put_file(key("datasets", "ds_1.parquet"), source)
    with store.open(key("datasets", "ds_1.parquet")) as stream:
        assert stream.read() == b"PAR1 data PAR1"


def test_the_etag_changes_when_the_object_is_replaced(store):
    name = key("agreements", "0a")
    store.put(name, io.BytesIO(b"first version"))
    first = store.stat(name).etag
    store.put(name, io.BytesIO(b"second, longer version"))
    assert first and store.stat(name).etag != first


def test_delete_removes_and_a_missing_object_is_reported(store):
    name = key("agreements", "ff")
    store.put(name, io.BytesIO(b"x"))
    store.delete(name)
    assert not store.exists(name)
    store.delete(name)  # deleting twice is fine
    with pytest.raises(FileNotFoundError):
        store.stat(name)
    with pytest.raises(FileNotFoundError):
        store.open(name)
    with pytest.raises(FileNotFoundError), store.local_path(name):
        pass


def test_iter_keys_lists_every_object_and_nothing_else(store):
    names = [key("agreements", "01"), key("datasets", "ds_2"), key("evidence", "03")]
    for name in names:
        store.put(name, io.BytesIO(name.encode()))
    assert sorted(store.iter_keys()) == sorted(names)


@pytest.mark.parametrize(
    "bad", ["../etc/passwd", "datasets/../../x", "/abs/path", "datasets/", "x", "Datasets/a b"]
)
def test_keys_that_could_escape_are_refused(store, bad):
    with pytest.raises(ValueError):
        store.put(bad, io.BytesIO(b"x"))
    with pytest.raises(ValueError):
        store.open(bad)


def test_an_unknown_storage_url_is_a_clear_configuration_error(tmp_path):
    with pytest.raises(ValueError, match="PORTAL_STORAGE_URL"):
        open_storage({"DATA_DIR": tmp_path, "STORAGE_URL": "ftp://host/files"})


def test_s3_listing_skips_objects_that_are_not_storage_keys(s3_bucket, tmp_path):
    store = open_storage({"DATA_DIR": tmp_path, **s3_bucket.settings})
    store.put(key("datasets", "ds_9"), io.BytesIO(b"ours"))
    raw = s3_bucket.endpoint.client()
    raw.put_object(Bucket=s3_bucket.name, Key="files/../../etc/passwd", Body=b"x")
    raw.put_object(Bucket=s3_bucket.name, Key="elsewhere/datasets/ds_8", Body=b"x")
    assert list(store.iter_keys()) == ["datasets/ds_9"]


def test_the_app_refuses_to_start_on_a_malformed_storage_url(app_config):
    with pytest.raises(ConfigError, match="s3://bucket/prefix"):
        create_app({**app_config, "STORAGE_URL": "s3:///no-bucket"})
