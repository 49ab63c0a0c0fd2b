"""Sign-in: e-mail and password, then a TOTP code (set up on first sign-in); sign-out."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.forms import InvitationAcceptForm, OtpForm, SignInForm
from projects.selectors import invitation_get_pending, sign_in_failures_since, user_get_by_email
from projects.services import invitation_accept, user_sign_in_record, user_totp_device_confirm, user_totp_device_start
from projects.services.members import invitation_token_hash

THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 10
MAX_FAILURES_PER_ADDRESS = 50
SETUP_DEVICE_KEY = "otp_setup_device_id"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse("dashboard:home")


def _with_next(name: str, next_url: str) -> str:
    from django.utils.http import urlencode

    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _throttled(actor: Actor, email: str) -> bool:
    user = user_get_by_email(email=email)
    for_account, from_address = sign_in_failures_since(
        since=timezone.now() - THROTTLE_WINDOW, user_id=user.pk if user else None, ip_address=actor.ip_address
    )
    return for_account >= MAX_FAILURES_PER_ACCOUNT or from_address >= MAX_FAILURES_PER_ADDRESS


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(next_url)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        email = form.cleaned_data["email"].lower()
        if _throttled(actor, email):
            form.add_error(None, "Too many failed attempts. Wait 15 minutes, then try again.")
            user_sign_in_record(actor=actor, action="auth.sign_in_throttled", user=user_get_by_email(email=email))
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                user_sign_in_record(actor=actor, action="auth.password_failed", user=user_get_by_email(email=email))
                form.add_error(None, "E-mail or password is not right.")
            else:
                login(request, user)  # a new session key: no fixation (G20)
                user_sign_in_record(actor=Actor.from_request(request), action="auth.password_ok", user=user)
                step = "dashboard:otp" if user_has_device(user, confirmed=True) else "dashboard:otp_setup"
                return redirect(_with_next(step, next_url))
    return render(request, "dashboard/auth/sign_in.html", {"form": form, "next": next_url})


def _confirmed_device(user: object) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def otp_verify(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if not request.user.is_authenticated:
        return redirect(_with_next("dashboard:login", next_url))
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(_with_next("dashboard:otp_setup", next_url))
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", "Too many wrong codes. Wait a minute, then try again.")
        elif device.verify_token(form.cleaned_code()):
            otp_login(request, device)
            user_sign_in_record(actor=actor, action="auth.otp_ok", user=request.user)
            return redirect(next_url)
        else:
            user_sign_in_record(actor=actor, action="auth.otp_failed", user=request.user)
            form.add_error("code", "That code is not right, or was already used. Wait for the next one.")
    return render(request, "dashboard/auth/otp_verify.html", {"form": form, "next": next_url})


def otp_setup(request: HttpRequest) -> HttpResponse:
    """Connect an authenticator app: scan the QR code, type one code to prove it works."""
    next_url = _next_url(request)
    if not request.user.is_authenticated:
        return redirect(_with_next("dashboard:login", next_url))
    if _confirmed_device(request.user) is not None and not request.user.is_verified():
        # Replacing an authenticator needs the current one first.
        return redirect(_with_next("dashboard:otp", next_url))
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = user_totp_device_confirm(
                user=request.user,
                device_id=request.session.get(SETUP_DEVICE_KEY, 0),
                code=form.cleaned_code(),
                actor=Actor.from_request(request),
            )
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop(SETUP_DEVICE_KEY, None)
            otp_login(request, device)
            messages.success(request, "Your authenticator app is connected.")
            return redirect(next_url)
    device = TOTPDevice.objects.filter(pk=request.session.get(SETUP_DEVICE_KEY, 0), user=request.user,
                                       confirmed=False).first()
    if device is None or request.method == "GET":
        device = user_totp_device_start(user=request.user)
        request.session[SETUP_DEVICE_KEY] = device.pk
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": next_url,
        "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
        "secret": _grouped_secret(device),
    }
    return render(request, "dashboard/auth/otp_setup.html", context)


def _grouped_secret(device: TOTPDevice) -> str:
    import base64

    secret = base64.b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        user_sign_in_record(actor=Actor.from_request(request), action="auth.signed_out", user=request.user)
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("dashboard:login")


def invitation_accept_page(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_get_pending(token_hash=invitation_token_hash(token))
    if invitation is None:
        return render(request, "dashboard/auth/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, password=form.cleaned_data["password"],
                                     actor=Actor.from_request(request))
        except ApplicationError as exc:
            form.add_error("password", exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("dashboard:otp_setup")
    return render(request, "dashboard/auth/invitation_accept.html", {"form": form, "invitation": invitation})
