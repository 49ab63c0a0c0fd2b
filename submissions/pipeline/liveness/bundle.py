"""One file for a capture's frames: what the Liveform filmed, as the worker will read it.

Layout (big-endian): the 4-byte magic ``LVF1``, then per frame an 8-byte signed ``t_ms``, a
4-byte length and that many JPEG bytes. Binary rather than JSON because base64 would add a
third to the largest thing a submission stores; ``unpack_frames`` refuses anything that does
not parse to the last byte, so a truncated or altered file is an error, never fewer frames.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from submissions.pipeline.liveness.types import Frame

MAGIC = b"LVF1"
_HEADER = struct.Struct(">qI")


class BundleError(ValueError):
    """The bytes are not a frame bundle."""


def pack_frames(frames: Sequence[Frame]) -> bytes:
    parts = [MAGIC]
    for frame in frames:
        parts += [_HEADER.pack(frame.t_ms, len(frame.jpeg)), frame.jpeg]
    return b"".join(parts)


def unpack_frames(data: bytes) -> list[Frame]:
    if not data.startswith(MAGIC):
        raise BundleError("not a frame bundle")
    frames, offset = [], len(MAGIC)
    while offset < len(data):
        if offset + _HEADER.size > len(data):
            raise BundleError("truncated frame header")
        t_ms, length = _HEADER.unpack_from(data, offset)
        offset += _HEADER.size
        if offset + length > len(data):
            raise BundleError("truncated frame")
        frames.append(Frame(t_ms, data[offset : offset + length]))
        offset += length
    return frames
