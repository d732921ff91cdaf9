"""Settings read from the environment, with safe development defaults under instance/."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = ROOT / "instance"

MIN_UPLOAD_CHUNK_MB = 5
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The settings are unsafe or inconsistent; the portal refuses to start."""


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret_key(instance_dir: Path) -> str:
    """Return a random key kept in instance/ so sessions survive a restart in development."""
    key_file = instance_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


# Behind one reverse proxy: trust its X-Forwarded-For and -Proto, never a forwarded Host.
PRODUCTION_PROXY_FIX = "for=1,proto=1,host=0,port=0,prefix=0"
PROXY_FIX_KEYS = ("for", "proto", "host", "port", "prefix")
BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps")


def parse_proxy_fix(text: str) -> dict[str, int]:
    """``"for=1,proto=1,host=0"`` → how many proxies to trust per X-Forwarded-* header."""
    counts = dict.fromkeys(PROXY_FIX_KEYS, 0)
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = item.partition("=")
        key = key.strip().lower()
        if key not in counts or not value.strip().isdigit():
            raise ConfigError(
                f"PORTAL_PROXY_FIX: {item!r} is not one of {', '.join(PROXY_FIX_KEYS)}=N"
            )
        counts[key] = int(value)
    return counts


def _check_base_url_and_hosts(settings: dict, trusted_env: str | None, overridden: bool) -> None:
    """Production needs its public address; only that host (or the listed ones) is served."""
    base_url = settings["BASE_URL"]
    if base_url and urlsplit(base_url).scheme not in ("http", "https"):
        raise ConfigError("PORTAL_BASE_URL must start with https:// (or http://).")
    if overridden:
        return
    if trusted_env is not None:
        settings["TRUSTED_HOSTS"] = [h.strip() for h in trusted_env.split(",") if h.strip()]
    elif settings["PORTAL_ENV"] == "production":
        if not base_url:
            raise ConfigError(
                "PORTAL_BASE_URL must be set in production (e.g. https://portal.example.gov.in)."
            )
        settings["TRUSTED_HOSTS"] = [urlsplit(base_url).hostname]
    else:
        settings["TRUSTED_HOSTS"] = None  # development answers on any address


def load_settings(overrides: dict | None = None) -> dict:
    """Build the Flask config from PORTAL_* environment variables, then apply overrides."""
    overrides = dict(overrides or {})
    env = os.environ
    production = env.get("PORTAL_ENV", "development").lower() == "production"
    instance_dir = Path(overrides.get("INSTANCE_DIR", env.get("PORTAL_INSTANCE_DIR", INSTANCE_DIR)))

    settings: dict = {
        "PORTAL_ENV": "production" if production else "development",
        "INSTANCE_DIR": instance_dir,
        "DATABASE_URL": env.get("PORTAL_DATABASE_URL", f"sqlite:///{instance_dir / 'portal.db'}"),
        "DATA_DIR": Path(env.get("PORTAL_DATA_DIR", instance_dir / "data")),
        # Empty: file storage in DATA_DIR. s3://bucket/prefix keeps files in object storage.
        "STORAGE_URL": env.get("PORTAL_STORAGE_URL", ""),
        "S3_ENDPOINT_URL": env.get("PORTAL_S3_ENDPOINT_URL", ""),
        "S3_REGION": env.get("PORTAL_S3_REGION", ""),
        "S3_ACCESS_KEY_ID": env.get("PORTAL_S3_ACCESS_KEY_ID", ""),
        "S3_SECRET_ACCESS_KEY": env.get("PORTAL_S3_SECRET_ACCESS_KEY", ""),
        # On s3://, Parquet tables read by path (plots, CSV) are kept on this node up to this size.
        "STORAGE_CACHE_MB": int(env.get("PORTAL_STORAGE_CACHE_MB", "2048")),
        "STORAGE_CACHE_DIR": Path(
            env.get("PORTAL_STORAGE_CACHE_DIR", instance_dir / "storage-cache")
        ),
        # Empty: jobs run in a worker thread of the web process. redis://… or amqp://… : Celery.
        "BROKER_URL": env.get("PORTAL_BROKER_URL", ""),
        # A running job whose heartbeat is older than this is taken over by another worker.
        "JOB_STALE_SECONDS": float(env.get("PORTAL_JOB_STALE_SECONDS", "120")),
        # Tests only: a job runs in-process right after the request that sent it commits.
        "JOBS_EAGER": False,
        "SMTP_URL": env.get("PORTAL_SMTP_URL", ""),
        "MAIL_FROM": env.get("PORTAL_MAIL_FROM", "CoE Battery Portal <portal@coe-battery.example>"),
        "STAFF_NOTIFY_EMAIL": env.get("PORTAL_STAFF_EMAIL", "techtransfer@coe-battery.example"),
        # Empty: development links use the address the server listens on (portal.urls.base_url).
        "BASE_URL": env.get("PORTAL_BASE_URL", ""),
        "MAX_UPLOAD_MB": int(env.get("PORTAL_MAX_UPLOAD_MB", "4096")),
        # Resumable (tus) uploads: the browser's chunk size (S3 parts need >= 5 MiB) and how long
        # an unfinished upload is kept after its last chunk before `portal sweep` removes it.
        "UPLOAD_CHUNK_MB": int(env.get("PORTAL_UPLOAD_CHUNK_MB", "8")),
        "UPLOAD_EXPIRY_HOURS": int(env.get("PORTAL_UPLOAD_EXPIRY_HOURS", "24")),
        "SESSION_IDLE_MINUTES": int(env.get("PORTAL_SESSION_IDLE_MINUTES", "60")),
        "SESSION_ABSOLUTE_HOURS": int(env.get("PORTAL_SESSION_ABSOLUTE_HOURS", "12")),
        "LOGIN_MAX_FAILURES": 10,
        "LOGIN_LOCK_MINUTES": 15,
        "INVITE_VALID_DAYS": 7,
        "PASSWORD_RESET_VALID_MINUTES": 60,
        "PASSWORD_RESETS_PER_IP_PER_HOUR": 10,
        "PASSWORD_RESETS_PER_ADDRESS_PER_HOUR": 3,
        "EMAIL_CHANGE_VALID_HOURS": 24,
        # Confirmation mails to one visitor address per day (the inquiry itself is still kept).
        "INQUIRY_CONFIRMATIONS_PER_ADDRESS_PER_DAY": 3,
        "INQUIRIES_PER_IP_PER_HOUR": 5,
        "FEEDBACK_PER_IP_PER_HOUR": 5,
        # Cacheable anonymous pages (portal.caching): browsers and proxies may keep them this
        # long; the response cache keeps them until a relevant change or CACHE_TIMEOUT.
        "RESPONSE_CACHE": env.get("PORTAL_RESPONSE_CACHE", "on") != "off",
        "CACHE_REDIS_URL": env.get("PORTAL_CACHE_REDIS_URL", ""),
        "CACHE_TIMEOUT": int(env.get("PORTAL_CACHE_TIMEOUT", "300")),
        "PUBLIC_MAX_AGE": int(env.get("PORTAL_PUBLIC_MAX_AGE", "60")),
        # Second factor for staff and admins: "required" (production default) or "optional".
        "STAFF_TOTP": env.get("PORTAL_STAFF_TOTP", "required" if production else "optional"),
        # Which X-Forwarded-* headers one proxy in front of us may set (see parse_proxy_fix).
        "PROXY_FIX": parse_proxy_fix(
            env.get("PORTAL_PROXY_FIX", PRODUCTION_PROXY_FIX if production else "")
        ),
        # argon2id parameters: the argon2-cffi defaults (RFC 9106 low-memory profile).
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "ARGON2_PARALLELISM": 4,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_flag("PORTAL_SECURE_COOKIES", production),
        "SESSION_COOKIE_NAME": "portal_session",
        "WTF_CSRF_TIME_LIMIT": 3600 * 8,
        "WTF_CSRF_CHECK_DEFAULT": False,  # portal.security decides, so bearer-token API calls skip it
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Kolkata",
        "LANGUAGES": {"en": "English", "hi": "हिन्दी"},
        "SECRET_KEY": env.get("PORTAL_SECRET_KEY", ""),
    }
    settings.update(overrides)
    settings["MAX_CONTENT_LENGTH"] = settings["MAX_UPLOAD_MB"] * 1024 * 1024 + 64 * 1024
    if settings["UPLOAD_CHUNK_MB"] < MIN_UPLOAD_CHUNK_MB:
        raise ConfigError(
            f"PORTAL_UPLOAD_CHUNK_MB must be at least {MIN_UPLOAD_CHUNK_MB} (S3's smallest part)."
        )

    if not settings["SECRET_KEY"]:
        if settings["PORTAL_ENV"] == "production":
            raise ConfigError(
                "PORTAL_SECRET_KEY must be set in production (32+ random characters)."
            )
        settings["SECRET_KEY"] = _development_secret_key(Path(settings["INSTANCE_DIR"]))
    if settings["PORTAL_ENV"] == "production" and (
        len(settings["SECRET_KEY"]) < MIN_SECRET_KEY_LENGTH or "change" in settings["SECRET_KEY"]
    ):
        raise ConfigError(
            "PORTAL_SECRET_KEY is too short or a placeholder; use 32+ random characters."
        )
    _check_base_url_and_hosts(
        settings, env.get("PORTAL_TRUSTED_HOSTS"), "TRUSTED_HOSTS" in overrides
    )
    broker = settings["BROKER_URL"]
    if broker and urlsplit(broker).scheme not in BROKER_SCHEMES:
        raise ConfigError(
            "PORTAL_BROKER_URL must be redis://host:port/db or amqp://user:password@host:port//."
        )
    return settings
