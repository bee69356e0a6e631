"""Time the thesis cases (issue 12): a full run with and without them, and the thesis table.

    .venv/bin/python benchmarks/bench_thesis.py [--repeat N]

The cases are extra columns of the run's one solve (baseline: the same run with ``cases=None``,
variants only).  Prints the median and minimum of each over ``--repeat`` runs after a warm-up,
the ratio, the number of solve columns and the Dataset's size with and without the case block.
Nothing here fails on a time.
"""

from __future__ import annotations

import argparse
import statistics
import time

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
    cased = _time(lambda: run_centres(cases="central"), args.repeat)
    ds_plain, ds = plain[2].dataset, cased[2].dataset
    appraisal = load_appraisal(project_dir() / "tables" / "appraisal.toml")
    table = _time(lambda: thesis_table(ds, appraisal), args.repeat)
    per_phase_year = len(ds.centre) * 2 * len(ds.year)
    print(f"{'':<34}{'median':>9}{'min':>9}")
    print(f"{'run, variants only (baseline)':<34}{plain[0]:9.3f}{plain[1]:9.3f} s")
    print(f"{'run with the thesis cases':<34}{cased[0]:9.3f}{cased[1]:9.3f} s")
    print(f"{'thesis table from the Dataset':<34}{table[0]:9.3f}{table[1]:9.3f} s")
    print(f"\nratio (cases / baseline, median): {cased[0] / plain[0]:.2f}")
    print(
        f"solve columns: {len(ds.variant) * per_phase_year} (variants) + "
        f"{len(ds.case) * per_phase_year} (cases) = "
        f"{(len(ds.variant) + len(ds.case)) * per_phase_year}"
    )
    print(f"Dataset: {ds_plain.nbytes / 1e6:.1f} MB without cases, {ds.nbytes / 1e6:.1f} MB with")


if __name__ == "__main__":
    main()
