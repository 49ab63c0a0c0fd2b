"""No SSRF through webhook URLs (G8): a corpus of refused URLs, a canary that sees nothing."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from unittest import mock

import pytest
import time_machine
from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from idcheck.lib import http
from tests.webhooks.conftest import emit, endpoint_at, send_due
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.project_settings import clean_webhook_url

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)

# Host names a stub resolver answers (the DNS seam, idcheck.lib.http.resolve).
DNS = {
    "canary.example": ["127.0.0.2"],
    "private10.example": ["10.0.0.7"],
    "private172.example": ["172.16.5.4"],
    "private192.example": ["192.168.1.1"],
    "metadata.example": ["169.254.169.254"],
    "cgnat.example": ["100.64.0.1"],
    "zero.example": ["0.0.0.0"],
    "mixed.example": ["93.184.215.14", "127.0.0.2"],
    "mapped.example": ["::ffff:127.0.0.2"],
    "nat64.example": ["64:ff9b::7f00:2"],
    "sixtofour.example": ["2002:7f00:2::1"],
    "ula.example": ["fd00::1"],
    "linklocal6.example": ["fe80::1"],
    "loopback6.example": ["::1"],
    "multicast.example": ["224.0.0.1"],
    "broadcast.example": ["255.255.255.255"],
    "benchmark.example": ["198.18.0.1"],
    "teredo.example": ["2001::5efe:7f00:2"],
    "127.0.0.2.nip.io": ["127.0.0.2"],
}


def corpus(port: int) -> list[str]:
    """At least 40 URLs, each aimed at the canary where the address allows it."""
    names = [f"https://{name}:{port}/" for name in DNS]
    numeric = [
        f"https://127.0.0.2:{port}/",
        f"http://127.0.0.2:{port}/",
        f"https://2130706434:{port}/",  # decimal
        f"https://0x7f000002:{port}/",  # hex
        f"https://017700000002:{port}/",  # octal
        f"https://127.2:{port}/",  # shortened
        f"https://0x7f.0.0.2:{port}/",  # mixed hex
        f"https://0177.0.0.02:{port}/",  # mixed octal
        f"https://[::ffff:127.0.0.2]:{port}/",
        f"https://[::ffff:7f00:2]:{port}/",
        f"https://[64:ff9b::127.0.0.2]:{port}/",
        f"https://[2002:7f00:0002::]:{port}/",
        f"https://a@127.0.0.2:{port}/",  # user-info tricks
        f"https://hooks.example.com@127.0.0.2:{port}/",
        f"https://user:pass@hooks.example.com:{port}/",
        f"https://10.0.0.1:{port}/",
        f"https://169.254.169.254:{port}/latest/meta-data/",
        f"https://100.64.0.1:{port}/",
        f"https://0.0.0.0:{port}/",
        f"https://[::]:{port}/",
        f"https://[fe80::1%25eth0]:{port}/",
        f"ftp://127.0.0.2:{port}/",
        "file:///etc/passwd",
        f"gopher://127.0.0.2:{port}/",
        "https://hooks.example.com:22/",  # a port outside the allow-list
        "https://hooks.example.com:25/",
    ]
    return names + numeric


def fake_resolve(host: str, port: int) -> list[str]:
    if host in DNS:
        return DNS[host]
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    except socket.gaierror as exc:
        raise http.OutboundFailed(str(exc)) from None


def test_the_corpus_has_at_least_40_urls():
    assert len(corpus(9999)) >= 40


@pytest.mark.parametrize("exemption", [False, True])
def test_every_corpus_url_is_refused_before_any_connection(canary, settings, exemption):
    # given: with the development exemption on too (it admits 127.0.0.1 and ::1, nothing else)
    settings.IDCHECK_OUTBOUND_ALLOW_LOCAL = exemption
    urls = [url for url in corpus(canary.port) if not (exemption and "loopback6" in url)]

    # when
    outcomes = {}
    with mock.patch("idcheck.lib.http.resolve", side_effect=fake_resolve, autospec=True):
        for url in urls:
            try:
                http.request("POST", url, body=b"{}", timeout=2)
            except http.OutboundRefused as exc:
                outcomes[url] = f"refused: {exc}"
            except http.OutboundFailed as exc:
                outcomes[url] = f"failed: {exc}"
            else:
                outcomes[url] = "sent"

    # then
    assert {url: outcome for url, outcome in outcomes.items() if not outcome.startswith("refused")} == {}
    assert canary.connections == 0


def test_without_the_exemption_loopback_and_http_are_refused_too(canary):
    for url in ["http://127.0.0.1:8080/", "https://127.0.0.1:8443/", "https://[::1]:8443/", "https://localhost:8443/"]:
        with pytest.raises(http.OutboundRefused):
            http.request("POST", url, body=b"{}", timeout=2)
    assert canary.connections == 0


def test_a_name_is_resolved_once_so_a_rebinding_answer_cannot_swap_the_address(canary):
    # given: the first answer is private, every later one public
    answers = [["127.0.0.2"], ["93.184.215.14"], ["93.184.215.14"]]

    # when
    with mock.patch("idcheck.lib.http.resolve", side_effect=answers, autospec=True) as resolver:
        with pytest.raises(http.OutboundRefused):
            http.request("POST", f"https://rebind.example:{canary.port}/", body=b"{}", timeout=2)

    # then
    assert resolver.call_count == 1
    assert canary.connections == 0


def test_the_connection_goes_to_the_checked_address(receiver):
    # given: a name that resolves to the local receiver's address
    with mock.patch("idcheck.lib.http.resolve", return_value=["127.0.0.1"], autospec=True):
        # when
        response = http.request("POST", f"http://receiver.example:{receiver.port}/hooks", body=b"{}")

    # then
    assert response.status == 200
    assert receiver.requests[0].headers["host"] == f"receiver.example:{receiver.port}"


def test_a_redirect_to_the_canary_is_not_followed(project, receiver, canary):
    # given
    endpoint_at(project, receiver.url)
    outbox = emit(project, "created", "sub-1")
    receiver.responder = lambda index, request: (302, {"Location": f"http://127.0.0.1.nip.io:{canary.port}/"})

    # when
    with time_machine.travel(T0, tick=False):
        send_due()

    # then
    delivery = WebhookDelivery.objects.get(event=outbox)
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert delivery.last_error == "HTTP 302: redirects are not followed"
    assert canary.connections == 0


def test_a_delivery_to_a_name_resolving_to_a_private_address_is_refused_and_logged(project, canary):
    # given: the URL passed validation (a name); its DNS answer is checked at delivery
    endpoint_at(project, f"https://canary.example:{canary.port}/hooks")
    outbox = emit(project, "created", "sub-1")

    # when
    with mock.patch("idcheck.lib.http.resolve", side_effect=fake_resolve, autospec=True):
        with time_machine.travel(T0, tick=False):
            send_due()

    # then
    delivery = WebhookDelivery.objects.get(event=outbox)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error == "refused: 127.0.0.2 is a loopback address"
    assert WebhookAttempt.objects.get(delivery=delivery).error == "refused: 127.0.0.2 is a loopback address"
    assert canary.connections == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/",
        "https://127.0.0.1/",
        "https://2130706433/",
        "https://0x7f000001/",
        "https://017700000001/",
        "https://127.1/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://10.1.2.3/",
        "https://169.254.169.254/",
        "https://100.64.0.1/",
        "https://0.0.0.0/",
        "https://localhost/",
        "https://a@hooks.example.com/",
        "https://hooks.example.com:22/",
        "ftp://hooks.example.com/",
        "not a url",
        "https://" + "a" * 2000 + ".example.com/",
    ],
)
def test_the_url_is_refused_at_write_time_and_nothing_is_stored(project, url):
    # when
    from projects.actors import Actor
    from projects.services import InvalidSettings, project_settings_update

    with pytest.raises(InvalidSettings):
        project_settings_update(project=project, changes={"webhook_url": url}, actor=Actor.system("test"))

    # then
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/idcheck", "https://hooks.example.com:8443/x?y=1", "https://93.184.215.14/"]
)
def test_a_public_https_url_is_accepted(url):
    assert clean_webhook_url(f"  {url} ") == url


@settings_hypothesis(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_encoding_of_an_ipv4_address_gets_the_same_verdict(number):
    # given
    address = ipaddress.IPv4Address(number)
    spellings = [str(number), hex(number), "0" + oct(number)[2:], str(address)]
    embedded = [
        ipaddress.IPv6Address(f"::ffff:{address}"),
        ipaddress.IPv6Address((0x2002 << 112) | (number << 80)),
        ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | number),
    ]

    # when
    verdict = http.address_refusal(address) is None

    # then
    assert {http.literal_address(text) for text in spellings} == {address}
    assert [http.address_refusal(form) is None for form in embedded] == [verdict] * 3
    if verdict:
        assert address.is_global
        assert not address.is_multicast
