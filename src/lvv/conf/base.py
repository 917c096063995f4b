"""Settings for lvv. Everything that differs between deployments comes from the environment.

Environment variables:
  LVV_DATABASE_URL   sqlite:///path or postgresql://user@host:port/db (default: SQLite under var/)
  LVV_SECRET_KEY     Django secret key (required in production; a per-checkout key is made for dev)
  LVV_DEBUG          "1" to enable debug pages (never in production)
  LVV_ALLOWED_HOSTS  comma-separated host names (default: 127.0.0.1,localhost)
  LVV_VAR_DIR        folder for the default SQLite database and the dev secret key (default: ./var)
  LVV_SESSION_AGE    session lifetime in seconds (default 12 hours)
"""

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LVV_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _dev_secret_key() -> str:
    """A random key kept in var/ so development sessions survive restarts; never committed."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("LVV_SECRET_KEY") or _dev_secret_key()
DEBUG = _env_bool("LVV_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("LVV_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "lvv.core",
    "lvv.accounts",
    "lvv.shelter",
    "lvv.people",
    "lvv.trajectories",
    "lvv.admissions",
    "lvv.meetings",
    "lvv.monitor",
    "lvv.exchange",
    "lvv.audit",
    "lvv.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lvv.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "lvv.conf.urls"
WSGI_APPLICATION = "lvv.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lvv.web.context_processors.navigation",
            ],
        },
    }
]


def database_config(url: str) -> dict:
    """Parse LVV_DATABASE_URL and tune SQLite for several concurrent users."""
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the busy
            # timeout instead of failing with "database is locked" when a reader upgrades.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = os.environ.get("LVV_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'lvv.sqlite3'}"
DATABASES = {"default": database_config(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE = int(os.environ.get("LVV_SESSION_AGE", 12 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise serves straight from the app folders, so `lvv serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

# Pseudonymisation key for the access log's data-subject id (kept outside the database).
LVV_PSEUDONYM_KEY = os.environ.get("LVV_PSEUDONYM_KEY") or SECRET_KEY

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LVV_LOG_LEVEL", "WARNING")},
}

FORM_RENDERER = "lvv.web.forms.LvvFormRenderer"
