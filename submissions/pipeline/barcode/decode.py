"""The attempts at reading a PDF417, and what zxing-cpp finds mapped back to the photo.

zxing-cpp must run with ``TextMode.Plain`` and its ``.bytes`` used: the default text mode
turns the AAMVA separators LF, RS and CR into the literal text ``<LF>`` (ML.md appendix C).

Attempts, cheapest first, stopping at the first that finds a barcode:

1. the image as given: a clean capture is read here, and only here;
2. grayscale, contrast stretched, brought to a size the detector likes (large frames
   down to 2000 px, small crops up ×2), and turned so that its dominant line direction is
   axis-aligned when it is skewed. zxing-cpp 3.1 tries 90°, 180° and 270° itself, but its
   PDF417 detector loses a barcode skewed by more than about 3° (measured), which a
   hand-held card photo often is;
3. the same prepared image unturned, in case the skew estimate followed something else;
4. the best of those with a median filter, for sensor noise;
5. the barcode alone: found as the largest block of dense contrast, cut out, turned upright by
   the skew of the cut-out alone (lines on the table or card no longer pull the estimate),
   enlarged ×2, its four corners pulled to a rectangle (a card held at a slant), and
   sharpened. Blur (focus or motion) with skew is what attempts 2 to 4 miss;
6. the same cut-out with a horizontal motion blur of a few lengths undone along its rows:
   a hand that moved across the bars smears them into their neighbours.

Positions are given in the coordinates of the image passed in, whatever attempt read them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import zxingcpp

from submissions.pipeline.aamva import AamvaResult, parse_aamva
from submissions.pipeline.barcode.attempt import Attempt, ImageInput, Point
from submissions.pipeline.barcode.cutout import cutout_attempts
from submissions.pipeline.barcode.deskew import MIN_DESKEW_DEGREES, estimate_skew_degrees, turned
from submissions.pipeline.barcode.prepare import decodable, denoised, prepared_gray


@dataclass(frozen=True)
class DecodedBarcode:
    format: str
    raw: bytes
    position: tuple[Point, Point, Point, Point]  # top-left, top-right, bottom-right, bottom-left
    orientation: int  # degrees the barcode is turned in the image, clockwise positive


def decode_pdf417(image: ImageInput) -> list[DecodedBarcode]:
    """Every distinct PDF417 in the image, from the first attempt that finds any."""
    return next(_findings(image), [])


def read_aamva_barcode(image: ImageInput) -> tuple[DecodedBarcode, AamvaResult] | None:
    """The first PDF417 in the image whose payload is an AAMVA licence or ID card.

    An attempt whose only find is not AAMVA does not end the search: on a blurred photo
    zxing-cpp now and then decodes garbage that its error correction let through (measured:
    371 bytes read from a 309-byte licence), which a sharper attempt then reads right.
    """
    for found in _findings(image):
        for barcode in found:
            parsed = parse_aamva(barcode.raw)
            if parsed is not None:
                return barcode, parsed
    return None


def _findings(image: ImageInput) -> Iterator[list[DecodedBarcode]]:
    """What each attempt that finds anything finds, in the order of the attempts."""
    for attempt in _attempts(image):
        found = _read(attempt)
        if found:
            yield found


def _attempts(image: ImageInput) -> Iterator[Attempt]:
    """Lazily, so that the costlier preparations are only made when the cheaper ones failed.

    A skewed photo is turned before the unturned prepared image is tried: a failing decode of
    a 1200 px photo costs about 90 ms, the skew estimate and turn together about 25 ms.
    """
    yield Attempt(decodable(image), to_input=lambda point: point)
    prepared, scale = prepared_gray(image)
    unturned = Attempt(prepared, to_input=lambda point: (point[0] / scale, point[1] / scale))
    skew = estimate_skew_degrees(prepared)
    best = unturned
    if abs(skew) >= MIN_DESKEW_DEGREES:
        best = turned(prepared, scale, skew)
        yield best
    yield unturned
    yield denoised(best)
    yield from cutout_attempts(prepared, scale)


def _read(attempt: Attempt) -> list[DecodedBarcode]:
    results = zxingcpp.read_barcodes(
        attempt.image, formats=zxingcpp.BarcodeFormat.PDF417, text_mode=zxingcpp.TextMode.Plain
    )
    decoded: list[DecodedBarcode] = []
    seen: set[bytes] = set()
    for result in results:
        raw = bytes(result.bytes)
        if raw in seen:
            continue
        seen.add(raw)
        decoded.append(_decoded(result, raw, attempt))
    return decoded


def _decoded(result: zxingcpp.Barcode, raw: bytes, attempt: Attempt) -> DecodedBarcode:
    corners = result.position
    top_left, top_right, bottom_right, bottom_left = (
        _rounded(attempt.to_input((float(corner.x), float(corner.y))))
        for corner in (corners.top_left, corners.top_right, corners.bottom_right, corners.bottom_left)
    )
    return DecodedBarcode(
        format=result.format.name,
        raw=raw,
        position=(top_left, top_right, bottom_right, bottom_left),
        orientation=_normalised_degrees(result.orientation + attempt.turned_degrees),
    )


def _rounded(point: Point) -> Point:
    return (round(point[0], 1), round(point[1], 1))


def _normalised_degrees(degrees: float) -> int:
    """In (-180, 180]."""
    value = round(degrees) % 360
    return value - 360 if value > 180 else value
