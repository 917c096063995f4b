"""Login security: who needs a second factor, and the security log (logins, failures, lockouts,
two-factor events, refused accesses) on the `lvv.security` logger.

Passwords and one-time codes are never logged; a failed login names the username that was typed
(so a lockout can be explained) and the client address.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.shortcuts import render

from lvv.accounts import access

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lvv.accounts.models import User

logger = logging.getLogger("lvv.security")

#: Session keys: when the user logged in (absolute lifetime) and was last active (idle lifetime),
#: both as POSIX timestamps of wall_clock().
SESSION_LOGIN_AT = "lvv_login_at"
SESSION_ACTIVE_AT = "lvv_active_at"


def requires_two_factor(user: User) -> bool:
    """Must this user enter a TOTP code after the password (`access.needs_second_factor`)? Off only
    in the unit-test settings."""
    return getattr(settings, "LVV_TWO_FACTOR_REQUIRED", True) and access.needs_second_factor(user)


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "-")


def _who(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "anoniem"
    return f"{user.get_username()} (id {user.pk})"


def wall_clock() -> float:
    """Session lifetimes follow the real time, not lvv.core.clock: that clock is moved to business
    dates (tests, demo data), which must not end or prolong anyone's session. Tests patch this."""
    return time.time()


def start_session_clock(request: HttpRequest) -> None:
    now = wall_clock()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_ACTIVE_AT] = now


@receiver(user_logged_in, dispatch_uid="lvv_security_logged_in")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
    logger.info("login ok: user=%s ip=%s", _who(user), client_ip(request))


@receiver(user_login_failed, dispatch_uid="lvv_security_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    logger.warning("login failed: username=%r ip=%s", username, client_ip(request))


@receiver(user_locked_out, dispatch_uid="lvv_security_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    logger.warning("login locked out: username=%r ip=%s", str(username or "")[:150], ip_address)


@receiver(user_logged_out, dispatch_uid="lvv_security_logged_out")
def _logged_out(sender, request, user, **kwargs):
    logger.info("logout: user=%s ip=%s", _who(user), client_ip(request))


def log_session_ended(request: HttpRequest, reason: str) -> None:
    logger.info("session ended (%s): user=%s ip=%s", reason, _who(request.user), client_ip(request))


def log_two_factor(request: HttpRequest, event: str) -> None:
    level = logging.INFO if event in {"verified", "enrolled"} else logging.WARNING
    logger.log(level, "two-factor %s: user=%s ip=%s", event, _who(request.user), client_ip(request))


def log_refused(request: HttpRequest, status: int) -> None:
    logger.warning(
        "access refused %s: user=%s ip=%s %s %s",
        status,
        _who(request.user),
        client_ip(request),
        request.method,
        request.path[:500],
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the Dutch lockout page (429 Too Many Requests)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "nav_items": [],
    }
    return render(request, "registration/lockout.html", context, status=429)
