"""Benchmark: the cost of the interregional model for every centre (issue 11, the maths only).

    python benchmarks/bench_regional.py [--repeat N]

For each shipped centre's region(s) (K = 1 or 2 regions + the rest of Russia): regionalise the
Rosstat 2021 table (FLQ, δ = 0.3), factorise the open ((K+1)·113) and household-closed
((K+1)·114) interregional matrices, and solve 3 variants × 2 phases × 23 years = 138 random
right-hand sides on each — what a regional run would add.  The named baseline is the national
core solve of the same shape: one LU of I − A (113) and of the closed matrix (114), 1,104
right-hand sides.  Medians over repeats with time.perf_counter; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tomllib
from pathlib import Path

import numpy as np

from iomodel import leontief
from iomodel.multipliers import household_closure
from iomodel.readers import load_table
from iomodel.readers.regional import load_regional, regionalise_table

ROOT = Path(__file__).resolve().parents[1]
CASES = 3 * 2 * 23


def centre_regions() -> dict[str, list[str]]:
    out = {}
    for path in sorted((ROOT / "shocks").glob("*.toml")):
        if path.name != "TEMPLATE.toml":
            out[path.stem] = tomllib.loads(path.read_text(encoding="utf-8"))["centre"]["regions_ru"]
    return out


def regional_run(table, data, regions, closure) -> None:
    rng = np.random.default_rng(0)
    for names in regions.values():
        rg = regionalise_table(table, names, data=data)
        open_lu = rg.factorization()
        closed_lu = rg.closed_factorization(closure.income, closure.consumption, 0.3)
        locations = rg.regions + 1
        y = rng.uniform(0, 1, (locations * table.n, CASES))
        open_lu.solve(y)
        closed_lu.solve(np.vstack([y, np.zeros((locations, CASES))]))


def national_run(table, closure, columns: int) -> None:
    y = np.random.default_rng(0).uniform(0, 1, (table.n, columns))
    leontief.factorize(table.A).solve(y)
    closed = leontief.factorize(leontief.closed_coefficients(table.A, closure))
    closed.solve(np.vstack([y, np.zeros((1, columns))]))


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
    table = load_table("rosstat-2021")
    data = load_regional()
    closure = household_closure(table)
    regions = centre_regions()
    sizes = [len(v) for v in regions.values()]
    regional = timed(lambda: regional_run(table, data, regions, closure), args.repeat)
    national = timed(lambda: national_run(table, closure, CASES * len(regions)), args.repeat)
    print(f"centres: {len(regions)}, regions per centre: {sizes}, right-hand sides: {CASES} each")
    print(f"regional (regionalise + 2 LU + solves, all centres): {regional * 1e3:8.1f} ms")
    print(
        f"national baseline (2 LU + {CASES * len(regions)} solves):      {national * 1e3:8.1f} ms"
    )
    print(f"ratio regional / national: {regional / national:.1f}")


if __name__ == "__main__":
    main()
