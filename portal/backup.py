"""`portal backup DIR` and `portal restore DIR`: the database and the stored files, with checksums.

SQLite is copied with its online backup API and PostgreSQL with pg_dump, both consistent snapshots
while writes continue. Stored files are written once under generated keys and never changed in
place, so copying every object (listed and read through the storage layer, file:// or s3://)
after the snapshot includes every file the snapshot refers to.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import make_url

from portal import db
from portal.storage import storage
from portal.storage.base import CHUNK_BYTES, check_key

MANIFEST = "MANIFEST.json"
CHECKSUMS = "SHA256SUMS"
DATA_FOLDER = "data"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_args(url) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump/pg_restore, password passed through the environment."""
    args = [
        "-h",
        url.host or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]
    env = {"PGPASSWORD": url.password} if url.password else {}
    return args, env


def _run(command: list[str], env: dict) -> None:
    # The command is pg_dump/pg_restore with arguments from our own settings, never user input.
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise click.ClickException(
            f"{command[0]} failed: {result.stderr.strip().splitlines()[-1:]}"
        )


def backup(target: Path) -> dict:
    """Write a snapshot of the database and the data folder into `target` (must not exist or be empty)."""
    if target.exists() and any(target.iterdir()):
        raise click.ClickException(f"{target} is not empty; choose a new folder")
    target.mkdir(parents=True, exist_ok=True)
    url = make_url(current_app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite":
        database_file = "database.sqlite3"
        source = sqlite3.connect(url.database)
        destination = sqlite3.connect(target / database_file)
        with destination:
            source.backup(destination)
        source.close()
        destination.close()
    else:
        database_file = "database.pgdump"
        args, env = _pg_args(url)
        _run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                "-f",
                str(target / database_file),
                *args,
                url.database,
            ],
            env,
        )

    objects = _copy_objects_out(target / DATA_FOLDER)
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "backend": url.get_backend_name(),
        "database_file": database_file,
        "storage": storage().url,
        "objects": objects,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2))
    files = sorted(p for p in target.rglob("*") if p.is_file() and p.name != CHECKSUMS)
    lines = [f"{_sha256(p)}  {p.relative_to(target).as_posix()}" for p in files]
    (target / CHECKSUMS).write_text("\n".join(lines) + "\n")
    return {**manifest, "files": len(files)}


def verify(source: Path) -> list[str]:
    """The problems found by re-checking every checksum (empty when the backup is intact)."""
    checksums = source / CHECKSUMS
    if not checksums.exists():
        return [f"{CHECKSUMS} is missing"]
    problems = []
    for line in checksums.read_text().splitlines():
        expected, name = line.split("  ", 1)
        path = source / name
        if not path.is_file():
            problems.append(f"missing: {name}")
        elif _sha256(path) != expected:
            problems.append(f"checksum differs: {name}")
    return problems


def restore(source: Path) -> dict:
    """Replace the database and data folder with a verified backup."""
    if problems := verify(source):
        raise click.ClickException("backup is damaged: " + "; ".join(problems[:5]))
    manifest = json.loads((source / MANIFEST).read_text())
    url = make_url(current_app.config["DATABASE_URL"])
    if manifest["backend"] != url.get_backend_name():
        raise click.ClickException(
            f"backup is of {manifest['backend']}, the portal is configured for {url.get_backend_name()}"
        )
    db.engine().dispose()
    if url.get_backend_name() == "sqlite":
        snapshot = sqlite3.connect(source / manifest["database_file"])
        live = sqlite3.connect(url.database)
        with live:
            snapshot.backup(live)
        snapshot.close()
        live.close()
    else:
        args, env = _pg_args(url)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "-d",
                url.database,
                *args,
                str(source / manifest["database_file"]),
            ],
            env,
        )
    _copy_objects_in(source / DATA_FOLDER)
    return manifest


def _copy_objects_out(folder: Path) -> int:
    """Copy every stored object to `folder/<key>`; how many."""
    folder.mkdir()
    store = storage()
    count = 0
    for key in store.iter_keys():
        path = folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        with store.open(key) as stream, path.open("xb") as out:
            shutil.copyfileobj(stream, out, CHUNK_BYTES)
        count += 1
    return count


def _copy_objects_in(folder: Path) -> None:
    """Make the storage hold exactly the backup's objects: put each one, delete the others."""
    store = storage()
    wanted = set()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = path.relative_to(folder).as_posix()
        try:
            check_key(key)
        except ValueError:
            continue  # not an object (a scratch file caught by an old folder copy)
        with path.open("rb") as stream:  # put copies: the backup itself stays intact
            store.put(key, stream)
        wanted.add(key)
    for key in list(store.iter_keys()):
        if key not in wanted:
            store.delete(key)


@click.command("backup")
@click.argument("directory", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Back up the database and every stored file into DIRECTORY, with a SHA256SUMS list."""
    summary = backup(directory)
    click.echo(
        f"backup of {summary['backend']} and {summary['storage']} written to {directory} "
        f"({summary['files']} files, {summary['objects']} stored objects)"
    )


@click.command("restore")
@click.argument("directory", type=click.Path(path_type=Path, exists=True, file_okay=False))
@with_appcontext
def restore_command(directory: Path) -> None:
    """Restore the database and the stored files from a backup made by `portal backup`."""
    manifest = restore(directory)
    click.echo(f"restored backup of {manifest['created_at']}")
