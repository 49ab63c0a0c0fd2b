"""Proof of address over generated bills: name, address, issue date and the four reject codes."""

from __future__ import annotations

import datetime as dt

from submissions.pipeline.address import months_before, parse_address, read_proof_of_address
from submissions.pipeline.types import DocumentFields
from submissions.specimens.bills import blank_page, render_bill

TODAY = dt.date(2025, 5, 20)
HOLDER = DocumentFields(surname="SCHMIDT", given_names="ANNA MARIA")
LONDON = ["12 Baker Street", "London NW1 6XE", "United Kingdom"]


def test_the_holders_bill_from_two_months_ago_is_accepted_with_its_address():
    bill = render_bill(name="Anna Maria Schmidt", address_lines=LONDON, issued=dt.date(2025, 3, 14))
    reading = read_proof_of_address(bill, holder=HOLDER, today=TODAY)
    assert reading.reject_code is None
    assert reading.name_found is True
    assert reading.name_line == "Anna Maria Schmidt"
    assert reading.address == {
        "street": "12 Baker Street",
        "city": "London",
        "postal_code": "NW1 6XE",
        "country": "GBR",
    }
    assert reading.issue_date == dt.date(2025, 3, 14)
    assert reading.within_6_months is True


def test_a_bill_from_eight_months_ago_is_expired():
    bill = render_bill(
        name="Anna Maria Schmidt",
        address_lines=["742 Evergreen Terrace", "Springfield, IL 62704"],
        issued=dt.date(2024, 9, 14),
        numeric_date=True,
    )
    reading = read_proof_of_address(bill, holder=HOLDER, today=TODAY)
    assert reading.reject_code == "address_info_expiredDocument"
    assert reading.issue_date == dt.date(2024, 9, 14)
    assert reading.within_6_months is False
    assert reading.address == {
        "street": "742 Evergreen Terrace",
        "city": "Springfield",
        "postal_code": "62704",
        "country": "USA",
    }


def test_another_persons_bill_does_not_match_the_holder():
    bill = render_bill(name="Peter John Wagner", address_lines=LONDON, issued=dt.date(2025, 4, 2))
    reading = read_proof_of_address(bill, holder=HOLDER, today=TODAY)
    assert reading.reject_code == "address_info_dataMismatch"
    assert reading.name_found is False
    assert reading.name_line is None
    assert reading.address == {}
    assert reading.issue_date == dt.date(2025, 4, 2)


def test_a_blank_page_has_nothing_to_read():
    reading = read_proof_of_address(blank_page(), holder=HOLDER, today=TODAY)
    assert reading.reject_code == "address_image_badImage"
    assert reading.lines_read == []


def test_bytes_that_are_not_an_image_are_invalid():
    reading = read_proof_of_address(b"%PDF-1.7 not an image", holder=HOLDER, today=TODAY)
    assert reading.reject_code == "address_image_invalidImage"


def test_postal_code_formats():
    assert parse_address(["Hauptstrasse 5", "10115 Berlin", "Germany"]) == {
        "street": "Hauptstrasse 5", "city": "Berlin", "postal_code": "10115", "country": "DEU",
    }  # fmt: skip
    assert parse_address(["Keizersgracht 12", "1015 CS Amsterdam"]) == {
        "street": "Keizersgracht 12", "city": "Amsterdam", "postal_code": "1015 CS", "country": "NLD",
    }  # fmt: skip
    assert parse_address(["1 Main St", "Austin, TX 78701-1234"]) == {
        "street": "1 Main St", "city": "Austin", "postal_code": "78701-1234", "country": "USA",
    }  # fmt: skip
    assert parse_address(["8 Rue de Rivoli", "75004 Paris", "France"])["country"] == "FRA"
    assert parse_address(["300 King St W", "Toronto M5V 2T6"])["postal_code"] == "M5V 2T6"


def test_six_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(dt.date(2025, 5, 20), 6) == dt.date(2024, 11, 20)
    assert months_before(dt.date(2025, 8, 31), 6) == dt.date(2025, 2, 28)
