"""``manage.py import_ip_ranges``: CIDR lists, CSV with a header, invalid lines, --replace."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from network.importer import import_ranges
from network.models import IpRange


def _run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ip_ranges", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _cidrs(**filters) -> set[str]:
    return set(IpRange.objects.filter(**filters).values_list("cidr", flat=True))


def test_a_cidr_list_is_imported_with_comments_blanks_and_duplicates_counted(db, tmp_path):
    # given
    listing = tmp_path / "x4b-vpn.txt"
    listing.write_text(
        "# VPN exits\n\n10.8.0.0/16\n2001:db8::/32   # inline comment\n198.51.100.7\n10.8.0.0/16\n"
        "203.0.113.0-203.0.113.11\n; another comment style\n"
    )

    # when
    out, err = _run(listing, "--kind", "vpn")

    # then: the bare address is a /32, the range the fewest CIDR blocks, the repeat a duplicate
    assert _cidrs(kind="vpn", source="x4b-vpn") == {
        "10.8.0.0/16", "2001:db8::/32", "198.51.100.7/32", "203.0.113.0/29", "203.0.113.8/30",
    }  # fmt: skip
    assert err == ""
    assert "x4b-vpn (vpn): 8 lines read" in out
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}
    assert table["kind"] == ["added", "duplicates", "invalid", "total"]
    assert table["vpn"] == ["5", "1", "0", "5"]
    assert table["proxy"] == ["0"]  # other kinds: only their total


def test_a_csv_with_a_header_takes_the_first_column(db, tmp_path):
    # given
    listing = tmp_path / "hosting.csv"
    listing.write_text('network,asn,org\n"192.0.2.0/24",64500,"Example, Inc."\n2001:db8:1::/48,64501,Other\n')

    # when
    out, err = _run(listing, "--kind", "hosting", "--source", "asn-list")

    # then
    assert _cidrs(kind="hosting", source="asn-list") == {"192.0.2.0/24", "2001:db8:1::/48"}
    assert err == ""
    assert "asn-list (hosting): 3 lines read" in out


def test_invalid_lines_are_reported_with_their_numbers_and_counted_without_aborting(db, tmp_path):
    # given: host bits set, a bad octet, a reversed range, a word after data started
    listing = tmp_path / "proxies.txt"
    listing.write_text("192.0.2.0/24\n10.0.0.1/8\n256.1.1.1\n10.0.0.9-10.0.0.1\nnetwork\n198.51.100.0/24\n")

    # when
    out, err = _run(listing, "--kind", "proxy")

    # then
    assert _cidrs(kind="proxy") == {"192.0.2.0/24", "198.51.100.0/24"}
    reported = [line.split(":")[0] for line in err.splitlines()]
    assert reported == ["line 2", "line 3", "line 4", "line 5"]
    assert "host bits set" in err
    proxy_row = next(line for line in out.splitlines() if line.startswith("proxy"))
    assert proxy_row.split() == ["proxy", "2", "0", "4", "2"]


def test_replace_swaps_one_source_of_one_kind_and_leaves_the_others(db, tmp_path):
    # given
    old, new, other = tmp_path / "old.txt", tmp_path / "new.txt", tmp_path / "other.txt"
    old.write_text("10.0.0.0/8\n172.16.0.0/12\n")
    new.write_text("172.16.0.0/12\n192.168.0.0/16\n")
    other.write_text("10.0.0.0/8\n")
    _run(old, "--kind", "tor", "--source", "tor-exits")
    _run(other, "--kind", "tor", "--source", "another")

    # when
    out, _ = _run(new, "--kind", "tor", "--source", "tor-exits", "--replace")

    # then
    assert _cidrs(source="tor-exits") == {"172.16.0.0/12", "192.168.0.0/16"}
    assert _cidrs(source="another") == {"10.0.0.0/8"}
    assert "2 old ranges replaced" in out


def test_a_failing_replace_keeps_the_old_list(db, monkeypatch):
    # given
    import_ranges(["10.0.0.0/8"], kind="vpn", source="list")

    def broken_lines():
        yield "192.168.0.0/16"
        raise OSError("disk gone")

    # when
    with pytest.raises(OSError, match="disk gone"):
        import_ranges(broken_lines(), kind="vpn", source="list", replace=True)

    # then: one transaction, the old list is still whole
    assert _cidrs(source="list") == {"10.0.0.0/8"}


def test_reimporting_without_replace_adds_only_the_new_ranges(db):
    # given
    import_ranges(["10.0.0.0/8", "192.0.2.0/24"], kind="vpn", source="list")

    # when
    report = import_ranges(["10.0.0.0/8", "198.51.100.0/24"], kind="vpn", source="list")

    # then
    assert (report.added, report.duplicates, report.invalid) == (1, 1, 0)
    assert IpRange.objects.filter(source="list").count() == 3


def test_big_files_report_progress(db, monkeypatch, tmp_path):
    # given
    monkeypatch.setattr("network.importer.BATCH_SIZE", 100)
    monkeypatch.setattr("network.management.commands.import_ip_ranges.BATCH_SIZE", 100)
    listing = tmp_path / "big.txt"
    listing.write_text("".join(f"10.{i // 256}.{i % 256}.0/24\n" for i in range(250)))

    # when
    out, err = _run(listing, "--kind", "hosting")

    # then
    assert err.splitlines() == ["  … line 100: 100 added", "  … line 200: 200 added", "  … line 250: 250 added"]
    assert IpRange.objects.count() == 250


def test_an_unreadable_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        _run(tmp_path / "missing.txt", "--kind", "vpn")
