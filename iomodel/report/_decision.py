"""The decision pages: the first page of a centre report ("how much, for whom, how sure") and the
first two pages of the comparison (the centres ranked by several criteria side by side, where the
order changes between criteria and variants, and a chart to read in ten seconds).

Every figure is a key figure of the run (:func:`iomodel.summary.key_figures`) of the report's
variant, with the range over the scenario's variants beside it.  The uncertainty bands of issue 15
have a slot: a row's ``band`` (None until a run carries them) and the context's ``bands``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..scenario import Scenario
from . import _charts as charts
from ._context import Inputs, _centre_name, _money, price_words
from ._locale import Locale

__all__ = ["CRITERIA", "centre_decision", "comparison_decision", "rank_table"]

#: Criteria the comparison ranks the centres by, larger is better: the key figure, its label key,
#: decimals, and whether it is a share.  The first is the headline criterion.
CRITERIA: tuple[tuple[str, str, int, bool], ...] = (
    ("value_added_per_discounted_capex", "choice.va_per_rub", 2, False),
    ("job_years_per_bn_capex", "choice.jobs_per_bn", 0, False),
    ("revenue_per_capex", "choice.revenue_per_rub", 2, False),
    ("discounted_value_added_region_share", "choice.region_share", 0, True),
    ("discounted_value_added", "choice.va_total", 1, False),
)
#: Confidence of a scenario's inputs, best first.
CONFIDENCE = ("high", "medium", "low")


def _key_figures(inputs: Inputs, variant: str) -> pd.DataFrame:
    return inputs.by_variant[variant]


def _range(loc: Locale, values: list[float], fmt) -> str:
    finite = [v for v in values if np.isfinite(v)]
    if len(finite) < 2:
        return ""
    lo, hi = min(finite), max(finite)
    return f"{fmt(lo)}–{fmt(hi)}"


def _row(
    inputs: Inputs,
    loc: Locale,
    centre: str,
    key: str,
    label: str,
    unit: str,
    fmt,
    note: str = "",
) -> dict[str, Any]:
    """One indicator of the decision page: the report variant's value and the variants' range."""
    values = [float(inputs.by_variant[v].loc[centre, key]) for v in inputs.by_variant]
    value = float(_key_figures(inputs, inputs.variant).loc[centre, key])
    return {
        "label": label,
        "unit": unit,
        "value": fmt(value) if np.isfinite(value) else loc.num(None),
        "range": _range(loc, values, fmt),
        "note": note,
        "band": _band(inputs, centre, key, fmt),
    }


def _band(inputs: Inputs, centre: str, key: str, fmt) -> str | None:
    """The 5th–95th percentile of ``key`` from the run's uncertainty study (issue 15), for the
    central variant the study draws around; None when the run has none."""
    ds = inputs.ds
    if inputs.variant != "central" or "indicator_q" not in ds:
        return None
    q = ds["indicator_q"]
    if centre not in q.centre.values or key not in q.indicator.values:
        return None
    lo, hi = (float(x) for x in q.sel(centre=centre, indicator=key).values[[0, -1]])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    factor = inputs.money_factor(centre, key)  # the study is in the table year's prices
    lo, hi = lo * factor, hi * factor
    return f"{fmt(lo)}–{fmt(hi)}"


def _capex_note(loc: Locale, scenario: Scenario, variant: str, prices: str) -> str:
    """The scenario's own capex figure and its price basis, the bridge to the report's prices
    (``prices``: «в ценах 2021 г.», «в текущих ценах»)."""
    con = scenario.construction
    unit = {1e6: loc.t("unit.mn"), 1e9: loc.t("unit.bn_word")}.get(con.unit, "")
    cur = loc.t(f"currency.{con.currency}") if loc.has(f"currency.{con.currency}") else con.currency
    return loc.t(
        "decision.capex_bridge",
        value=loc.num(scenario.variants[variant].capex, 1),
        unit=f"{unit} {cur}".strip(),
        year=con.price_year,
        prices=prices,
    )


def centre_decision(inputs: Inputs, centre: str, loc: Locale) -> dict[str, Any]:
    """The first page of a centre report: how much (with the variants' range), for whom (Russia,
    the centre's region(s), each budget level), how sure, and what the figures leave out."""
    kf = _key_figures(inputs, inputs.variant).loc[centre]
    scenario = inputs.run.scenario(centre)
    cur = loc.t("unit.bn_rub") if inputs.run.table.meta.currency == "RUB" else ""
    year = inputs.appraisal.base_year
    words = price_words(loc, inputs)

    def money(digits: int = 1):
        return lambda x: _money(loc, x, inputs, digits)

    def num(digits: int = 0):
        return lambda x: loc.num(x, digits)

    def pct(x: float) -> str:
        return loc.pct(x)

    design = kf["design_year"]
    has_op = bool(np.isfinite(design))
    how_much = [
        _row(
            inputs,
            loc,
            centre,
            "capex",
            loc.t("decision.capex"),
            loc.t("decision.unit_prices", unit=cur, prices_short=words["short"]),
            money(),
            _capex_note(loc, scenario, inputs.variant, words["phrase"]),
        ),
        _row(
            inputs,
            loc,
            centre,
            "discounted_value_added",
            loc.t("decision.va_disc", year=year),
            cur,
            money(),
        ),
        _row(
            inputs,
            loc,
            centre,
            "value_added_per_discounted_capex",
            loc.t("decision.va_per_rub"),
            loc.t("unit.rub_per_rub"),
            num(2),
        ),
        _row(
            inputs,
            loc,
            centre,
            "construction_employment",
            loc.t("decision.cons_jobs"),
            loc.t("unit.job_years"),
            num(0),
        ),
    ]
    if has_op:
        how_much += [
            _row(
                inputs,
                loc,
                centre,
                "operation_value_added",
                loc.t("decision.op_va", year=int(design)),
                loc.t("unit.per_year", unit=cur),
                money(),
            ),
            _row(
                inputs,
                loc,
                centre,
                "operation_employment",
                loc.t("decision.op_jobs", year=int(design)),
                loc.t("unit.jobs"),
                num(0),
            ),
        ]
    has_revenue = bool(np.isfinite(kf["discounted_revenue"]))
    if has_revenue:
        how_much += [
            _row(
                inputs,
                loc,
                centre,
                "discounted_revenue",
                loc.t("decision.revenue_disc", year=year),
                cur,
                money(),
            ),
            _row(
                inputs,
                loc,
                centre,
                "revenue_per_capex",
                loc.t("decision.revenue_per_rub"),
                loc.t("unit.rub_per_rub"),
                num(2),
            ),
        ]
    # for whom: Russia, the centre's own region(s), the budget levels
    whom = []
    has_region = bool(np.isfinite(kf["discounted_value_added_in_region"]))
    regions = ", ".join(
        scenario.centre.regions_ru if loc.lang == "ru" else scenario.centre.regions_en
    )
    whom.append(
        {
            "label": loc.t("decision.russia"),
            "cells": [
                _money(loc, kf["discounted_value_added"], inputs),
                loc.num(kf["construction_employment"], 0),
                loc.num(kf["operation_employment"], 0) if has_op else loc.num(None),
                _money(loc, kf["discounted_revenue"], inputs) if has_revenue else loc.num(None),
            ],
        }
    )
    if has_region:
        whom.append(
            {
                "label": loc.t("decision.in_region", regions=regions),
                "cells": [
                    f"{_money(loc, kf['discounted_value_added_in_region'], inputs)} "
                    f"({pct(kf['discounted_value_added_region_share'])})",
                    f"{loc.num(kf['construction_employment_in_region'], 0)} "
                    f"({pct(kf['construction_employment_region_share'])})",
                    f"{loc.num(kf['operation_employment_in_region'], 0)} "
                    f"({pct(kf['operation_employment_region_share'])})"
                    if has_op
                    else loc.num(None),
                    _money(loc, kf["discounted_regional_budget_revenue"], inputs)
                    if np.isfinite(kf["discounted_regional_budget_revenue"])
                    else loc.num(None),
                ],
            }
        )
    budgets = []
    if has_revenue:
        for b in ("federal", "regional", "local", "social_funds"):
            budgets.append(
                {
                    "label": loc.t(f"budget_long.{b}"),
                    "value": _money(loc, kf[f"discounted_revenue_{b}"], inputs),
                    "share": pct(kf[f"discounted_revenue_{b}"] / kf["discounted_revenue"])
                    if kf["discounted_revenue"]
                    else loc.num(None),
                }
            )
    # how sure
    variants = list(inputs.by_variant)
    sure = [
        loc.t(
            "decision.confidence",
            level=loc.t(f"confidence.{scenario.centre.confidence}"),
        ),
        loc.t(
            "decision.variants",
            n=len(variants),
            names=", ".join(
                loc.t(f"variant.{v}") if loc.has(f"variant.{v}") else v for v in variants
            ),
        ),
    ]
    if has_region:
        sure.append(loc.t("decision.region_uncertain"))
    bands = any(r["band"] for r in how_much)
    if bands:
        draws = float(inputs.ds.attrs.get("uncertainty_draws", 0))
        sure.append(loc.t("decision.band_note", draws=loc.num(draws, 0)))
    return {
        "how_much": how_much,
        "whom": whom,
        "whom_has_region": has_region,
        "budgets": budgets,
        "sure": sure,
        "bands": bands,
        "not_included": [
            loc.t(f"decision.not_{k}", year=inputs.run.table.meta.year)
            for k in ("gross", "static", "finance", "prices")
        ],
        "money_year": inputs.money_year,
        "year": year,
    }


# ------------------------------------------------------------------------------ comparison
def rank_table(kf: pd.DataFrame, confidence: dict[str, str]) -> pd.DataFrame:
    """Rank of every centre (1 = best) under each of :data:`CRITERIA` and by the confidence of
    its inputs (ties share the better rank), index the centres of ``kf``."""
    out = pd.DataFrame(index=kf.index)
    for key, *_ in CRITERIA:
        out[key] = kf[key].rank(ascending=False, method="min", na_option="bottom").astype(int)
    level = pd.Series({c: CONFIDENCE.index(confidence[c]) for c in kf.index})
    out["confidence"] = level.rank(method="min").astype(int)
    return out


def comparison_decision(inputs: Inputs, loc: Locale) -> dict[str, Any]:
    """The comparison's decision pages: ranks by every criterion (central variant of the report)
    and by the headline criterion in each variant, the moves between them, the chart."""
    run = inputs.run
    names = {s.id: _centre_name(loc, s) for s in run.scenarios}
    confidence = {s.id: s.centre.confidence for s in run.scenarios}
    kf = _key_figures(inputs, inputs.variant)
    kf = kf[kf.index.isin(list(names))]
    main = CRITERIA[0][0]
    ranks = rank_table(kf, confidence)
    order = list(kf[main].sort_values(ascending=False).index)
    by_variant = {
        v: frame.loc[order, main].rank(ascending=False, method="min").astype(int)
        for v, frame in inputs.by_variant.items()
    }

    def fmt(key: str, digits: int, share: bool, value: float) -> str:
        if key == "discounted_value_added":
            return _money(loc, value, inputs, digits)
        return loc.pct(value) if share else loc.num(value, digits)

    rows = []
    for c in order:
        cells = []
        for key, _, digits, share in CRITERIA:
            rank = int(ranks.loc[c, key])
            cells.append(
                {
                    "rank": rank,
                    "value": fmt(key, digits, share, float(kf.loc[c, key])),
                    "moved": abs(rank - int(ranks.loc[c, main])) >= 2,
                }
            )
        cells.append(
            {
                "rank": int(ranks.loc[c, "confidence"]),
                "value": loc.t(f"confidence.{confidence[c]}"),
                "moved": False,
            }
        )
        variant_ranks = [
            {
                "rank": int(by_variant[v][c]),
                "moved": int(by_variant[v][c]) != int(ranks.loc[c, main]),
            }
            for v in inputs.by_variant
        ]
        rows.append({"name": names[c], "cells": cells, "variants": variant_ranks})

    # where the order changes
    moves = []
    for key, label, *_ in CRITERIA[1:]:
        shifted = [
            f"{names[c]} ({int(ranks.loc[c, main])} → {int(ranks.loc[c, key])})"
            for c in order
            if abs(int(ranks.loc[c, key]) - int(ranks.loc[c, main])) >= 2
        ]
        leader = names[ranks[key].idxmin()]
        moves.append(
            loc.t(
                "choice.move",
                criterion=loc.t(label),
                leader=leader,
                moved="; ".join(shifted) if shifted else loc.t("choice.no_move"),
            )
        )
    variant_moves = sorted(
        {
            names[c]
            for v in inputs.by_variant
            for c in order
            if int(by_variant[v][c]) != int(ranks.loc[c, main])
        }
    )
    # ten-second chart: lifetime value added per rouble, with the variants' range
    values = [float(kf.loc[c, main]) for c in order]
    lows = [min(float(f.loc[c, main]) for f in inputs.by_variant.values()) for c in order]
    highs = [max(float(f.loc[c, main]) for f in inputs.by_variant.values()) for c in order]
    chart = charts.ranged_barh(
        [f"{names[c]} · {loc.t(f'confidence_short.{confidence[c]}')}" for c in order],
        values,
        lows,
        highs,
        loc.num,
        unit=loc.t("unit.rub_per_rub"),
        range_label=loc.t("choice.chart_range"),
    )
    return {
        "columns": [loc.t(label) for _, label, *_ in CRITERIA] + [loc.t("choice.confidence")],
        "variants": [
            loc.t(f"variant.{v}") if loc.has(f"variant.{v}") else v for v in inputs.by_variant
        ],
        "rows": rows,
        "moves": moves,
        "variant_moves": ", ".join(variant_moves),
        "leader": names[order[0]],
        "leader_value": loc.num(float(kf.loc[order[0], main]), 2),
        "chart": chart,
        "bands": _robustness(inputs, loc, order, names, main),
    }


def _robustness(
    inputs: Inputs, loc: Locale, order: list[str], names: dict[str, str], main: str
) -> str:
    """How often the leader by the headline criterion stays ahead of the runner-up in the
    run's uncertainty draws (issue 15, ``outrank_probability``); empty without a study."""
    ds = inputs.ds
    if (
        inputs.variant != "central"
        or "outrank_probability" not in ds
        or len(order) < 2
        or main not in ds["outrank_probability"].criterion.values
    ):
        return ""
    p = ds["outrank_probability"].sel(criterion=main)
    if not {order[0], order[1]} <= set(map(str, p.centre.values)):
        return ""
    share = float(p.sel(centre=order[0], rival=order[1]))
    return loc.t(
        "choice.bands",
        leader=names[order[0]],
        second=names[order[1]],
        share=loc.pct(share, 0),
        draws=loc.num(float(ds.attrs.get("uncertainty_draws", 0)), 0),
    )
