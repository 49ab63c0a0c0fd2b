"""The Liveform's project settings (spec §7), registered from ``ProjectsConfig.ready``.

``liveform_return_url``: where the result page sends the end user (after "OK" or 5 seconds), and
where error pages offer to go back; empty for none. ``liveform_return_fields``: the dynamic
fields appended to it. ``liveform_return_encrypted``: the fields travel as one ``encrypted``
value (AES-256-ECB under the API key's payload key, §5.3) instead of in the clear.
``liveform_result_page_skip`` ("Result Page Skip", a design proposal of the spec's §7): the end of
the flow goes straight to the Return URL instead of the result page; without a Return URL the
result page is shown as usual.

``liveform_additional_questions``: the additional-info questions the Liveform asks before the
selfie (spec §6.3, ``additional_list``), a JSON list of at most 20 objects::

    [{"id": "occupation", "label": "Your occupation", "type": "text", "required": true},
     {"id": "funds", "label": "Source of funds", "type": "choice", "options": ["Salary", "Savings"]},
     {"id": "pep", "label": "I am not a politically exposed person", "type": "checkbox", "required": true}]

``id``: letters, digits, ``_`` and ``-``, at most 40, unique; ``label``: 1–200 characters;
``type``: ``text`` (an answer of at most 500 characters), ``choice`` (one of 2–20 distinct
``options`` of 1–100 characters) or ``checkbox`` (ticked or not; required: must be ticked);
``required``: false when absent. Any other key is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from projects.models import LiveformSettings, Project
from projects.models.liveform import RETURN_FIELDS
from projects.settings_registry import ProjectSetting, clean_bool, parse_bool, parse_list, register

_URL = URLValidator(schemes=["http", "https"])


def clean_return_url(value: Any) -> str:
    url = str(value).strip()
    if url:
        if len(url) > 2000:
            raise ValidationError("The Return URL must have at most 2,000 characters.")
        try:
            _URL(url)
        except ValidationError:
            raise ValidationError("Enter an http:// or https:// URL, or nothing for no Return URL.") from None
    return url


def clean_return_fields(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Expected a list of field names.")
    unknown = sorted({item for item in value if item not in RETURN_FIELDS})
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(unknown)}. Choose from {', '.join(RETURN_FIELDS)}.")
    return [name for name in RETURN_FIELDS if name in value]


QUESTION_TYPES = ("text", "choice", "checkbox")
MAX_QUESTIONS, MAX_LABEL, MAX_OPTIONS, MAX_OPTION = 20, 200, 20, 100
_QUESTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_QUESTION_KEYS = {"id", "label", "type", "required", "options"}


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"Not valid JSON: {exc.msg} (character {exc.pos}).") from None


def clean_additional_questions(value: Any) -> list[dict[str, Any]]:
    """The questions, normalised (``required`` always present, ``options`` only on choices)."""
    if not isinstance(value, list):
        raise ValidationError("Expected a JSON list of questions.")
    if len(value) > MAX_QUESTIONS:
        raise ValidationError(f"At most {MAX_QUESTIONS} questions.")
    questions = [_clean_question(number, item) for number, item in enumerate(value, start=1)]
    ids = [question["id"] for question in questions]
    repeated = sorted({qid for qid in ids if ids.count(qid) > 1})
    if repeated:
        raise ValidationError(f"Question ids must be unique: {', '.join(repeated)}.")
    return questions


def _clean_question(number: int, item: Any) -> dict[str, Any]:
    where = f"Question {number}"
    if not isinstance(item, dict):
        raise ValidationError(f"{where}: expected an object.")
    unknown = sorted(set(item) - _QUESTION_KEYS)
    if unknown:
        raise ValidationError(f"{where}: unknown keys {', '.join(unknown)}.")
    qid, label, kind = item.get("id"), item.get("label"), item.get("type")
    if not isinstance(qid, str) or not _QUESTION_ID.match(qid):
        raise ValidationError(f"{where}: id must be 1–40 letters, digits, '_' or '-'.")
    if not isinstance(label, str) or not 0 < len(label.strip()) <= MAX_LABEL:
        raise ValidationError(f"{where}: label must have 1–{MAX_LABEL} characters.")
    if kind not in QUESTION_TYPES:
        raise ValidationError(f"{where}: type must be one of {', '.join(QUESTION_TYPES)}.")
    required = item.get("required", False)
    if not isinstance(required, bool):
        raise ValidationError(f"{where}: required must be true or false.")
    question: dict[str, Any] = {"id": qid, "label": label.strip(), "type": kind, "required": required}
    options = item.get("options")
    if kind != "choice":
        if options is not None:
            raise ValidationError(f"{where}: only a choice has options.")
        return question
    if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
        raise ValidationError(f"{where}: a choice needs 2–{MAX_OPTIONS} options.")
    if not all(isinstance(o, str) and 0 < len(o.strip()) <= MAX_OPTION for o in options):
        raise ValidationError(f"{where}: each option must have 1–{MAX_OPTION} characters.")
    question["options"] = [option.strip() for option in options]
    if len(set(question["options"])) != len(options):
        raise ValidationError(f"{where}: options must be distinct.")
    return question


def liveform_settings_get(project: Project) -> LiveformSettings:
    """The project's row, or an unsaved one with the defaults (no Return URL)."""
    return LiveformSettings.objects.filter(project=project).first() or LiveformSettings(project=project)


def _reader(field: str) -> Callable[[Project], Any]:
    return lambda project: getattr(liveform_settings_get(project), field)


def _writer(field: str) -> Callable[[Project, Any], None]:
    def write(project: Project, value: Any) -> None:
        LiveformSettings.objects.update_or_create(project=project, defaults={field: value})

    return write


def register_liveform_settings() -> None:
    settings = [
        ("liveform_return_url", "Return URL",
         "Where the Liveform sends the end user when the flow ends (spec §7); empty for none.",
         str, clean_return_url, str),
        ("liveform_return_fields", "Return URL fields",
         f"Dynamic fields appended to the Return URL: {', '.join(RETURN_FIELDS)}.",
         parse_list, clean_return_fields, ", ".join),
        ("liveform_return_encrypted", "Encrypt the Return URL fields",
         "true sends the fields as one 'encrypted' value (AES-256-ECB with the API key).",
         parse_bool, clean_bool, lambda value: "true" if value else "false"),
        ("liveform_result_page_skip", "Result Page Skip",
         "true sends the end user straight to the Return URL when the flow ends, without the result page; "
         "no effect without a Return URL.",
         parse_bool, clean_bool, lambda value: "true" if value else "false"),
        ("liveform_additional_questions", "Additional-info questions",
         "JSON list of questions asked before the selfie: id, label, type (text, choice, checkbox), "
         "required, options (choice only).",
         parse_json, clean_additional_questions, json.dumps),
    ]  # fmt: skip
    field_of = {
        "liveform_return_url": "return_url",
        "liveform_return_fields": "return_fields",
        "liveform_return_encrypted": "return_encrypted",
        "liveform_result_page_skip": "result_page_skip",
        "liveform_additional_questions": "additional_questions",
    }
    on_off = (("false", "Off"), ("true", "On"))
    choices = {"liveform_return_encrypted": on_off, "liveform_result_page_skip": on_off}
    for key, label, help_text, parse, clean, render in settings:
        field = field_of[key]
        register(ProjectSetting(key, label, help_text, parse, clean, _reader(field), _writer(field), render,
                                choices.get(key, ())))  # fmt: skip
