"""manage.py read_document prints one JSON object per image, or a readable summary."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from submissions.specimens import make_specimens


def test_it_prints_one_json_object_per_image(tmp_path):
    make_specimens(tmp_path, count=1, seed=3, kinds=("td3",), conditions=("clear",), today=dt.date(2026, 11, 25))
    label = json.loads((tmp_path / "labels.jsonl").read_text().splitlines()[0])
    out = io.StringIO()
    # when
    call_command("read_document", str(tmp_path / label["file"]), str(tmp_path / "labels.jsonl"), "--json",
                 "--today", "2026-11-25", stdout=out)
    # then: the photo is read, the non-image is refused with its code, one line each
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["kind"] == "td3"
    assert first["mrz"]["lines"] == label["mrz_lines"]
    assert first["mrz"]["fields"] == label["fields"]
    assert second["error"]["code"] == "unsupported_format"


def test_it_fails_when_nothing_can_be_read(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not an image")
    with pytest.raises(CommandError, match="No image could be read"):
        call_command("read_document", str(junk), stdout=io.StringIO(), stderr=io.StringIO())
