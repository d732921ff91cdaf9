"""Take the README's screenshots in Chromium from a throwaway copy of the portal with demo data.

Usage: .venv/bin/python scripts/screenshots.py [NAME ...]   (or `make screenshots`)
Writes docs/screenshots/*.png (only the named shots, when names are given). Never touches instance/: it builds its own database in a temp folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "battery-demo-2026"

# A chart counts as drawn when Chart.js holds an instance on the canvas with data points in it.
CHART_DRAWN = """(id) => {
    const chart = window.Chart && Chart.getChart(document.getElementById(id));
    return Boolean(chart && chart.data.datasets.some((d) => d.data.length > 0));
}"""

# (file name, who signs in, path or a symbolic target, chart canvas id to wait for or None,
#  element to scroll to the top or None, viewport height)
SHOTS = [
    ("catalog", None, "/technologies?chemistry=na_ion&trl_min=6", None, None, 900),
    ("technology", None, "first-technology", None, None, 900),
    ("partner-dashboard", "partner@watthour.example", "/me", None, None, 900),
    # The demo's public synthetic sodium-ion cycle-life test (portal.demo.datasets.SYNTHETIC_SLUG):
    # hundreds of cycles, so the capacity fade is visible; anonymous, as a visitor sees it.
    (
        "dataset-plot",
        None,
        "/datasets/sodium-ion-18650-cycle-life-synthetic",
        "capacity-chart",
        "#plots-heading",
        900,
    ),
    ("staff-dashboard", "staff@coe-battery.example", "/admin", "milestone-chart", None, 1400),
    # The demo's licence applications (portal.demo.licensing), one of them in negotiation.
    ("application-pipeline", "staff@coe-battery.example", "/admin/applications", None, None, 1100),
    # The licensee's agreement page: royalty reports filed, paid and due.
    ("royalties", "partner@watthour.example", "first-licence", None, "#royalties", 900),
]
# Shots at another width or language: (file name, path, width, height, browser locale).
VARIANTS = [
    ("phone-catalog", "/technologies?chemistry=na_ion", 360, 780, "en-IN"),
    ("hindi-catalog", "/technologies", 1280, 900, "hi-IN"),
]
# The technology sheet is a PDF: rendered to PNG by poppler's pdftoppm when it is installed.
SHEET = "/technologies/sodium-ion-18650-cell/sheet.pdf"


def _serve(app) -> tuple[str, object]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def _resolve(page, base: str, target: str) -> str:
    """Turn a symbolic target into a real path by following the first matching link."""
    if target == "first-licence":
        page.goto(f"{base}/me")
        return (
            page.locator("a[href^='/agreements/']")
            .filter(has_text="LIC")
            .first.get_attribute("href")
        )
    if target == "first-technology":
        page.goto(f"{base}/technologies?chemistry=na_ion")
        return page.locator("a[href^='/technologies/']").first.get_attribute("href")
    return target


def _sheet(base: str, failed: list[str]) -> None:
    """Fetch the demo sheet and render its page to PNG (needs poppler-utils' pdftoppm)."""
    import shutil
    import subprocess
    import urllib.request

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("skipped technology-sheet: install poppler-utils for pdftoppm")
        return
    pdf = OUT / "technology-sheet.pdf"
    with urllib.request.urlopen(f"{base}{SHEET}") as answer:  # noqa: S310 (our own loopback server)
        pdf.write_bytes(answer.read())
    result = subprocess.run(  # noqa: S603 (fixed arguments, our own file)
        [pdftoppm, "-r", "80", "-png", "-singlefile", str(pdf), str(OUT / "technology-sheet")],
        check=False,
    )
    pdf.unlink()
    if result.returncode:
        failed.append("technology-sheet")
    else:
        print("wrote docs/screenshots/technology-sheet.png")


def main(names: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    known = (
        {shot[0] for shot in SHOTS} | {variant[0] for variant in VARIANTS} | {"technology-sheet"}
    )
    unknown = set(names) - known
    if unknown:
        raise SystemExit(f"no such screenshot: {', '.join(sorted(unknown))}")

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(
            PORTAL_DATABASE_URL=f"sqlite:///{tmp}/shots.db",
            PORTAL_DATA_DIR=f"{tmp}/data",
            PORTAL_INSTANCE_DIR=tmp,
            PORTAL_SECRET_KEY="screenshots-" + "x" * 40,
        )
        from portal import create_app, db
        from portal.cli import upgrade_database
        from portal.demo import seed_demo

        app = create_app()
        with app.app_context():
            upgrade_database()
            seed_demo(db.session())
            db.session().commit()
        base, server = _serve(app)
        OUT.mkdir(parents=True, exist_ok=True)
        failed: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for name, email, target, chart, scroll_to, height in SHOTS:
                if names and name not in names:
                    continue
                context = browser.new_context(
                    viewport={"width": 1280, "height": height}, locale="en-IN"
                )
                page = context.new_page()
                if email:
                    page.goto(f"{base}/login")
                    page.get_by_label("E-mail").fill(email)
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_load_state("networkidle")
                try:
                    path = _resolve(page, base, target)
                    page.goto(f"{base}{path}")
                    page.wait_for_load_state("networkidle")
                    if chart:  # the charts are drawn without animation once their data is in
                        page.wait_for_function(CHART_DRAWN, arg=chart, timeout=10_000)
                    if scroll_to:
                        page.locator(scroll_to).evaluate("(el) => el.scrollIntoView()")
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
                    print(f"wrote docs/screenshots/{name}.png ({path})")
                except (
                    Exception
                ) as error:  # say which shot failed, take the others, fail at the end
                    failed.append(name)
                    print(f"FAILED {name}: {type(error).__name__}: {error}")
                context.close()
            for name, path, width, height, locale in VARIANTS:
                if names and name not in names:
                    continue
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale=locale
                )
                page = context.new_page()
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
                print(f"wrote docs/screenshots/{name}.png ({path}, {width} px, {locale})")
                context.close()
            browser.close()
            if not names or "technology-sheet" in names:
                _sheet(base, failed)
        server.shutdown()
    if failed:
        raise SystemExit(f"screenshots failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
