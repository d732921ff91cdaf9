"""The `portal` command: scriptable account, token, demo and migration commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from portal.accounts.models import ApiToken, Organization, User
from tests import factories

PORTAL = str(Path(sys.executable).parent / "portal")


def test_create_user_reads_the_password_from_stdin(app, db):
    organization = factories.make_organization(db, slug="watthour")
    result = app.test_cli_runner().invoke(
        args=["create-user", "Meera@Watthour.example", "--role", "partner", "--org", "watthour"],
        input="a long sodium passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.exec(select(User).where(User.email == "meera@watthour.example")).one()
    assert user.organization_id == organization.id
    assert user.password_hash.startswith("$argon2id$")


def test_create_user_fails_with_a_one_line_reason(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "x@example.org", "--role", "partner"], input="whatever long\n"
    )
    assert result.exit_code != 0
    assert "must belong to an organisation" in result.output
    weak = runner.invoke(
        args=["create-user", "y@example.org", "--role", "staff"], input="password\n"
    )
    assert weak.exit_code != 0 and "password" in weak.output.lower()


def test_create_token_prints_the_token_alone_on_the_last_line(app, client, db):
    user = factories.make_user(db, role="partner")
    result = app.test_cli_runner().invoke(args=["create-token", user.email, "--name", "notebook"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("btp_") and " " not in token
    stored = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token not in stored.token_hash  # only the hash is kept
    assert (
        client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    assert (
        client.get(
            "/api/v1/openapi.json", headers={"Authorization": "Bearer btp_wrong"}
        ).status_code
        == 401
    )


def test_seed_demo_is_safe_to_run_twice(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (len(db.exec(select(Organization)).all()), len(db.exec(select(User)).all()))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    db.expire_all()
    assert (len(db.exec(select(Organization)).all()), len(db.exec(select(User)).all())) == counts
    slugs = {o.slug for o in db.exec(select(Organization)).all()}
    assert {"watthour", "ampere-green", "brandwork", "elcina", "iesa", "icea"} <= slugs
    assert {u.role for u in db.exec(select(User)).all()} == {"admin", "staff", "partner"}


def test_seed_demo_refuses_production(app):
    app.config["PORTAL_ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output


def test_console_script_migrates_and_creates_a_user(tmp_path):
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PORTAL_INSTANCE_DIR": str(tmp_path),
        "PORTAL_SECRET_KEY": "c" * 40,
    }
    upgrade = subprocess.run(
        [PORTAL, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
    )
    assert upgrade.returncode == 0, upgrade.stderr
    created = subprocess.run(
        [PORTAL, "create-user", "ops@coe.example", "--role", "admin"],
        env=env,
        input="an admin passphrase\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    assert "created admin ops@coe.example" in created.stdout
    again = subprocess.run(
        [PORTAL, "create-user", "ops@coe.example", "--role", "admin"],
        env=env,
        input="an admin passphrase\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode != 0
    assert "already exists" in again.stderr.strip().splitlines()[-1]


def test_make_run_links_follow_the_port_served():
    import subprocess

    from portal.config import ROOT

    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    serve = next(line for line in dry.splitlines() if "flask --app wsgi run" in line)
    assert "--port 8123" in serve
    assert 'PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:8123}"' in serve


def test_missing_demo_samples_are_explained_and_loaded_on_a_later_run(
    app, db, tmp_path, monkeypatch
):
    import shutil

    from portal.datasets.models import Dataset, DatasetFile
    from portal.demo import datasets as demo_datasets
    from tests.cycler_data import CYCLER_DIR

    monkeypatch.setattr(demo_datasets, "SAMPLES", tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "datasets: skipped maccor-coin-cell-two-cycles" in first.output
    hint = next(line for line in first.output.splitlines() if line.startswith("datasets: to add"))
    assert "maccor_002.txt" in hint and str(tmp_path) in hint and "make run" in hint
    assert "PORTAL_CYCLER_SAMPLES" in hint

    for spec in demo_datasets.DATASETS:  # the files appear; the next run loads them
        shutil.copy(CYCLER_DIR / spec["file"], tmp_path / spec["file"])
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "skipped" not in second.output and "datasets: to add" not in second.output
    db.expire_all()
    for spec in demo_datasets.DATASETS:
        dataset = db.exec(select(Dataset).where(Dataset.slug == spec["slug"])).one()
        assert db.exec(select(DatasetFile).where(DatasetFile.dataset_id == dataset.id)).first()
