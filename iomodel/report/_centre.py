"""The centre report's context: one centre, every section of its report.

:func:`centre_context` builds a :class:`_View` of the centre (its scenario, its slice of the
Dataset, the design year) and asks one function per section of the report for its strings, rows
and charts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import xarray as xr

from ..fiscal import BUDGETS, TAXES
from ..pipeline import Run
from ..scenario import PURPOSES, MineralExtractionTax, PropertyTax, Scenario, TaxLine
from ..shock import ProductMap
from ..summary import by_group, new_activity
from . import _charts as charts
from ._context import (
    MONEY_VARS,
    TOP_PRODUCTS,
    VARIABLES,
    Inputs,
    _centre_name,
    _common,
    _currency,
    _design_year,
    _fmt,
    _money,
    _qty_unit,
    _safe_link,
    _sources_cited,
    _variant_label,
)
from ._decision import centre_decision
from ._locale import Locale
from ._regional import centre_regional
from ._thesis import centre_thesis
from ._uncertainty import centre_uncertainty

__all__ = ["centre_context"]


@dataclass(frozen=True)
class _View:
    """One centre of a run, as every section of its report sees it."""

    inputs: Inputs
    loc: Locale
    centre: str
    scenario: Scenario
    sel: xr.Dataset  # the Dataset at this centre and the report's variant
    cur: str  # money unit label
    design_year: int | None  # the operation year the report shows (None: no operation)
    cons_tot: xr.Dataset  # construction, summed over years and sectors
    op_tot: xr.Dataset | None  # the design year, summed over sectors
    by_year: xr.Dataset  # by phase and year (active years only), summed over sectors, effects
    years: list[int]

    @property
    def ds(self) -> xr.Dataset:
        return self.inputs.ds

    @property
    def run(self) -> Run:
        return self.inputs.run

    @property
    def variant(self) -> str:
        return self.inputs.variant


def _view(inputs: Inputs, centre: str, loc: Locale) -> _View:
    ds, v = inputs.ds, inputs.variant
    sel = ds.sel(centre=centre, variant=v)
    design_year = _design_year(ds, centre, v)
    cons_tot = sel[list(VARIABLES)].sel(phase="construction").sum(["year", "sector"])
    op_tot = (
        sel[list(VARIABLES)].sel(phase="operation", year=design_year).sum("sector")
        if design_year is not None
        else None
    )
    by_year = sel[list(VARIABLES)].sum(["sector", "effect"])
    years = [
        int(y) for y in by_year.year.values if float(abs(by_year["output"].sel(year=y)).sum()) > 0
    ]
    by_year = by_year.sel(year=years)
    return _View(
        inputs,
        loc,
        centre,
        inputs.run.scenario(centre),
        sel,
        _currency(loc, inputs),
        design_year,
        cons_tot,
        op_tot,
        by_year,
        years,
    )


def _effects_chart(w: _View) -> str:
    """Money variables × effects, construction and the design year."""
    inputs, loc, design_year = w.inputs, w.loc, w.design_year

    panels = [_effect_panel(loc, inputs, w.cons_tot, loc.t("chart.construction_cumulative"))]
    if w.op_tot is not None:
        panels.append(
            _effect_panel(loc, inputs, w.op_tot, loc.t("chart.operation_year", year=design_year))
        )
    return charts.stacked_barh(panels, loc.num)


def _timeline(w: _View) -> tuple[str, list[dict[str, Any]], list[str]]:
    """Value added and jobs by year and phase: the chart, the table's rows and its total."""
    by_year, years = w.by_year, w.years
    inputs, loc, sel, cur = w.inputs, w.loc, w.sel, w.cur

    def phase_series(var: str, k: float) -> list:
        return [
            charts.Series(
                loc.t(f"phase.{p}"),
                [float(x) * k for x in by_year[var].sel(phase=p).values],
            )
            for p in ("construction", "operation")
        ]

    chart_timeline = charts.stacked_columns(
        years,
        [
            charts.Panel(
                loc.t("chart.value_added_by_year"),
                [],
                phase_series("value_added", inputs.scale),
                unit=cur,
            ),
            charts.Panel(
                loc.t("chart.employment_by_year"),
                [],
                phase_series("employment", 1.0),
                unit=loc.t("unit.persons"),
            ),
        ],
        loc.num,
        height_in=3.4,
    )

    year_rows = []
    capex_by_year = sel["capex"].sel(phase="construction")
    dash = lambda text, value: text if value != 0 else "–"  # noqa: E731
    for y in years:
        capex_y = float(capex_by_year.sel(year=y))
        cells = [dash(_money(loc, capex_y, inputs), capex_y)]
        for p in ("construction", "operation"):
            part = by_year.sel(phase=p, year=y)
            cells += [
                dash(_money(loc, float(part["output"]), inputs), float(part["output"])),
                dash(_money(loc, float(part["value_added"]), inputs), float(part["value_added"])),
                dash(loc.num(float(part["employment"]), 0), float(part["employment"])),
            ]
        year_rows.append({"year": y, "cells": cells})
    cons_all = by_year.sel(phase="construction").sum("year")
    year_total = [
        _money(loc, float(capex_by_year.sum()), inputs),
        _money(loc, float(cons_all["output"]), inputs),
        _money(loc, float(cons_all["value_added"]), inputs),
        loc.num(float(cons_all["employment"]), 0),
        "",
        "",
        "",
    ]
    return chart_timeline, year_rows, year_total


def _groups(w: _View) -> tuple[str, list[dict[str, Any]]]:
    """Output by sector group (adjacent industries in bold): the chart and the table's rows."""
    inputs, loc, centre, ds = w.inputs, w.loc, w.centre, w.ds
    v, cur, design_year = w.variant, w.cur, w.design_year

    grouped = by_group(ds.sel(centre=[centre], variant=[v]), inputs.groups).sel(
        centre=centre, variant=v
    )
    g_cons = grouped.sel(phase="construction").sum("year")
    g_op = grouped.sel(phase="operation", year=design_year) if design_year is not None else None
    glabels = [str(x) for x in grouped[f"group_label_{loc.lang}"].values]
    adjacent = [bool(a) for a in grouped["adjacent"].values]
    group_panels = [
        charts.Panel(
            loc.t("chart.construction_cumulative"),
            glabels,
            [
                charts.Series(
                    loc.t(f"effect.{e}"),
                    [float(x) * inputs.scale for x in g_cons["output"].sel(effect=e).values],
                )
                for e in g_cons.effect.values
            ],
            unit=cur,
            strong=frozenset(k for k, a in enumerate(adjacent) if a),
        )
    ]
    if g_op is not None:
        group_panels.append(
            charts.Panel(
                loc.t("chart.operation_year", year=design_year),
                glabels,
                [
                    charts.Series(
                        loc.t(f"effect.{e}"),
                        [float(x) * inputs.scale for x in g_op["output"].sel(effect=e).values],
                    )
                    for e in g_op.effect.values
                ],
                unit=cur,
                strong=frozenset(k for k, a in enumerate(adjacent) if a),
            )
        )
    chart_groups = charts.stacked_barh(group_panels, loc.num)

    group_rows = []
    gc, go = g_cons.sum("effect"), (g_op.sum("effect") if g_op is not None else None)
    total_cons_output = float(gc["output"].sum())
    for k, label in enumerate(glabels):
        cells = [
            _money(loc, float(gc["output"][k]), inputs),
            loc.pct(float(gc["output"][k]) / total_cons_output if total_cons_output else None),
            _money(loc, float(gc["value_added"][k]), inputs),
            loc.num(float(gc["employment"][k]), 0),
        ]
        if go is not None:
            cells += [
                _money(loc, float(go["output"][k]), inputs),
                _money(loc, float(go["value_added"][k]), inputs),
                loc.num(float(go["employment"][k]), 0),
            ]
        group_rows.append({"label": label, "adjacent": adjacent[k], "cells": cells})
    return chart_groups, group_rows


def _top_products(w: _View, phase: str, year: int | None) -> list[dict[str, Any]]:
    """The products most affected in ``phase`` (all years, or one), largest output first."""
    inputs, loc, sel, ds = w.inputs, w.loc, w.sel, w.ds

    part = sel[["output", "value_added", "employment"]].sel(phase=phase)
    part = part.sum("year") if year is None else part.sel(year=year)
    part = part.sum("effect")
    frame = part.to_dataframe()[["output", "value_added", "employment"]]
    total = frame["output"].sum()
    frame = frame[frame["output"] > 0].sort_values("output", ascending=False).head(TOP_PRODUCTS)
    labels = dict(zip(ds.sector.values, ds[f"sector_label_{loc.lang}"].values))
    group_of = inputs.groups["adjacent"].to_dict()
    return [
        {
            "code": code,
            "label": str(labels[code]),
            "adjacent": bool(group_of.get(code)),
            "cells": [
                _money(loc, r.output, inputs, 2),
                loc.pct(r.output / total if total else None, 1),
                _money(loc, r.value_added, inputs, 2),
                loc.num(r.employment, 0),
            ],
        }
        for code, r in frame.iterrows()
    ]


def _jobs_taxes_leakage(w: _View) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Employment, taxes and import leakage of the centre."""
    cons_tot, op_tot = w.cons_tot, w.op_tot
    inputs, loc, centre, s = w.inputs, w.loc, w.centre, w.scenario
    run, v, con, op = w.run, w.variant, w.scenario.construction, w.scenario.operation

    t1 = inputs.type1.loc[centre]
    t2 = inputs.type2.loc[centre] if inputs.type2 is not None else t1
    n_cons_years = len(con.years)
    capex = float(t1["capex"])
    imports_cons = cons_tot["imports"]
    leakage = {
        "capex": _money(loc, capex, inputs),
        "direct": _money(loc, float(imports_cons.sel(effect="direct")), inputs),
        "direct_share": loc.pct(
            float(imports_cons.sel(effect="direct")) / capex if capex else None
        ),
        "total": _money(loc, float(imports_cons.sum()), inputs),
        "total_share": loc.pct(float(imports_cons.sum()) / capex if capex else None),
        "equipment_share": loc.pct(s.variants[v].equipment_import_share),
        "op_total": _money(loc, float(op_tot["imports"].sum()), inputs)
        if op_tot is not None
        else "",
        "op_share": loc.pct(
            float(op_tot["imports"].sum()) / float(op_tot["output"].sum())
            if op_tot is not None and float(op_tot["output"].sum())
            else None
        ),
    }
    employment = {
        "job_years": loc.num(float(t2["construction_employment"]), 0),
        "per_year": loc.num(float(t2["construction_employment"]) / n_cons_years, 0),
        "years": n_cons_years,
        "per_bn": loc.num(float(t2["jobs_per_bn_capex"]), 0),
        "op_jobs": loc.num(float(t2["operation_employment"]), 0),
        "op_direct": (
            loc.num(float(op_tot["employment"].sel(effect="direct")), 0)
            if op_tot is not None
            else ""
        ),
        "scenario_jobs": loc.num(op.jobs * s.variants[v].volume_scale, 0)
        if op is not None and op.jobs is not None
        else "",
        "comp_per_job": (
            loc.num(
                float(op_tot["compensation"].sel(effect="direct"))
                * run.table.meta.unit
                * inputs.price_factor  # in the report's prices
                / float(op_tot["employment"].sel(effect="direct"))
                / 1e6,
                2,
            )
            if op_tot is not None and float(op_tot["employment"].sel(effect="direct"))
            else ""
        ),
    }
    taxes = {
        "construction": _money(loc, float(t2["construction_taxes"]), inputs, 2),
        "operation": _money(loc, float(t2["operation_taxes"]), inputs, 2),
        "discounted": _money(loc, float(t2["discounted_taxes"]), inputs, 2),
        "per_capex": loc.num(float(t2["construction_taxes"]) / capex * 100 if capex else None, 2),
    }
    return employment, taxes, leakage


def _revenue_rows(w: _View, part: xr.DataArray) -> list[dict[str, Any]]:
    """Tax × budget level (bn), one row per tax and a total row; ``part`` is (tax, budget)."""
    loc, inputs, ds = w.loc, w.inputs, w.ds
    label = "tax_label_ru" if w.loc.lang == "ru" else "tax_label_en"
    rows = []
    for tax in [*TAXES, "total"]:
        cells = part.sum("tax") if tax == "total" else part.sel(tax=tax)
        values = [float(cells.sel(budget=b)) for b in BUDGETS]
        rows.append(
            {
                "label": loc.t("revenue.total")
                if tax == "total"
                else str(ds[label].sel(tax=tax).values),
                "total": tax == "total",
                "cells": [_money(loc, v, inputs, 2) for v in [*values, sum(values)]],
            }
        )
    return rows


def _revenue(w: _View) -> dict[str, Any] | None:
    """Budget revenue by tax and level: construction, the design year, the whole operation;
    the legal basis of each tax; the preferential regime; a chart by year and level."""
    inputs, loc, ds, centre = w.inputs, w.loc, w.ds, w.centre
    if "revenue" not in ds:
        return None
    rev = w.sel["revenue"].sum("effect")  # phase, year, tax, budget
    kf = (inputs.type2 if inputs.type2 is not None else inputs.type1).loc[centre]
    op_years = [y for y in w.years if float(abs(rev.sel(phase="operation", year=y)).sum()) > 0]
    by_level = rev.sum(["phase", "tax"]).sel(year=w.years)
    chart = charts.stacked_columns(
        w.years,
        [
            charts.Panel(
                loc.t("revenue.chart"),
                [],
                [
                    charts.Series(
                        loc.t(f"budget.{b}"),
                        [float(x) * inputs.scale for x in by_level.sel(budget=b).values],
                    )
                    for b in BUDGETS
                ],
                unit=w.cur,
            )
        ],
        loc.num,
        height_in=2.6,
    )
    basis = json.loads(ds.attrs.get("fiscal_basis", "{}"))
    label = "tax_label_ru" if loc.lang == "ru" else "tax_label_en"
    settings = json.loads(ds.attrs.get("fiscal_settings", "{}")).get(centre, {})
    fiscal = w.scenario.fiscal
    regime = settings.get("regime", "none")
    return {
        "construction": _revenue_rows(w, rev.sel(phase="construction").sum("year")),
        "design": (
            _revenue_rows(w, rev.sel(phase="operation", year=w.design_year))
            if w.design_year is not None
            else []
        ),
        "operation": _revenue_rows(w, rev.sel(phase="operation").sum("year")),
        "op_years": f"{op_years[0]}–{op_years[-1]}" if op_years else "",
        "per_capex": loc.num(float(kf["revenue_per_capex"]), 2),
        "cons_per_capex": loc.num(float(kf["construction_revenue_per_capex"]) * 100, 1),
        "discounted": _money(loc, float(kf["discounted_revenue"]), inputs),
        "discounted_levels": [
            {
                "label": loc.t(f"budget.{b}"),
                "value": _money(loc, float(kf[f"discounted_revenue_{b}"]), inputs),
            }
            for b in BUDGETS
        ],
        "table_taxes": _money(loc, float(kf["construction_taxes"]), inputs, 2),
        "basis": [
            {
                "name": str(ds[label].sel(tax=tax).values),
                "law": loc.pick(*basis[tax]) if tax in basis else "",
            }
            for tax in TAXES
        ],
        "regime": loc.t(f"regime.{regime}"),
        "regime_start": settings.get("regime_start") or "",
        "eligible": loc.t(f"regime.{fiscal.eligible}") if fiscal.eligible != "none" else "",
        "regime_note": loc.pick(fiscal.estimate_ru or fiscal.estimate, fiscal.estimate),
        "preferences": ds.attrs.get("fiscal_preferences", "scenario"),
        "chart": chart,
    }


def _localisation(w: _View) -> tuple[dict[str, Any], str]:
    """Gain to domestic machine building as the equipment import share falls: text and chart."""
    inputs, loc, centre, s = w.inputs, w.loc, w.centre, w.scenario
    cur = w.cur

    lrow = inputs.localisation.loc[centre]
    hi, lo = float(lrow["import_share_high"]), float(lrow["import_share_low"])
    loc_rows = []
    for key, money in (
        ("machine_output", True),
        ("machine_jobs", False),
        ("total_output", True),
        ("total_jobs", False),
    ):
        f = (lambda x: _money(loc, x, inputs)) if money else (lambda x: loc.num(x, 0))
        loc_rows.append(
            {
                "label": loc.t(f"loc.{key}"),
                "cells": [
                    f(lrow[f"{key}_imports_high"]),
                    f(lrow[f"{key}_imports_low"]),
                    f(lrow[f"{key}_gain"]),
                ],
            }
        )
    pp = (hi - lo) * 100
    localisation_info = {
        "high": loc.pct(hi),
        "low": loc.pct(lo),
        "rows": loc_rows,
        "per_pp_output": _money(loc, lrow["machine_output_gain"] / pp, inputs, 2) if pp else "",
        "per_pp_jobs": loc.num(lrow["machine_jobs_gain"] / pp, 0) if pp else "",
        "gain_output": _money(loc, lrow["machine_output_gain"], inputs),
        "gain_jobs": loc.num(lrow["machine_jobs_gain"], 0),
        "gain_share": loc.pct(
            lrow["machine_output_gain"] / lrow["machine_output_imports_high"]
            if lrow["machine_output_imports_high"]
            else None
        ),
        "same": hi == lo,
    }
    # the model is linear in the import share: the two runs fix the whole line exactly
    marks = sorted(
        {(vv.equipment_import_share, _variant_label(loc, name)) for name, vv in s.variants.items()}
    )
    xs = [hi, lo]
    chart_localisation = (
        ""
        if hi == lo
        else charts.lines(
            [
                (
                    loc.t("chart.machine_output"),
                    cur,
                    [
                        (
                            loc.t("loc.machine_output"),
                            xs,
                            [
                                lrow["machine_output_imports_high"] * inputs.scale,
                                lrow["machine_output_imports_low"] * inputs.scale,
                            ],
                        )
                    ],
                ),
                (
                    loc.t("chart.machine_jobs"),
                    loc.t("unit.job_years"),
                    [
                        (
                            loc.t("loc.machine_jobs"),
                            xs,
                            [lrow["machine_jobs_imports_high"], lrow["machine_jobs_imports_low"]],
                        )
                    ],
                ),
            ],
            loc.t("chart.import_share_axis"),
            loc.num,
            marks=[(x, m) for x, m in marks],
            invert_x=True,
            x_percent=True,
        )
    )
    return localisation_info, chart_localisation


def _description(w: _View) -> dict[str, Any]:
    """The centre itself: capex by year and purpose, prices, bridge, variants, products, timeline."""
    inputs, loc, centre, s = w.inputs, w.loc, w.centre, w.scenario
    ds, run, v, design_year = w.ds, w.run, w.variant, w.design_year
    con, op = w.scenario.construction, w.scenario.operation

    unit_word = {1e6: loc.t("unit.mn"), 1e9: loc.t("unit.bn_word")}

    def money_unit(unit: float, currency: str, year: int) -> str:
        name = loc.t(f"currency.{currency}") if loc.has(f"currency.{currency}") else currency
        return f"{unit_word.get(unit, '')} {name}, {loc.t('unit.prices_of', year=year)}".strip()

    capex_unit = money_unit(con.unit, con.currency, con.price_year)
    base_capex = s.variants[v].capex
    capex_rows = []
    for purpose in PURPOSES:
        share = con.purposes[purpose]
        capex_rows.append(
            {
                "label": loc.t(f"purpose.{purpose}"),
                "share": loc.pct(share),
                "cells": [loc.num(base_capex * share * p, 2) for p in con.profile],
                "total": loc.num(base_capex * share, 2),
            }
        )
    capex_total = {
        "cells": [loc.num(base_capex * p, 2) for p in con.profile],
        "total": loc.num(base_capex, 2),
    }
    prices = run.prices
    tyear = run.table.meta.year
    conversion = []
    for purpose in PURPOSES:
        key = f"capex.{purpose}"
        factor = prices.convert(1.0, con.currency, con.price_year, tyear, key)
        dom = (
            1 - s.variants[v].equipment_import_share
            if purpose in ("machinery", "electrical")
            else con.domestic_share.get(purpose, 1.0)
        )
        conversion.append(
            {
                "label": loc.t(f"purpose.{purpose}"),
                "share": loc.pct(con.purposes[purpose]),
                "domestic": loc.pct(dom),
                "series": (
                    loc.t(f"series.{prices.series(key)}")
                    if loc.has(f"series.{prices.series(key)}")
                    else prices.series(key)
                ),
                "factor": loc.num(factor, 3),
            }
        )
    bridge_rows = []
    labels_by_code = dict(zip(ds.sector.values, ds[f"sector_label_{loc.lang}"].values))
    for purpose in PURPOSES:
        weights = run.bridge.capex.loc[purpose]
        weights = weights[weights > 0].sort_values(ascending=False)
        bridge_rows.append(
            {
                "label": loc.t(f"purpose.{purpose}"),
                "products": [
                    f"{code} {labels_by_code[code]} — {loc.pct(x)}" for code, x in weights.items()
                ],
            }
        )
    variants = [
        {
            "name": _variant_label(loc, name),
            "selected": name == v,
            "description": loc.pick(vv.description_ru, vv.description_en),
            "capex": loc.num(vv.capex, 1),
            "import_share": loc.pct(vv.equipment_import_share),
            "price_scale": loc.num(vv.price_scale, 2),
            "volume_scale": loc.num(vv.volume_scale, 2),
            "sources": _sources_cited(loc, vv.sources),
        }
        for name, vv in s.variants.items()
    ]
    variant_kf = []
    for name in s.variants:
        kf2 = inputs.by_variant[name].loc[centre]
        variant_kf.append(
            {
                "name": _variant_label(loc, name),
                "selected": name == v,
                "cells": [
                    _money(loc, kf2["capex"], inputs),
                    _money(loc, kf2["construction_value_added"], inputs),
                    loc.num(kf2["construction_employment"], 0),
                    _money(loc, kf2["operation_value_added"], inputs),
                    loc.num(kf2["operation_employment"], 0),
                    _money(loc, kf2["discounted_value_added"], inputs),
                ],
            }
        )
    products = []
    if op is not None:
        op_unit = money_unit(op.unit, op.currency, op.price_year)
        for p in op.products:
            shown, code = product_codes(inputs.run.bridge.products, p.product)
            products.append(
                {
                    "name": loc.pick(p.name_ru, p.name_en),
                    "code": shown,
                    "label": labels_by_code.get(code, code),
                    "value": loc.num(p.value, 2),
                    "quantity": (
                        f"{loc.num(p.quantity, 0)} {_qty_unit(loc, p.quantity_unit)}"
                        if p.quantity is not None
                        else "–"
                    ),
                    "export": loc.pct(p.export_share),
                    "sources": _sources_cited(loc, p.sources),
                }
            )
    else:
        op_unit = ""
    timeline = {
        "construction": f"{con.years[0]}–{con.years[-1]}",
        "profile": ", ".join(f"{y}: {loc.pct(p)}" for y, p in zip(con.years, con.profile)),
        "operation": f"{op.start_year}–{op.end_year}" if op else "",
        "ramp": ", ".join(f"{op.start_year + k}: {loc.pct(r)}" for k, r in enumerate(op.ramp_up))
        if op
        else "",
        "design_year": design_year,
        "op_jobs": loc.num(op.jobs, 0) if op and op.jobs is not None else "",
        "costs": (
            [{"label": loc.t(f"cost.{k}"), "share": loc.pct(x)} for k, x in op.costs.items()]
            if op and op.costs
            else []
        ),
        "op_sources": _sources_cited(loc, op.sources) if op else "",
        "taxes": [_tax_line(loc, line) for line in op.taxes] if op else [],
    }
    return {
        "capex_unit": capex_unit,
        "capex_rows": capex_rows,
        "capex_total": capex_total,
        "conversion": conversion,
        "bridge_rows": bridge_rows,
        "variants": variants,
        "variant_kf": variant_kf,
        "products": products,
        "products_unit": op_unit,
        "timeline": timeline,
    }


def _estimates(w: _View) -> list[dict[str, str]]:
    """How each block's figures were derived (the Russian text where the scenario gives one)."""
    loc, s, con, op = w.loc, w.scenario, w.scenario.construction, w.scenario.operation

    def text(block) -> str:  # the Russian derivation where the scenario gives one
        return loc.pick(block.estimate_ru or block.estimate, block.estimate)

    estimates = [
        {
            "label": loc.t("estimates.construction"),
            "text": text(con),
            "sources": _sources_cited(loc, con.sources),
        }
    ]
    for name, vv in s.variants.items():
        estimates.append(
            {
                "label": loc.t("estimates.variant", variant=_variant_label(loc, name)),
                "text": text(vv),
                "sources": _sources_cited(loc, vv.sources),
            }
        )
    if op is not None:
        estimates.append(
            {
                "label": loc.t("estimates.operation"),
                "text": text(op),
                "sources": _sources_cited(loc, op.sources),
            }
        )
        for p in op.products:
            estimates.append(
                {
                    "label": loc.t("estimates.product", product=loc.pick(p.name_ru, p.name_en)),
                    "text": text(p),
                    "sources": _sources_cited(loc, p.sources),
                }
            )
    estimates = [e for e in estimates if e["text"] or e["sources"]]
    return estimates


# --------------------------------------------------------------------------- tables
def _kf_rows(loc: Locale, inputs: Inputs, centre: str) -> list[dict[str, Any]]:
    """Key figures table: variable × (construction T1, T2; operation T1, T2)."""
    t1 = inputs.type1.loc[centre]
    t2 = inputs.type2.loc[centre] if inputs.type2 is not None else None
    rows = []
    for var in VARIABLES:
        row = {
            "label": loc.t(f"var.{var}"),
            "unit": loc.t("unit.job_years") if var == "employment" else _currency(loc, inputs),
            "op_unit": loc.t("unit.jobs")
            if var == "employment"
            else loc.t("unit.per_year", unit=_currency(loc, inputs)),
            "cons1": _fmt(loc, inputs, var, t1[f"construction_{var}"]),
            "op1": _fmt(loc, inputs, var, t1[f"operation_{var}"]),
            "cons2": _fmt(loc, inputs, var, t2[f"construction_{var}"]) if t2 is not None else "",
            "op2": _fmt(loc, inputs, var, t2[f"operation_{var}"]) if t2 is not None else "",
            "var": var,
        }
        rows.append(row)
    return rows


def _per_capex_rows(loc: Locale, inputs: Inputs, centre: str) -> list[dict[str, str]]:
    t1 = inputs.type1.loc[centre]
    t2 = inputs.type2.loc[centre] if inputs.type2 is not None else None
    rows = []
    for key, digits in (
        ("output_per_capex", 2),
        ("value_added_per_capex", 2),
        ("jobs_per_bn_capex", 0),
    ):
        rows.append(
            {
                "label": loc.t(f"kf.{key}"),
                "t1": loc.num(t1[key], digits),
                "t2": loc.num(t2[key], digits) if t2 is not None else "",
            }
        )
    for key in ("discounted_output", "discounted_value_added", "discounted_taxes"):
        rows.append(
            {
                "label": loc.t(
                    f"kf.{key}",
                    year=inputs.appraisal.base_year,
                    rate=loc.pct(inputs.appraisal.discount_rate, 1),
                    unit=_currency(loc, inputs),
                ),
                "t1": _money(loc, t1[key], inputs),
                "t2": _money(loc, t2[key], inputs) if t2 is not None else "",
            }
        )
    return rows


def _effect_panel(loc: Locale, inputs: Inputs, totals: xr.Dataset, title: str) -> charts.Panel:
    """Money variables × effects (bn) for the effects chart."""
    money = [v for v in MONEY_VARS]
    series = [
        charts.Series(
            loc.t(f"effect.{e}"), [float(totals[v].sel(effect=e)) * inputs.scale for v in money]
        )
        for e in totals.effect.values
    ]
    return charts.Panel(
        title, [loc.t(f"var_short.{v}") for v in money], series, unit=_currency(loc, inputs)
    )


def _by_effect_rows(loc: Locale, inputs: Inputs, totals: xr.Dataset) -> list[dict[str, Any]]:
    rows = []
    for e in list(totals.effect.values) + ["total"]:
        part = totals.sum("effect") if e == "total" else totals.sel(effect=e)
        rows.append(
            {
                "label": loc.t(f"effect.{e}"),
                "total": e == "total",
                "cells": [_fmt(loc, inputs, v, float(part[v])) for v in VARIABLES],
            }
        )
    return rows


def _headline(loc: Locale, inputs: Inputs, centre: str, design_year: int | None) -> list[dict]:
    t = (inputs.type2 if inputs.type2 is not None else inputs.type1).loc[centre]
    cur = _currency(loc, inputs)
    items = [
        (loc.t("headline.capex"), _money(loc, t["capex"], inputs), cur),
        (
            loc.t("headline.construction_va"),
            _money(loc, t["construction_value_added"], inputs),
            cur,
        ),
        (
            loc.t("headline.construction_jobs"),
            loc.num(t["construction_employment"], 0),
            loc.t("unit.job_years"),
        ),
        (
            loc.t("headline.va_per_capex"),
            loc.num(t["value_added_per_capex"], 2),
            loc.t("unit.rub_per_rub"),
        ),
    ]
    if design_year is not None:
        items += [
            (
                loc.t("headline.operation_va", year=design_year),
                _money(loc, t["operation_value_added"], inputs),
                cur,
            ),
            (
                loc.t("headline.operation_jobs"),
                loc.num(t["operation_employment"], 0),
                loc.t("unit.jobs"),
            ),
        ]
    return [{"label": a, "value": b, "unit": c} for a, b, c in items]


def _notes(w: _View, key: str) -> list[str]:
    """The run's notes on this centre, a thesis case's id replaced by its label."""
    notes = json.loads(w.ds.attrs.get(key, "{}")).get(w.centre, [])
    names = {str(v): _variant_label(w.loc, str(v)) for v in w.ds.variant.values}
    if "case_label_ru" in w.ds.coords:
        label = "case_label_ru" if w.loc.lang == "ru" else "case_label_en"
        cases = w.ds[label].sel(centre=w.centre).values
        names.update({str(c): str(n) for c, n in zip(w.ds.case.values, cases) if str(n)})
    quote = "«{}»" if w.loc.lang == "ru" else "'{}'"
    out = []
    for note in notes:  # a note ends with ": id, id, …" naming the variants or cases
        head, sep, tail = note.rpartition(": ")
        ids = tail.split(", ")
        if sep and all(i in names for i in ids):
            note = head + sep + ", ".join(quote.format(names[i]) for i in ids)
        out.append(note)
    return out


def _tax_line(loc: Locale, line: TaxLine) -> dict[str, str]:
    """One tax line of the new activity as report text: name, what it is, its legal basis."""
    if isinstance(line, MineralExtractionTax):
        what = loc.t(
            "about.tax_mineral",
            rate=loc.pct(line.rate * line.multiplier, 1),
            share=loc.pct(line.value_share),
        )
        if line.reduction_start is not None:
            year, month = line.reduction_start
            what += " " + loc.t(
                "about.tax_reduction",
                k=loc.num(line.reduction, 2),
                months=line.reduction_months,
                start=f"{month:02d}.{year}",
            )
    elif isinstance(line, PropertyTax):
        what = loc.t(
            "about.tax_property",
            rate=loc.pct(line.rate, 1),
            share=loc.pct(line.base_share),
            life=loc.num(line.useful_life, 0),
        )
    else:
        what = loc.t("about.tax_other", rate=loc.pct(line.rate, 1))
    law = loc.pick(line.legal_basis_ru or line.legal_basis, line.legal_basis)
    return {"name": loc.pick(line.name_ru, line.name_en), "what": what, "law": law}


def _activity_rows(loc: Locale, inputs: Inputs, centre: str, variant: str) -> list[dict]:
    """The new activity's own accounts by year: output, sales abroad and at home, taxes, jobs."""
    ds = inputs.run.dataset
    if "exports" not in ds:
        return []
    frame = new_activity(ds.sel(centre=[centre], variant=[variant]))
    rows = []
    for r in frame.itertuples():
        rows.append(
            {
                "year": int(r.year),
                "cells": [
                    _money(loc, r.output, inputs),
                    _money(loc, r.exports, inputs),
                    _money(loc, r.domestic_sales, inputs),
                    _money(loc, r.mineral_extraction_tax, inputs, 2),
                    _money(loc, r.property_tax + r.other_taxes, inputs, 2),
                    _money(loc, r.operating_surplus, inputs),
                    loc.num(r.employment, 0),
                ],
            }
        )
    return rows


def centre_context(inputs: Inputs, centre: str, loc: Locale) -> dict[str, Any]:
    """Everything the centre template shows, as strings, rows and SVG charts."""
    w = _view(inputs, centre, loc)
    s, v, con = w.scenario, w.variant, w.scenario.construction
    uncertainty = centre_uncertainty(inputs, centre, loc)
    design_year, op_tot = w.design_year, w.op_tot
    chart_timeline, year_rows, year_total = _timeline(w)
    chart_groups, group_rows = _groups(w)
    employment, taxes, leakage = _jobs_taxes_leakage(w)
    revenue = _revenue(w)
    chart_revenue = revenue.pop("chart") if revenue else ""
    localisation_info, chart_localisation = _localisation(w)
    about = _description(w)
    notes_key = "notes_ru" if loc.lang == "ru" and "notes_ru" in w.ds.attrs else "notes"
    return {
        "kind": "centre",
        "title": _centre_name(loc, s),
        "centre": {
            "id": centre,
            "name": _centre_name(loc, s),
            "kind": loc.t(f"centre_kind.{s.centre.kind}"),
            "district": loc.pick(s.centre.federal_district_ru, s.centre.federal_district_en),
            "programme_district": loc.pick(
                s.centre.programme_federal_district_ru, s.centre.programme_federal_district_en
            ),
            "regions": ", ".join(
                loc.pick(" | ".join(s.centre.regions_ru), " | ".join(s.centre.regions_en)).split(
                    " | "
                )
            ),
            "products": "; ".join(
                s.centre.products_ru if loc.lang == "ru" else s.centre.products_en
            ),
            "confidence": loc.t(f"confidence.{s.centre.confidence}"),
            "summary": loc.pick(s.centre.summary_ru, s.centre.summary_en),
            "sources": _sources_cited(loc, s.centre.sources),
            "deposits": [
                {
                    "name": loc.pick(d.name_ru, d.name_en),
                    "commodities": ", ".join(
                        loc.t(f"commodity.{c}") if loc.has(f"commodity.{c}") else c
                        for c in d.commodities
                    ),
                    "status": loc.pick(d.status_ru, d.status_en),
                    "sources": _sources_cited(loc, d.sources),
                }
                for d in s.centre.deposits
            ],
        },
        "variant": {
            "name": _variant_label(loc, v),
            "description": loc.pick(s.variants[v].description_ru, s.variants[v].description_en),
        },
        "headline": _headline(loc, inputs, centre, design_year),
        "kf_rows": _kf_rows(loc, inputs, centre),
        "per_capex_rows": _per_capex_rows(loc, inputs, centre),
        "design_year": design_year,
        "capex": {
            "unit": about["capex_unit"],
            "years": list(con.years),
            "rows": about["capex_rows"],
            "total": about["capex_total"],
            "sources": _sources_cited(loc, con.sources),
            "table_value": _money(loc, float(inputs.type1.loc[centre]["capex"]), inputs),
        },
        "timeline": about["timeline"],
        "variants": about["variants"],
        "variant_kf": about["variant_kf"],
        "products": about["products"],
        "products_unit": about["products_unit"],
        "year_rows": year_rows,
        "activity_rows": _activity_rows(loc, inputs, centre, v),
        "year_total": year_total,
        "cons_effects": _by_effect_rows(loc, inputs, w.cons_tot),
        "op_effects": _by_effect_rows(loc, inputs, op_tot) if op_tot is not None else [],
        "group_rows": group_rows,
        "has_operation": op_tot is not None,
        "top_construction": _top_products(w, "construction", None),
        "top_operation": (
            _top_products(w, "operation", design_year) if design_year is not None else []
        ),
        "employment": employment,
        "taxes": taxes,
        "revenue": revenue,
        "leakage": leakage,
        "localisation": localisation_info,
        "thesis": centre_thesis(w.inputs.thesis, w.scenario, loc, w.inputs.scale),
        "regional": centre_regional(inputs, centre, loc),
        "uncertainty": uncertainty,
        "conversion": about["conversion"],
        "bridge_rows": about["bridge_rows"],
        "effects_negative": bool(
            any(float(w.cons_tot[v].min()) < 0 for v in MONEY_VARS)
            or (op_tot is not None and any(float(op_tot[v].min()) < 0 for v in MONEY_VARS))
        ),
        "charts": {
            "effects": _effects_chart(w),
            "timeline": chart_timeline,
            "groups": chart_groups,
            "localisation": chart_localisation,
            "revenue": chart_revenue,
            "tornado": uncertainty.pop("tornado", "") if uncertainty else "",
        },
        "notes": _notes(w, notes_key),
        "decision": centre_decision(inputs, centre, loc),
        "estimates": _estimates(w),
        "sources": [
            {
                "id": src.id,
                "text": loc.pick(src.text_ru or src.text, src.text),
                "url": src.url,
                "link": _safe_link(src.url),
            }
            for src in s.sources.values()
        ],
        "scenario_file": s.path.name,
        "scenario_sha256": s.sha256,
        **_common(loc, inputs),
    }


def product_codes(concordance: ProductMap | None, code: str) -> tuple[str, str]:
    """The code a report shows for a scenario's product and the table product it stands for:
    ``("20 → 24.1", "24.1")`` on a table of another classification (through its concordance),
    ``("20", "20")`` on the 2021 table."""
    target = concordance.to.get(code, code) if concordance is not None else code
    return (code if target == code else f"{code} → {target}"), target
