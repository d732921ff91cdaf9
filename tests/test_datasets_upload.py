"""Staff uploads: size limit to the byte, content checks, hostile names, archives, all-or-nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.datasets.models import CycleSummary, Dataset, DatasetFile
from tests import factories
from tests.cycler_data import CYCLER_DIR
from tests.helpers import upload_cycler_file

MACCOR = CYCLER_DIR / "maccor_002.txt"
LIMIT_MB = 1
LIMIT = LIMIT_MB * 1024 * 1024


@pytest.fixture
def app_config(app_config):
    return {**app_config, "MAX_UPLOAD_MB": LIMIT_MB}


@pytest.fixture(scope="module")
def small_maccor() -> bytes:
    """The first ~2,500 lines of maccor_002.txt (well under the 1 MB test limit)."""
    return b"".join(MACCOR.read_bytes().splitlines(keepends=True)[:2500])


@pytest.fixture
def staff(client, login_as):
    login_as("staff")
    return client


def _upload(client, slug: str, content: bytes, filename: str, *, htmx: bool = False):
    return upload_cycler_file(
        client, slug, content, filename, headers={"HX-Request": "true"} if htmx else {}
    )


def _stored_files(app) -> list[Path]:
    folder = Path(app.config["DATA_DIR"]) / "datasets"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _nothing_written(app, db) -> None:
    assert db.exec(select(DatasetFile)).all() == []
    assert db.exec(select(CycleSummary)).all() == []
    assert _stored_files(app) == []
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "dataset.file_added")).all() == []


def test_a_file_of_exactly_the_limit_is_accepted_for_checking(app, db, staff):
    dataset = factories.make_dataset(db)
    # Exactly MAX_UPLOAD_MB: not refused for its size (refused for its content instead).
    response = _upload(staff, dataset.slug, b"x" * LIMIT, "exact.csv")
    assert response.status_code == 400
    assert "nothing was stored" in response.get_data(as_text=True)
    _nothing_written(app, db)


def test_one_byte_over_the_limit_is_413_and_nothing_is_written(app, db, staff):
    dataset = factories.make_dataset(db)
    response = _upload(staff, dataset.slug, b"x" * (LIMIT + 1), "big.csv")
    assert response.status_code == 413
    _nothing_written(app, db)


def test_far_over_the_limit_is_refused_before_reading(app, db, staff):
    dataset = factories.make_dataset(db)
    response = _upload(staff, dataset.slug, b"x" * (LIMIT + 200 * 1024), "huge.csv")
    assert response.status_code == 413
    _nothing_written(app, db)


@pytest.mark.parametrize(
    "content, name",
    [
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 500, "program.csv"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "picture.txt"),
        (b"name,colour,size\nfoo,red,3\nbar,blue,4\n", "shopping.csv"),
        (b"", "empty.csv"),
    ],
    ids=["elf-binary", "png", "unrelated-csv", "empty"],
)
def test_unrecognised_content_is_refused_and_rolled_back(app, db, staff, content, name):
    dataset = factories.make_dataset(db)
    response = _upload(staff, dataset.slug, content, name)
    assert response.status_code == 400
    assert "nothing was stored" in response.get_data(as_text=True)
    _nothing_written(app, db)


def test_refusal_lists_the_columns_found_and_the_formats_supported(app, db, staff):
    dataset = factories.make_dataset(db)
    response = _upload(staff, dataset.slug, b"name,colour,size\nfoo,red,3\n", "s.csv", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # htmx swaps the result fragment in
    assert "colour" in html and "Arbin" in html
    _nothing_written(app, db)


def test_a_failure_while_recording_leaves_only_the_original_and_the_reason(
    app, db, staff, monkeypatch, small_maccor
):
    from portal.datasets import files

    def broken(*_args, **_kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(files, "_apply_result", broken)
    dataset = factories.make_dataset(db)
    response = _upload(staff, dataset.slug, small_maccor, "maccor.txt")
    assert response.status_code == 302  # accepted and queued; the job fails afterwards
    dataset_file = db.exec(select(DatasetFile)).one()
    assert dataset_file.status == "failed"
    assert "internal error" in dataset_file.error_message
    assert (dataset_file.parquet_name, dataset_file.cycle_count) == (None, None)
    assert db.exec(select(CycleSummary)).all() == []
    assert [p.name for p in _stored_files(app)] == [dataset_file.stored_name]


def test_a_good_upload_is_stored_under_a_generated_name_with_its_hash(app, db, staff, small_maccor):
    import hashlib

    dataset = factories.make_dataset(db)
    response = _upload(staff, dataset.slug, small_maccor, "maccor_002.txt")
    assert response.status_code == 302
    dataset_file = db.exec(select(DatasetFile)).one()
    assert dataset_file.sha256 == hashlib.sha256(small_maccor).hexdigest()
    assert dataset_file.size_bytes == len(small_maccor)
    assert dataset_file.original_filename == "maccor_002.txt"
    names = {p.name for p in _stored_files(app)}
    assert names == {dataset_file.stored_name, dataset_file.parquet_name}
    assert all(name.startswith("ds_") for name in names)
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "dataset.file_added")).one()


@pytest.mark.parametrize(
    "hostile, shown",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", None),
        ("evil\x00name.txt", "evilname.txt"),
        ("a" * 5000 + ".txt", None),
        ("परीक्षण डेटा 🔋.txt", "परीक्षण डेटा 🔋.txt"),
        ("<script>alert(1)</script>.txt", None),
    ],
    ids=["dotdot", "backslashes", "nul", "very-long", "unicode", "markup"],
)
def test_hostile_file_names_are_never_used_on_disk(app, db, staff, small_maccor, hostile, shown):
    dataset = factories.make_dataset(db)
    response = _upload(staff, dataset.slug, small_maccor, hostile)
    assert response.status_code == 302
    dataset_file = db.exec(select(DatasetFile)).one()
    if shown is not None:
        assert dataset_file.original_filename == shown
    assert len(dataset_file.original_filename) <= 200
    assert (
        "\x00" not in dataset_file.original_filename and "/" not in dataset_file.original_filename
    )
    assert {p.name for p in _stored_files(app)} == {
        dataset_file.stored_name,
        dataset_file.parquet_name,
    }
    assert not Path("/etc/passwd.parquet").exists()
    # The page escapes it; the download name is plain ASCII.
    page = staff.get(f"/datasets/{dataset.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    download = staff.get(f"/datasets/{dataset.slug}/files/{dataset_file.id}/download/original")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "/" not in disposition and ".." not in disposition.replace("...", "")
    assert disposition.isascii()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_with_one_cycler_file_is_unpacked_and_ingested(app, db, staff, small_maccor):
    dataset = factories.make_dataset(db)
    response = _upload(staff, dataset.slug, _zip({"run/maccor_002.txt": small_maccor}), "run.zip")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    dataset_file = db.exec(select(DatasetFile)).one()
    assert dataset_file.format == "maccor_txt"
    assert dataset_file.original_filename == "maccor_002.txt"
    assert {p.name for p in _stored_files(app)} == {
        dataset_file.stored_name,
        dataset_file.parquet_name,
    }


@pytest.mark.parametrize(
    "members",
    [
        {"bomb.csv": b"0" * (8 * LIMIT)},  # compresses ~1000:1 and unpacks past the limit
        {"../../escape.txt": b"Rec#\tCyc#\n1\t1\n"},
        {"a.txt": b"1", "b.txt": b"2"},
    ],
    ids=["zip-bomb", "dotdot-member", "two-members"],
)
def test_dangerous_archives_are_refused_and_nothing_kept(app, db, staff, members):
    dataset = factories.make_dataset(db)
    response = _upload(staff, dataset.slug, _zip(members), "upload.zip")
    assert response.status_code == 400
    _nothing_written(app, db)
    assert not (Path(app.config["DATA_DIR"]) / "escape.txt").exists()


def test_reingest_replaces_the_summary_and_delete_removes_files(app, db, staff, small_maccor):
    dataset = factories.make_dataset(db)
    _upload(staff, dataset.slug, small_maccor, "maccor.txt")
    dataset_file = db.exec(select(DatasetFile)).one()
    old_parquet = dataset_file.parquet_name
    response = staff.post_form(f"/admin/datasets/{dataset.slug}/files/{dataset_file.id}/reingest")
    assert response.status_code == 302
    db.expire_all()
    reread = db.get(DatasetFile, dataset_file.id)
    assert reread.parquet_name != old_parquet
    assert {p.name for p in _stored_files(app)} == {reread.stored_name, reread.parquet_name}
    assert len(db.exec(select(CycleSummary)).all()) == reread.cycle_count

    response = staff.post_form(f"/admin/datasets/{dataset.slug}/files/{dataset_file.id}/delete")
    assert response.status_code == 302
    assert db.exec(select(DatasetFile)).all() == []
    assert db.exec(select(CycleSummary)).all() == []
    assert _stored_files(app) == []


def test_deleting_a_dataset_removes_its_files_from_disk(app, db, staff, small_maccor):
    dataset = factories.make_dataset(db)
    _upload(staff, dataset.slug, small_maccor, "maccor.txt")
    assert len(_stored_files(app)) == 2
    response = staff.post_form(f"/admin/datasets/{dataset.slug}/delete")
    assert response.status_code == 302
    assert db.exec(select(Dataset)).all() == []
    assert _stored_files(app) == []
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "dataset.deleted")).one()


def test_create_and_edit_with_a_stale_version_is_a_conflict(app, db, staff):
    fields = {
        "slug": "na-pouch",
        "title": "Na pouch",
        "technology_id": "0",
        "chemistry": "na_ion",
        "test_type": "cycle_life",
        "cell_type": "full",
        "visibility": "restricted",
        "organization_id": "999",  # unexpected field: ignored
    }
    assert staff.post_form("/admin/datasets/new", fields).status_code == 302
    assert staff.post_form("/admin/datasets/new", fields).status_code == 200  # duplicate slug
    dataset = db.exec(select(Dataset)).one()
    edit = {**fields, "title": "Na pouch v2", "version": str(dataset.version)}
    assert staff.post_form("/admin/datasets/na-pouch/edit", edit).status_code == 302
    stale = staff.post_form("/admin/datasets/na-pouch/edit", {**edit, "title": "Lost update"})
    assert stale.status_code == 409
    db.expire_all()
    assert db.exec(select(Dataset)).one().title == "Na pouch v2"


def test_an_edit_without_its_version_is_a_conflict_and_changes_nothing(app, db):
    from portal import db as portal_db
    from portal.datasets import services
    from portal.errors import ConflictError

    dataset = factories.make_dataset(db, title="Before")
    with app.test_request_context():
        target = portal_db.session().get(Dataset, dataset.id)
        with pytest.raises(ConflictError):
            services.update_dataset(portal_db.session(), target, version=None, title="After")
    with app.test_request_context():
        session = portal_db.session()
        target = session.get(Dataset, dataset.id)
        assert target.title == "Before"
        services.update_dataset(session, target, version=target.version, title="After")
        session.commit()
    db.expire_all()
    saved = db.get(Dataset, dataset.id)
    assert (saved.title, saved.version) == ("After", 2)
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "dataset.updated")).one()
    assert entry.changes == {"before": {"title": "Before"}, "after": {"title": "After"}}


def test_an_htmx_upload_refreshes_the_files_table_at_once(app, db, staff, small_maccor):
    dataset = factories.make_dataset(db)
    page = staff.get(f"/admin/datasets/{dataset.slug}").get_data(as_text=True)
    assert "No files yet." in page
    first = _upload(staff, dataset.slug, small_maccor, "first.txt", htmx=True)
    body = first.get_data(as_text=True)
    table = body[body.index('<section id="admin-files"') :]
    assert 'hx-swap-oob="true"' in table and "first.txt" in table
    assert "No files yet." not in table
    second = _upload(staff, dataset.slug, small_maccor, "second.txt", htmx=True)
    table = second.get_data(as_text=True).split('<section id="admin-files"')[1]
    assert "first.txt" in table and "second.txt" in table
    # A refused upload changes no table, so none comes with it.
    refused = _upload(staff, dataset.slug, b"not a cycler file\n", "bad.txt", htmx=True)
    assert "admin-files" not in refused.get_data(as_text=True)
