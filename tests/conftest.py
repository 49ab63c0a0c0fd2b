"""Shared fixtures: settings for tests, personas, and API/dashboard clients."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django_otp.oath import TOTP

from idcheck.lib import crypto
from idcheck.redis import redis_client
from projects.actors import Actor
from projects.services import api_key_issue
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, ProjectFactory, TOTPDeviceFactory, UserFactory

TEST_HOST = "127.0.0.1"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ALLOWED_HOSTS = [TEST_HOST, "testserver"]
    crypto.reset_key_cache()
    yield
    crypto.reset_key_cache()


@pytest.fixture(autouse=True)
def _clean_redis_counters() -> None:
    client = redis_client()
    if client is not None:
        keys = list(client.scan_iter(match="idcheck:*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture
def full_media_disk(settings, tmp_path) -> Iterator[Path]:
    """MEDIA_ROOT on a 1 MB tmpfs filled to the last byte by ``filler`` (delete it to free the
    space): writing an image fails with ENOSPC for real. Mounting needs root."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    media = tmp_path / "small"
    media.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(media)], check=True)
    try:
        (media / "submissions").mkdir()
        with contextlib.suppress(OSError), (media / "filler").open("wb", buffering=0) as filler:
            while True:
                filler.write(b"\0" * 4096)
        settings.MEDIA_ROOT = str(media)
        yield media
    finally:
        subprocess.run(["umount", "-l", str(media)], check=False)


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def issued_key(project):
    return api_key_issue(project=project, actor=Actor.system("test"))


@pytest.fixture
def api_client(issued_key) -> Client:
    """A client that sends the project's key in the ``x-api-key`` header."""
    return Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=issued_key.plaintext)


def totp_code(device, *, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return str(totp.token()).zfill(device.digits)


def fresh_totp_code(user) -> str:
    """A code for a sudo-mode action of a signed-in ``user``: the sign-in used this time step,
    so the device forgets it (and any throttling) and the action gets a code of its own."""
    device = user.totpdevice_set.get()
    device.refresh_from_db()
    device.last_t = -1
    device.throttling_failure_count = 0
    device.save()
    return totp_code(device)


@pytest.fixture
def owner(project):
    user = UserFactory()
    MembershipFactory(user=user, project=project)
    TOTPDeviceFactory(user=user)
    return user


@pytest.fixture
def outsider(db):
    user = UserFactory()
    TOTPDeviceFactory(user=user)
    return user


def sign_in(client: Client, user, *, with_otp: bool = True) -> Client:
    """Password (and, unless told not to, TOTP) through the real dashboard forms."""
    response = client.post("/dashboard/login/", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content
    if with_otp:
        device = user.totpdevice_set.get(confirmed=True)
        response = client.post("/dashboard/otp/", {"code": totp_code(device)})
        assert response.status_code == 302, response.content
    return client


@pytest.fixture
def dashboard_client(owner) -> Client:
    return sign_in(Client(HTTP_HOST=TEST_HOST), owner)


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def limiter_backend(request, settings) -> str:
    """Run the test once with the database counters and once with Redis."""
    if request.param == "database":
        settings.REDIS_URL = ""
    else:
        url = os.environ.get("REDIS_URL", "")
        if not url:
            pytest.skip("REDIS_URL is not set: the Redis limiter needs a Redis server")
        settings.REDIS_URL = url
    return request.param
