"""Evaluate the 1:1 face matcher on a folder of identities (one sub-folder per person).

Every image is decoded as an upload would be (``intake.decode_image``), its single face found
(``single_face``; files named ``document_*`` are read as documents, the rest as selfies) and
embedded once. Every pair of accepted images is then scored: same folder = genuine, different
folders = impostor. ``report`` gives the score distributions, FNMR at FMR = 1 % and 0.1 % with
the threshold of each (ISO/IEC 19795-1: FMR = impostor pairs scoring >= t, FNMR = genuine pairs
scoring < t), the refusals (failures to acquire, with the genuine pairs they cost), and the
per-face timings, wall clock and CPU. ``write_plots`` draws the DET curve and the histograms.
Scores are the 0-100 similarity of ``match.similarity``. Plain Python: no Django.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from submissions.pipeline.face.detect import FaceRefused, single_face
from submissions.pipeline.face.embed import embed_face
from submissions.pipeline.face.match import DEFAULT_THRESHOLD
from submissions.pipeline.intake import ImageRejected, decode_image

SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
FMR_TARGETS = (0.01, 0.001)


@dataclass(frozen=True)
class Sample:
    file: str  # identity/name
    identity: str
    kind: str  # photo, selfie, document (from the name's prefix)
    source: str  # the original photo it derives from (manifest.jsonl), else the file itself
    embedding: np.ndarray | None
    refused: str | None  # FaceRefused code
    detect_ms: float
    embed_ms: float
    cpu_ms: float  # process CPU time for detect + embed (all threads)


@dataclass(frozen=True)
class Pairs:
    genuine: np.ndarray  # similarity of every genuine pair of accepted samples
    impostor: np.ndarray
    genuine_cross: np.ndarray  # genuine pairs from two different original photos
    genuine_lost: int  # genuine pairs not scored because a sample was refused


@dataclass(frozen=True)
class OperatingPoint:
    fmr_target: float
    threshold: float  # lowest similarity whose FMR <= target
    fmr: float
    fnmr: float


def image_files(directory: Path) -> list[Path]:
    return sorted(
        path
        for folder in sorted(directory.iterdir())
        if folder.is_dir() and not folder.name.startswith(".")
        for path in folder.iterdir()
        if path.suffix.lower() in SUFFIXES
    )


def _sources(directory: Path) -> dict[str, str]:
    manifest = directory / "manifest.jsonl"
    if not manifest.exists():
        return {}
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["file"]: row["source"] for row in rows}


def embed_samples(directory: Path, progress: Callable[[int, int], None] | None = None) -> list[Sample]:
    """Detect and embed every image of ``directory`` once."""
    files = image_files(directory)
    sources = _sources(directory)
    samples = []
    for done, path in enumerate(files, start=1):
        name = f"{path.parent.name}/{path.name}"
        kind = path.name.split("_")[0] if path.name.split("_")[0] in ("photo", "selfie", "document") else "photo"
        cpu, started = time.process_time(), time.perf_counter()
        embedding, refused, found = None, None, started
        try:
            rgb = np.asarray(decode_image(path.read_bytes()).image)
            cpu, started = time.process_time(), time.perf_counter()  # decoding is not face work
            face = single_face(rgb, purpose="document" if kind == "document" else "selfie")
            found = time.perf_counter()
            embedding = embed_face(rgb, face)
        except (FaceRefused, ImageRejected) as exc:
            refused, found = exc.code, time.perf_counter()
        ended = time.perf_counter()
        samples.append(
            Sample(
                name,
                path.parent.name,
                kind,
                sources.get(name, name),
                embedding,
                refused,
                (found - started) * 1000,
                (ended - found) * 1000 if embedding is not None else 0.0,
                (time.process_time() - cpu) * 1000,
            )
        )
        if progress and (done % 20 == 0 or done == len(files)):
            progress(done, len(files))
    return samples


def score_pairs(samples: Sequence[Sample]) -> Pairs:
    accepted = [s for s in samples if s.embedding is not None]
    matrix = np.stack([s.embedding for s in accepted]) if accepted else np.zeros((0, 128), np.float32)
    cosines = matrix @ matrix.T
    identities = np.array([s.identity for s in accepted])
    sources = np.array([s.source for s in accepted])
    upper = np.triu(np.ones(cosines.shape, dtype=bool), k=1)
    same = identities[:, None] == identities[None, :]
    cross = same & (sources[:, None] != sources[None, :])
    scores = np.clip(cosines, 0.0, 1.0) * 100.0  # match.similarity, vectorised
    per_identity = Counter(s.identity for s in samples)
    all_genuine = sum(n * (n - 1) // 2 for n in per_identity.values())
    genuine = scores[upper & same]
    return Pairs(genuine, scores[upper & ~same], scores[upper & cross], all_genuine - len(genuine))


def operating_point(genuine: np.ndarray, impostor: np.ndarray, fmr_target: float) -> OperatingPoint:
    """The lowest threshold (0.1 steps) whose FMR is at most ``fmr_target``, and its FNMR."""
    allowed = math.floor(fmr_target * len(impostor) + 1e-9)
    ranked = np.sort(impostor)[::-1]
    threshold = 0.0 if allowed >= len(ranked) else math.floor(float(ranked[allowed]) * 10 + 1) / 10
    return OperatingPoint(fmr_target, threshold, *rates(genuine, impostor, threshold))


def rates(genuine: np.ndarray, impostor: np.ndarray, threshold: float) -> tuple[float, float]:
    """(FMR, FNMR) at ``threshold``."""
    fmr = float(np.mean(impostor >= threshold)) if len(impostor) else 0.0
    fnmr = float(np.mean(genuine < threshold)) if len(genuine) else 0.0
    return fmr, fnmr


def _spread(values: np.ndarray) -> str:
    if not len(values):
        return "-"
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return f"min {values.min():5.1f}  p5 {p5:5.1f}  p50 {p50:5.1f}  p95 {p95:5.1f}  max {values.max():5.1f}"


def _timing(values: Sequence[float]) -> str:
    p50, p95 = np.percentile(values, [50, 95]) if values else (0.0, 0.0)
    return f"p50 {p50:6.1f}  p95 {p95:6.1f} ms"


def report(samples: Sequence[Sample], pairs: Pairs, threshold: float = DEFAULT_THRESHOLD) -> str:
    accepted = [s for s in samples if s.embedding is not None]
    lines = [
        f"images {len(samples)} ({len(accepted)} accepted) in {len({s.identity for s in samples})} identities",
        f"genuine pairs  {len(pairs.genuine):6d}  {_spread(pairs.genuine)}",
        f"  of which from two different photos {len(pairs.genuine_cross)}: {_spread(pairs.genuine_cross)}",
        f"impostor pairs {len(pairs.impostor):6d}  {_spread(pairs.impostor)}",
        "",
        f"{'FMR target':<12}{'threshold':>10}{'FMR':>9}{'FNMR':>9}{'FNMR cross-photo':>18}",
    ]
    for target in FMR_TARGETS:
        point = operating_point(pairs.genuine, pairs.impostor, target)
        _, cross = rates(pairs.genuine_cross, pairs.impostor, point.threshold)
        lines.append(
            f"{target:<12.1%}{point.threshold:>10.1f}{point.fmr:>9.3%}{point.fnmr:>9.2%}{cross:>18.2%}"
            + ("  (too few impostor pairs to resolve)" if target * len(pairs.impostor) < 1 else "")
        )
    fmr, fnmr = rates(pairs.genuine, pairs.impostor, threshold)
    _, cross = rates(pairs.genuine_cross, pairs.impostor, threshold)
    lines.append(f"{'default':<12}{threshold:>10.1f}{fmr:>9.3%}{fnmr:>9.2%}{cross:>18.2%}")
    lost = pairs.genuine_lost
    total = len(pairs.genuine) + lost
    misses = int(np.sum(pairs.genuine < threshold)) + lost
    lines += [
        f"genuine pairs lost to refusals: {lost}; FNMR counting them as misses at the default: "
        f"{misses / total if total else 0:.2%}",
        "",
        "refusals: "
        + (
            ", ".join(f"{code} {n}" for code, n in Counter(s.refused for s in samples if s.refused).most_common())
            or "none"
        ),
    ]
    lines += [f"  {s.file}: {s.refused}" for s in samples if s.refused]
    for kind in ("photo", "selfie", "document"):
        group = [s for s in samples if s.kind == kind]
        if group:
            lines.append(f"  {kind:<9} {sum(1 for s in group if s.refused)}/{len(group)} refused")
    lines += [
        "",
        "per face (accepted images; wall clock is shared with other work, CPU counts all threads):",
        f"  detect          {_timing([s.detect_ms for s in accepted])}",
        f"  embed           {_timing([s.embed_ms for s in accepted])}",
        f"  detect + embed  {_timing([s.detect_ms + s.embed_ms for s in accepted])}",
        f"  CPU time        {_timing([s.cpu_ms for s in accepted])}",
    ]
    return "\n".join(lines)


def write_plots(outdir: Path, pairs: Pairs, threshold: float = DEFAULT_THRESHOLD) -> list[Path]:
    """``face_det.png`` (FNMR against FMR, log axes) and ``face_scores.png`` (histograms)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir.mkdir(parents=True, exist_ok=True)
    grid = np.arange(0.0, 100.05, 0.1)
    curve = np.array([rates(pairs.genuine, pairs.impostor, t) for t in grid])
    floor = 0.5 / max(1, len(pairs.impostor)), 0.5 / max(1, len(pairs.genuine))
    figure, axes = plt.subplots(figsize=(6.5, 5.5), dpi=110)
    axes.plot(np.maximum(curve[:, 0], floor[0]), np.maximum(curve[:, 1], floor[1]), color="tab:blue", label="SFace")
    for target, colour in zip(FMR_TARGETS, ("tab:orange", "tab:red"), strict=True):
        axes.axvline(target, color=colour, linestyle=":", label=f"FMR {target:.1%}")
    fmr, fnmr = rates(pairs.genuine, pairs.impostor, threshold)
    axes.plot([max(fmr, floor[0])], [max(fnmr, floor[1])], "ko", label=f"default threshold {threshold:.1f}")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("FMR (false match rate); zero drawn at half a pair")
    axes.set_ylabel("FNMR (false non-match rate)")
    axes.set_title(f"DET: {len(pairs.genuine)} genuine, {len(pairs.impostor)} impostor pairs")
    axes.legend(fontsize=8)
    figure.tight_layout()
    det = outdir / "face_det.png"
    figure.savefig(det)
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
    bins = np.arange(0, 101, 2)
    axes.hist(pairs.impostor, bins=bins, density=True, alpha=0.6, color="tab:red", label="impostor pairs")
    axes.hist(pairs.genuine, bins=bins, density=True, alpha=0.6, color="tab:green", label="genuine pairs")
    axes.axvline(threshold, color="black", linestyle="--", label=f"default threshold {threshold:.1f}")
    axes.set_xlabel("similarity (100 x cosine, clipped at 0)")
    axes.set_ylabel("share of pairs (density)")
    axes.legend(fontsize=8)
    figure.tight_layout()
    histogram = outdir / "face_scores.png"
    figure.savefig(histogram)
    plt.close(figure)
    return [det, histogram]
