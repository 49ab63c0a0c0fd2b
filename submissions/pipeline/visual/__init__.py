"""The visual zone: printed names, dates and numbers, read by OCR and checked against the MRZ
or the barcode (``read_visual_zone``)."""

from submissions.pipeline.visual.crosscheck import FieldCheck
from submissions.pipeline.visual.read import VisualReading, read_visual_zone

__all__ = ["FieldCheck", "VisualReading", "read_visual_zone"]
