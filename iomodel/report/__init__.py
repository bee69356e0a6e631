"""PDF reports: one per centre and a comparison of all, in Russian or English.

The path is the one the style guide asks for: run → context (strings, rows, SVG charts; see
:mod:`._context`) → jinja2 template (``reports/templates/``, autoescaped) → HTML → WeasyPrint →
PDF.  Every number comes from the run's Dataset through :mod:`iomodel.summary`; the templates
compute nothing.  WeasyPrint may fetch only the report's own stylesheet and fonts and the
document's own charts (:class:`._assets.AssetFetcher`).

Several PDFs are rendered in parallel worker processes (forked after the run, so they share it
without copying); ``workers=1`` renders in this process.

>>> from iomodel.pipeline import run_centres                              # doctest: +SKIP
>>> run = run_centres()                                                  # doctest: +SKIP
>>> write_reports(run, appraisal, groups, provenance, "out/reports")      # doctest: +SKIP
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._procs import die_with_parent
from ..export import atomic_path
from ..pipeline import Run
from ..summary import Appraisal
from ._assets import AssetFetcher, AssetRefused, assets_dir
from ._centre import centre_context
from ._change import change_context
from ._comparison import comparison_context
from ._context import Inputs, prepare
from ._locale import LANGS, format_number, locale_for
from ._render import Renderer

__all__ = [
    "LANGS",
    "AssetFetcher",
    "AssetRefused",
    "Inputs",
    "Report",
    "assets_dir",
    "centre_context",
    "centre_html",
    "comparison_context",
    "comparison_html",
    "default_workers",
    "document",
    "format_number",
    "locale_for",
    "prepare",
    "render_pdf",
    "report_name",
    "write_change_report",
    "write_reports",
]


@dataclass(frozen=True)
class Report:
    """One written PDF and how long it took: context and charts, then HTML → PDF."""

    path: Path
    centre: str | None  # None for the comparison
    seconds_context: float
    seconds_pdf: float
    pages: int


def report_name(centre: str | None, lang: str, variant: str = "central") -> str:
    """File name of a report: ``kola.ru.pdf``, ``comparison.en.pdf``, ``kola.high.ru.pdf``."""
    stem = centre or "comparison"
    return f"{stem}.{lang}.pdf" if variant == "central" else f"{stem}.{variant}.{lang}.pdf"


_RENDERER: Renderer | None = None


def _renderer() -> Renderer:
    global _RENDERER
    if _RENDERER is None:
        _RENDERER = Renderer()
    return _RENDERER


def document(inputs: Inputs, centre: str | None, lang: str = "ru") -> tuple[str, list[str]]:
    """HTML of one report (``centre`` None: the comparison) and the data URLs of its charts."""
    loc = locale_for(lang)
    if centre is None:
        return _renderer().html("comparison.html", comparison_context(inputs, loc), loc)
    return _renderer().html("centre.html", centre_context(inputs, centre, loc), loc)


def centre_html(inputs: Inputs, centre: str, lang: str = "ru") -> str:
    """The HTML of one centre's report."""
    return document(inputs, centre, lang)[0]


def comparison_html(inputs: Inputs, lang: str = "ru") -> str:
    """The HTML of the comparison report."""
    return document(inputs, None, lang)[0]


def render_pdf(html: str, charts: Iterable[str] = ()) -> bytes:
    """PDF bytes of a report's HTML (only the report's assets and ``charts`` are fetched)."""
    return _renderer().pdf(html, tuple(charts))[0]


# ---------------------------------------------------------------------------- writing
_JOB: dict = {}  # what forked workers inherit: inputs, language, variant, folder


@contextmanager
def _collect_after() -> Iterator[None]:
    """No cyclic garbage collection while one document is made, one collection of the youngest
    generation after it.

    A report leaves some 300,000 objects in reference cycles (WeasyPrint's boxes, matplotlib's
    artists); the collector's passes over them while they are still alive took about a tenth
    of a PDF's time.  None of them has been through a collection yet, so collecting generation
    0 afterwards frees them all without going through the run's older objects."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect(0)


def _write_one(centre: str | None) -> Report:
    inputs, lang, out = _JOB["inputs"], _JOB["lang"], _JOB["out"]
    start = time.perf_counter()
    with _collect_after():
        html, charts = document(inputs, centre, lang)
        middle = time.perf_counter()
        pdf, pages = _renderer().pdf(html, tuple(charts))
    target = out / report_name(centre, lang, inputs.variant)
    with atomic_path(target) as tmp:
        tmp.write_bytes(pdf)
    return Report(target, centre, middle - start, time.perf_counter() - middle, pages)


def default_workers(jobs: int) -> int:
    """Worker processes for ``jobs`` PDFs: one per available core, at most one per PDF."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, jobs))


def write_reports(
    run: Run,
    appraisal: Appraisal,
    groups: pd.DataFrame,
    provenance: dict[str, str],
    out_dir: str | Path,
    centres: Iterable[str] | None = None,
    comparison: bool = True,
    lang: str = "ru",
    variant: str = "central",
    workers: int | None = None,
    progress: Callable[[Report], None] | None = None,
    price_year: int | str | None = None,
    dataset_file: str = "",
) -> list[Report]:
    """Write the reports of ``centres`` (default: every centre of the run) and, when
    ``comparison``, the comparison of every centre of the run, into ``out_dir``.

    The shared work (key figures, localisation runs) is done once; the PDFs are rendered by
    ``workers`` processes (default: one per core).  Money is shown in ``price_year``'s prices
    (None: the table year's; ``"nominal"``: each year's own, see :mod:`iomodel.nominal`); ``dataset_file`` names the Dataset the reports were made from.  Each PDF is written to a temporary file and
    moved into place when complete.  Returns the reports in the order asked for.
    """
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    inputs = prepare(run, appraisal, groups, variant, provenance, price_year, dataset_file)
    ids = list(centres) if centres is not None else [s.id for s in run.scenarios]
    unknown = [c for c in ids if c not in run.dataset.centre.values]
    if unknown:
        raise ValueError(f"centre(s) {unknown} are not in the run")
    jobs: list[str | None] = list(ids) + ([None] if comparison else [])
    _JOB.update(inputs=inputs, lang=lang, out=Path(out_dir))
    n = workers or default_workers(len(jobs))
    written: list[Report] = []
    try:
        if n <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            for centre in jobs:
                written.append(_write_one(centre))
                if progress:
                    progress(written[-1])
        else:
            # the heaviest first (the comparison), so the workers finish together
            order = sorted(jobs, key=lambda c: c is not None)
            _renderer().warm()  # parse the CSS and load the fonts once, before forking
            # what the workers inherit is never garbage: leave it out of their collections
            # (and their copy-on-write pages untouched by the collector)
            pool = ProcessPoolExecutor(
                n,
                mp_context=multiprocessing.get_context("fork"),
                initializer=die_with_parent,  # killed or stopped, iomodel takes its workers along
                initargs=(os.getpid(),),
            )
            gc.freeze()  # the workers are forked at the first job, below
            try:
                with pool:
                    for report in pool.map(_write_one, order):
                        written.append(report)
                        if progress:
                            progress(report)
            finally:
                gc.unfreeze()
            rank = {c: k for k, c in enumerate(jobs)}
            written.sort(key=lambda r: rank[r.centre])
    finally:
        _JOB.clear()
    return written


def write_change_report(
    change: dict,
    summary: dict,
    out_dir: str | Path,
    lang: str = "ru",
    names: dict[str, tuple[str, str]] | None = None,
) -> Report:
    """Write ``change.<lang>.pdf``: the change report of an update (:mod:`iomodel.update`) from
    its ``change.json`` and ``summary.json``; ``names`` maps centre ids to (Russian, English)."""
    loc = locale_for(lang)
    start = time.perf_counter()
    with _collect_after():
        html, charts = _renderer().html(
            "change.html", change_context(change, summary, loc, names), loc
        )
        middle = time.perf_counter()
        pdf, pages = _renderer().pdf(html, tuple(charts))
    target = Path(out_dir) / f"change.{lang}.pdf"
    with atomic_path(target) as tmp:
        tmp.write_bytes(pdf)
    return Report(target, None, middle - start, time.perf_counter() - middle, pages)
