"""Staff in Chromium, with jobs on the web process's own worker thread (as `make run` runs them):
upload a long synthetic test, watch the progress fragment go from queued to done, and find the
file on the dataset pages. No console error (a CSP violation logs one) and no horizontal overflow
at 360 px."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlmodel import select

from portal.datasets.models import DatasetFile
from portal.datasets.synthetic import write_csv
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in
from tests.helpers import app_with_worker_thread

STATUSES = """() => {
    window.__statuses = [];
    document.body.addEventListener('htmx:afterSettle', () => {
        for (const el of document.querySelectorAll('#upload-result .file-progress')) {
            window.__statuses.push(el.dataset.status);
        }
    });
}"""


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JOBS_EAGER": False}


@pytest.fixture
def app(app_config, mailbox) -> Iterator[Flask]:
    yield from app_with_worker_thread(app_config)


def _no_overflow_at(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 740})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} overflows by {overflow}px at {width}px"


def test_upload_then_watch_the_progress_until_done(app, live_server, page, db, tmp_path):
    staff = factories.make_user(db, role="staff", name="Asha Rao")
    dataset = factories.make_dataset(db, title="Long cycle-life test", visibility="public")
    source = write_csv(tmp_path / "long_cycle_life.csv", cycles=600)
    sign_in(page, live_server, staff.email, TEST_PASSWORD)
    page.goto(f"{live_server}/admin/datasets/{dataset.slug}")
    page.evaluate(STATUSES)

    page.get_by_label("Cycler file").set_input_files(source)
    page.get_by_role("button", name="Upload and ingest").click()
    result = page.locator("#upload-result")
    result.get_by_text("long_cycle_life.csv stored; its ingest is queued.").wait_for()
    _no_overflow_at(page, 360)  # while the progress is on screen
    done = result.locator('.file-progress[data-status="ingested"]')
    done.wait_for(timeout=60_000)
    assert re.search(r"rows, 600 cycles\.", done.inner_text())
    statuses = page.evaluate("window.__statuses")
    # The page uploads with tus: the fragment is fetched after the last PATCH committed and sent
    # the job, so the worker thread may already be running it when it is first shown.
    assert statuses[0] in ("queued", "running") and statuses[-1] == "ingested", statuses
    # Polling has stopped: no request for the fragment once it said "done".
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.wait_for_timeout(2500)
    assert not [url for url in requests if url.endswith("/progress")], requests
    _no_overflow_at(page, 360)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page)

    dataset_file = db.exec(select(DatasetFile)).one()
    assert (dataset_file.status, dataset_file.cycle_count) == ("ingested", 600)
    page.set_viewport_size({"width": 360, "height": 740})
    done.get_by_role("link", name="See the plots").click()
    page.wait_for_url(re.compile(rf"/datasets/{dataset.slug}\?file=\d+#plots-heading$"))
    page.wait_for_function(
        "() => { const c = window.Chart && Chart.getChart(document.getElementById('capacity-chart'));"
        " return c && c.data.datasets[0].data.length > 0; }"
    )
    _no_overflow_at(page, 360)
    assert page.js_errors == [], page.js_errors
    assert page.console_errors == [], page.console_errors
