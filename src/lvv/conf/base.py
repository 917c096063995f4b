"""Settings for lvv. Everything that differs between deployments comes from the environment.

Environment variables:
  LVV_DATABASE_URL   sqlite:///path or postgresql://user@host:port/db (default: SQLite under var/)
  LVV_SECRET_KEY     Django secret key (required in production; a per-checkout key is made for dev)
  LVV_DEBUG          "1" to enable debug pages (never in production)
  LVV_ALLOWED_HOSTS  comma-separated host names (default: 127.0.0.1,localhost)
  LVV_VAR_DIR        folder for the default SQLite database and the dev secret key (default: ./var)
  LVV_SESSION_AGE    idle time in seconds after which a session ends (default 30 minutes)
  LVV_SESSION_MAX_AGE  absolute session lifetime in seconds (default 12 hours)
"""

import base64
import datetime as dt
import os
import secrets
from pathlib import Path

import csp.constants as csp
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "lvv.core",
    "lvv.accounts",
    "lvv.shelter",
    "lvv.people",
    "lvv.trajectories",
    "lvv.admissions",
    "lvv.meetings",
    "lvv.monitor",
    "lvv.exchange",
    "lvv.analytics",
    "lvv.audit",
    "lvv.demo",
    "lvv.privacy",
    "lvv.api",
    "lvv.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "lvv.core.limits.BodyLimitMiddleware",  # before CSRF, which parses the whole body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lvv.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "lvv.accounts.middleware.TwoFactorRequiredMiddleware",
    # The request's access-log rows (reads, refusals), added once when the answer is ready.
    "lvv.audit.middleware.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lvv.core.middleware.NoStoreMiddleware",
    "lvv.accounts.middleware.RefusedAccessLogMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
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

# The monitor's computed content (series, tables, charts) per question and registry state
# (lvv.monitor.content.cached_content): in files under the var folder, shared by the server's worker
# processes (aggregates only, never person data).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 200},
    }
}
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

# Login hardening (docs/security.md). AxesStandaloneBackend first: it refuses a locked-out
# username+IP before the password is checked; ModelBackend refuses inactive users.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lvv.accounts.security.lockout_response"  # Dutch page, status 429
AXES_VERBOSE = False  # lvv.accounts.security logs logins, failures and lockouts itself
# Behind a reverse proxy set LVV_PROXY_COUNT to the number of proxies that append X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("LVV_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
# Two-factor authentication (TOTP) for chain partners, programmabureau and administrators
# (lvv.accounts.security.requires_two_factor). The test settings switch it off for the unit tests
# of other features; lvv/accounts/tests/test_two_factor.py switches it on again.
LVV_TWO_FACTOR_REQUIRED = True
OTP_TOTP_ISSUER = "LVV-registratie"
OTP_TOTP_SYNC = False  # a fixed window of one 30-second step either side; no drift learning

# Sessions end after 30 minutes idle and 12 hours after login (OWASP ASVS 3.3), on logout, on
# deactivation (ModelBackend.get_user refuses inactive users) and on a password change (session hash).
SESSION_COOKIE_AGE = int(os.environ.get("LVV_SESSION_AGE", 30 * 60))
LVV_SESSION_MAX_AGE = int(os.environ.get("LVV_SESSION_MAX_AGE", 12 * 3600))
SESSION_SAVE_EVERY_REQUEST = True  # every request moves the idle deadline of cookie and database row
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): no inline or foreign scripts. style-src allows inline
# styles because the charts are matplotlib SVGs embedded in the page, which carry a <style> element
# and style attributes; CSS cannot run code, scripts stay 'self' only (docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
        "base-uri": [csp.SELF],
    }
}

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


def _dev_key(name: str) -> str:
    """A random key kept in var/<name> for development, like the dev secret key; never committed."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# Access log (docs/logboek.md), keys kept outside the database: the pseudonymisation key for the data
# subject's id, and the key of the log's hash chain. Rotating either breaks old pseudonyms / hashes.
LVV_PSEUDONYM_KEY = os.environ.get("LVV_PSEUDONYM_KEY") or _dev_key("pseudonym_key")
LVV_AUDIT_KEY = os.environ.get("LVV_AUDIT_KEY") or _dev_key("audit_key")
# Key of the keyed fingerprints of the national duplicate check (docs/duplicaatcontrole.md), kept
# outside the database. After changing it run `lvv manage lvv_refingerprint`.
LVV_DUPLICATE_KEY = os.environ.get("LVV_DUPLICATE_KEY") or _dev_key("duplicate_key")


def _dev_fernet_key(name: str) -> str:
    """A Fernet key (32 random bytes, url-safe base64) kept in var/<name> for development; never committed."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"))
        path.chmod(0o600)
    return path.read_text().strip()


# Keys of the encrypted fields (lvv.core.crypto, docs/security.md "Versleuteling in rust"), kept outside
# the database: comma-separated Fernet keys, the first encrypts, all decrypt. Rotate with `lvv rotate-keys`.
LVV_FIELD_KEYS = [key.strip() for key in os.environ.get("LVV_FIELD_KEYS", "").split(",") if key.strip()] or [
    _dev_fernet_key("field_key")
]
# Years after the last trajectory ended before a person is anonymised (`lvv manage lvv_retention`).
#: Seconds between two runs of the access log's sealer while `lvv serve` runs (0: not by the server;
#: run `lvv audit-seal` from a timer instead). See docs/logboek.md §3.
LVV_AUDIT_SEAL_INTERVAL = float(os.environ.get("LVV_AUDIT_SEAL_INTERVAL", "30"))
LVV_RETENTION_YEARS = int(os.environ.get("LVV_RETENTION_YEARS", "7"))
# Published monitor downloads hide counts from 1 up to this threshold (docs/onthulling.md).
LVV_SUPPRESSION_THRESHOLD = int(os.environ.get("LVV_SUPPRESSION_THRESHOLD", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"timed": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "timed"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LVV_LOG_LEVEL", "WARNING")},
    # Logins, failures, lockouts, 2FA and refused accesses (lvv.accounts.security).
    "loggers": {"lvv.security": {"level": os.environ.get("LVV_SECURITY_LOG_LEVEL", "INFO")}},
}

FORM_RENDERER = "lvv.web.forms.LvvFormRenderer"

# Limits on input (docs/security.md §5.10, docs/aanleverformat.md "Grenzen"). A request body larger
# than its view's cap is refused with 413 before anything reads it (lvv.core.limits): uploads declare
# their cap with @body_limit, every other request gets LVV_MAX_REQUEST_BYTES (default 2.5 MB, the
# size of Django's DATA_UPLOAD_MAX_MEMORY_SIZE). A delivery file or chain extract has at most
# LVV_MAX_DELIVERY_ROWS rows after the header, and an XLSX may unpack to at most LVV_MAX_XLSX_BYTES
# (lvv.core.tables; a national delivery of 100,000 trajectories unpacks to 111 MB).
LVV_MAX_REQUEST_BYTES = int(os.environ.get("LVV_MAX_REQUEST_BYTES", 2_621_440))
LVV_MAX_DELIVERY_ROWS = int(os.environ.get("LVV_MAX_DELIVERY_ROWS", 200_000))
LVV_MAX_XLSX_BYTES = int(os.environ.get("LVV_MAX_XLSX_BYTES", 256 * 1024 * 1024))
#: Who answers a 413 under a path prefix other than with the Dutch page (lvv.core.limits).
LVV_TOO_LARGE_RESPONSES = {"/api/": "lvv.api.deliveries.too_large_response"}
