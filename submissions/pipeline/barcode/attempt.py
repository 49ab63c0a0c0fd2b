"""An attempt: one image handed to the decoder, and the way back from its pixels to the photo's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

ImageInput = Image.Image | np.ndarray
Point = tuple[float, float]


@dataclass(frozen=True)
class Attempt:
    """An image for the decoder and how to map what it finds back to the input image."""

    image: ImageInput
    to_input: Callable[[Point], Point]
    turned_degrees: float = 0.0  # counter-clockwise turn applied to the input
