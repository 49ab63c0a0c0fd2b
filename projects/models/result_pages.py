"""Liveform Customization (issue 8): the result page's picture and texts per status and language."""

from __future__ import annotations

from django.db import models

MAIN_TEXT_MAX = 125
SUB_TEXT_MAX = 100


class ResultPageText(models.Model):
    """What the Liveform's result page shows for one (status, language) of one project; a status
    without a row shows the built-in wording. The picture is kept in the row (it is small, shown
    to every end user, and must leave with the project), already re-encoded by the upload."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="result_page_texts")
    status = models.CharField(max_length=12)  # approved, rejected, pending, incomplete
    language = models.CharField(max_length=8)  # a Liveform language code, e.g. "en"
    main_text = models.CharField(max_length=MAIN_TEXT_MAX, blank=True)
    sub_text = models.CharField(max_length=SUB_TEXT_MAX, blank=True)
    image = models.BinaryField(null=True, blank=True, editable=False)
    image_content_type = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "status", "language"], name="result_page_text_unique"),
        ]

    def __str__(self) -> str:
        return f"Result page {self.status}/{self.language} of project {self.project_id}"
