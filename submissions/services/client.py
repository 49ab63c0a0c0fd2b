"""The run's network and device step: the end user's IP and device as ``policy.evidence``.

``network.services.submission_client_check`` looks the captured address up in the imported
IP-range lists, judges the device and stores both verdicts; this turns them into evidence and
gives each submission from the same device (same keyed fingerprint, same project) its status,
so the policy engine can count approvals per device (§8.11 duplicate limit).
"""

from __future__ import annotations

from dataclasses import dataclass

from network.services import submission_client_check
from policy.evidence import DeviceEvidence, DuplicateMatch, NetworkEvidence
from submissions.evidence import device_evidence, network_evidence
from submissions.models import Submission


@dataclass(frozen=True)
class ClientEvidence:
    network: NetworkEvidence
    device: DeviceEvidence
    device_duplicates: tuple[DuplicateMatch, ...]


def client_evidence(submission: Submission) -> ClientEvidence:
    check = submission_client_check(submission_id=submission.id)
    others = Submission.objects.filter(pk__in=check.same_device, project_id=submission.project_id)
    matches = tuple(DuplicateMatch(o.pk, o.status, o.decided_at) for o in others.order_by("created_at", "pk"))
    return ClientEvidence(network_evidence(check.network), device_evidence(check.device), matches)
