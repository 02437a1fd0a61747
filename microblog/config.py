"""Configuration read from environment variables (and a `.env` file)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from dotenv import load_dotenv

from microblog.locales import discover_languages

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused outside debug and testing


def _bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = env.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(env: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated environment variable as a list, without blanks."""
    return [item.strip() for item in env.get(name, "").split(",") if item.strip()]


def _count(env: Mapping[str, str], name: str) -> int:
    """A whole number ≥ 0 from the environment (unset or empty: 0); anything else stops the
    app with a message that names the variable."""
    value = env.get(name, "").strip() or "0"
    if not value.isdigit():
        sys.exit(f"microblog: {name} must be a whole number (0, 1, 2…), not {value!r}.")
    return int(value)


def normalize_database_url(url: str) -> str:
    """Give a database URL the driver this project installs (psycopg 3, PyMySQL)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("mysql://") or url.startswith("mariadb://"):
        return "mysql+pymysql://" + url.split("://", 1)[1]
    return url


# Rate limits, each overridable by an environment variable of the same name ("N per period",
# several joined with ";"). In the spirit of Mastodon's: generous per network (an office or a
# school shares one address), strict per account and per mailbox.
RATE_LIMIT_DEFAULTS = {
    # Failed logins (web form and POST /api/tokens together); then even the right password waits.
    "RATELIMIT_LOGIN_FAILURES_PER_ACCOUNT": "5 per 15 minutes",
    "RATELIMIT_LOGIN_FAILURES_PER_IP": "50 per 15 minutes",
    "RATELIMIT_API_TOKENS_PER_ACCOUNT": "30 per hour",
    "RATELIMIT_REGISTRATIONS_PER_IP": "25 per 5 minutes",
    # Mails to one address (password reset links, address confirmations), and mail requests.
    "RATELIMIT_MAILS_PER_ADDRESS": "3 per hour",
    "RATELIMIT_MAILS_PER_IP": "25 per 5 minutes",
    "RATELIMIT_POSTS_PER_USER": "30 per minute;300 per 3 hours",
    # Edits one user saves (web form and API together).
    "RATELIMIT_EDITS_PER_USER": "20 per minute;200 per 3 hours",
    # Private messages one user sends (web form and API together), whoever they go to.
    "RATELIMIT_MESSAGES_PER_USER": "20 per minute;200 per day",
    "RATELIMIT_TRANSLATIONS_PER_USER": "20 per minute;200 per day",
}


class Config:
    """Settings for a real deployment; every value can come from the environment.

    `environ` is where the values come from: by default the process environment, after
    loading `.env` from the current directory into it."""

    def __init__(
        self,
        instance_path: str | os.PathLike[str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if environ is None:
            load_dotenv(Path.cwd() / ".env")
        env = os.environ if environ is None else environ
        instance = Path(instance_path or Path.cwd() / "instance")
        self.SECRET_KEY = env.get("SECRET_KEY", DEV_SECRET_KEY)
        # The site's public address: links in mails are built on it, never on the Host header
        # of the request. Required outside debug; `make run` sets http://127.0.0.1:5000.
        self.BASE_URL = env.get("BASE_URL") or None
        # Hosts the site answers to besides BASE_URL's (e.g. www. and the bare domain); requests
        # for any other Host get a 400 outside debug.
        self.EXTRA_TRUSTED_HOSTS = _list(env, "TRUSTED_HOSTS")
        self.SQLALCHEMY_DATABASE_URI = normalize_database_url(
            env.get("DATABASE_URL") or f"sqlite:///{instance / 'microblog.db'}"
        )
        # A connection is tried before each use, so the site recovers by itself as soon as a
        # restarted database answers again; until then every request gets a 503.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # Seconds to wait for a PostgreSQL or MariaDB server to accept a connection.
        self.DATABASE_CONNECT_TIMEOUT = float(env.get("DATABASE_CONNECT_TIMEOUT", "5"))
        self.POSTS_PER_PAGE = int(env.get("POSTS_PER_PAGE", "25"))
        self.POST_CARD_CACHE_SIZE = int(env.get("POST_CARD_CACHE_SIZE", "2048"))
        self.AVATAR_PROVIDER = env.get("AVATAR_PROVIDER", "local")
        # English, and every language with a catalog in translations/ (es, de, …).
        self.LANGUAGES = discover_languages(TRANSLATIONS)
        self.PASSWORD_HASH_METHOD = env.get("PASSWORD_HASH_METHOD", "scrypt")
        self.LAST_SEEN_INTERVAL_SECONDS = 60
        self.WTF_CSRF_TIME_LIMIT = None
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool(env, "SESSION_COOKIE_SECURE")
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.MAX_CONTENT_LENGTH = 1024 * 1024
        # Outgoing mail. Without MAIL_SERVER, mails are written to the log instead of sent.
        self.MAIL_SERVER = env.get("MAIL_SERVER") or None
        self.MAIL_PORT = int(env.get("MAIL_PORT", "25"))
        self.MAIL_USE_TLS = _bool(env, "MAIL_USE_TLS")
        self.MAIL_USE_SSL = _bool(env, "MAIL_USE_SSL")
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "microblog@localhost")
        self.MAIL_TIMEOUT = float(env.get("MAIL_TIMEOUT", "10"))
        self.ADMINS = _list(env, "ADMINS")
        self.RESET_TOKEN_MINUTES = int(env.get("RESET_TOKEN_MINUTES", "10"))
        # How long the link that confirms a new email address works (it is mailed there).
        self.EMAIL_CHANGE_TOKEN_MINUTES = int(env.get("EMAIL_CHANGE_TOKEN_MINUTES", "60"))
        # Background jobs: RQ workers (`flask worker`) when REDIS_URL (below) is set, else threads
        # of the web process. Queue names start with TASK_QUEUE_PREFIX, so sites can share Redis.
        self.TASK_QUEUE_PREFIX = env.get("TASK_QUEUE_PREFIX", "microblog")
        # A running job beats every TASK_HEARTBEAT_SECONDS; one silent for TASK_STALE_SECONDS
        # died with its worker. A job no worker took within TASK_QUEUED_SECONDS is given up.
        self.TASK_HEARTBEAT_SECONDS = float(env.get("TASK_HEARTBEAT_SECONDS", "10"))
        self.TASK_STALE_SECONDS = float(env.get("TASK_STALE_SECONDS", "60"))
        self.TASK_QUEUED_SECONDS = float(env.get("TASK_QUEUED_SECONDS", "900"))
        # How often a worker looks for queued tasks Redis does not hold (started while it was
        # down, or lost when it restarted empty) and queues them again.
        self.TASK_REQUEUE_SECONDS = float(env.get("TASK_REQUEUE_SECONDS", "30"))
        self.TASK_TIMEOUT_SECONDS = int(env.get("TASK_TIMEOUT_SECONDS", "1800"))
        self.EXPORT_BATCH_SIZE = int(env.get("EXPORT_BATCH_SIZE", "1000"))
        # How many reverse proxies (nginx, a PaaS router) stand in front of the app and set
        # X-Forwarded-For/-Proto/-Host/-Port. 0: none, the headers are ignored (a client could
        # forge them). Behind one nginx: 1.
        self.TRUSTED_PROXIES = _count(env, "TRUSTED_PROXIES")
        # Logging outside debug and testing: rotating files in LOG_DIR, or standard output.
        self.LOG_TO_STDOUT = _bool(env, "LOG_TO_STDOUT")
        self.LOG_DIR = env.get("LOG_DIR") or None
        self.LOG_MAX_BYTES = int(env.get("LOG_MAX_BYTES", str(1024 * 1024)))
        self.LOG_BACKUP_COUNT = int(env.get("LOG_BACKUP_COUNT", "10"))
        # Machine translation of posts (microblog.services.translation): off unless set up.
        self.TRANSLATION_PROVIDER = env.get("TRANSLATION_PROVIDER", "").lower() or None
        self.TRANSLATION_TIMEOUT = float(env.get("TRANSLATION_TIMEOUT", "5"))
        self.LIBRETRANSLATE_URL = env.get("LIBRETRANSLATE_URL") or None
        self.LIBRETRANSLATE_API_KEY = env.get("LIBRETRANSLATE_API_KEY") or None
        self.DEEPL_API_KEY = env.get("DEEPL_API_KEY") or None
        self.DEEPL_API_URL = env.get("DEEPL_API_URL") or None
        self.MS_TRANSLATOR_KEY = env.get("MS_TRANSLATOR_KEY") or None
        self.MS_TRANSLATOR_REGION = env.get("MS_TRANSLATOR_REGION") or None
        self.MS_TRANSLATOR_URL = env.get("MS_TRANSLATOR_URL") or None
        self.API_TOKEN_MINUTES = int(env.get("API_TOKEN_MINUTES", "60"))
        self.APIFAIRY_TITLE = "microblog API"
        self.APIFAIRY_VERSION = "1.0"
        self.APIFAIRY_APISPEC_PATH = "/api/openapi.json"
        # The docs page is ours (microblog.api.docs), built from the OpenAPI document: APIFairy's
        # own page loads its viewer from a CDN, which the Content-Security-Policy forbids.
        self.APIFAIRY_UI_PATH = None
        # Redis (rate limits, the job queue): /healthz checks it too when it is set.
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.RATELIMIT_ENABLED = _bool(env, "RATELIMIT_ENABLED", default=True)
        self.RATELIMIT_STORAGE_URI = (
            env.get("RATELIMIT_STORAGE_URI") or self.REDIS_URL or "memory://"
        )
        # A Redis that stops answering must not hold requests up: fall back to memory fast.
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
        for name, default in RATE_LIMIT_DEFAULTS.items():
            setattr(self, name, env.get(name) or default)
        # Static files carry a content hash in their URL, so they can be cached for a year.
        self.SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600


class TestConfig(Config):
    """Settings for the test suite: a throwaway database and cheap password hashes.

    Hermetic: neither `.env` nor the environment changes it, so the suite behaves the same
    on every machine; a test that needs a setting passes it in `overrides`."""

    def __init__(self, database_url: str = "sqlite://", **overrides: object) -> None:
        super().__init__(environ={})
        self.TESTING = True
        # Flask takes DEBUG from FLASK_DEBUG in the environment unless the config says otherwise.
        self.DEBUG = False
        self.SECRET_KEY = "test-secret"  # noqa: S105
        self.SQLALCHEMY_DATABASE_URI = normalize_database_url(database_url)
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name
        self.SERVER_NAME = "localhost"
        self.BASE_URL = "http://localhost"
        self.EXTRA_TRUSTED_HOSTS = []
        # Never mail anyone from a test unless the test points the app at its own SMTP sink.
        self.MAIL_SERVER = None
        self.ADMINS = []
        # Never call a real translation service from a test.
        self.TRANSLATION_PROVIDER = None
        self.LIBRETRANSLATE_URL = self.DEEPL_API_KEY = self.MS_TRANSLATOR_KEY = None
        # Tests of the limits turn them on (and count in memory, whatever REDIS_URL says).
        self.RATELIMIT_ENABLED = False
        self.RATELIMIT_STORAGE_URI = "memory://"
        # Jobs run in threads unless a test gives its app a Redis of its own.
        self.REDIS_URL = None
        self.TRUSTED_PROXIES = 0
        for key, value in overrides.items():
            setattr(self, key, value)
