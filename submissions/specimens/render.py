"""Shared drawing for the specimen designs at 300 dpi: fonts, paper, portraits, the canvas, the MRZ.

The MRZ is OCR-B at the 2.54 mm pitch (30 px at 300 dpi), each character placed in its own
cell, with the reference centre lines of ICAO Doc 9303-4/5/7. Everything else (colours,
guilloches, layout) is made up, and every design says SPECIMEN.

Fonts, backgrounds, silhouettes and watermarks are built once per process and reused.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

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
            package = (
                "fonts-ocr-b"
                if name == "ocrb"
                else "fonts-dejavu-core"
                if name.startswith("sans")
                else "fonts-liberation"
            )
            raise FileNotFoundError(f"{path} is missing: install the Debian package {package}")


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
