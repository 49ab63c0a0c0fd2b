"""ID Check's v3 API from Python, with the standard library only.

Submits an ID document and a selfie, waits for the decision, prints it, then finds the same
person's submissions by userid. Against `make run` (the key and pid are printed by seed_demo):

    python docs/examples/idcheck_client.py http://127.0.0.1:8000 API_KEY passport.jpg selfie.jpg

Every request sends the key in the ``x-api-key`` header; the creation carries an
``Idempotency-Key``, so a retry after a network error never creates a second submission.
"""

from __future__ import annotations

import base64
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

DECIDED = ("approved", "rejected", "pending")


class IdCheckError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


class IdCheck:
    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self.base_url, self.api_key, self.timeout = base_url.rstrip("/"), api_key, timeout

    def submit(self, id_image: bytes, selfie: bytes, *, email: str = "", userid: str = "") -> str:
        """A new submission, verified asynchronously; its id."""
        body = {
            "idImage": base64.b64encode(id_image).decode(),
            "selfieImage": base64.b64encode(selfie).decode(),
            "email": email,
            "userid": userid,
        }
        answer = self._call("POST", "/v3/submission", body, {"Idempotency-Key": str(uuid.uuid4())})
        return answer["submissionId"]

    def submission(self, submission_id: str) -> dict[str, Any]:
        items = self._call("GET", "/v3/submission?" + urllib.parse.urlencode({"submission_id": submission_id}))
        return items["Items"][0]

    def wait_for_decision(self, submission_id: str, *, timeout: float = 120.0) -> dict[str, Any]:
        """The submission once it is decided (approved, rejected or pending a review)."""
        deadline = time.monotonic() + timeout
        while True:
            item = self.submission(submission_id)
            if item["kyc"]["result"] in DECIDED or time.monotonic() > deadline:
                return item
            time.sleep(1.0)

    def by_userid(self, userid: str) -> list[dict[str, Any]]:
        return self._call("GET", "/v3/submission?" + urllib.parse.urlencode({"userid": userid}))["Items"]

    def _call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(self.base_url + path, method=method)
        request.add_header("x-api-key", self.api_key)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        data = None
        if body is not None:
            request.add_header("Content-Type", "application/json")
            data = json.dumps(body).encode()
        try:
            with urllib.request.urlopen(request, data=data, timeout=self.timeout) as response:  # noqa: S310 (our URL)
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise IdCheckError(error.code, json.loads(error.read() or b"null")) from None


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    base_url, api_key, id_path, selfie_path = argv[1:]
    client = IdCheck(base_url, api_key)
    userid = f"example-{uuid.uuid4().hex[:8]}"
    submission_id = client.submit(Path(id_path).read_bytes(), Path(selfie_path).read_bytes(),
                                  email="person@example.com", userid=userid)  # fmt: skip
    print(f"submitted {submission_id}")
    item = client.wait_for_decision(submission_id)
    kyc = item["kyc"]
    print(f"decision: {kyc['result']} (ARGOS score {item.get('argos_score')}), reasons: {kyc['commentCode'] or '-'}")
    print(f"{userid} has {len(client.by_userid(userid))} submission(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
