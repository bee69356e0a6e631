"""The uncertainty study in the reports (issue 15): ranges on the headline figures, a tornado
chart per centre, and in the comparison how often each centre outranks each other.

Every figure comes from the run's Dataset (``indicator_q``, ``tornado``, ``sobol_total``,
``outrank_probability``, written by :mod:`iomodel.uncertainty`); without them (a run with no
draws) the sections are left out.

The study is computed in the table year's prices.  With money in current prices
(``--prices nominal``) each figure is moved with the central run's ratio of the same indicator
(:meth:`Inputs.money_factor`), which is exact for the figures shown: no drawn parameter moves
flows between years within a phase (construction follows the capex profile, a design-year figure
is one year), and a discounted total at the matching nominal rate is the real one times the
price level of the discount base year.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from . import _charts as charts
from ._context import Inputs, _currency, _money
from ._locale import Locale

__all__ = ["centre_uncertainty", "comparison_uncertainty"]

#: Headline figures shown with their ranges: (indicator, money or a count).
BANDS = (
    ("capex", "money"),
    ("construction_value_added", "money"),
    ("construction_employment", "count"),
    ("operation_value_added", "money"),
    ("operation_employment", "count"),
    ("discounted_value_added", "money"),
    ("discounted_taxes", "money"),
    ("discounted_revenue", "money"),
    ("value_added_per_capex", "ratio"),
    ("jobs_per_bn_capex", "count"),
)
#: Ranking criteria the comparison shows outranking probabilities for.
CRITERIA = ("value_added_per_discounted_capex", "job_years_per_bn_capex", "discounted_value_added")


def _value(loc: Locale, inputs: Inputs, kind: str, value: float, factor: float = 1.0) -> str:
    """``value`` of the study (in the table year's prices), times ``factor`` (to the report's
    prices, :meth:`Inputs.money_factor`), formatted as ``kind``."""
    value *= factor
    if not np.isfinite(value):
        return "–"
    if kind == "money":
        return _money(loc, value, inputs)
    return loc.num(value, 2 if kind == "ratio" else 0)


def _study(inputs: Inputs) -> dict[str, Any]:
    ds = inputs.ds
    return {
        "draws": int(ds.attrs.get("uncertainty_draws", 0)),
        "seed": int(ds.attrs.get("uncertainty_seed", 0)),
        "cv": float(ds.attrs.get("uncertainty_coefficient_cv", 0.0)),
    }


def centre_uncertainty(inputs: Inputs, centre: str, loc: Locale) -> dict[str, Any] | None:
    """Rows of (indicator, central, P5, median, P95), the tornado chart of discounted value
    added and the three parameters with the largest total Sobol index, or None."""
    ds = inputs.ds
    if (
        inputs.variant != "central"
        or "indicator_q" not in ds
        or centre not in ds["indicator_q"].centre.values
    ):
        return None
    q = ds["indicator_q"].sel(centre=centre)
    central = (inputs.type2 if inputs.type2 is not None else inputs.type1).loc[centre]
    rows = []
    for name, kind in BANDS:
        values = q.sel(indicator=name).values
        factor = inputs.money_factor(centre, name)
        rows.append(
            {
                "label": loc.t(f"unc.ind.{name}"),
                "central": _value(loc, inputs, kind, float(central[name])),
                "p05": _value(loc, inputs, kind, float(values[0]), factor),
                "p50": _value(loc, inputs, kind, float(values[1]), factor),
                "p95": _value(loc, inputs, kind, float(values[2]), factor),
            }
        )
    out: dict[str, Any] = {"rows": rows, **_study(inputs)}
    if "tornado" in ds:
        headline = "discounted_value_added"
        tor = ds["tornado"].sel(centre=centre, headline=headline)
        keep = [p for p in tor.parameter.values if np.isfinite(tor.sel(parameter=p)).all()]
        scale = inputs.scale * inputs.money_factor(centre, headline)
        low = [float(tor.sel(parameter=p, bound="low")) * scale for p in keep]
        high = [float(tor.sel(parameter=p, bound="high")) * scale for p in keep]
        out["tornado"] = charts.tornado(
            [loc.t(f"unc.param.{p}") for p in keep],
            low,
            high,
            float(central[headline]) * inputs.scale,
            loc.num,
            unit=_currency(loc, inputs),
            central_label=loc.t("unc.central"),
        )
        sobol = ds["sobol_total"].sel(centre=centre, headline=headline).to_series().dropna()
        top = sobol.sort_values(ascending=False).head(3)
        out["top"] = [
            {"name": loc.t(f"unc.param.{p}"), "index": loc.num(float(v), 2)} for p, v in top.items()
        ]
    distributions = json.loads(ds.attrs.get("uncertainty_distributions", "{}"))
    out["parameters"] = [
        {
            "name": loc.t(f"unc.param.{d['parameter']}"),
            "distribution": d["distribution"],
            "declared": loc.t("unc.declared" if d["declared"] else "unc.default"),
        }
        for d in distributions.get(centre, []) + distributions.get("model", [])
    ]
    return out


def comparison_uncertainty(
    inputs: Inputs, loc: Locale, order: list[str], names: dict[str, str]
) -> dict[str, Any] | None:
    """Ranges of discounted value added per centre and, per criterion, the probability that
    each centre outranks each other (the pairs between 0.2 and 0.8 counted as not robust)."""
    ds = inputs.ds
    if inputs.variant != "central" or "outrank_probability" not in ds:
        return None
    order = [c for c in order if c in ds["outrank_probability"].centre.values]
    q = ds["indicator_q"]
    bands = [
        {
            "name": names[c],
            "cells": [
                _value(loc, inputs, kind, float(v), inputs.money_factor(c, name))
                for name, kind in (
                    ("discounted_value_added", "money"),
                    ("value_added_per_capex", "ratio"),
                )
                for v in q.sel(centre=c, indicator=name).values[[0, 1, 2]]
            ],
        }
        for c in order
    ]
    criteria = []
    for criterion in CRITERIA:
        p = ds["outrank_probability"].sel(criterion=criterion)
        matrix = []
        unsure = []
        for c in order:
            cells = []
            for r in order:
                value = float(p.sel(centre=c, rival=r))
                cells.append("" if c == r else loc.num(value, 2))
                if c != r and 0.2 <= value <= 0.8 and order.index(c) < order.index(r):
                    unsure.append(f"{names[c]} — {names[r]} ({loc.num(value, 2)})")
            matrix.append({"name": names[c], "cells": cells})
        criteria.append(
            {
                "title": loc.t(f"unc.ind.{criterion}"),
                "matrix": matrix,
                "unsure": unsure,
            }
        )
    return {
        "bands": bands,
        "criteria": criteria,
        "heads": [names[c] for c in order],
        **_study(inputs),
    }
