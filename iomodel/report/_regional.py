"""The reports' regional sections: «Эффекты в регионе» of a centre and «Что остаётся в регионах»
of the comparison, from the regional variables of the run's Dataset.

Every number comes from :func:`iomodel.summary.regional_view` and
:func:`iomodel.summary.regional_shares` (or the key figures built on the same cells); None when
the run has no regional step.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..summary import REGIONAL_REVENUE, REGIONAL_SHOWN, regional_shares, regional_view
from ._context import Inputs, _centre_name, _design_year, _money
from ._locale import Locale

__all__ = ["centre_regional", "comparison_regional"]

#: Rows of the centre table, in order (imports are all abroad: a note says how much).
_ROWS = tuple(v for v in REGIONAL_SHOWN)


def _method(ds: xr.Dataset) -> tuple[str, float]:
    """The method's name and δ as shown (δ '–' for SLQ and CILQ)."""
    method = str(ds.attrs.get("regional_method", "flq"))
    delta = float(ds.attrs.get("regional_delta", float("nan")))
    return method.upper(), delta if np.isfinite(delta) else float("nan")


def _range(loc: Locale, ds: xr.Dataset) -> str:
    deltas = json.loads(ds.attrs.get("regional_delta_sensitivity", "[]"))
    if not deltas:
        return "–"
    return f"{loc.num(min(deltas), 1)}–{loc.num(max(deltas), 1)}"


def _label(loc: Locale, var: str) -> str:
    return loc.t("region.revenue") if var == REGIONAL_REVENUE else loc.t(f"var.{var}")


def _short_label(loc: Locale, var: str) -> str:
    return loc.t("region.revenue_short") if var == REGIONAL_REVENUE else loc.t(f"var_short.{var}")


def _value(loc: Locale, inputs: Inputs, var: str, value: float) -> str:
    return loc.num(value, 0) if var == "employment" else _money(loc, value, inputs, 2)


def _shares_text(loc: Locale, names: dict[str, str], shares: dict[str, float]) -> str:
    return ", ".join(f"{names[r]} {loc.pct(s)}" for r, s in shares.items())


def _products(loc: Locale, ds: xr.Dataset, codes: list[str]) -> str:
    if not codes:
        return loc.t("region.none")
    labels = dict(zip(ds.sector.values, ds[f"sector_label_{loc.lang}"].values))
    return "; ".join(f"{labels.get(c, c).lower()} ({c})" for c in codes)


def _pct_range(loc: Locale, share: float, lo: float, hi: float) -> str:
    """'28 % (25–40)': the share at the chosen δ and its range over the sensitivity δ."""
    return f"{loc.pct(share)} ({loc.num(100 * lo, 0)}–{loc.num(100 * hi, 0)})"


def centre_regional(inputs: Inputs, centre: str, loc: Locale) -> dict[str, Any] | None:
    """The centre report's «Эффекты в регионе» (None without the regional step)."""
    ds, v = inputs.ds, inputs.variant
    if "value_added_by_region" not in ds:
        return None
    design = _design_year(ds, centre, v)
    view = regional_view(ds.sel(centre=[centre]), v)
    total = view[view.effect == "total"].set_index(["phase", "variable"])
    geo = json.loads(ds.attrs["regional_centres"])[centre]
    names = dict(zip(ds.region.values, ds[f"region_name_{loc.lang}"].values))
    method, delta = _method(ds)
    phases = ["construction"] + (["operation"] if design is not None else [])

    shown = [v for v in (*_ROWS, REGIONAL_REVENUE) if v in set(view["variable"])]
    rows = []
    for var in shown:
        cells = []
        for phase in phases:
            r = total.loc[(phase, var)]
            cells += [
                _value(loc, inputs, var, r["national"]),
                _value(loc, inputs, var, r["in_region"]),
                loc.pct(r["share"]),
            ]
        rows.append({"label": _label(loc, var), "cells": cells})

    by_effect = view.set_index(["phase", "variable", "effect"])["share"]
    effect_rows = []
    for effect in [*map(str, ds.effect.values), "total"]:
        cells = [
            loc.pct(by_effect[(phase, var, effect)])
            for phase in phases
            for var in ("value_added", "employment")
        ]
        effect_rows.append(
            {"label": loc.t(f"effect.{effect}"), "cells": cells, "total": effect == "total"}
        )

    delta_rows = []
    sens = regional_shares(ds.sel(centre=[centre]), v)
    delta_vars = [x for x in ("value_added", "employment", REGIONAL_REVENUE) if x in shown]
    if len(sens):
        table = sens.set_index(["phase", "variable", "delta"])["share"]
        for d in sorted(set(sens["delta"])):
            delta_rows.append(
                {
                    "delta": loc.num(d, 2 if round(d, 1) != d else 1),
                    "selected": bool(np.isclose(d, delta)),
                    "cells": [
                        loc.pct(table[(phase, var, d)]) for phase in phases for var in delta_vars
                    ],
                }
            )

    region_rows = []
    if len(geo["regions"]) > 1:
        sel = ds.sel(centre=centre, variant=v)
        for region in geo["regions"]:
            cells = []
            for phase in phases:
                part = sel.sel(phase=phase, region=region).sum("effect")
                part = part.sum("year") if phase == "construction" else part.sel(year=design)
                cells += [
                    _money(loc, float(part["value_added_by_region"]), inputs, 2),
                    loc.num(float(part["employment_by_region"]), 0),
                ]
            region_rows.append({"label": names[region], "cells": cells})

    imports = view[(view.variable == "imports") & (view.effect == "total")].set_index("phase")
    home = ", ".join(names[r] for r in geo["regions"])
    return {
        "year": ds.attrs.get("regional_year", ""),
        "method": method,
        "delta": loc.num(delta, 2 if round(delta, 1) != delta else 1)
        if np.isfinite(delta)
        else "–",
        "range": _range(loc, ds),
        "regions": home,
        "phi_con": loc.pct(geo["nonresident_share"]["construction"]),
        "phi_op": loc.pct(geo["nonresident_share"]["operation"]),
        "onsite": _products(loc, ds, geo["onsite"]),
        "outside": _products(loc, ds, geo["made_outside"]),
        "split": (
            {
                key: _shares_text(loc, names, geo[key])
                for key in ("construction", "operation", "extraction")
            }
            if len(geo["regions"]) > 1
            else None
        ),
        "rows": rows,
        "abroad_cons": _money(loc, imports.loc["construction", "abroad"], inputs),
        "abroad_op": (
            _money(loc, imports.loc["operation", "abroad"], inputs) if design is not None else "–"
        ),
        "has_revenue": REGIONAL_REVENUE in shown,
        "effect_rows": effect_rows,
        "delta_rows": delta_rows,
        "delta_heads": [_short_label(loc, x) for x in delta_vars],
        "region_rows": region_rows,
        "summary": _summary(loc, total, sens, home, delta, design is not None)
        + (
            loc.t(
                "region.summary_revenue",
                regions=home,
                cons=loc.pct(total.loc[("construction", REGIONAL_REVENUE), "share"]),
                op=loc.pct(total.loc[("operation", REGIONAL_REVENUE), "share"])
                if design is not None
                else "–",
            )
            if REGIONAL_REVENUE in shown
            else ""
        ),
    }


def _summary(
    loc: Locale,
    total: pd.DataFrame,
    sens: pd.DataFrame,
    home: str,
    delta: float,
    has_operation: bool,
) -> str:
    """One sentence for the report's summary: what stays at the chosen δ and over the range."""
    cons_va = total.loc[("construction", "value_added"), "share"]
    op = (
        loc.t(
            "region.summary_op",
            op_va=loc.pct(total.loc[("operation", "value_added"), "share"]),
            op_jobs=loc.pct(total.loc[("operation", "employment"), "share"]),
        )
        if has_operation
        else ""
    )
    cons = sens[(sens.phase == "construction") & (sens.variable == "value_added")]
    lo, hi = (cons["delta"].min(), cons["delta"].max()) if len(cons) else (delta, delta)
    at = cons.set_index("delta")["share"] if len(cons) else pd.Series({delta: cons_va})
    return loc.t(
        "region.summary",
        regions=home,
        cons_va=loc.pct(cons_va),
        cons_jobs=loc.pct(total.loc[("construction", "employment"), "share"]),
        op=op,
        delta=loc.num(delta, 1) if np.isfinite(delta) else "–",
        lo=loc.num(lo, 1) if np.isfinite(lo) else "–",
        hi=loc.num(hi, 1) if np.isfinite(hi) else "–",
        cons_lo=loc.pct(float(at.get(hi, cons_va))),
        cons_hi=loc.pct(float(at.get(lo, cons_va))),
    )


def comparison_regional(inputs: Inputs, loc: Locale) -> dict[str, Any] | None:
    """The comparison's «Что остаётся в регионах»: centres ranked by the discounted value added
    that stays in their own regions (None without the regional step)."""
    ds, v = inputs.ds, inputs.variant
    if "value_added_by_region" not in ds:
        return None
    kf = inputs.type2 if inputs.type2 is not None else inputs.type1
    ranked = kf.sort_values("discounted_value_added_in_region", ascending=False)
    names = dict(zip(ds.region.values, ds[f"region_name_{loc.lang}"].values))
    geo = json.loads(ds.attrs["regional_centres"])
    sens = regional_shares(ds, v)
    bounds: dict[tuple[str, str], tuple[float, float]] = {}
    if len(sens):
        va = sens[sens.variable == "value_added"]
        for (centre, phase), part in va.groupby(["centre", "phase"]):
            bounds[(str(centre), str(phase))] = (part["share"].min(), part["share"].max())
    scenarios = {s.id: s for s in inputs.run.scenarios}
    revenue = "revenue_by_region" in ds

    def share(centre: str, phase: str, value: float) -> str:
        if (centre, phase) in bounds and np.isfinite(value):
            return _pct_range(loc, value, *bounds[(centre, phase)])
        return loc.pct(value)

    rows = []
    for k, (c, r) in enumerate(ranked.iterrows(), start=1):
        rows.append(
            {
                "rank": k,
                "name": _centre_name(loc, scenarios[str(c)]),
                "regions": ", ".join(names[x] for x in geo[str(c)]["regions"]),
                "cells": [
                    share(str(c), "construction", r["construction_value_added_region_share"]),
                    loc.num(r["value_added_in_region_per_capex"], 2),
                    loc.num(r["jobs_in_region_per_bn_capex"], 0),
                    share(str(c), "operation", r["operation_value_added_region_share"]),
                    loc.pct(r["operation_employment_region_share"]),
                    _money(loc, r["discounted_value_added_in_region"], inputs),
                    loc.pct(r["discounted_value_added_region_share"]),
                    *(
                        [
                            loc.num(r["regional_budget_revenue_per_capex"], 2),
                            loc.pct(r["regional_budget_revenue_share"]),
                        ]
                        if revenue
                        else []
                    ),
                ],
            }
        )
    method, delta = _method(ds)
    year = inputs.appraisal.base_year
    return {
        "method": method,
        "delta": loc.num(delta, 1) if np.isfinite(delta) else "–",
        "range": _range(loc, ds),
        "columns": [
            loc.t("region.col_cons_va_share"),
            loc.t("region.col_va_per_rub"),
            loc.t("region.col_jobs_per_bn"),
            loc.t("region.col_op_va_share"),
            loc.t("region.col_op_jobs_share"),
            loc.t("region.col_disc_va", year=year),
            loc.t("region.col_disc_share"),
            *(
                [loc.t("region.col_revenue_per_rub"), loc.t("region.col_revenue_share")]
                if revenue
                else []
            ),
        ],
        "rows": rows,
    }
