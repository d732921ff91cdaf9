"""Browser fixtures: the portal served on 127.0.0.1 in a thread, driven by Debian's Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app served over real HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; on failure a screenshot and the HTML go to test-results/."""
    context = browser.new_context(locale="en-IN", timezone_id="Asia/Kolkata")
    context.set_default_timeout(10_000)
    browser_page = context.new_page()
    errors: list[str] = []
    browser_page.on("pageerror", lambda error: errors.append(str(error)))
    browser_page.js_errors = errors
    # Console errors: CSP violations ("Refused to ... Content Security Policy"), failed loads, etc.
    console_errors: list[str] = []
    browser_page.on(
        "console",
        lambda message: (
            console_errors.append(f"{message.text} [{message.location.get('url')}]")
            if message.type == "error"
            else None
        ),
    )
    browser_page.console_errors = console_errors
    yield browser_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = request.node.nodeid.replace("/", "_").replace("::", "__")
        try:
            browser_page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
            (RESULTS_DIR / f"{name}.html").write_text(browser_page.content())
        except Exception as error:  # the page may be gone; the test failure is what matters
            print(f"could not save failure artefacts: {error}")
    context.close()


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the real login form."""
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not bad, f"axe on {page.url}: " + "; ".join(bad)
