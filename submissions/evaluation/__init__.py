"""Measure the document engine on a labelled specimen set, optionally beside PassportEye.

``manage.py evaluate_documents DIR`` is the front end; everything it does lives in this package
as small functions: load ``DIR/labels.jsonl`` (written by ``make_specimens``; ``labels``), read
every image that has a machine-readable zone (MRZ lines or a PDF417 payload in its label; ``run``),
score each reading against its label (``scoring``), aggregate per kind and condition
(``summary``), the visual zone's cross-check on pages and card fronts (``visual``), and format the tables, the failure list, the targets of issue 3 (``report``) and
the plots (``plots``). The PassportEye baseline is in ``passporteye``. Plain Python: no Django.

Scoring, per image:

* MRZ: ``exact`` when the lines read equal the printed lines, ``fields_exact`` when the
  normalised fields equal the label's, ``valid`` when every check digit passes. A **false
  accept** is a reading whose check digits all pass while a field is wrong: the one error a
  policy cannot see, so it is counted on its own.
* PDF417: ``exact`` when the barcode's raw bytes equal the label's payload, ``fields_exact`` as
  above.

Latency is the wall clock around one ``read_document`` call on the image's bytes less the
engine's own time for the visual zone (OCR), which the visual table reports on its own: the
MRZ/PDF417 read is what PassportEye is compared with (the engine's ``timing_ms["total"]``,
visual zone included, is kept beside it). Percentiles interpolate linearly between ranks,
as ``numpy.percentile`` does by default.
"""

from submissions.evaluation.labels import MRZ, PDF417, Label, LabelsError, load_labels, parse_label
from submissions.evaluation.passporteye import (
    BENCH_HINT,
    FILLER,
    MRZ_WIDTHS,
    PASSPORTEYE,
    SEXES,
    BaselineUnavailable,
    MrzGuess,
    PassportEye,
    check_passporteye,
    iso_date,
    passporteye_fields,
    passporteye_guess,
    passporteye_lines,
    resolve_birth_date,
    resolve_expiry_date,
)
from submissions.evaluation.plots import write_plots
from submissions.evaluation.report import (
    BASELINE_FALSE_ACCEPTS_SHOWN,
    FAILURES_SHOWN,
    TABLE_LEGEND,
    failures,
    format_comparison,
    format_failures,
    format_false_accepts,
    format_overall,
    format_table,
    format_targets,
    results_json,
)
from submissions.evaluation.run import Evaluation, evaluate
from submissions.evaluation.scoring import (
    OURS,
    Row,
    excerpt,
    field_differences,
    first_byte_difference,
    first_difference,
    score_barcode,
    score_mrz,
    score_reading,
)
from submissions.evaluation.summary import (
    ALL,
    Comparison,
    Group,
    Stats,
    Target,
    compare,
    find_group,
    ms_text,
    pct,
    pct_text,
    percentile,
    stats,
    summarise,
    targets,
)
from submissions.evaluation.visual import (
    FRONT_KINDS,
    VISUAL_KINDS,
    VisualRow,
    VisualStats,
    format_visual_table,
    score_visual,
    summarise_visual,
    visual_stats,
)

__all__ = [
    "ALL",
    "BASELINE_FALSE_ACCEPTS_SHOWN",
    "BENCH_HINT",
    "FAILURES_SHOWN",
    "FILLER",
    "FRONT_KINDS",
    "MRZ",
    "MRZ_WIDTHS",
    "OURS",
    "PASSPORTEYE",
    "PDF417",
    "SEXES",
    "TABLE_LEGEND",
    "VISUAL_KINDS",
    "BaselineUnavailable",
    "Comparison",
    "Evaluation",
    "Group",
    "Label",
    "LabelsError",
    "MrzGuess",
    "PassportEye",
    "Row",
    "Stats",
    "Target",
    "VisualRow",
    "VisualStats",
    "check_passporteye",
    "compare",
    "evaluate",
    "excerpt",
    "failures",
    "field_differences",
    "find_group",
    "first_byte_difference",
    "first_difference",
    "format_comparison",
    "format_failures",
    "format_false_accepts",
    "format_overall",
    "format_table",
    "format_targets",
    "format_visual_table",
    "iso_date",  # the tests check the baseline's date mapping through it
    "load_labels",
    "ms_text",
    "parse_label",
    "passporteye_fields",
    "passporteye_guess",
    "passporteye_lines",
    "pct",
    "pct_text",
    "percentile",
    "resolve_birth_date",
    "resolve_expiry_date",
    "results_json",
    "score_barcode",
    "score_mrz",
    "score_reading",
    "score_visual",
    "stats",
    "summarise",
    "summarise_visual",
    "targets",
    "visual_stats",
    "write_plots",
]
