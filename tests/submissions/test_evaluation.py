"""evaluate_documents: scoring, aggregation, the PassportEye adapter and an end-to-end run."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from submissions import evaluation as ev

TODAY = dt.date(2026, 11, 25)
TD3_LINES = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD3_FIELDS = {
    "document_type": "P",
    "issuing_country": "UTO",
    "document_number": "L898902C3",
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "nationality": "UTO",
    "birth_date": "1974-08-12",
    "sex": "F",
    "expiry_date": "2012-04-15",
    "optional_data": "ZE184226B",
}
PAYLOAD = b"@\n\x1e\rANSI 636000080002DL00410278ZV03190008DLDAQT64235789\nDCSSAMPLE\n"


def _label(kind: str = "td3", condition: str = "clear", **overrides) -> ev.Label:
    values = {
        "file": f"0001_{kind}_{condition}.jpg",
        "kind": kind,
        "condition": condition,
        "degradations": ("blur:1.1",) if condition == "harsh" else (),
        "mrz_lines": TD3_LINES if kind != "dl_back" else None,
        "payload": PAYLOAD if kind == "dl_back" else None,
        "fields": TD3_FIELDS,
    }
    return ev.Label(**(values | overrides))


def _mrz_row(
    *, lines=TD3_LINES, valid=True, fields=TD3_FIELDS, ms=100.0, kind="td3", condition="clear", file=None
) -> ev.Row:
    label = _label(kind, condition, **({"file": file} if file else {}))
    return ev.score_mrz(label, reader=ev.OURS, lines=lines, valid=valid, fields=fields, ms=ms)


def _changed(line: str, position: int, char: str) -> str:
    return line[:position] + char + line[position + 1 :]


# --- scoring ------------------------------------------------------------------------------


def test_an_exact_mrz_reading_is_ok_and_not_a_false_accept():
    row = _mrz_row()

    assert (row.exact, row.fields_exact, row.valid, row.false_accept, row.ok) == (True, True, True, False, True)
    assert row.difference is None


def test_valid_check_digits_with_a_wrong_field_are_a_false_accept():
    # given: a name misread; names carry no check digit, so the reading still validates
    wrong_name = (_changed(TD3_LINES[0], 5, "F"), TD3_LINES[1])
    fields = TD3_FIELDS | {"surname": "FRIKSSON"}

    # when
    row = _mrz_row(lines=wrong_name, valid=True, fields=fields)

    # then
    assert row.false_accept
    assert not row.exact
    assert not row.ok
    assert row.difference == "line 1, position 6"


def test_a_wrong_reading_that_fails_its_check_digits_is_no_false_accept():
    row = _mrz_row(
        lines=(TD3_LINES[0], _changed(TD3_LINES[1], 14, "5")),
        valid=False,
        fields=TD3_FIELDS | {"birth_date": "1975-08-12"},
    )

    assert not row.false_accept
    assert row.difference == "line 2, position 15"


def test_fields_that_differ_with_exact_lines_name_the_fields():
    row = _mrz_row(fields=TD3_FIELDS | {"birth_date": "2074-08-12"})

    assert row.exact
    assert not row.fields_exact
    assert row.false_accept
    assert row.difference == "fields: birth_date"
    assert row.read == "birth_date='2074-08-12'"
    assert row.expected == "birth_date='1974-08-12'"


def test_nothing_read_is_a_failure_row_with_the_expected_lines():
    row = _mrz_row(lines=None, valid=None, fields=None)

    assert not row.ok
    assert not row.false_accept
    assert row.valid is False
    assert row.difference == "nothing read"
    assert row.expected == " / ".join(TD3_LINES)


@pytest.mark.parametrize(
    ("read", "expected", "at"),
    [
        (["ABC", "DEF"], ["ABC", "DEF"], None),
        (["ABC", "DXF"], ["ABC", "DEF"], (1, 1)),
        (["AB"], ["ABC", "DEF"], (0, 2)),
        (["ABC"], ["ABC", "DEF"], (1, 0)),
        (["ABC", "DEF", "GHI"], ["ABC", "DEF"], (2, 0)),
    ],
)
def test_first_difference_is_the_first_departing_character(read, expected, at):
    assert ev.first_difference(read, expected) == at


def test_a_pdf417_reading_compares_the_raw_bytes():
    label = _label("dl_back")

    exact = ev.score_barcode(label, reader=ev.OURS, raw=PAYLOAD, fields=TD3_FIELDS, ms=50.0)
    wrong = ev.score_barcode(label, reader=ev.OURS, raw=PAYLOAD.replace(b"SAMPLE", b"SAMPLF"), fields=None, ms=50.0)

    assert exact.ok
    assert exact.valid is None
    assert not exact.false_accept
    assert not wrong.exact
    assert not wrong.fields_exact
    assert not wrong.false_accept
    assert wrong.difference == f"byte {PAYLOAD.index(b'SAMPLE') + 5} of {len(PAYLOAD)}"
    assert "SAMPLF" in wrong.read
    assert "SAMPLE" in wrong.expected
    assert "\\n" in wrong.expected


def test_percentiles_interpolate_between_ranks_like_numpy():
    assert ev.percentile([], 50) is None
    assert ev.percentile([7.0], 95) == 7.0
    assert ev.percentile([4, 1, 3, 2], 50) == 2.5
    assert ev.percentile(range(1, 101), 50) == pytest.approx(50.5)
    assert ev.percentile(range(1, 101), 95) == pytest.approx(95.05)
    assert ev.percentile([10, 20, 30, 40, 50], 100) == 50


# --- aggregation --------------------------------------------------------------------------


def _rows() -> list[ev.Row]:
    wrong_name = (_changed(TD3_LINES[0], 5, "F"), TD3_LINES[1])
    rows = [_mrz_row(ms=ms, file=f"{i}.jpg") for i, ms in enumerate([100.0, 200.0, 300.0])]  # td3 clear: 3 exact
    rows.append(_mrz_row(lines=wrong_name, fields=TD3_FIELDS | {"surname": "F"}, ms=400.0, file="fa.jpg"))
    rows += [
        _mrz_row(condition="harsh", ms=1000.0, file="h1.jpg"),
        _mrz_row(condition="harsh", lines=None, valid=None, fields=None, ms=3000.0, file="h2.jpg"),
    ]
    dl = _label("dl_back", "harsh")
    rows.append(ev.score_barcode(dl, reader=ev.OURS, raw=PAYLOAD, fields=TD3_FIELDS, ms=40.0))
    return rows


def test_summarise_gives_exact_percentages_per_kind_condition_and_totals():
    # when
    groups = {(group.kind, group.condition): group.stats for group in ev.summarise(_rows())}

    # then: 3 of 4 clear TD3 exact, one false accept; 1 of 2 harsh
    assert list(groups) == [
        ("td3", "clear"),
        ("td3", "harsh"),
        ("dl_back", "harsh"),
        ("mrz", "clear"),
        ("mrz", "harsh"),
        ("all", "clear"),
        ("all", "harsh"),
        ("all", "all"),
    ]
    td3_clear = groups[("td3", "clear")]
    assert (td3_clear.n, td3_clear.exact_pct, td3_clear.fields_pct, td3_clear.false_accepts) == (4, 75.0, 75.0, 1)
    assert td3_clear.valid_pct == 100.0
    assert td3_clear.p50_ms == 250.0
    assert groups[("td3", "harsh")].exact_pct == 50.0
    assert groups[("td3", "harsh")].valid_pct == 50.0
    assert groups[("dl_back", "harsh")].valid_pct is None
    assert groups[("all", "harsh")].n == 3
    assert groups[("all", "harsh")].exact_pct == pytest.approx(200 / 3)
    assert groups[("mrz", "harsh")].n == 2
    overall = groups[("all", "all")]
    assert (overall.n, overall.exact, overall.false_accepts) == (7, 5, 1)
    assert overall.p50_ms == 300.0
    assert overall.p95_ms == pytest.approx(ev.percentile([40, 100, 200, 300, 400, 1000, 3000], 95))


def test_the_table_and_failure_list_show_every_group_and_the_false_accept_first():
    # given
    rows = _rows()

    # when
    table = "\n".join(ev.format_table(ev.summarise(rows)))
    failed = ev.format_failures(rows)

    # then
    assert "td3      clear         4    75.0    75.0  100.0   1     250" in table
    assert "dl_back  harsh         1   100.0   100.0      –   0" in table
    assert "MRZ      harsh" in table
    assert "all      all           7    71.4    71.4   83.3   1     300    2400" in table
    assert failed[0].split()[0] == "fa.jpg"
    assert failed[0].endswith("FALSE ACCEPT")
    assert any(line.startswith("  h2.jpg") and "nothing read" in line for line in failed)


def test_the_comparison_uses_the_same_images_and_divides_the_medians():
    # given: ours on three MRZ images and a licence back; the baseline on the MRZ images only
    ours = [_mrz_row(ms=ms, file=f"{i}.jpg") for i, ms in enumerate([100.0, 200.0, 300.0])]
    ours.append(ev.score_barcode(_label("dl_back"), reader=ev.OURS, raw=PAYLOAD, fields=TD3_FIELDS, ms=5.0))
    baseline = [
        ev.score_mrz(_label(file=f"{i}.jpg"), reader=ev.PASSPORTEYE, lines=lines, valid=True, fields=fields, ms=ms)
        for i, (lines, fields, ms) in enumerate(
            [(TD3_LINES, TD3_FIELDS, 1000.0), (None, None, 2000.0), (TD3_LINES, TD3_FIELDS, 3000.0)]
        )
    ]

    # when
    comparison = ev.compare(ours, baseline)

    # then
    assert comparison.images == 3
    assert comparison.speed_ratio == 10.0
    assert comparison.exact_points == pytest.approx(100 - 200 / 3)
    text = "\n".join(ev.format_comparison(comparison))
    assert "10.0× faster" in text
    assert "+33.3 points" in text
    assert ev.compare(ours, []) is None


def test_targets_are_judged_against_the_issue():
    found = {target.name: target for target in ev.targets(ev.summarise(_rows()), None)}

    assert found["MRZ lines exact, clear"].met is False
    assert found["PDF417 exact, harsh"].met is True
    assert found["PDF417 exact, clear"].met is None
    assert found["false accepts"].met is False


# --- labels ---------------------------------------------------------------------------------


def _write_labels(directory: Path, rows: list[dict]) -> None:
    (directory / "labels.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def test_labels_are_parsed_and_fronts_have_no_zone(tmp_path):
    # given
    _write_labels(
        tmp_path,
        [
            {
                "file": "a.jpg",
                "kind": "td3",
                "condition": "clear",
                "degradations": [],
                "mrz_lines": list(TD3_LINES),
                "barcode_payload_b64": None,
                "fields": TD3_FIELDS,
            },
            {
                "file": "b.jpg",
                "kind": "dl_back",
                "condition": "harsh",
                "degradations": ["jpeg:50"],
                "mrz_lines": None,
                "barcode_payload_b64": base64.b64encode(PAYLOAD).decode(),
                "fields": TD3_FIELDS,
            },
            {
                "file": "c.jpg",
                "kind": "dl_front",
                "condition": "clear",
                "degradations": [],
                "mrz_lines": None,
                "barcode_payload_b64": None,
                "fields": TD3_FIELDS,
            },
        ],
    )
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        (tmp_path / name).write_bytes(b"")

    # when
    labels = ev.load_labels(tmp_path)

    # then
    assert [label.zone for label in labels] == ["mrz", "pdf417", None]
    assert labels[0].mrz_lines == TD3_LINES
    assert labels[1].payload == PAYLOAD
    assert labels[1].degradations == ("jpeg:50",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        ("{not json\n", "not JSON"),
        ('{"file": "a.jpg"}\n', "malformed label"),
        ('{"file": "gone.jpg", "kind": "td3", "condition": "clear", "mrz_lines": ["A"], "fields": {}}\n', "missing"),
        ('{"file": "a.jpg", "kind": "td1_front", "condition": "clear", "fields": {}}\n', "nothing to evaluate"),
    ],
)
def test_bad_labels_are_reported(tmp_path, content, message):
    (tmp_path / "a.jpg").write_bytes(b"")
    if content is not None:
        (tmp_path / "labels.jsonl").write_text(content, encoding="utf-8")

    with pytest.raises(ev.LabelsError, match=message):
        ev.load_labels(tmp_path)


# --- the PassportEye adapter ------------------------------------------------------------------


class FakePassportEyeMrz:
    """What passporteye 2.2.2's read_mrz returns: an MRZ with .valid, .aux and .to_dict()."""

    def __init__(self, raw_text: str, data: dict, valid: bool = True):
        self.aux = {"text": raw_text, "raw_text": raw_text, "method": "direct"}
        self.valid = valid
        self.mrz_type = data["mrz_type"]
        self._data = data

    def to_dict(self) -> dict:
        return {
            "mrz_type": self.mrz_type,
            "valid_score": 100 if self.valid else 60,
            "raw_text": self.aux["raw_text"],
        } | self._data


TD3_DICT = {
    "mrz_type": "TD3",
    "type": "P<",
    "country": "UTO",
    "number": "L898902C3",
    "date_of_birth": "740812",
    "expiration_date": "120415",
    "nationality": "UTO",
    "sex": "F",
    "names": "ANNA MARIA",
    "surname": "ERIKSSON",
    "personal_number": "ZE184226B<<<<<",
    "check_number": "6",
}


def _cleaner(text: str) -> list[str]:
    return [line.replace(" ", "") for line in text.split("\n") if len(line) >= 20]


def test_passporteye_fields_map_to_our_document_fields():
    # given: its OCR text drops the trailing fillers of line 1, which its parser pads back
    mrz = FakePassportEyeMrz(TD3_LINES[0].rstrip("<") + "\n" + TD3_LINES[1] + "\n", TD3_DICT)

    # when
    guess = ev.passporteye_guess(mrz, TODAY, clean=_cleaner)

    # then
    assert guess.fields == TD3_FIELDS
    assert guess.lines == TD3_LINES
    assert guess.valid
    assert guess.kind == "td3"


def test_passporteye_td1_optional_data_sex_and_dates():
    data = {
        "mrz_type": "TD1",
        "type": "ID",
        "country": "D<<",
        "number": "T22000129",
        "date_of_birth": "640812",
        "expiration_date": "341031",
        "nationality": "D<<",
        "sex": "<",
        "names": "ERIKA",
        "surname": "MUSTERMANN",
        "optional1": "<<<<<<<<<<<<<<<",
        "optional2": "ABC<<<<<<<<",
    }

    fields = ev.passporteye_fields(data, TODAY)

    assert fields == {
        "document_type": "ID",
        "issuing_country": "D",
        "document_number": "T22000129",
        "surname": "MUSTERMANN",
        "given_names": "ERIKA",
        "nationality": "D",
        "birth_date": "1964-08-12",
        "sex": "X",
        "expiry_date": "2034-10-31",
        "optional_data": "ABC",
    }


def test_passporteye_finding_nothing_is_no_reading():
    guess = ev.passporteye_guess(None, TODAY, clean=_cleaner)

    assert (guess.lines, guess.valid, guess.fields) == (None, False, None)


def test_a_missing_traineddata_says_how_to_get_it(tmp_path):
    with pytest.raises(ev.BaselineUnavailable, match=r"mrz\.traineddata.*make bench-documents"):
        ev.check_passporteye(tmp_path)


@pytest.mark.parametrize(
    ("yymmdd", "birth", "expiry"),
    [
        ("740812", "1974-08-12", "2074-08-12"),
        ("251124", "2025-11-24", "2025-11-24"),
        ("261126", "1926-11-26", "2026-11-26"),
        ("991301", None, None),
        ("<<<<<<", None, None),
    ],
)
def test_two_digit_years_resolve_like_the_engine(yymmdd, birth, expiry):
    assert ev.iso_date(ev.resolve_birth_date(yymmdd, TODAY)) == birth
    assert ev.iso_date(ev.resolve_expiry_date(yymmdd, TODAY)) == expiry


# --- end to end ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def specimens(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("specimens")
    call_command(
        "make_specimens",
        str(outdir),
        "--count",
        "6",
        "--kinds",
        "td3,dl_back",
        "--seed",
        "11",
        "--today",
        TODAY.isoformat(),
        stdout=io.StringIO(),
    )
    return outdir


def _evaluate(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("evaluate_documents", *args, "--today", TODAY.isoformat(), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_the_command_prints_progress_and_a_table_of_the_kinds(specimens, tmp_path):
    # when
    output, _ = _evaluate(str(specimens), "--plots", str(tmp_path / "plots"))

    # then: 3 passports and 3 licence backs read, and the 3 licence fronts for the visual zone
    assert "Evaluating 6 images" in output
    assert "(and 3 card fronts for the visual zone; 0 others skipped)" in output
    assert "100%  9/9 images" in output
    visual = output[output.index("Visual zone: printed fields") :]
    for kind in ("td3", "dl_front", "all"):
        assert f"\n{kind:<10}" in visual
    table = output[output.index("kind     condition") :]
    for kind in ("td3", "dl_back", "MRZ", "all"):
        assert f"\n{kind:<9}" in table
    assert "FALSE ACCEPTS" in output
    assert "Targets (issue 3):" in output
    for name in ("latency.png", "accuracy.png"):
        assert (tmp_path / "plots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_command_writes_json_alone_on_stdout(specimens):
    # when
    output, notes = _evaluate(str(specimens), "--json")

    # then
    data = json.loads(output)
    assert {"summary", "rows", "skipped", "images", "comparison", "targets", "today"} <= set(data)
    assert data["images"] == 6
    assert data["skipped"] == 0
    assert data["comparison"] is None
    assert {row["kind"] for row in data["visual"]["rows"]} == {"td3", "dl_front"}
    assert [row["flagged"] for row in data["visual"]["rows"]] == [False] * 6
    assert {row["kind"] for row in data["rows"]} == {"td3", "dl_back"}
    assert {"file", "exact", "fields_exact", "false_accept", "ms", "difference"} <= set(data["rows"][0])
    assert {(group["kind"], group["condition"]) for group in data["summary"]["ours"]} >= {
        ("td3", "clear"),
        ("all", "all"),
    }
    assert "100%" in notes


def test_bad_input_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="not found"):
        _evaluate(str(tmp_path))


def test_a_missing_baseline_model_is_a_command_error(specimens, tmp_path):
    with pytest.raises(CommandError, match="make bench-documents"):
        _evaluate(str(specimens), "--baseline", "passporteye", "--tessdata", str(tmp_path))
