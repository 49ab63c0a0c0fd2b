"""The Preverification pages: VPN & Proxy and Device Verification lists, filters and details."""

from __future__ import annotations

import datetime as dt
import random
import re
import statistics
import time

import pytest
from django.db import connection
from django.utils import timezone

from network.device import DeviceSignals
from network.importer import import_ranges
from network.models import IpOrigin, SubmissionClient
from network.selectors import DeviceFilters, NetworkFilters, device_clients, network_clients
from network.services import ClientInfo, submission_client_check
from network.verdicts import RangeMatch, aggregate
from policy.services import policy_settings_update
from policy.settings import NetworkLevels
from projects.actors import Actor
from submissions.services import SubmissionDetails, submission_create
from tests.factories import ProjectFactory
from tests.network.test_device import HEADLESS, IPHONE, WINDOWS
from tests.submissions.api.helpers import passport_case
from tests.submissions.dashboard.helpers import client_for, member

ACTOR = Actor.system("test")
DAY = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


@pytest.fixture
def ranges(db):
    import_ranges(["198.51.100.0/24"], kind="vpn", source="vpn-exits")
    import_ranges(["203.0.113.0/24"], kind="proxy", source="open-proxies")
    import_ranges(["192.0.2.0/24"], kind="hosting", source="cloud")
    import_ranges(["192.0.2.128/25"], kind="tor", source="tor-exits")


def checked(
    project,
    ip: str = "",
    *,
    user_agent: str = IPHONE,
    fingerprint: str = "",
    email: str = "p@example.com",
    days_ago: int = 0,
    platform: str = "iPhone",
) -> str:
    """A submission of ``project`` whose client the run's network and device step checked; its
    id. ``days_ago`` moves its time back from ``DAY``."""
    case = passport_case()
    signals = DeviceSignals(user_agent=user_agent, platform=platform, fingerprint=fingerprint)
    submission = submission_create(
        project=project, source="api", actor=ACTOR, images={"id_front": case.front, "selfie": case.selfie},
        details=SubmissionDetails(email=email), client=ClientInfo(ip=ip, ip_origin=IpOrigin.DECLARED, signals=signals),
    )  # fmt: skip
    submission_client_check(submission_id=submission.id)
    SubmissionClient.objects.filter(submission_id=submission.id).update(created_at=DAY - dt.timedelta(days=days_ago))
    return submission.id


def listed(client, url: str) -> list[str]:
    """The request ids of the page's rows, in order."""
    response = client.get(url)
    assert response.status_code == 200, response.content
    return re.findall(r'data-row-link href="[^"]+/([a-z0-9_]+)/"', response.content.decode())


def _network_url(project, query: str = "") -> str:
    return f"/dashboard/p/{project.pid}/preverification/vpn-proxy/{query}"


def _devices_url(project, query: str = "") -> str:
    return f"/dashboard/p/{project.pid}/preverification/devices/{query}"


@pytest.fixture
def network_rows(project, ranges):
    """One submission per kind of address, newest first: vpn, proxy, hosting, hosting+tor, clean,
    and one without an address (never looked up, so never listed)."""
    return {
        "none": checked(project, "10.0.0.1", days_ago=4),
        "tor": checked(project, "192.0.2.200", days_ago=3),
        "hosting": checked(project, "192.0.2.10", days_ago=2),
        "proxy": checked(project, "203.0.113.5", days_ago=1),
        "vpn": checked(project, "198.51.100.7", days_ago=0),
        "no_ip": checked(project, ""),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["vpn", "proxy", "hosting", "tor", "none"]),
        ("?detection=vpn", ["vpn"]),
        ("?detection=proxy", ["proxy"]),
        ("?detection=hosting", ["hosting", "tor"]),
        ("?detection=tor", ["tor"]),
        ("?detection=none", ["none"]),
        ("?decision=block", ["hosting", "tor"]),
        ("?decision=review", ["vpn", "proxy"]),
        ("?decision=allow", ["none"]),
        ("?ip=192.0.2.", ["hosting", "tor"]),
        ("?ip=10.", ["none"]),
        ("?created_from=2026-03-08&created_to=2026-03-09", ["proxy", "hosting"]),
        ("?detection=hosting&decision=block&created_to=2026-03-07", ["tor"]),
    ],
)
def test_the_vpn_and_proxy_filters_return_exactly_the_matching_rows(project, owner, network_rows, query, expected):
    # when
    found = listed(client_for(owner), _network_url(project, query))
    # then
    assert found == [network_rows[name] for name in expected]


def test_the_decision_follows_the_projects_levels(project, owner, network_rows):
    # given: VPN raised to high, hosting lowered to low
    policy_settings_update(project=project, changes={"policy_network_level_vpn": "high",
                                                     "policy_network_level_hosting": "low"}, actor=ACTOR)  # fmt: skip
    client = client_for(owner)
    # when / then: TOR stays high, so hosting+tor still blocks
    assert listed(client, _network_url(project, "?decision=block")) == [network_rows["vpn"], network_rows["tor"]]
    assert listed(client, _network_url(project, "?decision=review")) == [network_rows["proxy"]]
    assert listed(client, _network_url(project, "?decision=allow")) == [network_rows["hosting"], network_rows["none"]]


def test_a_row_shows_each_column_or_says_it_is_not_available(project, owner, network_rows):
    # when
    page = client_for(owner).get(_network_url(project, "?detection=tor")).content.decode()
    # then
    row = page[page.index("<tr data-row>") : page.index("</tr>", page.index("<tr data-row>"))]
    cells = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert cells == ["2026-03-07 12:00:00", "p@example.com", network_rows["tor"], "TOR HOSTING", "192.0.2.200",
                     "95", "n/a", "Data Center", "Block", "Incomplete"]  # fmt: skip
    assert "data-detection-off" in page  # detection is off for this project: said above the list


def test_another_projects_clients_never_appear(project, owner, ranges):
    # given: the same address in another project
    mine = checked(project, "198.51.100.7")
    theirs = checked(ProjectFactory(), "198.51.100.7")
    client = client_for(owner)
    # when / then
    assert listed(client, _network_url(project)) == [mine]
    assert listed(client, _devices_url(project)) == [mine]
    assert client.get(_network_url(project, f"{theirs}/")).status_code == 404
    assert client.get(_devices_url(project, f"{theirs}/")).status_code == 404


def test_a_viewer_sees_no_email_in_the_lists_but_on_one_detail_page(project, ranges):
    # given
    sid = checked(project, "198.51.100.7", email="anna@example.com")
    owner, viewer = client_for(member(project, "owner")), client_for(member(project, "viewer"))
    reviewer = client_for(member(project, "reviewer"))
    for url in (_network_url(project), _devices_url(project)):
        # when / then: the list is a page of many people's e-mails, like the CSV export
        assert b"anna@example.com" in owner.get(url).content
        assert b"anna@example.com" in reviewer.get(url).content
        viewer_page = viewer.get(url).content
        assert b"anna@example.com" not in viewer_page
        assert b"<th>E-mail</th>" not in viewer_page
    # and one person at a time, as on the submission page
    assert b"anna@example.com" in viewer.get(_network_url(project, f"{sid}/")).content


def test_the_network_detail_words_the_verdict_and_links_the_submission(project, owner, ranges):
    # given: three submissions from the same /24, one from the next
    checked(project, "192.0.2.1", days_ago=1)
    checked(project, "192.0.2.3", days_ago=1)
    checked(project, "192.0.3.1", days_ago=1)
    sid = checked(project, "192.0.2.200")
    # when
    response = client_for(owner).get(_network_url(project, f"{sid}/"))
    # then
    assert response.status_code == 200
    page = response.content.decode()
    words = re.sub(r"\s+", " ", re.search(r"<p data-verdict-words>(.*?)</p>", page, re.S)[1]).strip()
    assert words == (
        "The address is on 2 imported lists as TOR (level high in this project), HOSTING (level high in this "
        "project). Risk score 95 of 100. A high level rejects the submission, once Proxy &amp; VPN detection is "
        "switched on: it is off for this project, so this verdict decided nothing."
    )
    assert f'href="/dashboard/p/{project.pid}/submissions/{sid}/" data-submission-link' in page
    assert re.search(r"<dd data-subnet>(.*?)</dd>", page)[1] == "3 submissions of this project from 192.0.2.0/24"
    assert "192.0.2.128/25" in page
    assert "tor-exits" in page


def test_a_submission_without_an_address_is_not_listed_and_its_detail_says_so(project, owner, ranges):
    # given
    sid = checked(project, "")
    client = client_for(owner)
    # when
    page = client.get(_network_url(project, f"{sid}/")).content.decode()
    # then
    assert listed(client, _network_url(project)) == []
    assert re.search(r"<p data-verdict-words>\s*(.*?)\s*</p>", page, re.S)[1] == "The address was not looked up."
    assert "data-decision" not in page
    assert "<dt>Pass / fail</dt><dd>not checked</dd>" in page


def test_subnet_attempts_count_the_same_64_of_an_ipv6_address(project, owner, ranges):
    # given
    sid = checked(project, "2001:db8::1")
    checked(project, "2001:db8::ffff:1")
    checked(project, "2001:db8:0:1::1")
    checked(ProjectFactory(), "2001:db8::2")
    # when
    page = client_for(owner).get(_network_url(project, f"{sid}/")).content.decode()
    # then
    assert re.search(r"<dd data-subnet>(.*?)</dd>", page)[1] == "2 submissions of this project from 2001:db8::/64"


@pytest.fixture
def device_rows(project):
    import_ranges(["192.0.2.0/24"], kind="hosting", source="cloud")
    return {
        "iphone": checked(project, user_agent=IPHONE, fingerprint="phone-1", days_ago=3),
        "windows": checked(project, user_agent=WINDOWS, platform="Win32", fingerprint="pc-1", days_ago=2),
        "bot": checked(project, user_agent=HEADLESS, platform="Win32", days_ago=1),
        "iphone_again": checked(project, user_agent=IPHONE, fingerprint="phone-1", days_ago=0),
        "no_agent": checked(project, user_agent="", platform=""),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["iphone_again", "bot", "windows", "iphone"]),
        ("?verdict=pass", ["iphone_again", "iphone"]),
        ("?verdict=static", ["bot", "windows"]),
        ("?verdict=fingerprint", ["bot"]),
        ("?verdict=bot", ["bot"]),
        ("?verdict=vm", []),
        ("?duplicate=yes", ["iphone_again", "iphone"]),
        ("?duplicate=no", ["bot", "windows"]),
        ("?created_from=2026-03-08&created_to=2026-03-09", ["bot", "windows"]),
        ("?verdict=pass&duplicate=yes&created_to=2026-03-08", ["iphone"]),
    ],
)
def test_the_device_filters_return_exactly_the_matching_rows(project, owner, device_rows, query, expected):
    # when
    found = listed(client_for(owner), _devices_url(project, query))
    # then
    assert found == [device_rows[name] for name in expected]


def test_the_device_detail_lists_the_same_device_and_words_the_verdict(project, owner, device_rows):
    # when
    client = client_for(owner)
    page = client.get(_devices_url(project, f"{device_rows['iphone_again']}/")).content.decode()
    bot_page = client.get(_devices_url(project, f"{device_rows['bot']}/")).content.decode()
    # then
    same = re.search(r"<ul data-same-device>(.*?)</ul>", page, re.S)[1]
    assert re.findall(r"/submissions/([a-z0-9_]+)/", same) == [device_rows["iphone"]]
    assert f'href="/dashboard/p/{project.pid}/submissions/{device_rows["iphone_again"]}/"' in page
    words = re.sub(r"\s+", " ", re.search(r"<p data-verdict-words>(.*?)</p>", bot_page, re.S)[1]).strip()
    assert words == (
        "HeadlessChrome / Windows 10, not a mobile environment. The static check fails (DE-20000) on "
        "user_agent; the fingerprint is flagged as bot (DE-30000). Device verification is off for this project, "
        "so this verdict decided nothing."
    )


def test_pages_follow_each_other_without_overlap(project, owner, ranges, monkeypatch):
    # given: five checked addresses, two per page
    from submissions.preverification import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    ids = [checked(project, f"10.0.0.{n}", days_ago=n) for n in range(5)]
    client = client_for(owner)
    seen, url = [], _network_url(project)
    # when
    while url:
        response = client.get(url)
        seen += listed(client, url)
        found = re.search(r'href="\?([^"]+)" rel="next"', response.content.decode())
        url = _network_url(project, "?" + found[1].replace("&amp;", "&")) if found else ""
    # then
    assert seen == ids


@pytest.mark.parametrize("query", ["?ip=not-an-ip", "?detection=satellite", "?created_from=2026-03-09&created_to=2026-03-01",
                                   "?after=garbage", "?verdict=x&duplicate=maybe"])  # fmt: skip
def test_bad_filters_are_explained_and_filter_nothing(project, owner, network_rows, query):
    # given
    client = client_for(owner)
    # when
    response = client.get(_network_url(project, query))
    # then
    assert response.status_code == 200
    if "after" not in query and "verdict" not in query:
        assert b"form-errors" in response.content
    assert listed(client, _network_url(project, query)) == [
        network_rows[name] for name in ("vpn", "proxy", "hosting", "tor", "none")
    ]
    assert client.get(_devices_url(project, query)).status_code == 200


BENCH_ROWS = 100_000


@pytest.mark.bench
def test_list_speed_over_100k_clients(db):
    # given: 100k checked clients of one project and 20k of another
    rng = random.Random(7)
    project, other = ProjectFactory(), ProjectFactory()
    start = timezone.now() - dt.timedelta(days=365)
    kinds = [(), (), (), (), ("vpn",), ("proxy",), ("hosting",), ("vpn", "hosting"), ("tor",)]
    rows = []
    for n in range(BENCH_ROWS + 20_000):
        found = rng.choice(kinds)
        ip = f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
        verdict = aggregate(ip, [RangeMatch(kind, "bench", "0.0.0.0/0") for kind in found]).to_json()
        device = {"checked": True, "mobile": n % 3 > 0, "static_passed": n % 3 > 0, "static_failures": [],
                  "fingerprint_flags": ["bot"] if n % 50 == 0 else [], "reasons": [], "browser": ""}  # fmt: skip
        rows.append(SubmissionClient(
            submission_id=f"bench{n:010d}_aa", project=project if n < BENCH_ROWS else other,
            created_at=start + dt.timedelta(seconds=n * 300), ip_address=ip, network_verdict=verdict,
            device_verdict=device, device_hash=f"{n % 40_000:064x}", checked_at=start,
        ))  # fmt: skip
    SubmissionClient.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE network_submissionclient")  # as autovacuum would after such a load
    levels = NetworkLevels()
    cases = {
        "network, no filter": lambda after: network_clients(project_id=project.pk, filters=NetworkFilters(),
                                                             levels=levels, count=50, after=after),
        "network, tor": lambda after: network_clients(project_id=project.pk, filters=NetworkFilters(detection="tor"),
                                                       levels=levels, count=50, after=after),
        "network, block": lambda after: network_clients(project_id=project.pk, filters=NetworkFilters(decision="block"),
                                                         levels=levels, count=50, after=after),
        "network, ip prefix": lambda after: network_clients(project_id=project.pk,
                                                             filters=NetworkFilters(ip_prefix="10.1"),
                                                             levels=levels, count=50, after=after),
        "devices, no filter": lambda after: device_clients(project_id=project.pk, filters=DeviceFilters(),
                                                            count=50, after=after),
        "devices, bot": lambda after: device_clients(project_id=project.pk, filters=DeviceFilters(verdict="bot"),
                                                      count=50, after=after),
        "devices, duplicate": lambda after: device_clients(project_id=project.pk,
                                                            filters=DeviceFilters(duplicate=True), count=50, after=after),
    }  # fmt: skip
    lines = []
    for name, page_of in cases.items():
        timings, after = [], None
        for _ in range(20):  # the first 20 pages, each from the last one's cursor
            began = time.perf_counter()
            page = page_of(after)
            timings.append((time.perf_counter() - began) * 1000)
            if page.next_key is None:
                break
            after = (page.next_key.created_at, page.next_key.pk)
        timings.sort()
        lines.append(f"{name}: p50 {statistics.median(timings):.1f} ms, max {timings[-1]:.1f} ms")
    print("\n" + "\n".join(lines))  # noqa: T201
