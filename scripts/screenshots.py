"""Take the README's screenshots in Chromium from a throwaway copy of the portal with demo data.

Usage: .venv/bin/python scripts/screenshots.py   (or `make screenshots`)
Writes docs/screenshots/*.png. Never touches instance/: it builds its own database in a temp folder.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "battery-demo-2026"

# (file name, who signs in, path or a callable choosing the path, what to wait for)
SHOTS = [
    ("catalog", None, "/technologies?chemistry=na_ion&trl_min=6", None),
    ("technology", None, "first-technology", None),
    ("partner-dashboard", "partner@watthour.example", "/me", None),
    ("dataset-plot", "staff@coe-battery.example", "first-dataset-with-plot", "canvas"),
    ("staff-dashboard", "staff@coe-battery.example", "/admin", "canvas"),
]


def _serve(app) -> tuple[str, object]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def _resolve(page, base: str, target: str) -> str:
    """Turn a symbolic target into a real path by following the first matching link."""
    if target == "first-technology":
        page.goto(f"{base}/technologies?chemistry=na_ion")
        return page.locator("a[href^='/technologies/']").first.get_attribute("href")
    if target == "first-dataset-with-plot":
        page.goto(f"{base}/datasets")
        return page.locator(
            "a[href^='/datasets/']:not([href^='/datasets/compare'])"
        ).first.get_attribute("href")
    return target


def main() -> None:
    from playwright.sync_api import sync_playwright

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
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for name, email, target, wait_for in SHOTS:
                context = browser.new_context(
                    viewport={"width": 1280, "height": 900}, locale="en-IN"
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
                    if wait_for:
                        page.wait_for_selector(wait_for, timeout=5000)
                        page.wait_for_timeout(600)  # let the chart finish its animation
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
                    print(f"wrote docs/screenshots/{name}.png ({path})")
                except Exception as error:  # a page not built yet: say so and go on
                    print(f"skipped {name}: {type(error).__name__}: {error}")
                context.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
