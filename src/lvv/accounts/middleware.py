"""Session lifetime, the second factor and the log of refused accesses (docs/security.md).

Order in settings.MIDDLEWARE: SessionTimeoutMiddleware after django-otp's OTPMiddleware (which comes
after AuthenticationMiddleware); TwoFactorRequiredMiddleware after LoginRequiredMiddleware;
RefusedAccessLogMiddleware near the end.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from lvv.accounts import security

#: Views an unverified user of a two-factor role may still reach (besides views that need no login,
#: such as the login page itself and the token-authenticated API).
#: Query parameter with which the login page explains that the session ended.
EXPIRED_PARAM = "sessie"
TWO_FACTOR_OPEN_VIEWS = {"login", "logout", "accounts:two_factor_verify", "accounts:two_factor_setup"}


class SessionTimeoutMiddleware:
    """End a session 30 minutes after the last request (SESSION_COOKIE_AGE) or 12 hours after login
    (LVV_SESSION_MAX_AGE), whatever the cookie says: the times are kept in the session itself.

    A session without a login time (made before this middleware existed) is ended too: deny by default.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = security.wall_clock()
            login_at = request.session.get(security.SESSION_LOGIN_AT)
            active_at = request.session.get(security.SESSION_ACTIVE_AT, login_at)
            reason = None
            if not isinstance(login_at, int | float) or not isinstance(active_at, int | float):
                reason = "no login time"
            elif now - login_at > settings.LVV_SESSION_MAX_AGE:
                reason = "absolute lifetime"
            elif now - active_at > settings.SESSION_COOKIE_AGE:
                reason = "idle"
            if reason:
                security.log_session_ended(request, reason)
                logout(request)  # flushes the session; LoginRequiredMiddleware sends them to the login page
                response = self.get_response(request)
                if response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL) + "?"):
                    response["Location"] += f"&{EXPIRED_PARAM}=verlopen"  # the login page says why
                return response
            request.session[security.SESSION_ACTIVE_AT] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Deny by default: a user who needs a second factor (security.requires_two_factor) and has not
    entered a valid code in this session reaches only the verify and setup pages and logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not security.requires_two_factor(user) or user.is_verified():
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public views: the login page, the token-authenticated API
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_OPEN_VIEWS:
            return None
        return redirect_to_login(request.get_full_path(), reverse("accounts:two_factor_verify"))


class RefusedAccessLogMiddleware:
    """Log every 403 and 404 answered to a logged-in user on the security log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                security.log_refused(request, response.status_code)
        return response
