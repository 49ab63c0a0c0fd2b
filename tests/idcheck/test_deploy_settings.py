"""Production settings pass Django's deployment checks (G21); our own checks catch the rest."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("IDCHECK_", "SECRET_KEY"))}
    env.pop("DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process
    env.update(
        IDCHECK_PRODUCTION="true",
        SECRET_KEY=secrets.token_urlsafe(64),
        IDCHECK_MASTER_KEY=base64.b64encode(os.urandom(32)).decode(),
        ALLOWED_HOSTS="idcheck.example.com",
        IDCHECK_PUBLIC_API_DOCS="false",
        IDCHECK_VAR_DIR=str(tmp_path),
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value != ""}


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = _check_deploy(_production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_master_key_beside_the_data_is_reported(tmp_path):
    result = _check_deploy(_production_env(tmp_path, IDCHECK_MASTER_KEY=""))
    assert result.returncode != 0
    assert "idcheck.W001" in result.stderr


def test_public_api_docs_are_reported(tmp_path):
    result = _check_deploy(_production_env(tmp_path, IDCHECK_PUBLIC_API_DOCS="true"))
    assert result.returncode != 0
    assert "idcheck.W002" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _check_deploy(_production_env(tmp_path, SECRET_KEY=""))
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_a_malformed_boolean_stops_the_process(tmp_path):
    result = _check_deploy(_production_env(tmp_path, DEBUG="ture"))
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'ture'" in result.stderr


def test_no_wildcard_hosts_and_debug_off_by_default(settings):
    assert "*" not in settings.ALLOWED_HOSTS
    assert settings.DEBUG is False


_SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
names = ["SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
         "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
         "SESSION_COOKIE_AGE", "IDCHECK_SESSION_IDLE_SECONDS", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "DEBUG", "ALLOWED_HOSTS", "CORS_ALLOWED_ORIGINS"]
print(json.dumps({name: getattr(s, name, None) for name in names}))
"""


def test_production_cookies_are_host_only_secure_http_only_same_site_and_sessions_bounded(tmp_path):
    # when: the settings a production process runs with (G20, G21)
    env = {**_production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "idcheck.settings"}
    result = subprocess.run([sys.executable, "-c", _SHOW_SETTINGS], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=120, check=True)  # fmt: skip

    # then
    shown = json.loads(result.stdout)
    assert shown == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_AGE": 12 * 3600,
        "IDCHECK_SESSION_IDLE_SECONDS": 30 * 60,
        "SECURE_HSTS_SECONDS": shown["SECURE_HSTS_SECONDS"],
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "DEBUG": False,
        "ALLOWED_HOSTS": ["idcheck.example.com"],
        "CORS_ALLOWED_ORIGINS": shown["CORS_ALLOWED_ORIGINS"],
    }
    assert shown["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert "*" not in (shown["CORS_ALLOWED_ORIGINS"] or [])
