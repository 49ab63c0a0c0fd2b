"""The project's Liveform settings: where the flow returns the end user, and with what (spec §7),
and the additional-info questions it asks (``projects.liveform.clean_additional_questions``)."""

from __future__ import annotations

from django.db import models

# The dynamic fields of the Return URL, in the order they are appended (spec §7).
RETURN_FIELDS = ("kycStatus", "submissionId", "userid", "email", "cf1", "cf2", "cf3", "errorCode")


def default_return_fields() -> list[str]:
    return list(RETURN_FIELDS)


class LiveformSettings(models.Model):
    """One row per project that configured its Liveform; a project without one has no Return URL."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="liveform_settings")
    return_url = models.URLField(max_length=2000, blank=True)
    return_fields = models.JSONField(default=default_return_fields, blank=True)
    return_encrypted = models.BooleanField(default=False)
    # "Result Page Skip" (spec §7, a design proposal there): straight to the Return URL, no result page
    result_page_skip = models.BooleanField(default=False)
    # [{"id", "label", "type": text|choice|checkbox, "required", "options" (choice only)}]
    additional_questions = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Liveform settings of project {self.project_id}"
