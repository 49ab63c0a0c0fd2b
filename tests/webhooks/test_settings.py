"""The local-receiver switch is for development and tests only (G8, G21)."""

from __future__ import annotations

from tests.idcheck.test_deploy_settings import _check_deploy, _production_env


def test_production_refuses_the_local_receiver_switch(tmp_path):
    # when
    result = _check_deploy(_production_env(tmp_path, IDCHECK_OUTBOUND_ALLOW_LOCAL="true"))

    # then
    assert result.returncode != 0
    assert "IDCHECK_OUTBOUND_ALLOW_LOCAL is for development and tests, never production" in result.stderr


def test_check_deploy_flags_the_switch_outside_production_settings(tmp_path):
    # when
    result = _check_deploy(_production_env(tmp_path, IDCHECK_PRODUCTION="", IDCHECK_OUTBOUND_ALLOW_LOCAL="true"))

    # then
    assert result.returncode != 0
    assert "idcheck.W003" in result.stderr
