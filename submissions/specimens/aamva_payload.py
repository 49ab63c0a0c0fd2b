"""AAMVA DL/ID card design standard payloads (versions 8, 9 and 10) for specimen licence backs.

The header carries correct offsets and lengths for its two subfiles: the standard DL subfile and
a small jurisdiction-specific one (``Z`` + the jurisdiction's first letter). Dates are MMDDCCYY
in the USA and CCYYMMDD in Canada, as versions 2 and later require.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass

from submissions.specimens.identities import Identity, random_date

COMPLIANCE = b"@\n\x1e\r"
FILE_TYPE = b"ANSI "
VERSIONS = (8, 9, 10)
HEADER_LENGTH = 21  # compliance indicator, file type, IIN, version, jurisdiction version, entries

# (IIN, jurisdiction code, country): a handful of real issuers for variety in the payload; the
# card artwork never imitates any of them.
JURISDICTIONS = (
    ("636014", "CA", "USA"),
    ("636015", "TX", "USA"),
    ("636001", "NY", "USA"),
    ("636010", "FL", "USA"),
    ("636026", "AZ", "USA"),
    ("636045", "WA", "USA"),
    ("636035", "IL", "USA"),
    ("636040", "UT", "USA"),
    ("636012", "ON", "CAN"),
    ("636028", "BC", "CAN"),
    ("604428", "QC", "CAN"),
    ("604432", "AB", "CAN"),
)
STREETS = ("MAPLE AVE", "OAK ST", "HARBOR RD", "SUNSET BLVD", "CEDAR LN", "LAKESHORE DR", "MAIN ST", "PINE CT")
CITIES = ("SPRINGFIELD", "FAIRVIEW", "RIVERSIDE", "GREENVILLE", "MILLBROOK", "CLEARWATER", "BRIDGEPORT")
EYES = ("BRO", "BLU", "GRN", "HAZ", "GRY", "BLK")
HAIR = ("BRO", "BLK", "BLN", "RED", "GRY", "WHI")
SEX_CODES = {"M": "1", "F": "2", "X": "9"}


@dataclass(frozen=True)
class Licence:
    """What a licence front prints and its barcode encodes."""

    identity: Identity
    version: int
    iin: str
    jurisdiction: str
    country: str  # "USA" or "CAN"
    first_name: str
    middle_names: str
    street: str
    city: str
    postal_code: str  # as printed: 5 digits in the USA, "A1A 1A1" in Canada
    height: str  # as encoded: "069 IN" or "175 CM"
    eyes: str
    hair: str
    vehicle_class: str
    discriminator: str
    elements: tuple[tuple[str, str], ...]
    payload: bytes


def random_licence(rng: random.Random, identity: Identity) -> Licence:
    """A licence for ``identity`` (which must have at least one given name), from a random issuer."""
    iin, jurisdiction, country = rng.choice(JURISDICTIONS)
    version = rng.choice(VERSIONS)
    first_name, _, middle_names = identity.given_names.partition(" ")
    if country == "USA":
        postal_code = "".join(rng.choice(string.digits) for _ in range(5))
        encoded_postal = f"{postal_code}0000".ljust(11)
        height = f"{rng.randint(58, 77):03d} IN"
    else:
        letters, digits = string.ascii_uppercase, string.digits
        postal_code = "".join(rng.choice(pool) for pool in (letters, digits, letters)) + " "
        postal_code += "".join(rng.choice(pool) for pool in (digits, letters, digits))
        encoded_postal = postal_code.replace(" ", "").ljust(11)
        height = f"{rng.randint(150, 195):03d} CM"
    street = f"{rng.randint(1, 9899)} {rng.choice(STREETS)}"
    city = rng.choice(CITIES)
    eyes, hair = rng.choice(EYES), rng.choice(HAIR)
    vehicle_class = rng.choice(("C", "D", "B", "5", "G"))
    discriminator = "".join(rng.choice(string.digits + string.ascii_uppercase) for _ in range(rng.randint(10, 16)))
    inventory = "".join(rng.choice(string.digits) for _ in range(10))
    card_revision = random_date(rng, dt.date(2016, 1, 1), dt.date(2024, 12, 31))

    def date(value: dt.date) -> str:
        return value.strftime("%m%d%Y" if country == "USA" else "%Y%m%d")

    elements = (
        ("DCA", vehicle_class),
        ("DCB", "NONE"),
        ("DCD", "NONE"),
        ("DBA", date(identity.expiry_date)),
        ("DCS", identity.surname),
        ("DAC", first_name),
        ("DAD", middle_names or "NONE"),
        ("DBD", date(identity.issue_date)),
        ("DBB", date(identity.birth_date)),
        ("DBC", SEX_CODES[identity.sex]),
        ("DAY", eyes),
        ("DAU", height),
        ("DAG", street),
        ("DAI", city),
        ("DAJ", jurisdiction),
        ("DAK", encoded_postal),
        ("DAQ", identity.document_number),
        ("DCF", discriminator),
        ("DCG", country),
        ("DDE", "N"),
        ("DDF", "N"),
        ("DDG", "N"),
        ("DAZ", hair),
        ("DCK", inventory),
        ("DDA", "F"),
        ("DDB", date(card_revision)),
    )
    jurisdiction_subfile = (
        (f"Z{jurisdiction[0]}A", "SPECIMEN"),
        (f"Z{jurisdiction[0]}B", "".join(rng.choice(string.digits) for _ in range(6))),
    )
    payload = build_payload(
        iin=iin,
        version=version,
        jurisdiction_version=rng.randint(0, 3),
        subfiles=(("DL", elements), (f"Z{jurisdiction[0]}", jurisdiction_subfile)),
    )
    return Licence(
        identity=identity,
        version=version,
        iin=iin,
        jurisdiction=jurisdiction,
        country=country,
        first_name=first_name,
        middle_names=middle_names,
        street=street,
        city=city,
        postal_code=postal_code,
        height=height,
        eyes=eyes,
        hair=hair,
        vehicle_class=vehicle_class,
        discriminator=discriminator,
        elements=elements,
        payload=payload,
    )


def build_payload(
    *, iin: str, version: int, jurisdiction_version: int, subfiles: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
) -> bytes:
    """Header, subfile designators (type, 4-digit offset from "@", 4-digit length), then the subfiles.

    Each subfile is its two-letter type, its elements separated by LF, and a closing CR.
    """
    bodies = [
        kind.encode("ascii") + b"\n".join(f"{element}{value}".encode("ascii") for element, value in elements) + b"\r"
        for kind, elements in subfiles
    ]
    offset = HEADER_LENGTH + 10 * len(subfiles)
    designators = b""
    for (kind, _), body in zip(subfiles, bodies, strict=True):
        designators += f"{kind}{offset:04d}{len(body):04d}".encode("ascii")
        offset += len(body)
    header = COMPLIANCE + FILE_TYPE + f"{iin}{version:02d}{jurisdiction_version:02d}{len(subfiles):02d}".encode("ascii")
    assert len(header) == HEADER_LENGTH
    return header + designators + b"".join(bodies)
