"""Settings: safe development defaults, and a refusal to start in production without a real key."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.config import ConfigError


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        create_app({"INSTANCE_DIR": tmp_path})


def test_production_refuses_a_short_key(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        create_app({"INSTANCE_DIR": tmp_path})


def test_production_defaults_to_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "r" * 48)
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example.gov.in")
    app = create_app({"INSTANCE_DIR": tmp_path})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    first = create_app({"INSTANCE_DIR": tmp_path}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_DIR": tmp_path}).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "files"))
    monkeypatch.setenv("PORTAL_MAX_UPLOAD_MB", "7")
    monkeypatch.setenv("PORTAL_SMTP_URL", "smtp://127.0.0.1:2525")
    app = create_app({"INSTANCE_DIR": tmp_path, "SECRET_KEY": "k" * 40})
    assert app.config["DATABASE_URL"].endswith("env.db")
    assert str(app.config["DATA_DIR"]).endswith("files")
    assert app.config["MAX_UPLOAD_MB"] == 7
    assert app.config["SMTP_URL"] == "smtp://127.0.0.1:2525"
