"""Soak test: gunicorn (2 workers) with demo data, a mix of pages for 5 minutes, memory per worker.

Reports each worker's resident memory after warm-up and at the end, and the growth (target < 10 %).
Usage: .venv/bin/python bench/soak.py [--seconds 300] [--warmup 30] [--clients 8]
Honours PORTAL_DATABASE_URL / PORTAL_DATA_DIR; by default everything lives in a temp folder.
"""

from __future__ import annotations

import argparse
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from login_cookie import session_cookie

ROOT = Path(__file__).resolve().parents[1]


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's worker processes."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def drive(
    base: str, paths: list[tuple[str, str | None]], stop: threading.Event, counts: dict
) -> None:
    """Request the pages round-robin until told to stop; count statuses."""
    for path, cookie in itertools.cycle(paths):
        if stop.is_set():
            return
        request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                key = response.status
        except urllib.error.HTTPError as error:
            key = error.code
        except OSError:
            key = "error"
        counts[key] = counts.get(key, 0) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="portal-soak-")
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": os.environ.get("PORTAL_DATABASE_URL", f"sqlite:///{work}/soak.db"),
        "PORTAL_DATA_DIR": os.environ.get("PORTAL_DATA_DIR", f"{work}/data"),
        "PORTAL_INSTANCE_DIR": work,
        "PORTAL_SECRET_KEY": "soak-" + os.urandom(24).hex(),
    }
    facts = subprocess.run(
        [sys.executable, "bench/prepare.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(line.split("=", 1) for line in facts.splitlines() if "=" in line)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        cookie = session_cookie(base, "partner@watthour.example", "battery-demo-2026")
        paths = [
            ("/technologies", None),
            ("/technologies?chemistry=na_ion&trl_min=5", None),
            (f"/technologies/{values['TECHNOLOGY']}", None),
            ("/api/v1/technologies?page=1", None),
            (f"/datasets/{values['DATASET']}", None),
            ("/partners", None),
            ("/me", cookie),
        ]
        stop, counts = threading.Event(), {}
        threads = [
            threading.Thread(target=drive, args=(base, paths[i:] + paths[:i], stop, counts))
            for i in (n % len(paths) for n in range(args.clients))
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.warmup)
        pids = worker_pids(server.pid)
        after_warmup = {pid: rss_kib(pid) for pid in pids}
        time.sleep(max(0, args.seconds - args.warmup))
        at_end = {pid: rss_kib(pid) for pid in pids if Path(f"/proc/{pid}").exists()}
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=10)

    total = sum(v for v in counts.values())
    print(
        f"requests: {total} in {args.seconds} s ({total / args.seconds:.1f}/s), statuses: {counts}"
    )
    worst = 0.0
    for pid in pids:
        start, end = after_warmup[pid], at_end.get(pid, 0)
        growth = (end - start) / start * 100 if start else 0.0
        worst = max(worst, growth)
        print(
            f"worker {pid}: {start / 1024:.1f} MiB after warm-up -> {end / 1024:.1f} MiB ({growth:+.1f} %)"
        )
    failures = sum(v for k, v in counts.items() if k != 200)
    print(f"RESULT worst_growth_pct={worst:.1f} target=<10 failures={failures}")
    sys.exit(0 if worst < 10 and failures == 0 else 1)


if __name__ == "__main__":
    main()
