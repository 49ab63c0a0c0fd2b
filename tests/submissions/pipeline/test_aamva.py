"""AAMVA payload parsing: every version's header and date rules, and the tolerated deviations."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from submissions.pipeline.aamva import AamvaResult, normalise_postal_code, parse_aamva, parse_date
from submissions.pipeline.types import DocumentFields
from tests.submissions.pipeline.aamva_samples import (
    CANADA_V8_ELEMENTS,
    USA_V1_ELEMENTS,
    USA_V1_FIELDS,
    USA_V3_ELEMENTS,
    USA_V8_ELEMENTS,
    USA_V8_FIELDS,
    aamva_payload,
    replaced,
)

VIRGINIA = "636000"
TEXAS = "636015"
CALIFORNIA = "636014"
ONTARIO = "636012"
JURISDICTIONS = {VIRGINIA: "VA", TEXAS: "TX", CALIFORNIA: "CA", ONTARIO: "ON"}

USA_V3_FIELDS = DocumentFields(
    document_type="DL",
    issuing_country="USA",
    document_number="12345678",
    surname="PUBLIC",
    given_names="JANE Q",
    birth_date=dt.date(1985, 4, 30),
    sex="F",
    expiry_date=dt.date(2029, 4, 30),
)
CANADA_FIELDS = DocumentFields(
    document_type="DL",
    issuing_country="CAN",
    document_number="T4321-56789-10302",
    surname="TREMBLAY",
    given_names="ÉLISE MARIE",
    birth_date=dt.date(1991, 3, 2),
    sex="F",
    expiry_date=dt.date(2031, 3, 2),
)
CANADA_V3_ELEMENTS = replaced(CANADA_V8_ELEMENTS, DAC=None, DAD=None, DCT="ÉLISE,MARIE")


def _parsed(payload: bytes | str) -> AamvaResult:
    result = parse_aamva(payload)
    assert result is not None
    return result


@pytest.mark.parametrize(
    ("version", "elements", "iin", "fields", "issue_date"),
    [
        (1, USA_V1_ELEMENTS, CALIFORNIA, USA_V1_FIELDS, dt.date(2020, 1, 10)),
        (2, USA_V3_ELEMENTS, TEXAS, USA_V3_FIELDS, dt.date(2021, 5, 1)),
        (3, USA_V3_ELEMENTS, TEXAS, USA_V3_FIELDS, dt.date(2021, 5, 1)),
        *((version, USA_V8_ELEMENTS, VIRGINIA, USA_V8_FIELDS, dt.date(2022, 8, 15)) for version in range(4, 11)),
    ],
)
def test_it_reads_each_us_version_with_its_date_order_and_name_elements(version, elements, iin, fields, issue_date):
    # given
    payload = aamva_payload(elements, version=version, iin=iin, jurisdiction_version=3)
    # when
    result = _parsed(payload)
    # then
    assert (result.version, result.jurisdiction_version, result.iin) == (version, 3 if version > 1 else None, iin)
    assert (result.jurisdiction, result.subfile_type) == (JURISDICTIONS[iin], "DL")
    assert result.fields == fields
    assert result.issue_date == issue_date
    assert result.warnings == ()
    postal_code = {VIRGINIA: "23269", TEXAS: "78701", CALIFORNIA: "90401"}[iin]
    assert dict(result.elements) == {element_id: value.strip() for element_id, value in elements} | {"DAK": postal_code}


@pytest.mark.parametrize("version", range(1, 11))
def test_it_reads_canadian_dates_as_ccyymmdd_in_every_version(version):
    # given: version 1 has no DCG, so the country comes from the IIN
    elements = CANADA_V3_ELEMENTS if version in (2, 3) else CANADA_V8_ELEMENTS
    if version == 1:
        elements = replaced(elements, DCG=None)
    payload = aamva_payload(elements, version=version, iin=ONTARIO)
    # when
    result = _parsed(payload)
    # then
    assert (result.jurisdiction, result.fields, result.issue_date) == ("ON", CANADA_FIELDS, dt.date(2026, 3, 2))
    assert result.warnings == ()


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8"])
def test_accented_names_are_read_in_latin_1_or_utf_8_from_bytes_or_text(encoding):
    # given
    payload = aamva_payload(CANADA_V8_ELEMENTS, version=8, iin=ONTARIO).decode("latin-1")
    encoded = payload.encode(encoding)
    # when
    results = [_parsed(encoded), _parsed(encoded.decode(encoding))]
    # then
    assert [result.fields.given_names for result in results] == ["ÉLISE MARIE", "ÉLISE MARIE"]
    assert [result.elements["DAC"] for result in results] == ["ÉLISE", "ÉLISE"]


def test_text_beyond_latin_1_is_read_as_utf_8():
    # given
    payload = aamva_payload(replaced(CANADA_V8_ELEMENTS, DAC="LUCJA"), version=8, iin=ONTARIO).decode("latin-1")
    # when
    result = _parsed(payload.replace("DACLUCJA", "DACŁUCJA"))
    # then
    assert result.fields.given_names == "ŁUCJA MARIE"


def test_without_dcg_the_iin_decides_the_country_and_the_date_order():
    # given
    payload = aamva_payload(replaced(USA_V8_ELEMENTS, DCG=None), version=9, iin=VIRGINIA)
    # when
    result = _parsed(payload)
    # then
    assert result.fields == USA_V8_FIELDS
    assert result.warnings == ()


def test_with_neither_dcg_nor_a_known_iin_the_date_that_exists_wins():
    # given: one date in each order; only one reading of each is a calendar date
    elements = replaced(USA_V8_ELEMENTS, DCG=None, DBB="06241978", DBA="20300815", DBD=None)
    payload = aamva_payload(elements, version=8, iin="123456")
    # when
    result = _parsed(payload)
    # then
    assert (result.jurisdiction, result.fields.issuing_country) == (None, None)
    assert (result.fields.birth_date, result.fields.expiry_date) == (dt.date(1978, 6, 24), dt.date(2030, 8, 15))
    assert result.warnings == ("iin_unknown",)


def test_a_us_card_in_the_canadian_date_order_is_read_with_a_warning():
    # given
    elements = replaced(USA_V8_ELEMENTS, DBB="19780624", DBA="20300815")
    # when
    result = _parsed(aamva_payload(elements, version=8))
    # then
    assert (result.fields.birth_date, result.fields.expiry_date) == (dt.date(1978, 6, 24), dt.date(2030, 8, 15))
    assert result.warnings == ("birth_date_order_unexpected", "expiry_date_order_unexpected")


def test_the_country_in_dcg_wins_over_the_iin_with_a_warning():
    # given: an Ontario IIN on a card that says USA
    result = _parsed(aamva_payload(USA_V8_ELEMENTS, version=8, iin=ONTARIO))
    # then
    assert (result.jurisdiction, result.fields) == ("ON", USA_V8_FIELDS)
    assert result.warnings == ("country_iin_mismatch",)


@pytest.mark.parametrize(
    ("full_name", "surname", "given_names", "warnings"),
    [
        ("DOE,JOHN,Q", "DOE", "JOHN Q", ()),
        ("DOE$JOHN$Q", "DOE", "JOHN Q", ()),
        ("DOE,JOHN,Q,JR", "DOE", "JOHN Q", ()),
        ("DOE, JOHN", "DOE", "JOHN", ()),
        ("DOE JOHN Q", "DOE", "JOHN Q", ("name_order_assumed",)),
        ("DOE", "DOE", None, ()),
    ],
)
def test_it_splits_the_version_1_full_name(full_name, surname, given_names, warnings):
    # given
    payload = aamva_payload(replaced(USA_V1_ELEMENTS, DAA=full_name), version=1, iin=CALIFORNIA)
    # when
    result = _parsed(payload)
    # then
    assert (result.fields.surname, result.fields.given_names) == (surname, given_names)
    assert result.warnings == warnings


def test_version_1_name_parts_win_over_the_full_name():
    # given
    elements = replaced(USA_V1_ELEMENTS, DAA="SOMEONE,ELSE", DAB="Roe", DAC="Richard", DAD="NONE")
    # when
    result = _parsed(aamva_payload(elements, version=1, iin=CALIFORNIA))
    # then
    assert (result.fields.surname, result.fields.given_names) == ("ROE", "RICHARD")


def test_it_reads_the_aamva_file_type_and_a_version_1_header_that_carries_a_jurisdiction_version():
    # given
    standard = aamva_payload(USA_V1_ELEMENTS, version=1, iin=CALIFORNIA, file_type="AAMVA")
    with_jurisdiction_version = standard.replace(b"63601401", b"6360140105", 1)
    # when
    results = [_parsed(standard), _parsed(with_jurisdiction_version)]
    # then
    assert [(result.version, result.jurisdiction_version) for result in results] == [(1, None), (1, 5)]
    assert [result.fields for result in results] == [USA_V1_FIELDS, USA_V1_FIELDS]
    assert [result.warnings for result in results] == [(), ("subfile_offset_corrected",)]


def test_version_0_takes_the_date_order_that_gives_a_real_date():
    # given: a pre-standard card, header like version 1, dates in the US order
    payload = aamva_payload(replaced(USA_V1_ELEMENTS, DBB="01151980", DBA="20300115"), version=0, iin=CALIFORNIA)
    # when
    result = _parsed(payload)
    # then
    assert (result.version, result.jurisdiction_version, result.fields) == (0, None, USA_V1_FIELDS)
    assert result.warnings == ()


def test_a_version_newer_than_10_is_read_by_the_latest_rules_with_a_warning():
    # when
    result = _parsed(aamva_payload(USA_V8_ELEMENTS, version=11))
    # then
    assert (result.version, result.fields, result.warnings) == (11, USA_V8_FIELDS, ("version_unknown",))


def _with_designators(payload: bytes, designators: bytes) -> bytes:
    """The payload with its entry count and designators replaced (version 2+ header)."""
    return re.sub(rb"^(@\n\x1e\rANSI \d{10})\d{2}(?:[A-Z]{2}\d{8})+", lambda match: match[1] + designators, payload)


@pytest.mark.parametrize(
    "designators",
    [
        pytest.param(b"02DL00990258ZV02990008", id="dl-offset-past-its-start"),
        pytest.param(b"02DL00000258ZV02990008", id="dl-offset-zero"),
        pytest.param(b"02DL00410258ZV99990008", id="jurisdiction-offset-past-the-end"),
        pytest.param(b"02DL00310258ZV02890008", id="offsets-without-the-header"),
        pytest.param(b"00", id="no-designators"),
    ],
)
def test_it_finds_subfiles_whose_declared_offsets_are_wrong(designators):
    # given: the right designators are 02DL00410258ZV02990008
    standard = aamva_payload(USA_V8_ELEMENTS, version=8, jurisdiction_elements=(("ZVA", "01"),))
    payload = _with_designators(standard, designators)
    # when
    result = _parsed(payload)
    # then
    assert result.fields == USA_V8_FIELDS
    assert result.elements["ZVA"] == "01"
    assert result.warnings == (("designators_missing",) if designators == b"00" else ("subfile_offset_corrected",))


def test_a_declared_subfile_that_is_not_there_is_reported():
    # given: the header declares a jurisdiction subfile the payload lacks
    payload = _with_designators(aamva_payload(USA_V8_ELEMENTS, version=8), b"02DL00410258ZV02990008")
    # when
    result = _parsed(payload)
    # then
    assert (result.fields, result.warnings) == (USA_V8_FIELDS, ("subfile_not_found",))


@pytest.mark.parametrize(
    ("separator", "header", "warnings"),
    [
        ("\r\n", "@\r\n\x1e\r", ("subfile_offset_corrected",)),
        ("\r", "@\n\x1e\r", ()),
        ("\n", "@\n\x1c\r\n", ("subfile_offset_corrected",)),
    ],
    ids=["crlf", "cr", "fs-and-crlf-header"],
)
def test_it_reads_payloads_whose_separators_vary(separator, header, warnings):
    # given
    standard = aamva_payload(USA_V8_ELEMENTS, version=8).decode("latin-1")
    payload = standard.replace("\n", separator).replace("@" + "\n\x1e\r".replace("\n", separator), header, 1)
    # when
    result = _parsed(payload.encode("latin-1"))
    # then
    assert result.fields == USA_V8_FIELDS
    assert (result.elements["DCG"], len(result.elements)) == ("USA", len(USA_V8_ELEMENTS))
    assert result.warnings == warnings


def test_it_ignores_trailing_garbage():
    # given
    standard = aamva_payload(USA_V8_ELEMENTS, version=8)
    # when
    exact = _parsed(standard + b"\x00\x00\r\nZZZ padding")
    shifted = _parsed(_with_designators(standard, b"01DL00300258") + b"\r\n\x00\x00~~")
    # then
    assert (exact.fields, exact.warnings, len(exact.elements)) == (USA_V8_FIELDS, (), len(USA_V8_ELEMENTS))
    assert (shifted.fields, shifted.warnings) == (USA_V8_FIELDS, ("subfile_offset_corrected", "unparsed_data"))


def test_missing_optional_elements_leave_their_fields_empty():
    # given
    elements = (("DAQ", "X1"), ("DCS", "SAMPLE"), ("DAC", "ANN"), ("DBB", "02291980"))
    # when
    result = _parsed(aamva_payload(elements, version=10, iin=VIRGINIA, subfile_type="ID"))
    # then
    assert result.fields == DocumentFields(
        document_type="ID",
        issuing_country="USA",
        document_number="X1",
        surname="SAMPLE",
        given_names="ANN",
        birth_date=dt.date(1980, 2, 29),
    )
    assert (result.subfile_type, result.issue_date, result.warnings) == ("ID", None, ())


@pytest.mark.parametrize(
    ("changes", "birth_date", "expiry_date", "issue_date", "warnings"),
    [
        ({"DBB": "13451978"}, None, dt.date(2030, 8, 15), dt.date(2022, 8, 15), ("birth_date_invalid",)),
        ({"DBA": "02302030"}, dt.date(1978, 6, 24), None, dt.date(2022, 8, 15), ("expiry_date_invalid",)),
        ({"DBD": "0815202"}, dt.date(1978, 6, 24), dt.date(2030, 8, 15), None, ("issue_date_invalid",)),
        ({"DBB": "06241878"}, None, dt.date(2030, 8, 15), dt.date(2022, 8, 15), ("birth_date_invalid",)),
        (
            {"DBB": "00000000", "DBA": "99999999"},
            None,
            None,
            dt.date(2022, 8, 15),
            ("birth_date_invalid", "expiry_date_invalid"),
        ),
    ],
)
def test_an_invalid_date_becomes_none_with_a_warning(changes, birth_date, expiry_date, issue_date, warnings):
    # when
    result = _parsed(aamva_payload(replaced(USA_V8_ELEMENTS, **changes), version=8))
    # then
    assert (result.fields.birth_date, result.fields.expiry_date, result.issue_date) == (
        birth_date,
        expiry_date,
        issue_date,
    )
    assert result.warnings == warnings
    assert result.fields.document_number == "T64235789"


@pytest.mark.parametrize(
    ("code", "sex", "warnings"),
    [("1", "M", ()), ("2", "F", ()), ("9", "X", ()), ("M", "M", ()), ("f", "F", ()), ("X", "X", ())]
    + [("0", None, ("sex_unknown",)), ("", None, ())],
)
def test_it_maps_the_sex_codes(code, sex, warnings):
    # when
    result = _parsed(aamva_payload(replaced(USA_V8_ELEMENTS, DBC=code), version=8))
    # then
    assert (result.fields.sex, result.warnings) == (sex, warnings)


def test_it_reports_truncated_names_and_drops_placeholders():
    # given
    elements = replaced(USA_V8_ELEMENTS, DCS="  van  der   Berg ", DAD="unavl", DDE="T", DDF="N", DDG="T")
    # when
    result = _parsed(aamva_payload(elements, version=8))
    # then
    assert (result.fields.surname, result.fields.given_names) == ("VAN DER BERG", "MICHAEL")
    assert result.elements["DAD"] == "unavl"
    assert result.warnings == ("surname_truncated", "middle_name_truncated")


def test_placeholders_in_the_version_3_given_names_are_dropped():
    # when
    result = _parsed(aamva_payload(replaced(USA_V3_ELEMENTS, DCT="JANE,NONE"), version=3, iin=TEXAS))
    # then
    assert result.fields.given_names == "JANE"


@pytest.mark.parametrize(
    ("raw", "postal_code"),
    [("902230000  ", "90223"), ("90223-0000", "90223"), ("902231234  ", "902231234"), ("M5K1A2     ", "M5K1A2")],
)
def test_it_drops_the_zip_padding_of_the_postal_code(raw, postal_code):
    assert normalise_postal_code(raw) == postal_code


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"hello world",
        b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        b"@\n\x1e\rANSI 6360",
        b"@\n\x1e\rANSI 63600008XX01DL00310010DLDAQX1\r",
        b"@\n\x1e\rANSI 6360000800XXDL00310010DLDAQX1\r",
        # an AAMVA header whose only subfile is the jurisdiction's
        aamva_payload((("ZVA", "01"),), version=8, subfile_type="ZV"),
    ],
    ids=["empty", "text", "mrz", "truncated-header", "jurisdiction-version", "entry-count", "no-dl-or-id-subfile"],
)
def test_it_returns_none_for_what_is_not_an_aamva_payload(payload):
    assert parse_aamva(payload) is None


def test_it_reads_text_like_bytes_and_an_enhanced_licence_as_a_dl():
    # given
    payload = aamva_payload(USA_V8_ELEMENTS, version=8, subfile_type="EN")
    # when
    result = _parsed(payload.decode("latin-1"))
    # then
    assert (result.subfile_type, result.fields) == ("EN", USA_V8_FIELDS)


def test_the_first_of_duplicated_elements_wins_with_a_warning():
    # given
    payload = aamva_payload((*USA_V8_ELEMENTS, ("DAQ", "OTHER")), version=8)
    # when
    result = _parsed(payload)
    # then
    assert (result.fields.document_number, result.warnings) == ("T64235789", ("duplicate_element",))


def test_as_json_gives_iso_dates_and_every_element():
    # given
    elements = (("DAQ", "X1"), ("DCS", "ROE"), ("DAC", "ANN"), ("DBB", "02291980"), ("DBD", "01022020"))
    result = _parsed(aamva_payload(elements, version=9, iin=TEXAS, jurisdiction_elements=(("ZTA", "7"),)))
    # when
    output = result.as_json()
    # then
    assert output == {
        "version": 9,
        "jurisdiction_version": 0,
        "iin": TEXAS,
        "jurisdiction": "TX",
        "subfile_type": "DL",
        "elements": {"DAQ": "X1", "DCS": "ROE", "DAC": "ANN", "DBB": "02291980", "DBD": "01022020", "ZTA": "7"},
        "fields": {
            "document_type": "DL",
            "issuing_country": "USA",
            "document_number": "X1",
            "surname": "ROE",
            "given_names": "ANN",
            "nationality": None,
            "birth_date": "1980-02-29",
            "sex": None,
            "expiry_date": None,
            "optional_data": None,
        },
        "issue_date": "2020-01-02",
        "warnings": [],
    }


@pytest.mark.parametrize(
    ("value", "version", "country", "expected"),
    [
        ("06241978", 8, "USA", (dt.date(1978, 6, 24), False)),
        ("19780624", 8, "CAN", (dt.date(1978, 6, 24), False)),
        ("19780624", 1, "USA", (dt.date(1978, 6, 24), False)),
        ("06241978", 1, "USA", (dt.date(1978, 6, 24), True)),
        ("19780624", 8, "USA", (dt.date(1978, 6, 24), True)),
        ("06-24-1978", 8, "USA", (dt.date(1978, 6, 24), False)),
        ("19780624", 8, None, (dt.date(1978, 6, 24), False)),
        ("06241978", 0, None, (dt.date(1978, 6, 24), False)),
        ("1978062", 8, "USA", (None, False)),
        ("ABCDEFGH", 8, "USA", (None, False)),
    ],
)
def test_parse_date_applies_the_version_and_country_rule(value, version, country, expected):
    assert parse_date(value, version=version, country=country) == expected
