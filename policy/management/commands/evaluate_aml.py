"""``manage.py evaluate_aml PAIRS.csv [--threshold N | --project PID] [--png FILE]``.

Scores each labelled pair (a screened person against one listed profile) with the matcher
(``policy.aml.matching``) and prints, at the threshold (``--threshold``, else the project's
``aml_threshold``, else 90): precision, recall, the confusion counts and the alerts per 1,000
people screened; writes a histogram of the scores of true and false pairs with the threshold
(``--png``, default ``aml-scores.png``). The CSV header is
``name,birth_date,nationality,listed_name,listed_aliases,listed_birth_date,listed_nationality,match``
(aliases ``;``-separated, match 1 or 0); policy/aml/samples/pairs.csv is a synthetic set.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from policy.aml.matching import Person, Profile, score_profile
from policy.aml.models import DEFAULT_THRESHOLD
from policy.aml.selectors import aml_settings_get
from projects.models import Project

HEADER = ("name", "birth_date", "nationality", "listed_name", "listed_aliases", "listed_birth_date",
          "listed_nationality", "match")  # fmt: skip


def read_pairs(path: Path) -> list[tuple[Person, Profile, bool]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != HEADER:
            raise CommandError(f"{path.name}: the header must be {','.join(HEADER)}")
        pairs = []
        for number, row in enumerate(reader, start=2):
            if row["match"] not in ("0", "1"):
                raise CommandError(f"{path.name} line {number}: match must be 1 or 0, not {row['match']!r}")
            aliases = tuple(alias for alias in row["listed_aliases"].split(";") if alias.strip())
            profile = Profile(number, row["listed_name"], aliases, (row["listed_birth_date"],),
                              (row["listed_nationality"],))  # fmt: skip
            pairs.append((Person(row["name"], row["birth_date"], row["nationality"]), profile, row["match"] == "1"))
    return pairs


def histogram(path: Path, scores: list[tuple[int, bool]], threshold: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 4))
    bins = list(range(0, 102, 2))
    axes.hist([score for score, listed in scores if listed], bins=bins, alpha=0.7, label="same person")
    axes.hist([score for score, listed in scores if not listed], bins=bins, alpha=0.7, label="different person")
    axes.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold}")
    axes.set_xlabel("score")
    axes.set_ylabel("pairs")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)


class Command(BaseCommand):
    help = "Precision, recall and alerts per 1,000 screened of the AML matcher on a labelled pairs file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("pairs")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--threshold", type=int)
        group.add_argument("--project", metavar="PID", help="Use this project's aml_threshold.")
        parser.add_argument("--png", default="aml-scores.png", help="Where to write the score histogram.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["pairs"])
        if not path.is_file():
            raise CommandError(f"Cannot read {path}: no such file.")
        threshold = self._threshold(options)
        pairs = read_pairs(path)
        if not pairs:
            raise CommandError(f"{path.name} has no pairs.")
        scores = [(score_profile(person, profile).score, listed)
                  for person, profile, listed in pairs]  # fmt: skip
        flagged = [(score >= threshold, listed) for score, listed in scores]
        tp = sum(1 for hit, listed in flagged if hit and listed)
        fp = sum(1 for hit, listed in flagged if hit and not listed)
        fn = sum(1 for hit, listed in flagged if not hit and listed)
        tn = len(flagged) - tp - fp - fn
        screened = len({(person.name, person.birth_date, person.nationality) for person, _, _ in pairs})
        rows = [
            ("pairs", f"{len(pairs)} ({tp + fn} same person, {fp + tn} different)"),
            ("threshold", str(threshold)),
            ("precision", f"{tp / (tp + fp):.3f}" if tp + fp else "n/a (no alert)"),
            ("recall", f"{tp / (tp + fn):.3f}" if tp + fn else "n/a (no true pair)"),
            ("true / false positives", f"{tp} / {fp}"),
            ("false / true negatives", f"{fn} / {tn}"),
            ("alerts per 1,000 screened", f"{1000 * (tp + fp) / screened:.1f} ({screened} people)"),
        ]
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            self.stdout.write(f"  {label.ljust(width)}  {value}")
        histogram(Path(options["png"]), scores, threshold)
        self.stdout.write(f"Score histogram written to {options['png']}.")

    def _threshold(self, options: dict[str, Any]) -> int:
        if options["threshold"] is not None:
            if not 0 <= options["threshold"] <= 100:
                raise CommandError("--threshold must be 0 to 100.")
            return options["threshold"]
        if options["project"]:
            project = Project.objects.filter(pid=options["project"]).first()
            if project is None:
                raise CommandError(f"No project with pid {options['project']!r}.")
            return aml_settings_get(project).threshold
        return DEFAULT_THRESHOLD
