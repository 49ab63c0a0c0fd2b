"""Utility bills for the proof-of-address tests: a plain page a person would photograph.

A company header, a statement or invoice date, the holder's name and address lines, and a
few amounts. Drawn at 150 dpi on an A5 sheet (874 x 1240 px) in the specimen fonts; nothing
else on the page looks like a date. Everything is made up.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from PIL import Image, ImageDraw

from submissions.specimens.render import font

WIDTH, HEIGHT = 874, 1240
MARGIN = 70
INK = (24, 24, 30)
ACCENT = (20, 86, 140)


def render_bill(
    *,
    name: str,
    address_lines: Sequence[str],
    issued: dt.date,
    company: str = "NORTHWIND ENERGY",
    numeric_date: bool = False,
) -> bytes:
    """PNG bytes of one bill; ``numeric_date`` prints "Invoice date: DD/MM/YYYY" instead of
    "Statement date DD Month YYYY"."""
    page = Image.new("RGB", (WIDTH, HEIGHT), (252, 252, 248))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, WIDTH, 150), fill=ACCENT)
    draw.text((MARGIN, 45), company, font=font("sans_bold", 46), fill=(255, 255, 255))
    draw.text((MARGIN, 105), "Customer service 0800 555 0199", font=font("sans", 22), fill=(230, 236, 244))

    date_text = (
        f"Invoice date: {issued:%d/%m/%Y}" if numeric_date else f"Statement date {issued.day:02d} {issued:%B %Y}"
    )
    draw.text((MARGIN, 200), date_text, font=font("sans", 28), fill=INK)
    draw.text((MARGIN, 245), "Account number AC-4471-93", font=font("sans", 28), fill=INK)

    y = 340
    draw.text((MARGIN, y), name, font=font("sans_bold", 32), fill=INK)
    for line in address_lines:
        y += 48
        draw.text((MARGIN, y), line, font=font("sans", 30), fill=INK)

    y += 140
    draw.text((MARGIN, y), "Your electricity charges", font=font("sans_bold", 30), fill=ACCENT)
    for label, amount in (("Energy used 412 kWh", "98.40"), ("Standing charge", "14.25"), ("VAT 5%", "5.63")):
        y += 56
        draw.text((MARGIN, y), label, font=font("sans", 28), fill=INK)
        draw.text((WIDTH - MARGIN - 120, y), amount, font=font("sans", 28), fill=INK)
    y += 70
    draw.line((MARGIN, y, WIDTH - MARGIN, y), fill=INK, width=2)
    y += 20
    draw.text((MARGIN, y), "Total to pay", font=font("sans_bold", 30), fill=INK)
    draw.text((WIDTH - MARGIN - 130, y), "118.28", font=font("sans_bold", 30), fill=INK)

    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    return buffer.getvalue()


def blank_page() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (WIDTH, HEIGHT), (252, 252, 248)).save(buffer, format="PNG")
    return buffer.getvalue()
