"""Every shipped language of the Liveform is complete (issue 6): each catalogue translates every
message the code has, none fuzzy, and its compiled .mo says what the .po says. A message added
to the code without translations fails here."""

from __future__ import annotations

import ast
import gettext
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import to_locale

LOCALE = Path(settings.BASE_DIR) / "locale"
SHIPPED = [code for code, _ in settings.LANGUAGES if code != "en"]


@dataclass
class Entry:
    msgid: str = ""
    plural: str = ""
    msgstrs: list[str] = field(default_factory=list)
    fuzzy: bool = False


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header included, as msgid "")."""
    entries, entry, target = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if entry is not None and (not line or line.startswith("#") and target == "msgstr"):
                if not line:
                    entries.append(entry)
                    entry, target = None, None
            if line.startswith("#,") and "fuzzy" in line:
                entry = entry or Entry()
                entry.fuzzy = True
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            text = ast.literal_eval(line)
            if target == "msgid":
                entry.msgid += text
            elif target == "msgid_plural":
                entry.plural += text
            else:
                entry.msgstrs[-1] += text
            continue
        entry = entry or Entry()
        text = ast.literal_eval(rest)
        if keyword == "msgid":
            entry.msgid, target = text, "msgid"
        elif keyword == "msgid_plural":
            entry.plural, target = text, "msgid_plural"
        else:  # msgstr or msgstr[n]
            entry.msgstrs.append(text)
            target = "msgstr"
    return entries


def _catalogue(code: str) -> Path:
    return LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("code", SHIPPED)
def test_every_message_is_translated_and_none_is_fuzzy(code):
    entries = parse_po(_catalogue(code))
    messages = [entry for entry in entries if entry.msgid]

    assert len(messages) > 400
    assert [entry.msgid for entry in messages if not all(entry.msgstrs) or not entry.msgstrs] == []
    assert [entry.msgid for entry in entries if entry.fuzzy] == []


@pytest.mark.parametrize("code", SHIPPED)
def test_the_compiled_catalogue_says_what_the_po_says(code):
    po = _catalogue(code)
    with po.with_suffix(".mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)

    for entry in parse_po(po):
        if entry.msgid and not entry.plural:
            assert translations.gettext(entry.msgid) == entry.msgstrs[0], entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (make test installs it)")
def test_the_catalogues_hold_every_message_of_the_code(tmp_path, settings, monkeypatch):
    # given: the messages of the code as they are now, extracted in a scratch tree that links to
    # the sources (makemessages writes beside the tree it walks, never into the repository here)
    for source in ("idcheck", "projects", "submissions", "policy", "webhooks", "network", "registry", "templates"):
        (tmp_path / source).symlink_to(Path(settings.BASE_DIR) / source)
    (tmp_path / "locale" / "ko" / "LC_MESSAGES").mkdir(parents=True)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["ko"], symlinks=True, no_location=True, verbosity=0)
    extracted = {
        entry.msgid for entry in parse_po(tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.po") if entry.msgid
    }

    # then: every shipped catalogue has exactly them (none missing, none stale)
    assert len(extracted) > 400
    for code in SHIPPED:
        shipped = {entry.msgid for entry in parse_po(_catalogue(code)) if entry.msgid}
        assert sorted(extracted - shipped) == [], f"{code}: messages without a translation"
        assert sorted(shipped - extracted) == [], f"{code}: messages the code no longer has"
