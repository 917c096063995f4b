"""Production settings: secure cookies and HSTS; everything else from the environment."""

import os

from .base import *  # noqa: F401,F403

if not os.environ.get("LVV_SECRET_KEY"):
    raise RuntimeError("LVV_SECRET_KEY moet gezet zijn in productie")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("LVV_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
