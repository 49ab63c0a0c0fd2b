"""Production settings pass Django's deployment checks (G21); our own checks catch the rest."""

from __future__ import annotations

import base64
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
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
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
