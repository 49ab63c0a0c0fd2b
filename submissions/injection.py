"""The checks of a Liveform address injection (spec §6.6, §6.2 Injection-only parameters).

Three checks, in this order, each with the ``failCode`` of spec §4.9 (the first that does not
pass names the failure):

* ``ipRisk_failCategory``, asked for by ``ipRiskCategory`` + ``ipRiskDurationHours``: the
  person's address is in an imported range of one of the categories (``network.selectors``),
  or an earlier injection of the same submission failed this check less than
  ``ipRiskDurationHours`` ago (the block lasts that long, whatever address comes next).
* ``blackliskCountries`` (sic, as the spec spells it), always: the declared address's country
  is on the project's blacklist.
* ``distanceChecks_ipGeo``, asked for by ``distanceCheckSource=ipGeo`` +
  ``distanceMaxDistanceKm``: the great-circle distance between where the IP address is
  (``network.geoip``, the operator's MaxMind-format database) and the declared city
  (``idcheck.lib.gazetteer``) is more than the maximum.

A check asked for that this installation cannot perform (no address, no list of the category,
no IP database, an IP or a city not found) is ``not_performed`` with its reason and counts as
failed with its code: an integrator who asked for it never gets a success it did not check.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from idcheck.lib.gazetteer import city_place
from network.geoip import FOUND, ip_location
from network.selectors import ip_range_kinds_imported, ip_verdict

IP_RISK, BLACKLIST, DISTANCE = "ipRisk_failCategory", "blackliskCountries", "distanceChecks_ipGeo"
FAIL_CODES = (IP_RISK, BLACKLIST, DISTANCE)
IP_RISK_CATEGORIES = ("vpn", "proxy", "tor")
PASSED, FAILED, NOT_PERFORMED, NOT_ASKED = "passed", "failed", "not_performed", "not_asked"
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class InjectionOptions:
    """The encrypted link's check options (empty: not asked)."""

    ip_risk_categories: tuple[str, ...] = ()
    ip_risk_hours: int = 0
    distance_source: str = ""  # "ipGeo" or ""
    distance_max_km: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"ip_risk_categories": list(self.ip_risk_categories), "ip_risk_hours": self.ip_risk_hours,
                "distance_source": self.distance_source, "distance_max_km": self.distance_max_km}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InjectionOptions:
        return cls(tuple(data.get("ip_risk_categories", ())), int(data.get("ip_risk_hours", 0)),
                   data.get("distance_source", ""), float(data.get("distance_max_km", 0.0)))  # fmt: skip


@dataclass(frozen=True)
class DeclaredAddress:
    street: str
    city: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-3

    def to_json(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CheckOutcome:
    """Each check's result (``{"result": …, …}``) and the failCode of the first not passed."""

    checks: dict[str, dict[str, Any]]
    fail_code: str | None


def injection_checks(
    *,
    address: DeclaredAddress,
    ip: str,
    options: InjectionOptions,
    blacklist: tuple[str, ...],
    blocked_since: dt.datetime | None,
) -> CheckOutcome:
    """Run the three checks. ``blocked_since``: when an earlier ipRisk failure of this submission
    that is still within its block happened (None: none)."""
    checks = {
        IP_RISK: _ip_risk(ip, options, blocked_since),
        BLACKLIST: {"result": FAILED if address.country in blacklist else PASSED},
        DISTANCE: _distance(ip, address, options),
    }
    failed = next((code for code in FAIL_CODES if checks[code]["result"] in (FAILED, NOT_PERFORMED)), None)
    return CheckOutcome(checks, failed)


def _ip_risk(ip: str, options: InjectionOptions, blocked_since: dt.datetime | None) -> dict[str, Any]:
    kinds = options.ip_risk_categories
    if not kinds:
        return {"result": NOT_ASKED}
    if blocked_since is not None:
        return {"result": FAILED, "reason": "blocked", "since": blocked_since.isoformat()}
    verdict = ip_verdict(ip)
    if not verdict.checked:
        return {"result": NOT_PERFORMED, "reason": "no_address"}
    found = [kind for kind in kinds if kind in verdict.kinds]
    if found:
        return {"result": FAILED, "categories": found}
    missing = sorted(set(kinds) - ip_range_kinds_imported(kinds))
    if missing:  # nothing found, but some category has no list to find it in
        return {"result": NOT_PERFORMED, "reason": "no_ranges", "categories": missing}
    return {"result": PASSED}


def _distance(ip: str, address: DeclaredAddress, options: InjectionOptions) -> dict[str, Any]:
    if not options.distance_source:
        return {"result": NOT_ASKED}
    located = ip_location(ip)
    if located.status != FOUND:
        return {"result": NOT_PERFORMED, "reason": {"no_database": "no_ip_database", "not_found": "ip_not_located",
                                                    "no_address": "no_address"}[located.status]}  # fmt: skip
    place = city_place(city=address.city, country=address.country)
    if place is None:
        return {"result": NOT_PERFORMED, "reason": "city_not_found"}
    km = great_circle_km(located.latitude or 0.0, located.longitude or 0.0, place.latitude, place.longitude)
    result = PASSED if km <= options.distance_max_km else FAILED
    return {"result": result, "km": round(km, 1), "max_km": options.distance_max_km}


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on the mean Earth radius (within 0.5 % of the ellipsoid's)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
