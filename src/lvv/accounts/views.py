"""Second factor (TOTP, django-otp): verify a code after the password, or set up an authenticator
app on the first login. Only for users who need it (security.requires_two_factor)."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from lvv.accounts import security, services
from lvv.accounts.forms import TokenForm

MSG_WRONG = "Deze code klopt niet. Controleer de tijd op uw telefoon en vul de code in die de app nu toont."
MSG_THROTTLED = "Er zijn te veel onjuiste codes ingevuld. Wacht even en probeer het dan opnieuw."


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, request) -> str:
    url = reverse(url_name)
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt:
        url += "?" + urlencode({"next": nxt})
    return url


def _context(request, form, **extra) -> dict:
    # No main navigation until the second step is done: the links would only lead back here.
    return {"form": form, "next": request.POST.get("next") or request.GET.get("next") or "", "nav_items": [], **extra}


def _confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def _check(request, device: TOTPDevice, form: TokenForm) -> bool:
    """Verify the code on the device (django-otp throttles after failures and refuses reuse)."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        security.log_two_factor(request, "throttled")
        form.add_error("token", MSG_THROTTLED)
        return False
    if device.verify_token(form.cleaned_data["token"]):
        return True
    security.log_two_factor(request, "failed")
    form.add_error("token", MSG_WRONG)
    return False


def _finish(request, device: TOTPDevice, event: str):
    request.session.cycle_key()  # a new session id once the login is complete
    otp_login(request, device)
    security.log_two_factor(request, event)
    return redirect(_next_url(request))


def verify(request):
    user = request.user
    if not security.requires_two_factor(user) or user.is_verified():
        return redirect(_next_url(request))
    device = _confirmed_device(user)
    if device is None:
        return redirect(_with_next("accounts:two_factor_setup", request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check(request, device, form):
        return _finish(request, device, "verified")
    return render(request, "registration/two_factor_verify.html", _context(request, form))


def setup(request):
    user = request.user
    if not security.requires_two_factor(user) or user.is_verified():
        return redirect(_next_url(request))
    if _confirmed_device(user) is not None:
        return redirect(_with_next("accounts:two_factor_verify", request))
    device = services.totp_device_pending(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check(request, device, form):
        services.totp_device_confirm(device=device)
        return _finish(request, device, "enrolled")
    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request, "registration/two_factor_setup.html", _context(request, form, qr_data_uri=qr, secret=grouped)
    )
