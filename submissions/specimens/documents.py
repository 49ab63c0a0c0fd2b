"""Per-document layouts of the invented, SPECIMEN-marked designs: passport, ID cards, visas, licences.

Sizes follow ISO/IEC 7810 and ICAO 9303: the data page 125 x 88 mm (TD3), cards 85.6 x 54 mm
(TD1, licences), 105 x 74 mm (TD2, MRV-B) and the 120 x 80 mm MRV-A visa.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from pathlib import Path

import pdf417gen

from submissions.specimens.aamva_payload import Licence
from submissions.specimens.identities import Identity
from submissions.specimens.render import MM, PALETTES, Canvas, Page, px

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def viz_date(value: dt.date) -> str:
    return f"{value.day:02d} {MONTHS[value.month - 1]} {value.year}"


def render_td3(
    identity: Identity, lines: tuple[str, ...], document_code: str, face: Path | None, rng: random.Random
) -> Page:
    canvas = Canvas(125, 88, rng.randrange(len(PALETTES)), clear_from_mm=88 - 23.2)
    canvas.band(0, 10, "PASSPORT · PASSEPORT", "SYNTHETIC TEST DOCUMENT")
    canvas.portrait(face, 6, 14, 32, 41)
    canvas.signature(rng, 7, 57, 30, 6)
    canvas.ghost(face, 108, 47, 12, 15)
    rows = [
        [
            (0, "Type / Type", document_code.rstrip("<")),
            (17, "Code / Code", identity.issuing_country),
            (40, "Document No. / No du document", identity.document_number),
        ],
        [(0, "Surname / Nom", identity.surname)],
        [(0, "Given names / Prénoms", identity.given_names)],
        [(0, "Nationality / Nationalité", identity.nationality), (40, "Sex / Sexe", identity.sex)],
        [
            (0, "Date of birth / Date de naissance", viz_date(identity.birth_date)),
            (40, "Place of birth / Lieu de naissance", identity.place_of_birth),
        ],
        [
            (0, "Date of issue / Date de délivrance", viz_date(identity.issue_date)),
            (40, "Authority / Autorité", f"AUTH {rng.randint(1000, 9999)}"),
        ],
        [(0, "Date of expiry / Date d'expiration", viz_date(identity.expiry_date))],
    ]
    canvas.rows(43, 12.2, 7.2, rows, label_mm=1.7, value_mm=2.9)
    canvas.watermark(10, 64)
    canvas.mrz(lines, 6.0, (15.75, 9.40))
    return canvas.page()


def render_td1_front(identity: Identity, document_code: str, face: Path | None, rng: random.Random) -> Page:
    canvas = Canvas(85.6, 54, rng.randrange(len(PALETTES)))
    canvas.band(0, 8, "IDENTITY CARD · CARTE D'IDENTITÉ", "SYNTHETIC TEST DOCUMENT")
    canvas.portrait(face, 4, 11, 24, 31)
    canvas.signature(rng, 5, 44, 22, 6)
    rows = [
        [(0, "Surname / Nom", identity.surname)],
        [(0, "Given names / Prénoms", identity.given_names)],
        [
            (0, "Sex / Sexe", identity.sex),
            (12, "Nationality", identity.nationality),
            (31, "Date of birth", viz_date(identity.birth_date)),
        ],
        [(0, "Document No.", identity.document_number), (31, "Date of expiry", viz_date(identity.expiry_date))],
        [
            (0, "Type / Type", document_code.rstrip("<")),
            (12, "Code / Code", identity.issuing_country),
            (31, "Date of issue", viz_date(identity.issue_date)),
        ],
    ]
    canvas.rows(31, 10, 6.6, rows, label_mm=1.45, value_mm=2.5)
    canvas.watermark(8, 54)
    canvas.small_print(31, 44.5, ["SPECIMEN · NOT A VALID IDENTITY DOCUMENT", "GENERATED FOR SOFTWARE TESTING ONLY"])
    return canvas.page()


def render_td1_back(identity: Identity, lines: tuple[str, ...], face: Path | None, rng: random.Random) -> Page:
    canvas = Canvas(85.6, 54, rng.randrange(len(PALETTES)), clear_from_mm=54 - 18.5)
    canvas.text(4, 3, "SPECIMEN", "sans_bold", 3.2, fill=(190, 40, 40))
    rows = [
        [
            (0, "Place of birth / Lieu de naissance", identity.place_of_birth),
            (40, "Height / Taille", f"{rng.randint(150, 198)} cm"),
        ],
        [
            (0, "Authority / Autorité", "SPECIMEN AUTHORITY"),
            (40, "Date of issue / Date de délivrance", viz_date(identity.issue_date)),
        ],
    ]
    canvas.rows(4, 8.5, 7.5, rows, label_mm=1.45, value_mm=2.4)
    canvas.ghost(face, 70, 2.5, 11, 14)
    canvas.small_print(4, 25.5, ["THIS CARD IS A SYNTHETIC SPECIMEN AND NOT A VALID DOCUMENT"])
    canvas.mrz(lines, 5.0, (14.63, 10.40, 6.17))
    return canvas.page()


def render_td2(
    identity: Identity, lines: tuple[str, ...], document_code: str, face: Path | None, rng: random.Random
) -> Page:
    canvas = Canvas(105, 74, rng.randrange(len(PALETTES)), clear_from_mm=74 - 19)
    canvas.band(0, 9, "IDENTITY CARD · CARTE D'IDENTITÉ", "SYNTHETIC TEST DOCUMENT")
    canvas.portrait(face, 5, 12, 27, 34)
    canvas.signature(rng, 36, 46, 30, 6)
    rows = [
        [(0, "Surname / Nom", identity.surname)],
        [(0, "Given names / Prénoms", identity.given_names)],
        [
            (0, "Nationality / Nationalité", identity.nationality),
            (24, "Sex / Sexe", identity.sex),
            (38, "Date of birth / Date de naissance", viz_date(identity.birth_date)),
        ],
        [
            (0, "Document No. / No du document", identity.document_number),
            (38, "Date of expiry / Date d'expiration", viz_date(identity.expiry_date)),
        ],
        [
            (0, "Type / Code", f"{document_code.rstrip('<')} / {identity.issuing_country}"),
            (38, "Date of issue / Date de délivrance", viz_date(identity.issue_date)),
        ],
    ]
    canvas.rows(36, 11.5, 6.6, rows, label_mm=1.5, value_mm=2.6)
    canvas.watermark(9, 54)
    canvas.mrz(lines, 4.0, (14.35, 8.0))
    return canvas.page()


def render_visa(
    identity: Identity, lines: tuple[str, ...], face: Path | None, rng: random.Random, *, large: bool
) -> Page:
    width, height = (120, 80) if large else (105, 74)
    canvas = Canvas(width, height, rng.randrange(len(PALETTES)), clear_from_mm=height - (23.2 if large else 19))
    canvas.band(0, 9, "VISA", "SYNTHETIC TEST DOCUMENT")
    canvas.portrait(face, 5, 12, 27 if not large else 29, 34 if not large else 37)
    passport_number = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(9))
    valid_from = identity.issue_date
    gap = 22 if large else 20
    rows = [
        [
            (0, "Valid from / Du", viz_date(valid_from)),
            (gap, "Until / Au", viz_date(identity.expiry_date)),
            (2 * gap + 4, "Type / Type", rng.choice(("C", "D", "A"))),
        ],
        [(0, "Surname / Nom", identity.surname)],
        [(0, "Given names / Prénoms", identity.given_names)],
        [
            (0, "Document No. / No du document", identity.document_number),
            (gap + 8, "Passport No. / No du passeport", passport_number),
        ],
        [
            (0, "Date of birth / Date de naissance", viz_date(identity.birth_date)),
            (gap + 8, "Sex / Sexe", identity.sex),
            (gap + 20, "Nationality / Nationalité", identity.nationality),
        ],
        [(0, "Issued in / Délivré à", f"{identity.place_of_birth} ({identity.issuing_country})")],
    ]
    pitch = 7.0 if large else 6.3
    canvas.rows(38 if large else 36, 10.8, pitch, rows, label_mm=1.5, value_mm=2.6 if large else 2.4)
    canvas.watermark(9, height - 22)
    if large:
        canvas.mrz(lines, 4.0, (15.75, 9.40))
    else:
        canvas.mrz(lines, 4.0, (14.35, 8.0))
    return canvas.page()


def _us_date(value: dt.date, country: str) -> str:
    return value.strftime("%m/%d/%Y") if country == "USA" else value.strftime("%Y/%m/%d")


def render_dl_front(licence: Licence, face: Path | None, rng: random.Random) -> Page:
    identity = licence.identity
    canvas = Canvas(85.6, 54, rng.randrange(len(PALETTES)))
    title = "DRIVER LICENSE" if licence.country == "USA" else "DRIVER'S LICENCE · PERMIS DE CONDUIRE"
    canvas.band(0, 8, title, f"SYNTHETIC TEST CARD · {licence.jurisdiction} {licence.country}")
    canvas.portrait(face, 3.5, 11, 24, 31)
    canvas.signature(rng, 4, 44, 22, 6)
    date = functools.partial(_us_date, country=licence.country)
    rows = [
        [(0, "4d DLN", identity.document_number), (30, "9 CLASS", licence.vehicle_class)],
        [(0, "1", identity.surname)],
        [(0, "2", identity.given_names)],
        [(0, "8", f"{licence.street}, {licence.city} {licence.jurisdiction} {licence.postal_code}")],
        [
            (0, "3 DOB", date(identity.birth_date)),
            (20, "4b EXP", date(identity.expiry_date)),
            (40, "15 SEX", identity.sex),
        ],
        [
            (0, "4a ISS", date(identity.issue_date)),
            (20, "16 HGT", licence.height.lower()),
            (40, "18 EYES", licence.eyes),
        ],
    ]
    canvas.rows(30, 9.5, 5.9, rows, label_mm=1.4, value_mm=2.3)
    canvas.watermark(8, 54)
    canvas.small_print(
        30, 46.5, [f"5 DD {licence.discriminator}", "SPECIMEN · NOT VALID FOR DRIVING OR IDENTIFICATION"]
    )
    return canvas.page()


def render_dl_back(licence: Licence, rng: random.Random) -> Page:
    canvas = Canvas(85.6, 54, rng.randrange(len(PALETTES)))
    codes = pdf417gen.encode(licence.payload, columns=rng.randint(10, 13), security_level=5)
    symbol = pdf417gen.render_image(codes, scale=3, ratio=rng.choice((3, 4)), padding=0).convert("RGB")
    quiet = 8
    left = (canvas.width - symbol.width) // 2
    top = px(4)
    canvas.draw.rectangle(
        (left - quiet * 3, top - quiet * 3, left + symbol.width + quiet * 3, top + symbol.height + quiet * 3),
        fill=(255, 255, 255),
    )
    canvas.image.paste(symbol, (left, top))
    bottom = top + symbol.height + quiet * 3
    identity = licence.identity
    canvas.small_print(
        4,
        bottom / MM + 2,
        [
            f"9a END: NONE    12 RESTR: NONE    9 CLASS: {licence.vehicle_class}",
            f"DD {licence.discriminator}    ISS {identity.issue_date.isoformat()}    {licence.jurisdiction} "
            f"{licence.country}",
            "THIS CARD IS A SYNTHETIC SPECIMEN GENERATED FOR SOFTWARE TESTING.",
            "IT IS NOT VALID FOR DRIVING OR IDENTIFICATION.  ANY RESEMBLANCE IS COINCIDENTAL.",
        ],
        size_mm=1.5,
    )
    canvas.text(canvas.width / MM - 4, 54 - 4, "SPECIMEN", "sans_bold", 3.2, fill=(190, 40, 40), anchor="rs")
    return canvas.page((left, top, left + symbol.width, top + symbol.height))
