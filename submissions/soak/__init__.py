"""``manage.py soak`` (``make soak``, issue 11, RELIABILITY.md G13): the whole product under a
steady load for minutes, to prove that nothing fails, nothing is lost and no process's memory
grows. ``processes`` starts the stack, ``locustfile`` is the load, ``sampler`` watches memory,
``report`` writes the figures. This module stays free of Django: the locustfile imports it.
"""

from __future__ import annotations

import uuid

READ_ONE = "GET /v3/submission?submission_id=…"
READ_PAGE = "GET /v3/submission?count=20"
CREATE = "POST /v3/submission"
KINDS = (READ_ONE, READ_PAGE, CREATE)


def multipart_body(passport: bytes, selfie: bytes) -> tuple[bytes, str]:
    """The body and content type of a creation: built once per passport, so that the load
    generator does not spend the 2 cores on it."""
    boundary = uuid.uuid4().hex
    parts = []
    for field, name, data in (("idImage", "passport.jpg", passport), ("selfieImage", "selfie.jpg", selfie)):
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
