"""Time the fiscal block: iomodel.fiscal.revenue on a full-run-sized stack, and the budget step
of a real run (iomodel.budget.add_revenue on the Dataset of every shipped centre).

1. ``revenue()`` on 8 centres × 3 variants × 2 phases × 23 years × 113 products × 3 effects
   (~375 000 cases). Baseline: the same cases one at a time in a Python loop over a sample of
   2 000 cases, scaled up (the loop is what the vectorised call replaces).
2. ``add_revenue`` on the full shipped run (Type II), against the run without it: the step's
   time and its share of ``run_centres``. Baseline: the same revenue from one ``revenue()`` call
   on the sector-resolved stack (as in 1), the simplest vectorised alternative.
"""

from __future__ import annotations

import time

import numpy as np

from iomodel.budget import Setting, add_revenue, household_spending_per_income, money_basis
from iomodel.fiscal import load_fiscal, revenue
from iomodel.pipeline import productivity_by_sector, run_centres


def main() -> None:
    law = load_fiscal()
    rng = np.random.default_rng(0)
    shape = (8, 3, 2, 23, 113, 3)
    years = np.broadcast_to(np.arange(2026, 2049)[:, None, None], shape)
    flows = {
        k: rng.uniform(0, 100, shape)
        for k in ("wages", "operating_surplus", "household_purchases", "mineral_extraction_tax")
    }
    avg = rng.uniform(6e5, 4e6, shape)
    start = time.perf_counter()
    stacked = revenue(law, years, average_wage=avg, **flows)
    vectorised = time.perf_counter() - start
    n = int(np.prod(shape))
    sample = 2000
    flat = {k: v.reshape(-1) for k, v in flows.items()}
    y, a = years.reshape(-1), avg.reshape(-1)
    start = time.perf_counter()
    for i in range(sample):
        revenue(
            law,
            int(y[i]),
            average_wage=a[i],
            **{k: v[i] for k, v in flat.items()},
        )
    loop = (time.perf_counter() - start) * n / sample
    print(f"cases: {n:,}; result {stacked.shape}, {stacked.nbytes / 1e6:.0f} MB")
    print(f"vectorised revenue(): {vectorised:.2f} s")
    print(f"one case at a time (extrapolated from {sample}): {loop:.0f} s")
    print(f"ratio: {loop / vectorised:.0f}x")
    budget_step(law)


def budget_step(law, repeat: int = 5) -> None:
    """The post-processing step on the Dataset of a full run."""
    start = time.perf_counter()
    run = run_centres()
    whole = time.perf_counter() - start
    ds = run.dataset.drop_vars(["revenue", "tax_label_ru", "tax_label_en"])
    years = ds["year"].values.tolist()
    basis = money_basis(law, run.prices, run.table, years, productivity_by_sector(run.table))
    spending = household_spending_per_income(law, run.table)
    settings = {s.id: Setting(s.fiscal.regime, s.fiscal.regime_start) for s in run.scenarios}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        add_revenue(ds, law, basis, settings, spending)
        times.append(time.perf_counter() - start)
    step = min(times)
    # baseline: PIT and contributions from one revenue() call on the sector-resolved stack
    economy = ~((ds["phase"] == "operation") & (ds["effect"] == "direct"))
    comp = ds["compensation"].where(economy, 0.0)
    jobs = ds["employment"].where(economy, 0.0)
    pay = (comp / jobs.where(jobs > 0)).fillna(0.0) * basis.unit * basis.price_level
    order = ("centre", "variant", "phase", "year", "sector", "effect")
    comp, pay = comp.transpose(*order).values, pay.transpose(*order).values
    year = np.broadcast_to(np.asarray(years)[:, None, None], comp.shape)
    start = time.perf_counter()
    revenue(law, year, wages=comp / 1.3, average_wage=pay / 1.3)
    stacked = time.perf_counter() - start
    print(f"full run (8 centres, Type II, with revenue): {whole:.2f} s")
    print(
        f"budget step (add_revenue), best of {repeat}: {step:.3f} s ({step / whole:.0%} of the run)"
    )
    print(f"baseline, wage lines alone on the sector-resolved stack: {stacked:.3f} s")
    print(f"ratio: {stacked / step:.1f}x")


if __name__ == "__main__":
    main()
