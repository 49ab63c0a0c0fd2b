"""The one outbound HTTP client, with the SSRF guard of G8 (RELIABILITY.md A13, E5).

Every outbound request (webhook deliveries today) goes through :func:`request`:

* the scheme is https (http only with ``IDCHECK_OUTBOUND_ALLOW_LOCAL``, the development and
  test switch that production settings refuse), no user-info, ports 80, 443, 8080, 8443 or
  1024–65535;
* the host is resolved **once** (:func:`resolve`, the one seam tests patch); every address it
  resolves to must be public: loopback, private, link-local (169.254.169.254 included), CGNAT
  100.64/10, multicast, reserved, unspecified, and the IPv4-mapped, 6to4, NAT64 and Teredo forms
  of those are refused. Numeric spellings (``2130706433``, ``0x7f000001``, ``017700000001``,
  ``127.1``) reach the check as the address the system resolver makes of them;
* the connection goes to the checked address (TLS still verifies the certificate for the
  host name), so a second resolution cannot swap it (DNS rebinding);
* redirects are never followed (``http.client`` does not follow them; a 3xx is returned as is);
* one timeout (15 s by default) bounds the connect and every read, and at most
  :data:`MAX_RESPONSE_BYTES` of the body are read and thrown away: callers get the status,
  the headers and the duration, never the body.

``IDCHECK_OUTBOUND_ALLOW_LOCAL`` admits exactly 127.0.0.1 and ::1 (not 127.0.0.2, not private
ranges), so a developer can point the demo at a receiver on the same machine.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_TIMEOUT = 15.0
MAX_RESPONSE_BYTES = 64 * 1024
ALLOWED_PORTS = frozenset({80, 443, 8080, 8443})
MIN_HIGH_PORT = 1024
LOCAL_EXEMPT = frozenset({ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")})

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(Exception):
    """The request was not sent: the URL or an address it resolves to is not allowed."""


class OutboundFailed(Exception):
    """The request was tried and failed without an HTTP response (DNS, connect, TLS, timeout)."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names lower-cased
    duration_ms: int


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def allow_local() -> bool:
    return bool(getattr(settings, "IDCHECK_OUTBOUND_ALLOW_LOCAL", False))


def parse_target(url: str) -> Target:
    """Scheme, host, port and path of ``url``, or :class:`OutboundRefused` with the reason."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused(f"not a valid URL: {exc}") from None
    schemes = {"https", "http"} if allow_local() else {"https"}
    if parts.scheme not in schemes:
        raise OutboundRefused("only https:// URLs are allowed")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise OutboundRefused("URLs with a user name or password are not allowed")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise OutboundRefused("the URL has no host")
    if "%" in host:
        raise OutboundRefused("scoped (link-local) addresses are not allowed")
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    if port not in ALLOWED_PORTS and port < MIN_HIGH_PORT:
        raise OutboundRefused(f"port {port} is not allowed (use 80, 443, 8080, 8443 or 1024-65535)")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, path)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not be contacted, or ``None`` when it may."""
    if allow_local() and address in LOCAL_EXEMPT:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return f"{address} is a scoped (link-local) address"
        if address.teredo is not None or address in _NAT64_LOCAL:
            return f"{address} is a tunnelled address"
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = address_refusal(embedded)
            return f"{address} embeds {embedded}: {reason}" if reason else None
    if address.is_loopback:
        return f"{address} is a loopback address"
    if address.is_unspecified:
        return f"{address} is the unspecified address"
    if address.is_link_local:
        return f"{address} is a link-local address"
    if address.is_multicast:
        return f"{address} is a multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return f"{address} is a shared (CGNAT) address"
    if address.is_private:
        return f"{address} is a private address"
    if address.is_reserved or not address.is_global:
        return f"{address} is a reserved address"
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any notation the system resolver accepts for IPv4
    (dotted, shortened, decimal, octal, hex) or as IPv6; ``None`` for a host name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the one DNS seam; tests patch it)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundFailed(f"could not resolve the host: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_addresses(target: Target) -> list[IPAddress]:
    """Resolve once and check every address; refuse if any one is not public. A host that
    spells an address in any notation is that address, without asking the resolver."""
    literal = literal_address(target.host)
    texts = [str(literal)] if literal is not None else resolve(target.host, target.port)
    if not texts:
        raise OutboundFailed("the host resolved to no address")
    addresses = []
    for text in texts:
        try:
            address = ipaddress.ip_address(text.split("%")[0])
        except ValueError:
            raise OutboundRefused(f"the host resolved to {text!r}, which is not an address") from None
        if "%" in text:
            raise OutboundRefused(f"{text} is a scoped (link-local) address")
        reason = address_refusal(address)
        if reason:
            raise OutboundRefused(reason)
        addresses.append(address)
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, address: IPAddress, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._address), self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, address: IPAddress, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((str(self._address), self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def request(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Response:
    """Send one request through the guard. Raises :class:`OutboundRefused` (nothing was sent)
    or :class:`OutboundFailed` (no HTTP response); any HTTP status is a :class:`Response`."""
    target = parse_target(url)
    address = checked_addresses(target)[0]
    started = time.monotonic()
    if target.scheme == "https":
        connection: http.client.HTTPConnection = _PinnedHTTPSConnection(
            address, target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = _PinnedHTTPConnection(address, target.host, target.port, timeout=timeout)
    try:
        connection.request(method, target.path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        result_headers = {name.lower(): value for name, value in response.getheaders()}
        return Response(response.status, result_headers, _elapsed_ms(started))
    except TimeoutError:
        raise OutboundFailed(f"no response within {timeout:g} s") from None
    except ssl.SSLError as exc:
        raise OutboundFailed(f"TLS error: {exc.reason or exc}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise OutboundFailed(f"{type(exc).__name__}: {exc}") from None
    finally:
        connection.close()


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
