"""Fixtures of the submissions tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.submissions.phone_helpers import use_file_backend


@pytest.fixture
def sms_folder(settings, tmp_path) -> Path:
    """The folder the SMS of this test are written to (the development file backend)."""
    return use_file_backend(settings, tmp_path / "sms")
