"""Time the thesis cases (issue 12): a full run with and without them, the cases' budget
revenue inside it, and the thesis table.

    .venv/bin/python benchmarks/bench_thesis.py [--repeat N]

The cases are extra columns of the run's one solve (baseline: the same run with ``cases=None``,
variants only).  Prints the median and minimum of each over ``--repeat`` runs after a warm-up,
the ratio, the number of solve columns and the Dataset's size with and without the case block.
The cases' budget revenue (``case_revenue``: the fiscal block on the cases' sector detail) is
timed inside the runs with cases, by wrapping the hook the run passes to the engine.
Nothing here fails on a time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from iomodel import pipeline
from iomodel.pipeline import run_centres
from iomodel.readers import project_dir
from iomodel.summary import load_appraisal
from iomodel.thesis import thesis_table


def _time(fn, repeat: int) -> tuple[float, float, object]:
    fn()  # warm-up (table load, caches)
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plain = _time(lambda: run_centres(cases=None), args.repeat)
    hook = pipeline._FiscalStep.revenue
    spent: list[float] = []

    def timed(step, ds):
        start = time.perf_counter()
        out = hook(step, ds)
        spent.append(time.perf_counter() - start)
        return out

    pipeline._FiscalStep.revenue = timed  # type: ignore[method-assign]
    try:
        cased = _time(lambda: run_centres(cases="central"), args.repeat)
    finally:
        pipeline._FiscalStep.revenue = hook  # type: ignore[method-assign]
    revenue_step = spent[1:]  # without the warm-up
    ds_plain, ds = plain[2].dataset, cased[2].dataset
    appraisal = load_appraisal(project_dir() / "tables" / "appraisal.toml")
    table = _time(lambda: thesis_table(ds, appraisal), args.repeat)
    per_phase_year = len(ds.centre) * 2 * len(ds.year)
    print(f"{'':<34}{'median':>9}{'min':>9}")
    print(f"{'run, variants only (baseline)':<34}{plain[0]:9.3f}{plain[1]:9.3f} s")
    print(f"{'run with the thesis cases':<34}{cased[0]:9.3f}{cased[1]:9.3f} s")
    print(
        f"{'  of which the cases revenue':<34}{statistics.median(revenue_step):9.3f}"
        f"{min(revenue_step):9.3f} s"
    )
    print(f"{'thesis table from the Dataset':<34}{table[0]:9.3f}{table[1]:9.3f} s")
    print(f"\nratio (cases / baseline, median): {cased[0] / plain[0]:.2f}")
    print(
        f"solve columns: {len(ds.variant) * per_phase_year} (variants) + "
        f"{len(ds.case) * per_phase_year} (cases) = "
        f"{(len(ds.variant) + len(ds.case)) * per_phase_year}"
    )
    print(f"Dataset: {ds_plain.nbytes / 1e6:.1f} MB without cases, {ds.nbytes / 1e6:.1f} MB with")
    print(f"  of which case_revenue: {ds.case_revenue.nbytes / 1e6:.1f} MB")
    share = statistics.median(revenue_step) / cased[0]
    print(f"the cases' revenue: {share:.0%} of the run with cases (median)")


if __name__ == "__main__":
    main()
