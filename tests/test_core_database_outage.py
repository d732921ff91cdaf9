"""A database outage: pages answer 503 with Retry-After, nothing crashes, service returns by itself.

The test runs its own throwaway PostgreSQL cluster (initdb in a temporary folder, its own port);
the machine's shared PostgreSQL is never touched.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel

from portal import create_app
from portal.db import make_engine
from tests import factories
from tests.conftest import TEST_PASSWORD, PortalClient, free_port, portal_test_settings

pytestmark = pytest.mark.slow


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else None


def _as_postgres(*command: str) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, *command], capture_output=True, text=True, timeout=60, check=True
    )


class Cluster:
    """A private PostgreSQL server that the test may stop and start at will."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.pg_ctl = _pg_bin("pg_ctl")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres(
            self.pg_ctl,
            "-D",
            str(self.folder / "data"),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        _as_postgres(self.pg_ctl, "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")


@pytest.fixture
def private_cluster() -> Iterator[Cluster]:
    initdb = _pg_bin("initdb")
    if initdb is None or shutil.which("runuser") is None:
        pytest.skip("PostgreSQL server binaries not installed (.ci/run installs postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="portal-outage-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    _as_postgres(initdb, "-D", str(folder / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
    cluster = Cluster(folder, free_port())
    cluster.start()
    yield cluster
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _wait_for(check, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"not recovered within {seconds} s")


def test_pages_answer_503_during_an_outage_and_recover(private_cluster, tmp_path, smtp_server):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{private_cluster.port}/postgres"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        user = factories.make_user(session, role="partner")
    engine.dispose()

    app = create_app(portal_test_settings(url, tmp_path, smtp_server[0].port))
    app.test_client_class = PortalClient
    client = app.test_client()
    assert (
        client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD}).status_code
        == 302
    )
    assert client.get("/me").status_code == 200
    assert client.get("/readyz").status_code == 200

    private_cluster.stop()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.headers["Retry-After"]
    page = client.get("/me")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "briefly unavailable" in page.get_data(as_text=True)
    api = client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer btp_x"})
    assert api.status_code == 503 and api.get_json()["error"]["status"] == 503
    assert client.get("/healthz").status_code == 200  # the process is still up

    private_cluster.start()
    seconds = _wait_for(lambda: client.get("/me").status_code == 200, 15)
    assert seconds < 15
    assert client.get("/readyz").status_code == 200
    app.extensions["db_engine"].dispose()
