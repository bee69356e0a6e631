"""The reports' page «Проверка тезисов программы» / "Testing the programme's thesis" (issue 12).

Pure functions of the run's thesis table and localisation gain (:mod:`iomodel.thesis`, computed
once per run by :func:`thesis_frames`), the scenarios and a :class:`~._locale.Locale`: every
figure on the page comes from the run's Dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..scenario import Scenario
from ..summary import Appraisal
from ..thesis import ADJACENT, has_cases, localisation_gain, thesis_table
from ._locale import Locale

__all__ = ["ThesisFrames", "centre_thesis", "comparison_thesis", "thesis_frames"]


@dataclass(frozen=True)
class ThesisFrames:
    """The thesis table and the localisation gain of one run (None: the run has no cases)."""

    table: pd.DataFrame | None
    gain: pd.DataFrame | None
    appraisal: Appraisal | None = None


def thesis_frames(ds: xr.Dataset, appraisal: Appraisal) -> ThesisFrames:
    """Compute the thesis table and the localisation gain once for all of a run's reports."""
    if not has_cases(ds):
        return ThesisFrames(None, None, appraisal)
    return ThesisFrames(thesis_table(ds, appraisal), localisation_gain(ds), appraisal)


def _discount(loc: Locale, frames: ThesisFrames) -> dict[str, str]:
    a = frames.appraisal
    return {
        "rate": loc.pct(a.discount_rate, 1) if a else loc.num(None),
        "base": str(a.base_year) if a else loc.num(None),
    }


def _num(loc: Locale, value: Any, digits: int) -> str:
    return loc.num(float(value) if value is not None else None, digits)


def _case_rows(
    loc: Locale, rows: pd.DataFrame, scale: float, with_marginal: bool = True
) -> list[dict[str, Any]]:
    """One table row per case: capex, the three per-rouble effects, revenue, a stage's own."""
    out = []
    for _, r in rows.iterrows():
        label = loc.pick(str(r["case_label_ru"]), str(r["case_label_en"]))
        cells = [
            _num(loc, r["capex"] * scale, 1),
            _num(loc, r["value_added_per_rouble"], 2),
            _num(loc, r["job_years_per_bn_rub"], 0),
            _num(loc, r["adjacent_output_per_rouble"], 2),
            _num(loc, r["revenue_per_rouble"], 2),
        ]
        if with_marginal:
            cells.append(_num(loc, r["marginal_value_added_per_rouble"], 2))
        out.append({"case": str(r["case"]), "label": label, "cells": cells})
    return out


def _product_names(loc: Locale, scenario: Scenario) -> dict[str, str]:
    """Product id → its name, for the base case and every stage."""
    acts = ([scenario.operation] if scenario.operation else []) + [
        s.operation for s in scenario.stages
    ]
    return {p.id: loc.pick(p.name_ru, p.name_en) for act in acts for p in act.products}


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _stages(loc: Locale, scenario: Scenario, rows: pd.DataFrame, scale: float) -> list[dict]:
    """Each processing stage: what it is, where, whether planned, what it adds."""
    names = _product_names(loc, scenario)
    out = []
    for j, stage in enumerate(scenario.stages, start=1):
        case = f"stage_{j}"
        if case not in rows.index:
            continue
        r = rows.loc[case]
        products = "; ".join(
            f"{loc.pick(p.name_ru, p.name_en)} ({p.product})" for p in stage.operation.products
        )
        feeds = "; ".join(names.get(f.product, f.product) for f in stage.feeds)
        marginal = r["marginal_value_added_per_rouble"]
        out.append(
            {
                "name": _first_upper(loc.pick(stage.name_ru, stage.name_en)),
                "site": loc.pick(stage.site_ru, stage.site_en),
                "status": loc.t("thesis.planned" if stage.planned else "thesis.estimated"),
                "products": products,
                "feeds": feeds,
                "sources": ", ".join(stage.sources),
                "capex": _num(loc, r["delta_capex"] * scale, 1),
                "va": _num(loc, r["delta_value_added_discounted"] * scale, 1),
                "jobs": _num(loc, r["delta_job_years"], 0),
                "per_rouble": _num(loc, marginal, 2),
                "no_capex": not np.isfinite(float(marginal)),
            }
        )
    return out


def _gain_rows(loc: Locale, gain: pd.DataFrame, scale: float) -> list[dict[str, Any]]:
    """Output and jobs gained by each adjacent industry, construction and operation."""
    out = []
    labels = {
        "machine_building": "thesis.group_machine_building",
        "electrical_equipment": "thesis.group_electrical",
        "chemicals": "thesis.group_chemicals",
        "services": "thesis.group_services",
        "total": "thesis.group_total",
    }
    for group in (*ADJACENT, "total"):
        part = gain[gain["group"] == group].set_index("phase")
        if part.empty:
            continue
        cells = []
        for phase in ("construction", "operation"):
            if phase in part.index:
                cells += [
                    _num(loc, part.loc[phase, "output_gain"] * scale, 1),
                    _num(loc, part.loc[phase, "employment_gain"], 0),
                ]
            else:
                cells += [loc.num(None), loc.num(None)]
        out.append({"label": loc.t(labels[group]), "cells": cells, "total": group == "total"})
    return out


def _cluster(loc: Locale, scenario: Scenario, rows: pd.DataFrame, scale: float) -> dict | None:
    cluster = scenario.cluster
    if cluster is None or "standalone" not in rows.index:
        return None
    base, alone = rows.loc["base"], rows.loc["standalone"]
    deposit = {d.id: loc.pick(d.name_ru, d.name_en) for d in cluster.deposits}
    return {
        "shared": [
            {
                "name": loc.pick(i.name_ru, i.name_en),
                "share": loc.pct(i.capex_share, 1),
                "exponent": loc.num(i.exponent, 1),
                "users": ", ".join(deposit.get(u, u) for u in i.users),
            }
            for i in cluster.shared
        ],
        "deposits": [
            {
                "name": loc.pick(d.name_ru, d.name_en),
                "share": loc.pct(d.capex_share, 1),
                "standalone": loc.t("thesis.yes" if d.standalone else "thesis.no"),
                "reason": "" if d.standalone else loc.pick(d.reason_ru, d.reason_en),
            }
            for d in cluster.deposits
        ],
        "estimate": loc.pick(cluster.estimate_ru or cluster.estimate, cluster.estimate),
        "capex_cluster": _num(loc, base["capex"] * scale, 1),
        "capex_alone": _num(loc, alone["capex"] * scale, 1),
        "va_change": _num(loc, alone["delta_value_added_discounted"] * scale, 1),
        "jobs_change": _num(loc, alone["delta_job_years"], 0),
        "per_rouble_cluster": _num(loc, base["value_added_per_rouble"], 2),
        "per_rouble_alone": _num(loc, alone["value_added_per_rouble"], 2),
        "dropped": ", ".join(
            loc.pick(d.name_ru, d.name_en) for d in cluster.deposits if not d.standalone
        ),
    }


def centre_thesis(
    frames: ThesisFrames | None, scenario: Scenario, loc: Locale, scale: float
) -> dict[str, Any] | None:
    """The thesis page of one centre's report (None when the run has no cases for it).

    ``scale`` converts table units to billions of currency.
    """
    if frames is None or frames.table is None or frames.gain is None:
        return None
    rows = frames.table[frames.table["centre"] == scenario.id]
    if rows.empty:
        return None
    indexed = rows.set_index("case")
    base = indexed.loc["base"]
    stages = _stages(loc, scenario, indexed, scale)
    low, high = indexed.loc["localisation_low"], indexed.loc["localisation_high"]
    gain = frames.gain[frames.gain["centre"] == scenario.id]
    cluster = _cluster(loc, scenario, indexed, scale)
    costly = [s for s in stages if not s["no_capex"]]
    return {
        "rows": _case_rows(loc, rows, scale),
        "base_per_rouble": _num(loc, base["value_added_per_rouble"], 2),
        "stages": stages,
        "stages_below": sum(
            1
            for j, s in enumerate(stages, start=1)
            if not s["no_capex"]
            and float(indexed.loc[f"stage_{j}", "marginal_value_added_per_rouble"])
            < float(base["value_added_per_rouble"])
        ),
        "n_costly": len(costly),
        "low_per_rouble": _num(loc, low["value_added_per_rouble"], 2),
        "high_per_rouble": _num(loc, high["value_added_per_rouble"], 2),
        "loc_change": _num(loc, high["delta_value_added_per_rouble"], 2),
        "loc_jobs_change": _num(loc, high["delta_job_years_per_bn_rub"], 0),
        "gain_rows": _gain_rows(loc, gain, scale),
        "cluster": cluster,
        "kind_object": scenario.centre.kind == "object",
        "revenue_missing": bool(rows["revenue_per_rouble"].isna().all()),
        **_discount(loc, frames),
    }


def comparison_thesis(
    frames: ThesisFrames | None, scenarios: tuple[Scenario, ...], loc: Locale, scale: float
) -> dict[str, Any] | None:
    """The thesis page of the comparison: each centre in one row, then all centres together."""
    if frames is None or frames.table is None or frames.gain is None:
        return None
    table, names = (
        frames.table,
        {s.id: loc.pick(s.centre.name_ru, s.centre.name_en) for s in scenarios},
    )
    rows = []
    for centre in [c for c in dict.fromkeys(table["centre"]) if c != "all"]:
        part = table[table["centre"] == centre].set_index("case")
        stages = [c for c in part.index if c.startswith("stage_")]
        marginal = [part.loc[c, "marginal_value_added_per_rouble"] for c in stages]
        costly = [m for m in marginal if np.isfinite(m)]
        alone = part.loc["standalone"] if "standalone" in part.index else None
        rows.append(
            {
                "name": names.get(centre, centre),
                "cells": [
                    _num(loc, part.loc["base", "value_added_per_rouble"], 2),
                    "; ".join(_num(loc, m, 2) for m in costly) or loc.num(None),
                    _num(loc, part.loc["localisation_high", "delta_value_added_per_rouble"], 2),
                    _num(loc, alone["capex"] * scale, 1) if alone is not None else loc.num(None),
                    _num(loc, part.loc["base", "capex"] * scale, 1),
                    _num(loc, alone["delta_value_added_discounted"] * scale, 1)
                    if alone is not None
                    else loc.num(None),
                ],
            }
        )
    everyone = table[table["centre"] == "all"]
    gain = frames.gain.groupby(["phase", "group"])[["output_gain", "employment_gain"]].sum()
    gain = gain.reset_index()
    return {
        "rows": rows,
        "all_rows": _case_rows(loc, everyone, scale),
        "gain_rows": _gain_rows(loc, gain, scale),
        "revenue_missing": bool(table["revenue_per_rouble"].isna().all()),
        **_discount(loc, frames),
    }
