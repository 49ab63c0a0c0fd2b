"""Reading the SMS the file backend wrote (``idcheck.lib.sms.FileBackend``), for the phone step's tests."""

from __future__ import annotations

import re
from pathlib import Path

FILE_BACKEND = "idcheck.lib.sms.FileBackend"
# French mobile numbers (06…) of the well-known example form; libphonenumber knows them as mobile.
MOBILE = "+33612345678"
OTHER_MOBILE = "+33698765432"
_CODE = re.compile(r"code is (\d{6})")


def use_file_backend(settings, folder: Path) -> Path:
    """Send this test's SMS to files in ``folder`` (the ``sms_folder`` fixture does it)."""
    settings.IDCHECK_SMS_BACKEND = FILE_BACKEND
    settings.IDCHECK_SMS_FILE_PATH = str(folder)
    return folder


def sms_sent(folder: Path) -> list[str]:
    """The messages written so far, oldest first."""
    if not folder.exists():
        return []
    return [
        path.read_text(encoding="utf-8")
        for path in sorted(folder.glob("*.sms"), key=lambda path: path.stat().st_mtime_ns)
    ]


def last_code(folder: Path) -> str:
    messages = sms_sent(folder)
    assert messages, "no SMS was written"
    found = _CODE.search(messages[-1])
    assert found is not None, messages[-1]
    return found.group(1)
