"""PDF417 decoding from a photo of a licence back, with zxing-cpp (ML.md Q2).

One module per concept: ``decode`` (the entry points, the order of the attempts, and what
zxing-cpp finds mapped back to the photo), ``prepare`` (the photo made ready for the decoder),
``deskew`` (the skew estimate and the turn that undoes it) and ``cutout`` (the barcode alone,
flattened, sharpened and with motion blur undone); ``attempt`` is the image and the way back
to the photo that they hand each other. The AAMVA payload is parsed by
``submissions.pipeline.aamva``. Every public name is importable from here.
"""

from submissions.pipeline.barcode.attempt import ImageInput, Point
from submissions.pipeline.barcode.decode import DecodedBarcode, decode_pdf417, read_aamva_barcode
from submissions.pipeline.barcode.deskew import MIN_DESKEW_DEGREES, estimate_skew_degrees
from submissions.pipeline.barcode.prepare import SMALL_LONG_SIDE, WORK_LONG_SIDE

__all__ = [
    "MIN_DESKEW_DEGREES",
    "SMALL_LONG_SIDE",
    "WORK_LONG_SIDE",
    "DecodedBarcode",
    "ImageInput",
    "Point",
    "decode_pdf417",
    "estimate_skew_degrees",
    "read_aamva_barcode",
]
