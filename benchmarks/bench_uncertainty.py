"""Uncertainty study: 10,000 draws × 8 centres, all phases and years, Type II.

Prints, as medians of repeats (the machine's 2 cores are shared with other work, so single
timings vary by a factor of two or more):

* the batched engine (prepare: basis shocks and their responses; draws and quantiles) and its
  peak memory — the national indicators;
* the same with budget revenue by level and the regional indicators (FLQ δ drawn);
* the sensitivity analysis (tornado sweeps, Sobol indices);
* two baselines timed on a few draws and scaled to 10,000: a naive loop through the public API
  (``build_columns`` + ``run_impact`` + ``key_figures`` per draw, the same national
  indicators), and pymrio (a new Leontief inverse per draw with ``calc_L`` and ``L·y``; and,
  as pymrio's best case, one inverse and ``L·y`` for each draw's shocks, the shocks given).
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from iomodel.impact import run_impact
from iomodel.pipeline import _groups, productivity_by_sector, run_centres
from iomodel.resources import tables_dir
from iomodel.shock import Column, build_columns
from iomodel.summary import key_figures, load_appraisal
from iomodel.uncertainty import engine
from iomodel.uncertainty.factors import load_model_uncertainty
from iomodel.uncertainty.regional import regional_basis
from iomodel.uncertainty.revenue import revenue_basis
from iomodel.uncertainty.sensitivity import sobol, tornado

DRAWS = 10_000
REPEATS = 3
LOOPED = 3


def timed(fn: Callable[[], object]) -> float:
    """Median wall time of ``fn`` over REPEATS runs."""
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    run = run_centres(variants=["central"], cases=None)
    appraisal = load_appraisal(tables_dir() / "appraisal.toml")
    model = load_model_uncertainty(tables_dir() / "uncertainty.toml")
    prod = productivity_by_sector(run.table)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def prepare(delta: float | None = None) -> engine.Setup:
        return engine.prepare(
            run.table,
            run.scenarios,
            run.bridge,
            run.prices,
            model,
            appraisal,
            groups=_groups(run.table),
            productivity=prod,
            delta=delta,
        )

    setup = prepare()
    t_prepare = timed(prepare)
    t_draws = timed(lambda: engine.simulate(setup, DRAWS, 1))
    total = t_prepare + t_draws
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"batched: {DRAWS} draws x {len(setup.centres)} centres, all phases and years, Type II: "
        f"{total:.2f} s (prepare {t_prepare:.2f} s, draws and quantiles {t_draws:.2f} s; medians "
        f"of {REPEATS}); peak RSS {peak:.0f} MB ({before:.0f} MB before the study)"
    )

    full = prepare(0.3)
    t_rev = timed(lambda: revenue_basis(full, run.scenarios, run.prices, prod))
    t_reg = timed(lambda: regional_basis(full, run.scenarios, prod))
    revenue = revenue_basis(full, run.scenarios, run.prices, prod)
    regional = regional_basis(full, run.scenarios, prod)
    assert regional is not None
    t_all = timed(lambda: engine.simulate(full, DRAWS, 1, revenue=revenue, regional=regional))
    print(
        f"with budget revenue by level and the regional indicators (FLQ δ drawn): revenue basis "
        f"{t_rev:.2f} s, regional basis ({len(regional.deltas)} δ) {t_reg:.2f} s, {DRAWS} draws "
        f"{t_all:.2f} s"
    )
    t_tornado = timed(lambda: tornado(setup))
    t_sobol = timed(lambda: sobol(setup))
    print(
        f"sensitivity: tornado sweeps {t_tornado:.2f} s, Sobol indices (SALib, base 256) {t_sobol:.2f} s"
    )

    # naive loop through the public API, a few draws
    U = engine.sample(setup, DRAWS, 1)
    vals = engine.values(setup, U[:LOOPED])
    shocks = []

    def naive() -> None:
        shocks.clear()
        for d in range(LOOPED):
            shocks.clear()
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
            key_figures(run_impact(run.table, shocks, productivity=prod), "central", appraisal)

    t_naive = timed(naive) / LOOPED * DRAWS
    print(
        f"naive loop (public API): {t_naive:.0f} s for {DRAWS} draws (scaled from {LOOPED}); "
        f"ratio {t_naive / total:.0f}x"
    )
    try:
        import pymrio
    except ImportError:
        print("pymrio not installed: pip install -e '.[bench]'")
        return
    y = np.hstack([s.demand.values.reshape(-1, run.table.n).T for s in shocks])

    def per_draw() -> None:
        for _ in range(LOOPED):
            _ = pymrio.calc_L(run.table.A) @ y

    t_pymrio = timed(per_draw) / LOOPED * DRAWS
    print(
        f"pymrio, a new Leontief inverse per draw (calc_L, then L·y; Type I only): "
        f"{t_pymrio:.0f} s for {DRAWS} draws (scaled from {LOOPED}); ratio {t_pymrio / total:.0f}x"
    )
    L = pymrio.calc_L(run.table.A)
    sample_draws = 200

    def once() -> None:
        for _ in range(sample_draws):
            _ = L @ y

    t_once = timed(once) / sample_draws * DRAWS
    print(
        f"pymrio, one Leontief inverse and L·y for each draw's shocks (Type I only, the shocks "
        f"given): {t_once:.1f} s for {DRAWS} draws (scaled from {sample_draws}); "
        f"ratio {t_once / total:.1f}x"
    )


if __name__ == "__main__":
    main()
