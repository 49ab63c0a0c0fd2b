"""The located document warped flat: an upright image of the quad's proportions."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from submissions.pipeline.locate.quad import DocumentQuad


def rectify(image: Image.Image, quad: DocumentQuad, *, width_px: int = 1000) -> Image.Image:
    """The document cut out of ``image`` and warped flat: ``width_px`` wide, the quad's aspect."""
    height_px = max(1, round(width_px / quad.aspect))
    source = np.float32(quad.corners)
    target = np.float32([[0, 0], [width_px, 0], [width_px, height_px], [0, height_px]])
    homography = cv2.getPerspectiveTransform(source, target)
    rgb = np.asarray(image.convert("RGB"))
    flat = cv2.warpPerspective(rgb, homography, (width_px, height_px), flags=cv2.INTER_AREA)
    return Image.fromarray(flat)
