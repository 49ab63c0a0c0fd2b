"""A project's policy settings as the engine reads them (pure; defaults follow spec §8).

``PolicySettings()`` is a project nobody configured: Conservative threshold 70 (§8.1 "default 70
when unset"), staff review of pending submissions, age limit 13 (the value of the §8.4 comment
texts), expired IDs and IDs without a full date of birth rejected (§6.4), no blacklist, every
ID type accepted, duplicate prevention, VPN/proxy detection and device verification off (they
are options in §8.6, §8.10 and §8.11), 3 attempts per flow (§8.3), incomplete submissions
time out after 24 h (§3.3). Device duplicate limit 3 approvals per 30 days (§8.11). Proof of
address is off: it is optional per project (§8.15 "L2-B"), and a project that turns it on
requires it of every submission.

``PolicySettings.from_json`` validates every value and reports all problems at once as
``(key, reason)`` pairs in :class:`SettingsError`; the storage side (``projects`` settings
registry) keeps the values and hands them over as a dict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from policy.codec import CodecError, from_plain, to_plain
from policy.evidence import PIPELINES  # the Liveform's pipeline: ID document or Knowledge-Based (§6.3)
from policy.id_types import ANY_COUNTRY, ID_TYPES, AllowedIdTypes

THRESHOLD_PRESETS = {"conservative": 70, "standard": 50, "open": 40}
REVIEWERS = ("staff", "client_api")  # ARGOS Professional Reviewer is our staff; Client API as in §8.13
NO_DOB_HANDLING = ("reject", "pending", "accept")
NETWORK_LEVELS = ("high", "medium", "low")  # high: reject; medium: manual review; low: noted only
DEVICE_DUPLICATE_POLICIES = ("fail", "register_and_pass")
_ALPHA3 = re.compile(r"[A-Z]{3}")


class SettingsError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{key}: {reason}" for key, reason in problems))
        self.problems = problems


@dataclass(frozen=True)
class NetworkLevels:
    """What a connection of each kind means (§8.10 suggests Proxy/VPN Medium, hosting High)."""

    proxy: str = "medium"
    vpn: str = "medium"
    tor: str = "high"  # not in §8.10: an anonymising relay is treated like a hosting provider
    hosting: str = "high"

    def level(self, kind: str) -> str:
        return str(getattr(self, kind))


@dataclass(frozen=True)
class PolicySettings:
    threshold_preset: str = "conservative"  # conservative | standard | open | custom
    custom_threshold: int | None = None  # 0–100, used when the preset is custom
    automated_processing_only: bool = False
    reviewer: str = "staff"
    age_limit: int | None = 13  # None: no age limit
    reject_expired_id: bool = True
    blacklist_countries: tuple[str, ...] = ()  # issuing countries, alpha-3
    allowed_id_types: AllowedIdTypes = field(default_factory=AllowedIdTypes)
    no_date_of_birth: str = "reject"
    reject_duplicate_user: bool = False
    reject_duplicate_face: bool = False
    approve_period_days: int = 0  # 0: off
    reject_period_days: int = 0  # 0: off
    network_detection: bool = False
    network_levels: NetworkLevels = field(default_factory=NetworkLevels)
    device_verification: bool = False
    device_duplicate_limit: int = 3
    device_duplicate_period_days: int | None = 30  # None: all time
    device_duplicate_policy: str = "fail"
    max_attempts: int = 3
    incomplete_timeout_hours: int = 24
    proof_of_address: bool = False  # require a bill or statement naming the holder (§8.4 address_* codes)
    pipeline: str = "id_document"  # what the Liveform asks for (PIPELINES); API submissions are ID documents

    @property
    def threshold(self) -> int:
        if self.threshold_preset == "custom":
            assert self.custom_threshold is not None  # validated
            return self.custom_threshold
        return THRESHOLD_PRESETS[self.threshold_preset]

    def to_json(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PolicySettings:
        try:
            settings = from_plain(cls, data)
        except CodecError as exc:
            raise SettingsError([(exc.path, exc.reason)]) from None
        problems = settings.problems()
        if problems:
            raise SettingsError(problems)
        return settings

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []

        def check(key: str, ok: bool, reason: str) -> None:
            if not ok:
                found.append((key, reason))

        def choice(key: str, value: str, options: tuple[str, ...]) -> None:
            check(key, value in options, f"must be one of {', '.join(options)}, got {value!r}")

        choice("threshold_preset", self.threshold_preset, (*THRESHOLD_PRESETS, "custom"))
        if self.threshold_preset == "custom":
            value = self.custom_threshold
            check("custom_threshold", value is not None and 0 <= value <= 100, "must be 0 to 100 with preset custom")
        choice("reviewer", self.reviewer, REVIEWERS)
        check("age_limit", self.age_limit is None or 1 <= self.age_limit <= 120, "must be 1 to 120, or null (off)")
        for index, country in enumerate(self.blacklist_countries):
            check(f"blacklist_countries[{index}]", bool(_ALPHA3.fullmatch(country)), f"{country!r} is not alpha-3")
        for index, (country, id_type) in enumerate(self.allowed_id_types.entries):
            ok = (country == ANY_COUNTRY or bool(_ALPHA3.fullmatch(country))) and id_type in ID_TYPES
            check(f"allowed_id_types.entries[{index}]", ok, f"{country},{id_type} is not alpha-3 (or *) and an ID type")
        choice("no_date_of_birth", self.no_date_of_birth, NO_DOB_HANDLING)
        check("approve_period_days", 0 <= self.approve_period_days <= 3650, "must be 0 (off) to 3650")
        check("reject_period_days", 0 <= self.reject_period_days <= 3650, "must be 0 (off) to 3650")
        for kind in ("proxy", "vpn", "tor", "hosting"):
            choice(f"network_levels.{kind}", self.network_levels.level(kind), NETWORK_LEVELS)
        check("device_duplicate_limit", 1 <= self.device_duplicate_limit <= 1000, "must be 1 to 1000")
        period = self.device_duplicate_period_days
        check("device_duplicate_period_days", period is None or period >= 1, "must be at least 1, or null (all time)")
        choice("device_duplicate_policy", self.device_duplicate_policy, DEVICE_DUPLICATE_POLICIES)
        check("max_attempts", 1 <= self.max_attempts <= 10, "must be 1 to 10")
        check("incomplete_timeout_hours", 1 <= self.incomplete_timeout_hours <= 720, "must be 1 to 720")
        choice("pipeline", self.pipeline, PIPELINES)
        return found


# The Liveform link's per-session switches (spec §6.2), by their link names: the four that lift a
# rule for this person only, and the duplicate-user prevention forced on or off.
LIFTING_OVERRIDES = ("blacklistCountries", "approvePeriod", "rejectPeriod", "ageLimit")
SESSION_OVERRIDES = (*LIFTING_OVERRIDES, "rejectDuplicateUser")


def with_session_overrides(settings: PolicySettings, overrides: Mapping[str, bool]) -> PolicySettings:
    """``settings`` as one Liveform session decides with them: a lifting switch counts only as
    ``False`` (the spec's only value), ``rejectDuplicateUser`` either way."""
    changes: dict[str, Any] = {}
    if overrides.get("blacklistCountries") is False:
        changes["blacklist_countries"] = ()
    if overrides.get("approvePeriod") is False:
        changes["approve_period_days"] = 0
    if overrides.get("rejectPeriod") is False:
        changes["reject_period_days"] = 0
    if overrides.get("ageLimit") is False:
        changes["age_limit"] = None
    if isinstance(overrides.get("rejectDuplicateUser"), bool):
        changes["reject_duplicate_user"] = overrides["rejectDuplicateUser"]
    return replace(settings, **changes)
