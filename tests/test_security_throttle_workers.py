"""Login throttling holds across two gunicorn workers (the counter lives in the database)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel

from portal.db import make_engine
from tests import factories
from tests.conftest import TEST_PASSWORD, free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


class Browser:
    """A tiny cookie-keeping HTTP client, one new connection per request."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # Like a browser, name this site as the origin of a form it sends.
        request = urllib.request.Request(self.base + path, data=body, headers={"Origin": self.base})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, email: str, password: str) -> int:
        _status, page = self.request("/login")
        # The cookie-less login page carries an empty token (the Origin vouches for the form).
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', page) or re.search(
            r'<meta name="csrf-token" content="([^"]*)"', page
        )
        status, _ = self.request(
            "/login", {"csrf_token": token.group(1), "email": email, "password": password}
        )
        return status


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_throttle_holds_across_two_gunicorn_workers(tmp_path):
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        user = factories.make_user(session, role="partner")
    engine.dispose()

    port = free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": "w" * 40,
        "PORTAL_INSTANCE_DIR": str(tmp_path),
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(tmp_path / "access.log"),
            "--access-logformat",
            "%(p)s %(r)s %(s)s",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        statuses = [Browser(base).login(user.email, "wrong password!") for _ in range(10)]
        assert statuses[:9] == [200] * 9 and statuses[9] == 429
        assert Browser(base).login(user.email, TEST_PASSWORD) == 429  # every worker refuses
    finally:
        server.terminate()
        server.wait(timeout=10)
    workers = {
        line.split()[0]
        for line in (tmp_path / "access.log").read_text().splitlines()
        if "POST /login" in line
    }
    print(f"login attempts served by {len(workers)} worker process(es)")
