"""The e-mail / userid blind indexes: stable, normalised as documented, keyed, and empty for no value."""

from __future__ import annotations

from submissions.lookups import email_lookup, email_lookups, userid_lookup, userid_lookups


def test_it_compares_emails_without_case_or_surrounding_spaces():
    assert email_lookup(" Jane.Doe@Example.COM ") == email_lookup("jane.doe@example.com")
    assert len(email_lookup("jane.doe@example.com")) == 64
    assert email_lookup("jane.doe@example.com") != email_lookup("jane.do@example.com")


def test_it_compares_userids_exactly_but_stripped():
    assert userid_lookup(" User-7 ") == userid_lookup("User-7")
    assert userid_lookup("User-7") != userid_lookup("user-7")


def test_an_email_and_a_userid_with_the_same_text_hash_differently():
    assert email_lookup("a@b.example") != userid_lookup("a@b.example")


def test_no_value_has_no_lookup():
    assert (email_lookup("  "), userid_lookup(""), email_lookups(""), userid_lookups(" ")) == ("", "", [], [])


def test_a_search_tries_the_current_key_first():
    assert email_lookups("jane@example.com")[0] == email_lookup("jane@example.com")
    assert userid_lookups("u1")[0] == userid_lookup("u1")
