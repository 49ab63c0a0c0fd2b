"""Liveform Customization (spec §6.8, §7): the result page's picture and texts per status and
language. A (status, language) without a row, or a row's empty text, shows the built-in wording.

The picture is re-encoded by Pillow before it is kept: only what was decoded is stored (no EXIF,
no trailing bytes, no polyglot), at most :data:`PICTURE_MAX_SIDE` pixels on its long side. A PNG
stays a PNG (a logo's transparency survives); anything else becomes a JPEG.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import Project, ResultPageText
from projects.models.result_pages import MAIN_TEXT_MAX, SUB_TEXT_MAX
from projects.services.audit import audit_record

RESULT_STATUSES = ("approved", "rejected", "pending")
# The Liveform's languages (code, name); the first is the default. A language added to the
# Liveform is added here and gets its own texts, falling back to the default's until set.
LIVEFORM_LANGUAGES = (("en", "English"),)
DEFAULT_LANGUAGE = LIVEFORM_LANGUAGES[0][0]

PICTURE_MAX_BYTES = 2 * 1024 * 1024
PICTURE_MAX_PIXELS = 25_000_000  # checked from the header, before decoding
PICTURE_MAX_SIDE = 800
_FORMATS = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"))


class InvalidResultPage(ApplicationError):
    code = "invalid_result_page"

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()), extra={"errors": errors})
        self.errors = errors


@dataclass(frozen=True)
class Picture:
    data: bytes
    content_type: str


def result_page_picture_clean(data: bytes) -> Picture:
    """The upload decoded and re-encoded, or :class:`InvalidResultPage` saying why not."""
    if len(data) > PICTURE_MAX_BYTES:
        raise InvalidResultPage({"image": f"The picture is larger than {PICTURE_MAX_BYTES // (1024 * 1024)} MB."})
    image_format = next((name for magic, name in _FORMATS if data.startswith(magic)), None)
    if image_format is None:
        raise InvalidResultPage({"image": "Upload a JPEG or PNG picture."})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[image_format])
            if image.width * image.height > PICTURE_MAX_PIXELS:
                raise InvalidResultPage({"image": "The picture has too many pixels."})
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidResultPage({"image": "The picture has too many pixels."}) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise InvalidResultPage({"image": "The picture file is damaged or incomplete."}) from None
    keeps_alpha = image_format == "PNG" and ("A" in upright.getbands() or "transparency" in upright.info)
    mode = "RGBA" if keeps_alpha else "RGB"
    fresh = Image.frombytes(mode, upright.size, upright.convert(mode).tobytes())  # no metadata of the upload
    fresh.thumbnail((PICTURE_MAX_SIDE, PICTURE_MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if image_format == "PNG":
        fresh.save(buffer, format="PNG", optimize=True)
        return Picture(buffer.getvalue(), "image/png")
    fresh.save(buffer, format="JPEG", quality=88, optimize=True)
    return Picture(buffer.getvalue(), "image/jpeg")


def result_page_text_get(
    *, project: Project, status: str, language: str, fallback: bool = True
) -> ResultPageText | None:
    """The project's row for ``status`` in ``language``, else (with ``fallback``, as the Liveform
    shows it) in the default language, else None."""
    languages = {language, DEFAULT_LANGUAGE} if fallback else {language}
    rows = {
        row.language: row
        for row in ResultPageText.objects.filter(project=project, status=status, language__in=languages)
    }
    return rows.get(language) or rows.get(DEFAULT_LANGUAGE)


def _check(status: str, language: str, main_text: str, sub_text: str) -> None:
    errors: dict[str, str] = {}
    if status not in RESULT_STATUSES:
        errors["status"] = f"Choose one of {', '.join(RESULT_STATUSES)}."
    if language not in dict(LIVEFORM_LANGUAGES):
        errors["language"] = f"Choose one of {', '.join(dict(LIVEFORM_LANGUAGES))}."
    if len(main_text) > MAIN_TEXT_MAX:
        errors["main_text"] = f"At most {MAIN_TEXT_MAX} characters (this has {len(main_text)})."
    if len(sub_text) > SUB_TEXT_MAX:
        errors["sub_text"] = f"At most {SUB_TEXT_MAX} characters (this has {len(sub_text)})."
    if errors:
        raise InvalidResultPage(errors)


def _snapshot(row: ResultPageText | None) -> dict[str, object]:
    if row is None:
        return {"main_text": "", "sub_text": "", "image": False}
    return {"main_text": row.main_text, "sub_text": row.sub_text, "image": bool(row.image)}


@transaction.atomic
def result_page_text_set(
    *,
    project: Project,
    status: str,
    language: str,
    main_text: str,
    sub_text: str,
    picture: bytes | None,
    remove_picture: bool,
    actor: Actor,
) -> bool:
    """Set the texts (and replace or remove the picture) of one status and language; True when
    something changed. Empty texts and no picture remove the row: the built-in wording is back."""
    main_text, sub_text = main_text.strip(), sub_text.strip()
    _check(status, language, main_text, sub_text)
    cleaned = result_page_picture_clean(picture) if picture else None
    Project.objects.select_for_update().only("pk").get(pk=project.pk)  # one writer per project
    row = ResultPageText.objects.filter(project=project, status=status, language=language).first()
    before = _snapshot(row)
    row = row or ResultPageText(project=project, status=status, language=language)
    row.main_text, row.sub_text = main_text, sub_text
    if cleaned is not None:
        row.image, row.image_content_type = cleaned.data, cleaned.content_type
    elif remove_picture:
        row.image, row.image_content_type = None, ""
    after = _snapshot(row)
    if after == before and cleaned is None:
        return False
    if after == _snapshot(None):
        if row.pk:
            row.delete()
    else:
        row.save()
    changed = [key for key in after if after[key] != before[key] or (key == "image" and cleaned is not None)]
    audit_record(
        actor=actor,
        action="liveform.result_page_changed",
        project=project,
        target_type="result_page",
        target_id=f"{status}/{language}",
        details={
            "changed": changed,
            "before": {k: before[k] for k in changed},
            "after": {k: after[k] for k in changed},
        },
    )
    return True
