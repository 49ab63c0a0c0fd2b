"""Writes of the network app: the client captured at creation, the verdicts of a run.

The device fingerprint is stored only as ``keyed_hash`` (HMAC-SHA256 under a key derived from
the master key, purpose ``network.device_fingerprint``): equal devices give equal hashes inside
this installation, and the value means nothing outside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from idcheck.lib.crypto import keyed_hash
from network.addresses import parse_address
from network.device import DeviceAssessment, DeviceSignals, assess_device
from network.models import IpOrigin, SubmissionClient
from network.selectors import device_submissions, ip_verdict
from network.verdicts import NetworkVerdict, not_checked
from policy.settings import NetworkLevels

FINGERPRINT_PURPOSE = "network.device_fingerprint"
USER_AGENT_MAX = 512


@dataclass(frozen=True)
class ClientInfo:
    """The end user's client as the entry point knows it.

    The Liveform passes the browser's address (``ip_origin=request``) and its signals. The API
    is called by the integrator's server, whose own address says nothing about the end user: it
    passes only what the integrator declares (``ipAddress``, ``userAgent``; ``declared``).
    """

    ip: str = ""
    ip_origin: str = IpOrigin.NONE
    signals: DeviceSignals = field(default_factory=DeviceSignals)


@dataclass(frozen=True)
class ClientCheck:
    network: NetworkVerdict
    device: DeviceAssessment
    same_device: tuple[str, ...]  # the project's other submissions from this device, oldest first


def submission_client_record(*, submission_id: str, project_id: int, client: ClientInfo) -> SubmissionClient:
    """Keep the end user's address, user agent and device signals with the submission (called
    inside ``submission_create``'s transaction). An address that does not parse is dropped."""
    address = parse_address(client.ip) if client.ip else None
    signals = client.signals
    return SubmissionClient.objects.create(
        submission_id=submission_id,
        project_id=project_id,
        ip_address=str(address) if address else None,
        ip_origin=client.ip_origin if address else IpOrigin.NONE,
        user_agent=signals.user_agent[:USER_AGENT_MAX],
        signals=signals.stored(),
        device_hash=keyed_hash(signals.fingerprint, purpose=FINGERPRINT_PURPOSE) if signals.fingerprint else "",
    )


def submission_client_check(*, submission_id: str, levels: NetworkLevels | None = None) -> ClientCheck:
    """The run's network and device step: look the address up, judge the device, find the same
    device's other submissions, and store both verdicts on the row. A submission without a
    captured client (created before this step existed) is "not checked"."""
    client = SubmissionClient.objects.filter(submission_id=submission_id).first()
    if client is None:
        return ClientCheck(network=not_checked(), device=DeviceAssessment(checked=False), same_device=())
    network = ip_verdict(client.ip_address, levels=levels)
    device = assess_device(_signals(client))
    same = device_submissions(project_id=client.project_id, device_hash=client.device_hash, exclude=submission_id)
    client.network_verdict, client.device_verdict = network.to_json(), device.to_json()
    client.checked_at = timezone.now()
    client.save(update_fields=["network_verdict", "device_verdict", "checked_at"])
    return ClientCheck(network=network, device=device, same_device=tuple(same))


def submission_client_purge(*, submission_id: str) -> None:
    """Forget the client of a deleted submission (address and user agent are personal data)."""
    SubmissionClient.objects.filter(submission_id=submission_id).delete()


def submission_client_forget_address(*, submission_id: str) -> bool:
    """Forget only the end user's IP address (a partial deletion of ``ip_address``), also the copy
    in the stored IP verdict; the user agent, device signals and verdicts stay. True when one was kept."""
    client = SubmissionClient.objects.select_for_update().filter(submission_id=submission_id).first()
    if client is None:
        return False
    had = bool(client.ip_address) or bool((client.network_verdict or {}).get("ip"))
    client.ip_address, client.ip_origin = None, IpOrigin.NONE
    if client.network_verdict is not None:
        client.network_verdict = {**client.network_verdict, "ip": None}
    client.save(update_fields=["ip_address", "ip_origin", "network_verdict"])
    return had


def _signals(client: SubmissionClient) -> DeviceSignals:
    stored = dict(client.signals)
    for name in ("automation", "tampering"):
        stored[name] = tuple(stored.get(name, ()))
    stored["user_agent"] = client.user_agent
    return DeviceSignals(**stored)
