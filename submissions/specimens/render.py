"""Flat renderings of invented, SPECIMEN-marked document designs at 300 dpi.

Sizes follow ISO/IEC 7810 and ICAO 9303: the data page 125 x 88 mm (TD3), cards 85.6 x 54 mm
(TD1, licences), 105 x 74 mm (TD2, MRV-B) and the 120 x 80 mm MRV-A visa. The MRZ is OCR-B at
the 2.54 mm pitch (30 px at 300 dpi), each character placed in its own cell, with the reference
centre lines of Doc 9303-4/5/7. Everything else (colours, guilloches, layout) is made up, and
every design says SPECIMEN.

Fonts, backgrounds, silhouettes and watermarks are built once per process and reused.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pdf417gen
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from submissions.specimens.aamva_payload import Licence
from submissions.specimens.identities import Identity

DPI = 300
MM = DPI / 25.4
MRZ_PITCH_MM = 2.54
OCRB_ADVANCE_EM = 0.723  # advance width of every OCR-B glyph, as a fraction of the em
FONT_FILES = {
    "ocrb": "/usr/share/fonts/opentype/ocr-b/OCRB.otf",
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "sans_bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "narrow": "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
}
INK = (22, 22, 28)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class Palette:
    paper: tuple[int, int, int]
    lines: tuple[int, int, int]
    accent: tuple[int, int, int]


PALETTES = (
    Palette((233, 241, 238), (146, 192, 186), (18, 92, 104)),
    Palette((245, 236, 233), (214, 160, 168), (122, 32, 52)),
    Palette((234, 238, 247), (158, 176, 214), (28, 48, 104)),
    Palette((237, 244, 232), (164, 202, 158), (32, 94, 48)),
    Palette((247, 241, 226), (214, 186, 140), (122, 82, 30)),
    Palette((241, 236, 247), (192, 170, 218), (72, 42, 112)),
)


@dataclass(frozen=True)
class Page:
    """One rendered side: the image and where its machine-readable parts are (pixels)."""

    image: Image.Image
    mrz_boxes: tuple[tuple[int, int, int, int], ...] = ()  # per MRZ line: left, top, right, bottom
    barcode_box: tuple[int, int, int, int] | None = None


Rows = list[list[tuple[float, str, str]]]  # per row: (x offset in mm, label, value)


def px(mm: float) -> int:
    return round(mm * MM)


@functools.cache
def font(name: str, size_px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_FILES[name], size_px)


def check_fonts() -> None:
    """Fail early, with the package to install, when a font file is missing."""
    for name, path in FONT_FILES.items():
        if not Path(path).is_file():
            package = "fonts-ocr-b" if name == "ocrb" else "fonts-dejavu-core / fonts-liberation"
            raise FileNotFoundError(f"{path} is missing: install the Debian package {package}")


def viz_date(value: dt.date) -> str:
    return f"{value.day:02d} {MONTHS[value.month - 1]} {value.year}"


# --- backgrounds ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=48)
def _background(width: int, height: int, palette_index: int, clear_from: int) -> np.ndarray:
    """Paper with a guilloche: wavy bands and two rosettes, lighter below ``clear_from`` (the MRZ)."""
    palette = PALETTES[palette_index]
    image = np.empty((height, width, 3), np.uint8)
    image[:] = palette.paper
    pattern_rng = random.Random(palette_index * 7919 + width)
    xs = np.arange(0, width + 8, 8, dtype=np.float64)
    for index in range(46):
        y0 = -0.1 * height + index * height * 1.2 / 46
        phase = pattern_rng.uniform(0, math.tau)
        for offset in (0.0, 9.0):
            ys = y0 + 22 * np.sin(xs / 97.0 + phase) + 11 * np.sin(xs / 41.0 + 2 * phase) + offset
            points = np.stack([xs, ys], axis=1).round().astype(np.int32)
            cv2.polylines(image, [points], False, palette.lines, 1, cv2.LINE_AA)
    for cx, cy, radius in ((0.72 * width, 0.42 * height, 0.3 * height), (0.12 * width, 0.8 * height, 0.2 * height)):
        t = np.linspace(0, 2 * math.pi * 7, 3000)
        big, small, arm = radius * 0.7, radius * 0.1, radius * 0.32
        xs_r = cx + (big + small) * np.cos(t) - arm * np.cos((big + small) / small * t)
        ys_r = cy + (big + small) * np.sin(t) - arm * np.sin((big + small) / small * t)
        points = np.stack([xs_r, ys_r], axis=1).round().astype(np.int32)
        cv2.polylines(image, [points], False, palette.lines, 1, cv2.LINE_AA)
    if clear_from < height:  # the MRZ clear zone keeps only a faint trace of the pattern
        zone = image[clear_from:].astype(np.float32)
        image[clear_from:] = (zone * 0.25 + np.array(palette.paper, np.float32) * 0.75).astype(np.uint8)
    image.setflags(write=False)
    return image


@functools.lru_cache(maxsize=16)
def _watermark(width: int, height: int) -> Image.Image:
    """An "L" mask of SPECIMEN written diagonally across a ``width`` x ``height`` area."""
    size = max(60, int(min(width, height) * 0.22))
    text_font = font("sans_bold", size)
    length = int(text_font.getlength("SPECIMEN")) + 20
    layer = Image.new("L", (length, size + 30), 0)
    ImageDraw.Draw(layer).text((10, 10), "SPECIMEN", font=text_font, fill=70)
    layer = layer.rotate(18, expand=True, resample=Image.Resampling.BICUBIC)
    mask = Image.new("L", (width, height), 0)
    mask.paste(layer, ((width - layer.width) // 2, (height - layer.height) // 2))
    return mask


@functools.lru_cache(maxsize=16)
def _silhouette(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height), (214, 222, 230))
    draw = ImageDraw.Draw(image)
    for row in range(height):  # soft vertical gradient
        shade = int(232 - 30 * row / height)
        draw.line([(0, row), (width, row)], fill=(shade - 8, shade - 2, shade + 4))
    head_w, head_h = width * 0.42, height * 0.42
    cx, cy = width / 2, height * 0.38
    draw.ellipse((cx - width * 0.48, height * 0.7, cx + width * 0.48, height * 1.35), fill=(120, 128, 140))
    draw.rectangle((cx - width * 0.1, cy + head_h * 0.35, cx + width * 0.1, height * 0.78), fill=(132, 140, 152))
    draw.ellipse((cx - head_w / 2, cy - head_h / 2, cx + head_w / 2, cy + head_h / 2), fill=(138, 146, 158))
    return image


@functools.lru_cache(maxsize=32)
def _face(path: str, width: int, height: int) -> Image.Image:
    """The face photo cropped to the portrait's aspect (upper centre), slightly desaturated."""
    with Image.open(path) as source:
        source.draft("RGB", (width * 2, height * 2))
        photo = source.convert("RGB")
    aspect = width / height
    if photo.width / photo.height > aspect:
        crop_w = photo.height * aspect
        left = (photo.width - crop_w) / 2
        box = (left, 0, left + crop_w, photo.height)
    else:
        crop_h = photo.width / aspect
        top = (photo.height - crop_h) * 0.3
        box = (0, top, photo.width, top + crop_h)
    portrait = photo.resize((width, height), Image.Resampling.BILINEAR, box=box, reducing_gap=2.0)
    return ImageEnhance.Color(portrait).enhance(0.72)


def portrait(face_path: Path | None, width: int, height: int) -> Image.Image:
    if face_path is None:
        return _silhouette(width, height)
    return _face(str(face_path), width, height)


# --- the canvas -------------------------------------------------------------------------------


class Canvas:
    """A document side in millimetres: text, fields, portraits, the MRZ."""

    def __init__(self, width_mm: float, height_mm: float, palette_index: int, clear_from_mm: float | None = None):
        self.width, self.height = px(width_mm), px(height_mm)
        self.palette = PALETTES[palette_index]
        clear_from = px(clear_from_mm) if clear_from_mm is not None else self.height
        self.image = Image.fromarray(_background(self.width, self.height, palette_index, clear_from))
        self.draw = ImageDraw.Draw(self.image)
        self.mrz_boxes: list[tuple[int, int, int, int]] = []

    def band(self, top_mm: float, bottom_mm: float, title: str, subtitle: str) -> None:
        """The coloured header: the title on the left, SPECIMEN and ``subtitle`` on the right."""
        self.draw.rectangle((0, px(top_mm), self.width, px(bottom_mm)), fill=self.palette.accent)
        height = bottom_mm - top_mm
        marked = font("sans_bold", px(height * 0.3))
        small = font("sans", px(height * 0.2))
        right = self.width - px(4)
        self.draw.text((right, px(top_mm + height * 0.3)), "SPECIMEN", font=marked, fill=(255, 226, 120), anchor="rm")
        self.draw.text((right, px(top_mm + height * 0.72)), subtitle, font=small, fill=(235, 235, 235), anchor="rm")
        room = right - max(marked.getlength("SPECIMEN"), small.getlength(subtitle)) - px(4) - px(3)
        size = px(height * 0.42)
        while font("sans_bold", size).getlength(title) > room and size > 8:
            size -= 2
        self.draw.text(
            (px(4), px(top_mm + height * 0.5)), title, font=font("sans_bold", size), fill=(250, 250, 250), anchor="lm"
        )

    def text(
        self,
        x_mm: float,
        y_mm: float,
        value: str,
        name: str,
        size_mm: float,
        fill: tuple[int, int, int] = INK,
        anchor: str = "la",
    ) -> None:
        self.draw.text((px(x_mm), px(y_mm)), value, font=font(name, px(size_mm)), fill=fill, anchor=anchor)

    def field(self, x_mm: float, y_mm: float, label: str, value: str, *, label_mm: float, value_mm: float) -> None:
        self.text(x_mm, y_mm, label, "sans", label_mm, fill=self.palette.accent)
        self.text(x_mm, y_mm + label_mm * 1.15, value, "sans_bold", value_mm)

    def rows(self, x_mm: float, y_mm: float, pitch_mm: float, rows: Rows, *, label_mm: float, value_mm: float) -> None:
        """Labelled values, row by row; each at its x offset (mm) from ``x_mm``."""
        for index, row in enumerate(rows):
            for offset, label, value in row:
                self.field(x_mm + offset, y_mm + index * pitch_mm, label, value, label_mm=label_mm, value_mm=value_mm)

    def portrait(self, face_path: Path | None, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> None:
        self.image.paste(portrait(face_path, px(w_mm), px(h_mm)), (px(x_mm), px(y_mm)))
        self.draw.rectangle((px(x_mm), px(y_mm), px(x_mm + w_mm), px(y_mm + h_mm)), outline=self.palette.accent)

    def ghost(self, face_path: Path | None, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> None:
        """The small, faded second portrait many documents carry."""
        small = portrait(face_path, px(w_mm), px(h_mm)).convert("L")
        tinted = Image.new("RGB", small.size, self.palette.accent)
        mask = small.point(lambda value: int((255 - value) * 0.45))
        self.image.paste(tinted, (px(x_mm), px(y_mm)), mask)

    def watermark(self, top_mm: float, bottom_mm: float) -> None:
        top, bottom = px(top_mm), px(bottom_mm)
        self.image.paste((200, 40, 40), (0, top), _watermark(self.width, bottom - top))

    def signature(self, rng: random.Random, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> None:
        points = []
        freq, phase, steps = rng.uniform(3, 6), rng.uniform(0, math.tau), 90
        for step in range(steps):
            t = step / (steps - 1)
            x = x_mm + w_mm * (t + 0.04 * math.sin(t * 40 + phase))
            y = y_mm + h_mm * (0.5 + 0.35 * math.sin(t * freq * math.tau + phase) * (1 - 0.5 * t))
            points.append((px(x), px(y)))
        self.draw.line(points, fill=(30, 40, 90), width=3, joint="curve")

    def small_print(self, x_mm: float, y_mm: float, lines: list[str], size_mm: float = 1.3) -> None:
        for index, line in enumerate(lines):
            self.text(x_mm, y_mm + index * size_mm * 1.35, line, "narrow", size_mm, fill=(70, 70, 80))

    def mrz(self, lines: tuple[str, ...], left_mm: float, centres_from_bottom_mm: tuple[float, ...]) -> None:
        """Each character in its own 2.54 mm cell, capitals centred on the line's reference centre."""
        pitch = MRZ_PITCH_MM * MM
        ocrb = font("ocrb", pitch / OCRB_ADVANCE_EM)
        cap_top = ocrb.getbbox("H", anchor="ls")[1]  # negative: the capitals' top above the baseline
        for line, centre_mm in zip(lines, centres_from_bottom_mm, strict=True):
            centre = self.height - centre_mm * MM
            baseline = round(centre - cap_top / 2)
            left = left_mm * MM
            for index, char in enumerate(line):
                self.draw.text((round(left + index * pitch), baseline), char, font=ocrb, fill=INK, anchor="ls")
            self.mrz_boxes.append((round(left), round(baseline + cap_top), round(left + len(line) * pitch), baseline))

    def page(self, barcode_box: tuple[int, int, int, int] | None = None) -> Page:
        return Page(self.image, tuple(self.mrz_boxes), barcode_box)


# --- documents --------------------------------------------------------------------------------


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
