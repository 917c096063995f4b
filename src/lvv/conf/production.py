"""Production settings: secrets only from the environment, secure `__Host-` cookies, HSTS.

`lvv manage check --deploy --fail-level WARNING` with these settings is clean (tested in
lvv/accounts/tests/test_deploy_check.py and run in .ci/run). Behind a TLS-terminating proxy set
LVV_PROXY_SSL_HEADER=1 (the proxy must set X-Forwarded-Proto) and LVV_PROXY_COUNT.
"""

import os

from django.core.exceptions import ImproperlyConfigured

#: Keys that must come from the environment; base.py would otherwise make development keys in var/.
REQUIRED_SECRETS = ("LVV_SECRET_KEY", "LVV_PSEUDONYM_KEY", "LVV_AUDIT_KEY", "LVV_DUPLICATE_KEY", "LVV_FIELD_KEYS")
#: How to make a Fernet key for LVV_FIELD_KEYS (the encrypted fields, lvv.core.crypto).
FERNET_HINT = "python3 -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"

_missing = [name for name in REQUIRED_SECRETS if not os.environ.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        "lvv start niet: in productie moeten deze geheimen als omgevingsvariabele gezet zijn: "
        + ", ".join(_missing)
        + ". Maak elk aan met bijvoorbeeld: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        + ("; LVV_FIELD_KEYS is een Fernet-sleutel: " + FERNET_HINT if "LVV_FIELD_KEYS" in _missing else "")
    )


def _field_keys(raw: str) -> list[str]:
    """The comma-separated Fernet keys of LVV_FIELD_KEYS; a key that is not a valid Fernet key stops the start."""
    from cryptography.fernet import Fernet

    keys = [key.strip() for key in raw.split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured(f"lvv start niet: LVV_FIELD_KEYS bevat geen sleutel. Maak er een met: {FERNET_HINT}")
    for number, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):  # binascii.Error is a ValueError
            raise ImproperlyConfigured(
                f"lvv start niet: sleutel {number} in LVV_FIELD_KEYS is geen geldige Fernet-sleutel "
                f"(32 bytes, url-safe base64). Maak er een met: {FERNET_HINT}"
            ) from None
    return keys


_FIELD_KEYS = _field_keys(os.environ["LVV_FIELD_KEYS"])
if len(os.environ["LVV_SECRET_KEY"]) < 50:
    raise ImproperlyConfigured("lvv start niet: LVV_SECRET_KEY moet minstens 50 tekens lang zijn.")
if not os.environ.get("LVV_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("lvv start niet: zet LVV_ALLOWED_HOSTS op de hostnaam (of namen) van de site.")

# Only now: base.py would make development keys in var/ for any secret that is missing.
from .base import *  # noqa: E402,F403

SECRET_KEY = os.environ["LVV_SECRET_KEY"]
LVV_PSEUDONYM_KEY = os.environ["LVV_PSEUDONYM_KEY"]
LVV_AUDIT_KEY = os.environ["LVV_AUDIT_KEY"]
LVV_DUPLICATE_KEY = os.environ["LVV_DUPLICATE_KEY"]
LVV_FIELD_KEYS = _FIELD_KEYS
DEBUG = False

# Cookies: `__Host-` prefix (only over HTTPS, no Domain attribute, Path=/), Secure, HttpOnly, SameSite=Lax.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_PATH = "/"
CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None

SECURE_SSL_REDIRECT = os.environ.get("LVV_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if os.environ.get("LVV_PROXY_SSL_HEADER") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
