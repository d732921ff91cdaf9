"""Resumable upload in Chromium: the connection is cut under one PATCH at 60 %, tus-js-client
asks the portal for the stored offset (HEAD), continues from there, and the file is ingested
byte for byte. Checked at desktop width and at 360 px: no overflow, no JS or console error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from portal.datasets.models import DatasetFile
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.cycler_data import write_arbin

MIB = 1024 * 1024
CHUNK_MB = 5
WIDTHS = ({"width": 1280, "height": 900}, {"width": 360, "height": 740})


@pytest.fixture
def app_config(app_config):
    return {**app_config, "MAX_UPLOAD_MB": 64, "UPLOAD_CHUNK_MB": CHUNK_MB}


@pytest.fixture(scope="module")
def long_test(tmp_path_factory) -> Path:
    """A generated Arbin CSV of about 25 MiB: five 5 MiB chunks and a short last one."""
    path = tmp_path_factory.mktemp("tus-browser") / "long_test.csv"
    write_arbin(path, [1.0 - 0.0002 * n for n in range(1000)], points=115)
    assert 25 * MIB < path.stat().st_size < 26 * MIB
    return path


def _no_overflow(page) -> None:
    for size in WIDTHS:
        page.set_viewport_size(size)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} overflows by {overflow}px at {size['width']}px"
    page.set_viewport_size(WIDTHS[0])


def _sign_in_staff(page, live_server, db, slug: str):
    from tests.e2e.conftest import sign_in

    factories.make_user(db, role="staff", email="meera@coe-battery.example")
    dataset = factories.make_dataset(db, slug=slug)
    sign_in(page, live_server, "meera@coe-battery.example", TEST_PASSWORD)
    page.goto(f"{live_server}/admin/datasets/{dataset.slug}")
    return dataset


def test_upload_cut_at_60_percent_continues_from_the_stored_offset(
    live_server, page, db, long_test
):
    size = long_test.stat().st_size
    dataset = _sign_in_staff(page, live_server, db, "month-long-cycling")
    _no_overflow(page)
    seen: list[tuple[str, str | None]] = []
    cut: list[int] = []

    def watch(request):
        if "/admin/uploads/" in request.url:
            seen.append((request.method, request.headers.get("upload-offset")))

    def cut_one_patch(route):
        request = route.request
        offset = int(request.headers.get("upload-offset") or 0)
        if request.method == "PATCH" and not cut and offset >= 0.55 * size:
            cut.append(offset)
            route.abort("connectionreset")
        else:
            route.continue_()

    assert page.locator("[data-upload-pause]").is_hidden()
    assert page.locator("[data-upload-resume]").is_hidden()
    page.on("request", watch)
    page.route(re.compile(r".*/admin/uploads/[0-9a-f]{32}$"), cut_one_patch)
    page.get_by_label("Cycler file").set_input_files(long_test)
    page.get_by_role("button", name="Upload and ingest").click()
    page.get_by_role("button", name="Pause").wait_for()
    page.locator("#upload-result").get_by_text(
        re.compile(r"long_test\.csv stored; its ingest is queued")
    ).wait_for(timeout=60_000)
    page.locator("#upload-result").get_by_role("link", name="See the plots").wait_for(
        timeout=60_000
    )

    assert len(cut) == 1 and 0.55 * size <= cut[0] <= 0.65 * size  # 15 of 25.3 MiB stored
    patches = [int(offset) for method, offset in seen if method == "PATCH"]
    # The cut PATCH is sent again from the same offset, after a HEAD asked where it stood.
    assert patches == [0, 5 * MIB, 10 * MIB, 15 * MIB, 15 * MIB, 20 * MIB, 25 * MIB]
    at_cut = seen.index(("PATCH", str(cut[0])))
    assert seen[at_cut + 1 : at_cut + 3] == [("HEAD", None), ("PATCH", str(cut[0]))]
    assert page.locator("#upload-progress").get_attribute("value") == "100"

    db.expire_all()
    [added] = db.exec(select(DatasetFile).where(DatasetFile.dataset_id == dataset.id)).all()
    assert added.size_bytes == size and added.cycle_count == 1000
    original = page.request.get(
        f"{live_server}/datasets/{dataset.slug}/files/{added.id}/download/original"
    )
    assert original.body() == long_test.read_bytes()

    _no_overflow(page)
    assert page.js_errors == [], page.js_errors
    # The one failed load Chromium logs is the PATCH this test cut, nothing else.
    unexpected = [e for e in page.console_errors if "ERR_CONNECTION_RESET" not in e]
    assert unexpected == [], page.console_errors
    assert len(page.console_errors) <= 1


def test_pause_stops_sending_and_resume_continues_from_the_stored_offset(
    live_server, page, db, long_test
):
    size = long_test.stat().st_size
    dataset = _sign_in_staff(page, live_server, db, "paused-upload")
    patches: list[int] = []
    heads: list[int] = []

    def watch(response):
        if re.search(r"/admin/uploads/[0-9a-f]{32}$", response.url):
            if response.request.method == "PATCH":
                patches.append(int(response.request.headers["upload-offset"]))
            elif response.request.method == "HEAD":
                heads.append(int(response.headers["upload-offset"]))

    page.on("response", watch)
    page.get_by_label("Cycler file").set_input_files(long_test)
    with page.expect_response(lambda r: r.request.method == "PATCH" and r.status == 204):
        page.get_by_role("button", name="Upload and ingest").click()
    page.get_by_role("button", name="Pause").click()
    page.get_by_text("Paused. Resume continues from the last byte the portal stored.").wait_for()
    assert page.locator("[data-upload-pause]").is_hidden()
    sent_before = len(patches)
    page.wait_for_timeout(1500)
    assert len(patches) == sent_before  # nothing more is sent while paused
    assert page.get_by_role("button", name="Upload and ingest").is_disabled()

    page.get_by_role("button", name="Resume").click()
    page.locator("#upload-result").get_by_text(
        re.compile(r"long_test\.csv stored; its ingest is queued")
    ).wait_for(timeout=60_000)
    page.locator("#upload-result").get_by_role("link", name="See the plots").wait_for(
        timeout=60_000
    )
    # Resume asked the portal where it stood and sent the rest from exactly there.
    assert heads and heads[-1] >= 5 * MIB
    assert heads[-1] in patches[sent_before:]
    db.expire_all()
    [added] = db.exec(select(DatasetFile).where(DatasetFile.dataset_id == dataset.id)).all()
    original = page.request.get(
        f"{live_server}/datasets/{dataset.slug}/files/{added.id}/download/original"
    )
    assert original.body() == long_test.read_bytes() and added.size_bytes == size
    _no_overflow(page)
    assert page.js_errors == [], page.js_errors
    assert page.console_errors == [], page.console_errors


def test_a_refused_file_shows_the_reason_and_leaves_nothing(live_server, page, db, tmp_path, app):
    dataset = _sign_in_staff(page, live_server, db, "refused-upload")
    junk = tmp_path / "notes.csv"
    junk.write_bytes(b"this is not a cycler file at all\n" * 200)
    page.get_by_label("Cycler file").set_input_files(junk)
    page.get_by_role("button", name="Upload and ingest").click()
    page.locator("#upload-result").get_by_text(
        re.compile(r"The file was refused and nothing was stored: .*not in a recognised cycler")
    ).wait_for()
    assert page.get_by_role("button", name="Upload and ingest").is_enabled()
    assert page.locator("[data-upload-pause]").is_hidden()
    assert page.locator("[data-upload-resume]").is_hidden()
    db.expire_all()
    assert db.exec(select(DatasetFile).where(DatasetFile.dataset_id == dataset.id)).all() == []
    data_dir = Path(app.config["DATA_DIR"])
    assert [p for p in data_dir.rglob("*") if p.is_file()] == []
    _no_overflow(page)
    assert page.js_errors == [], page.js_errors
    # Chromium logs the refused PATCH's 400 as a failed load; nothing else may appear.
    unexpected = [e for e in page.console_errors if "status of 400" not in e]
    assert unexpected == [] and len(page.console_errors) <= 1, page.console_errors
