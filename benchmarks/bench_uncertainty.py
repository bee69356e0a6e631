"""Uncertainty study: 10,000 draws × 8 centres, all phases and years, Type II.

Prints the batched engine's time (prepare + draws + quantiles, median of repeats) and peak
memory, and the ratio against two baselines timed on a few draws and scaled to 10,000:
a naive loop through the public API (build_columns + run_impact + key_figures per draw) and
pymrio (its Leontief inverse and x = L·y for the same draws' shocks).  The machine's 2 cores are
shared with other work: figures are medians and vary with the load.
"""

from __future__ import annotations

import resource
import statistics
import time
from dataclasses import replace

import numpy as np

from iomodel.impact import run_impact
from iomodel.pipeline import _groups, productivity_by_sector, run_centres
from iomodel.resources import tables_dir
from iomodel.shock import Column, build_columns
from iomodel.summary import key_figures, load_appraisal
from iomodel.uncertainty import engine
from iomodel.uncertainty.factors import load_model_uncertainty

DRAWS = 10_000
REPEATS = 3
LOOPED = 3


def main() -> None:
    run = run_centres(variants=["central"], cases=None)
    appraisal = load_appraisal(tables_dir() / "appraisal.toml")
    model = load_model_uncertainty(tables_dir() / "uncertainty.toml")
    prod = productivity_by_sector(run.table)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        setup = engine.prepare(
            run.table,
            run.scenarios,
            run.bridge,
            run.prices,
            model,
            appraisal,
            groups=_groups(run.table),
            productivity=prod,
        )
        t1 = time.perf_counter()
        ds = engine.simulate(setup, DRAWS, 1)
        t2 = time.perf_counter()
        times.append((t2 - t0, t1 - t0, t2 - t1))
    total = statistics.median(t[0] for t in times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"batched: {DRAWS} draws x {len(setup.centres)} centres, Type II: {total:.2f} s "
        f"(prepare {statistics.median(t[1] for t in times):.2f} s, draws and quantiles "
        f"{statistics.median(t[2] for t in times):.2f} s; median of {REPEATS}); "
        f"peak RSS {peak:.0f} MB ({before:.0f} MB before the study: table, run, libraries)"
    )
    assert ds.indicator_q.notnull().any()
    from iomodel.uncertainty.sensitivity import sobol, tornado

    t0 = time.perf_counter()
    tornado(setup)
    t1 = time.perf_counter()
    sobol(setup)
    t2 = time.perf_counter()
    print(
        f"sensitivity: tornado sweeps {t1 - t0:.2f} s, Sobol indices (SALib, base 256) "
        f"{t2 - t1:.2f} s"
    )

    # naive loop through the public API, a few draws
    U = engine.sample(setup, DRAWS, 1)
    vals = engine.values(setup, U[:LOOPED])
    t0 = time.perf_counter()
    for d in range(LOOPED):
        shocks = []
        for k, scenario in enumerate(run.scenarios):
            v = {n: np.asarray(x)[d] for n, x in vals[k].items()}
            variant = replace(
                scenario.variants["central"],
                capex=float(v["capex"]),
                equipment_import_share=float(v["equipment_import_share"]),
                price_scale=float(v.get("price_scale", 1.0)),
                volume_scale=float(v.get("volume_scale", 1.0)),
            )
            column = Column(
                "central",
                variant,
                "central",
                purposes=tuple(v["purposes"]),
                costs=tuple(v["costs"][:-1]) if "costs" in v else None,
                jobs=float(v["jobs"]) if "jobs" in v else None,
            )
            base = replace(scenario, stages=(), cluster=None)
            shocks.append(build_columns(base, run.table, run.bridge, run.prices, [column]))
        ds_d = run_impact(run.table, shocks, productivity=prod)
        key_figures(ds_d, "central", appraisal)
    naive = (time.perf_counter() - t0) / LOOPED * DRAWS
    print(
        f"naive loop (public API): {naive:.0f} s for {DRAWS} draws (scaled from {LOOPED}); "
        f"ratio {naive / total:.0f}x"
    )

    try:
        import pymrio
    except ImportError:
        print("pymrio not installed: pip install -e '.[bench]'")
        return
    y = np.hstack([s.demand.values.reshape(-1, run.table.n).T for s in shocks])
    t0 = time.perf_counter()
    for _ in range(LOOPED):
        L = pymrio.calc_L(run.table.A)
        _ = L @ y
    per = (time.perf_counter() - t0) / LOOPED
    print(
        f"pymrio, a new Leontief inverse per draw (calc_L, then L·y; Type I only): "
        f"{per * DRAWS:.0f} s for {DRAWS} draws (scaled from {LOOPED}); ratio {per * DRAWS / total:.0f}x"
    )
    L = pymrio.calc_L(run.table.A)
    sample_draws = 200
    t0 = time.perf_counter()
    for _ in range(sample_draws):
        _ = L @ y
    per = (time.perf_counter() - t0) / sample_draws
    print(
        f"pymrio, one Leontief inverse and L·y for each draw's shocks (Type I only, the draws' "
        f"shocks given): {per * DRAWS:.1f} s for {DRAWS} draws (scaled from {sample_draws}); "
        f"ratio {per * DRAWS / total:.1f}x"
    )


if __name__ == "__main__":
    main()
