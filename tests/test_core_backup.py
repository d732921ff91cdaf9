"""`portal backup` / `portal restore`: database and files with checksums, consistent under writes."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlmodel import Session, select

from portal.accounts.models import Organization, User
from tests import factories
from tests.conftest import TEST_PASSWORD


def _keep_writing(engine, stop: threading.Event, written: list[str]) -> None:
    while not stop.is_set():
        with Session(engine) as session:
            slug = factories.unique("busy-")
            session.add(Organization(name=slug, slug=slug, kind="company"))
            session.commit()
            written.append(slug)


def test_backup_and_restore_round_trip_while_writes_continue(app, db, tmp_path):
    partner = factories.make_user(db, role="partner", name="Restored Partner")
    data_dir = Path(app.config["DATA_DIR"])
    (data_dir / "documents").mkdir(parents=True)
    (data_dir / "documents" / "a1b2c3.pdf").write_bytes(b"%PDF-1.7 signed MoU")

    stop, written = threading.Event(), []
    writer = threading.Thread(
        target=_keep_writing, args=(app.extensions["db_engine"], stop, written)
    )
    writer.start()
    try:
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert written, "the writer thread should have written during the backup"
    sums = (tmp_path / "backup" / "SHA256SUMS").read_text()
    assert "data/documents/a1b2c3.pdf" in sums

    # Disaster: the user and the file are gone.
    db.delete(db.get(User, partner.id))
    db.commit()
    (data_dir / "documents" / "a1b2c3.pdf").unlink()

    restored = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output
    assert (data_dir / "documents" / "a1b2c3.pdf").read_bytes() == b"%PDF-1.7 signed MoU"

    # Smoke journey on the restored copy: the partner signs in and sees the dashboard.
    client = app.test_client()
    response = client.post_form("/login", {"email": partner.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "Restored Partner" in client.get("/me").get_data(as_text=True)
    with Session(app.extensions["db_engine"]) as session:
        slugs = set(session.exec(select(Organization.slug)).all())
    # A consistent snapshot: a prefix of what the writer committed, nothing half-written.
    busy = [s for s in written if s in slugs]
    assert busy == written[: len(busy)]


def test_restore_refuses_a_tampered_backup(app, db, tmp_path):
    factories.make_organization(db)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    database_file = next((tmp_path / "b").glob("database.*"))
    database_file.write_bytes(database_file.read_bytes()[:-10] + b"0123456789")
    result = runner.invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code != 0
    assert "checksum differs" in result.output


def test_backup_refuses_a_non_empty_folder(app, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "full")])
    assert result.exit_code != 0 and "not empty" in result.output
