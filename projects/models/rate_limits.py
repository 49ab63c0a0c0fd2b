from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Request counts per project and window, used when no Redis is configured."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=1)  # "s" (second) or "d" (UTC day)
    window_start = models.BigIntegerField()  # epoch second, or epoch day number
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "period", "window_start"], name="rate_counter_unique_window")
        ]

    def __str__(self) -> str:
        return f"{self.count} calls of project {self.project_id} in {self.period}:{self.window_start}"
