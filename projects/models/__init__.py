"""Models of the projects app, one module per concept."""

from __future__ import annotations

from projects.models.api_keys import ApiKey
from projects.models.audit import AuditChainHead, AuditEvent
from projects.models.credits import CreditLedgerEntry
from projects.models.liveform import LiveformSettings
from projects.models.members import Invitation, Membership, Role
from projects.models.projections import Projection, ProjectionRequestKey
from projects.models.projects import EncryptionKeySource, PayloadCipher, Project, ProjectStatus
from projects.models.rate_limits import RateCounter
from projects.models.result_pages import ResultPageText
from projects.models.secret_keys import ProjectSecretKey
from projects.models.tokens import LiveformToken
from projects.models.users import User

__all__ = [
    "ApiKey",
    "AuditChainHead",
    "AuditEvent",
    "CreditLedgerEntry",
    "EncryptionKeySource",
    "Invitation",
    "LiveformSettings",
    "LiveformToken",
    "Membership",
    "PayloadCipher",
    "Project",
    "Projection",
    "ProjectionRequestKey",
    "ProjectSecretKey",
    "ProjectStatus",
    "RateCounter",
    "ResultPageText",
    "Role",
    "User",
]
