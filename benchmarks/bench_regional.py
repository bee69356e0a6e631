"""Benchmark: the cost of the regional step of a run (issue 11).

    python benchmarks/bench_regional.py [--repeat N]

Times, on the shipped table and scenarios (8 centres, 3 variants, 2 phases, the run's years):

(a) the national core solve, ``run_impact`` (Type II) — the named baseline;
(b) the regional step, ``regional_effects``: for each centre (K = 1 or 2 regions + the rest of
    Russia) regionalise the table, factorise the open and household-closed interregional
    matrices and solve all its cases at once; FLQ with the four δ of the sensitivity range
    (0.1–0.4) and with the chosen δ only;
(c) the split of budget revenue by where it is paid (``revenue_by_region`` and
    ``revenue_in_region_by_delta``, every centre, variant, year, effect, tax and budget level);
(d) the whole ``run_centres()`` with the table warm, without and with the regional step.

Medians over repeats (after a warm-up) with time.perf_counter; nothing asserts a time.  Set
OPENBLAS_NUM_THREADS=1 to see the single-thread figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from iomodel.impact import run_impact
from iomodel.pipeline import productivity_by_sector, run_centres
from iomodel.readers.regional import load_regional
from iomodel.regional_impact import (
    regional_effects,
    revenue_by_region,
    revenue_in_region_by_delta,
)


def timed(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    run = run_centres(regional=False)
    table, shocks, scenarios = run.table, list(run.shocks), list(run.scenarios)
    index = productivity_by_sector(table)
    data = load_regional()
    one = dataclasses.replace(
        data, settings=dataclasses.replace(data.settings, delta_sensitivity=(data.settings.delta,))
    )

    def national():
        return run_impact(table, shocks, "II", productivity=index)

    def regional(d):
        return lambda: regional_effects(
            table, scenarios, shocks, run.dataset, productivity=index, data=d
        )

    full = run_centres().dataset

    def split():
        revenue_by_region(full["revenue"], full)
        return revenue_in_region_by_delta(full["revenue"], full)

    rows = [
        ("(a) national core solve, run_impact (baseline)", timed(national, args.repeat)),
        ("(b) regional step, 4 δ (0.1–0.4)", timed(regional(data), args.repeat)),
        ("(b) regional step, chosen δ only", timed(regional(one), args.repeat)),
        ("(c) budget revenue by region", timed(split, args.repeat)),
        ("(d) run_centres(regional=False), warm", timed(lambda: run_centres(regional=False), 3)),
        ("(d) run_centres(), warm", timed(lambda: run_centres(), 3)),
    ]
    cases = run.dataset.sizes
    print(
        f"centres {cases['centre']}, variants {cases['variant']}, phases {cases['phase']}, "
        f"years {cases['year']}; regions per centre "
        f"{[len(s.centre.regions_ru) for s in scenarios]}"
    )
    base = rows[0][1]
    for name, seconds in rows:
        print(f"{name:48s} {seconds * 1e3:9.1f} ms   {seconds / base:6.1f} × (a)")
    print(f"(d) with / without the regional step: {rows[5][1] / rows[4][1]:.2f}")


if __name__ == "__main__":
    main()
