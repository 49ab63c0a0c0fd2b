"""The reject codes (``kyc.commentCode``) and their comments (``kyc.comment``), spec §8.4 exactly.

Where two codes share a meaning the engine emits the current one and the other stays valid for
reviewers and custom rules: issuing-country blacklist → ``blacklistCountry`` (not
``id_info_blacklist``); age limit → ``under_ageLimit`` (not ``id_info_notOfAge``). The age in
the two age comments is the project's limit ("13" is the spec's example value).

``other`` carries free text: a reviewer's, a custom rule's, or the engine's own sentence for
the network and device rules, which §8.10 and §8.11 give no reject code.
"""

from __future__ import annotations

REJECT_COMMENTS: dict[str, str] = {
    "id_image_invalidImage": "ID document not detected. Please take a clear picture of your ID document.",
    "id_image_invalidId": "Invalid ID document. Please resubmit with a valid ID document.",
    "id_image_error": "Failed to upload the ID image. Please retry the KYC process.",
    "id_image_badImage": "Unable to read the ID image. Please ensure the image is clear and resubmit.",
    "id_info_dataMismatch": "Entered information does not match the ID document.",
    "id_info_blacklist": "KYC is not accepted from country as per policy.",
    "id_info_notOfAge": "KYC is not accepted for individuals under 13 years old.",
    "duplicate_user": "A user has been duplicated as a result of identification.",
    "duplicated_user_PII_exact": (
        "A user's personal identity information has been duplicated as a result of identification."
    ),
    "duplicated_face": "A duplicate user has been identified through face matching.",
    "too_many_retry": "Multiple invalid KYC attempts detected.",
    "blacklistCountry": "KYC is not accepted from country as per policy.",
    "under_ageLimit": "KYC is not accepted for individuals under 13 years old.",
    "invalid_acceptedID": (
        "Invalid ID type. Please resubmit with a valid ID document. Refer to the submission page for accepted IDs."
    ),
    "no-date-of-birth": "There is no date of birth information on the ID.",
    "expired_id": "ID cards have already expired.",
    "automatic_verification_fail": (
        "Verification failed - submitted data didn't meet quality requirements. Try again with clear, well-lit "
        "shots, and contact support if issues continue."
    ),
    "address_image_invalidImage": (
        "Invalid proof of address. It must include your full name and address. Examples: utility bill, bank "
        "statement, residency certificate."
    ),
    "address_image_error": "Failed to upload the proof of address image. Please retry.",
    "address_image_badImage": "Unable to read the proof of address image. Please ensure the image is clear and resubmit.",
    "address_info_expiredDocument": "Proof of address is expired. It must be issued within the last 6 months.",
    "address_info_dataMismatch": "Entered information does not match the proof of address.",
    "timeout": "KYC rejected due to timeout.",
}
OTHER = "other"
REJECT_CODES = (*REJECT_COMMENTS, OTHER)
AGE_CODES = ("under_ageLimit", "id_info_notOfAge")


def reject_comment(code: str, *, age_limit: int | None = None, text: str | None = None) -> str:
    """The §8.4 comment of ``code``; ``age_limit`` fills the age comments, ``text`` is ``other``'s."""
    if code == OTHER:
        if not text:
            raise ValueError("reject code 'other' needs its free text")
        return text
    comment = REJECT_COMMENTS[code]
    if code in AGE_CODES and age_limit is not None:
        comment = comment.replace("under 13 years", f"under {age_limit} years")
    return comment
