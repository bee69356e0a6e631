"""The comparison report's context: every centre of the run side by side."""

from __future__ import annotations

from typing import Any

from ..fiscal import BUDGETS
from ..summary import ranked as rank_figures
from . import _charts as charts
from ._context import (
    VARIABLES,
    Inputs,
    _centre_name,
    _common,
    _currency,
    _design_year,
    _money,
)
from ._decision import comparison_decision
from ._locale import Locale
from ._map import comparison_map
from ._regional import comparison_regional
from ._thesis import comparison_thesis
from ._uncertainty import comparison_uncertainty

__all__ = ["comparison_context"]


def comparison_context(
    inputs: Inputs,
    loc: Locale,
    by: str = "discounted_value_added",
) -> dict[str, Any]:
    """All centres side by side: ranked tables, per rouble invested, charts."""
    ds, run, v = inputs.ds, inputs.run, inputs.variant
    cur = _currency(loc, inputs)
    ranked = rank_figures(inputs.by_variant[v], by)  # the key figures prepare computed
    t1 = inputs.type1
    names = {s.id: _centre_name(loc, s) for s in run.scenarios}
    order = list(ranked.index)

    rank_rows = []
    for c, r in ranked.iterrows():
        rank_rows.append(
            {
                "rank": int(r["rank"]),
                "name": names[c],
                "cells": [
                    _money(loc, r["capex"], inputs),
                    _money(loc, r["construction_value_added"], inputs),
                    loc.num(r["construction_employment"], 0),
                    _money(loc, r["operation_value_added"], inputs),
                    loc.num(r["operation_employment"], 0),
                    _money(loc, r["operation_taxes"], inputs, 2),
                    _money(loc, r["discounted_value_added"], inputs),
                ],
            }
        )
    totals = ranked[
        [
            "capex",
            "construction_value_added",
            "construction_employment",
            "operation_value_added",
            "operation_employment",
            "operation_taxes",
            "discounted_value_added",
        ]
    ].sum()
    totals_disc_va = float(ranked["discounted_value_added"].sum())
    total_row = [
        _money(loc, totals["capex"], inputs),
        _money(loc, totals["construction_value_added"], inputs),
        loc.num(totals["construction_employment"], 0),
        _money(loc, totals["operation_value_added"], inputs),
        loc.num(totals["operation_employment"], 0),
        _money(loc, totals["operation_taxes"], inputs, 2),
        _money(loc, totals["discounted_value_added"], inputs),
    ]

    per = ranked.sort_values("value_added_per_capex", ascending=False)
    per_rows = []
    for k, (c, r) in enumerate(per.iterrows(), start=1):
        a = t1.loc[c]
        per_rows.append(
            {
                "rank": k,
                "name": names[c],
                "cells": [
                    loc.num(a["output_per_capex"], 2),
                    loc.num(r["output_per_capex"], 2),
                    loc.num(a["value_added_per_capex"], 2),
                    loc.num(r["value_added_per_capex"], 2),
                    loc.num(a["jobs_per_bn_capex"], 0),
                    loc.num(r["jobs_per_bn_capex"], 0),
                    loc.num(
                        r["construction_imports"] / r["capex"] * 100 if r["capex"] else None, 1
                    ),
                    loc.num(
                        r["operation_value_added"] / r["capex"] * 100 if r["capex"] else None, 1
                    ),
                ],
            }
        )

    # charts
    sel = ds.sel(variant=v)
    cons = sel[list(VARIABLES)].sel(phase="construction").sum(["year", "sector"])
    effects = [str(e) for e in ds.effect.values]
    chart_construction = charts.stacked_barh(
        [
            charts.Panel(
                loc.t("chart.construction_va"),
                [names[c] for c in order],
                [
                    charts.Series(
                        loc.t(f"effect.{e}"),
                        [
                            float(cons["value_added"].sel(centre=c, effect=e)) * inputs.scale
                            for c in order
                        ],
                    )
                    for e in effects
                ],
                unit=cur,
            ),
            charts.Panel(
                loc.t("chart.construction_jobs"),
                [names[c] for c in order],
                [
                    charts.Series(
                        loc.t(f"effect.{e}"),
                        [float(cons["employment"].sel(centre=c, effect=e)) for c in order],
                    )
                    for e in effects
                ],
                unit=loc.t("unit.job_years"),
                digits=0,
            ),
        ],
        loc.num,
    )
    op_rows = []
    for c in order:
        year = _design_year(ds, c, v)
        part = (
            sel[["value_added", "employment"]]
            .sel(centre=c, phase="operation", year=year)
            .sum("sector")
            if year is not None
            else None
        )
        op_rows.append(part)
    chart_operation = charts.stacked_barh(
        [
            charts.Panel(
                loc.t("chart.operation_va"),
                [names[c] for c in order],
                [
                    charts.Series(
                        loc.t(f"effect.{e}"),
                        [
                            float(p["value_added"].sel(effect=e)) * inputs.scale
                            if p is not None
                            else 0.0
                            for p in op_rows
                        ],
                    )
                    for e in effects
                ],
                unit=loc.t("unit.per_year", unit=cur),
            ),
            charts.Panel(
                loc.t("chart.operation_jobs"),
                [names[c] for c in order],
                [
                    charts.Series(
                        loc.t(f"effect.{e}"),
                        [
                            float(p["employment"].sel(effect=e)) if p is not None else 0.0
                            for p in op_rows
                        ],
                    )
                    for e in effects
                ],
                unit=loc.t("unit.jobs"),
                digits=0,
            ),
        ],
        loc.num,
    )
    per_order = list(per.index)
    t2 = inputs.type2 if inputs.type2 is not None else t1
    per_series = [
        charts.Series(
            loc.t("effect.type1"), [float(t1.loc[c, "value_added_per_capex"]) for c in per_order]
        )
    ]
    out_series = [
        charts.Series(
            loc.t("effect.type1"), [float(t1.loc[c, "output_per_capex"]) for c in per_order]
        )
    ]
    if inputs.type2 is not None:
        per_series.append(
            charts.Series(
                loc.t("effect.induced"),
                [
                    float(t2.loc[c, "value_added_per_capex"] - t1.loc[c, "value_added_per_capex"])
                    for c in per_order
                ],
            )
        )
        out_series.append(
            charts.Series(
                loc.t("effect.induced"),
                [
                    float(t2.loc[c, "output_per_capex"] - t1.loc[c, "output_per_capex"])
                    for c in per_order
                ],
            )
        )
    chart_per_rouble = charts.stacked_barh(
        [
            charts.Panel(
                loc.t("chart.output_per_capex"),
                [names[c] for c in per_order],
                out_series,
                unit=loc.t("unit.rub_per_rub"),
                digits=2,
            ),
            charts.Panel(
                loc.t("chart.va_per_capex"),
                [names[c] for c in per_order],
                per_series,
                unit=loc.t("unit.rub_per_rub"),
                digits=2,
            ),
        ],
        loc.num,
    )

    by_year = sel[["value_added"]].sum(["sector", "effect"])
    active = [
        int(y)
        for y in by_year.year.values
        if float(abs(by_year["value_added"].sel(year=y)).sum()) > 0
    ]
    by_year = by_year.sel(year=active)
    chart_time = charts.small_multiples(
        [names[c] for c in order],
        active,
        [
            [
                charts.Series(
                    loc.t(f"phase.{p}"),
                    [
                        float(x) * inputs.scale
                        for x in by_year["value_added"].sel(centre=c, phase=p).values
                    ],
                )
                for p in ("construction", "operation")
            ]
            for c in order
        ],
        cur,
        loc.num,
    )

    revenue = _revenue(inputs, loc, names)
    chart_revenue = revenue.pop("chart") if revenue else ""

    loc_rows = []
    for c in order:
        r = inputs.localisation.loc[c]
        loc_rows.append(
            {
                "name": names[c],
                "cells": [
                    _money(loc, r["machine_output_imports_high"], inputs),
                    _money(loc, r["machine_output_gain"], inputs),
                    loc.num(r["machine_jobs_gain"], 0),
                    _money(loc, r["total_output_gain"], inputs),
                    loc.num(r["total_jobs_gain"], 0),
                ],
            }
        )

    centres = []
    for c in order:
        s = run.scenario(c)
        centres.append(
            {
                "name": names[c],
                "district": loc.pick(s.centre.federal_district_ru, s.centre.federal_district_en),
                "regions": ", ".join(
                    s.centre.regions_ru if loc.lang == "ru" else s.centre.regions_en
                ),
                "products": "; ".join(
                    s.centre.products_ru if loc.lang == "ru" else s.centre.products_en
                ),
                "construction": f"{s.construction.years[0]}–{s.construction.years[-1]}",
                "operation": (
                    f"{s.operation.start_year}–{s.operation.end_year}" if s.operation else "–"
                ),
                "confidence": loc.t(f"confidence.{s.centre.confidence}"),
                "file": s.path.name,
                "sha256": s.sha256,
            }
        )
    top = ranked.iloc[0]
    choice = comparison_decision(inputs, loc)
    confident = sum(run.scenario(c).centre.confidence in ("high", "medium") for c in order)
    lrows = inputs.localisation
    return {
        "choice": choice,
        "total_disc_va": _money(loc, totals_disc_va, inputs),
        "confidence_summary": loc.t("comparison.of_n", k=confident, n=len(order)),
        "loc_high": loc.pct(float(lrows["import_share_high"].max())) if len(lrows) else "",
        "loc_low": loc.pct(float(lrows["import_share_low"].min())) if len(lrows) else "",
        "map_caption": loc.t("comparison.map_caption"),
        "kind": "comparison",
        "title": loc.t("comparison.title"),
        "n_centres": len(order),
        "ranked_by": loc.t(
            f"kf.{by}",
            year=inputs.appraisal.base_year,
            rate=loc.pct(inputs.appraisal.discount_rate, 1),
            unit=cur,
        ),
        "rank_rows": rank_rows,
        "uncertainty": comparison_uncertainty(inputs, loc, order, names),
        "total_row": total_row,
        "per_rows": per_rows,
        "loc_rows": loc_rows,
        "thesis": comparison_thesis(inputs.thesis, inputs.run.scenarios, loc, inputs.scale),
        "revenue": revenue,
        "regional": comparison_regional(inputs, loc),
        "centres": centres,
        "leader": names[order[0]],
        "leader_value": _money(loc, top["discounted_value_added"], inputs),
        "total_capex": _money(loc, totals["capex"], inputs),
        "total_cons_va": _money(loc, totals["construction_value_added"], inputs),
        "total_job_years": loc.num(totals["construction_employment"], 0),
        "total_op_va": _money(loc, totals["operation_value_added"], inputs),
        "total_op_jobs": loc.num(totals["operation_employment"], 0),
        "charts": {
            "construction": chart_construction,
            "operation": chart_operation,
            "per_rouble": chart_per_rouble,
            "time": chart_time,
            "revenue": chart_revenue,
            "choice": choice.pop("chart"),
            "map": comparison_map(inputs, loc, order)["svg"],
        },
        **_common(loc, inputs),
    }


def _revenue(inputs: Inputs, loc: Locale, names: dict[str, str]) -> dict[str, Any] | None:
    """Centres ranked by budget revenue per rouble of capex (discounted revenue ÷ discounted
    capex), with the revenue by budget level, and a chart of the discounted revenue by level."""
    if "revenue" not in inputs.ds:
        return None
    ranked = rank_figures(inputs.by_variant[inputs.variant], "revenue_per_capex")
    rows = []
    for c, r in ranked.iterrows():
        rows.append(
            {
                "rank": int(r["rank"]),
                "name": names[c],
                "cells": [
                    _money(loc, r["capex"], inputs),
                    _money(loc, r["construction_revenue"], inputs),
                    _money(loc, r["operation_revenue"], inputs, 2),
                    *(_money(loc, r[f"discounted_revenue_{b}"], inputs) for b in BUDGETS),
                    _money(loc, r["discounted_revenue"], inputs),
                    loc.num(r["revenue_per_capex"], 2),
                ],
            }
        )
    order = list(ranked.index)
    chart = charts.stacked_barh(
        [
            charts.Panel(
                loc.t("comparison.revenue_chart_title"),
                [names[c] for c in order],
                [
                    charts.Series(
                        loc.t(f"budget.{b}"),
                        [  # the ratio of the table, split in proportion to the levels
                            float(ranked.loc[c, f"discounted_revenue_{b}"])
                            / float(ranked.loc[c, "discounted_revenue"])
                            * float(ranked.loc[c, "revenue_per_capex"])
                            if ranked.loc[c, "discounted_revenue"]
                            else 0.0
                            for c in order
                        ],
                    )
                    for b in BUDGETS
                ],
                unit=loc.t("unit.rub_per_rub"),
                digits=2,
            )
        ],
        loc.num,
    )
    return {"rows": rows, "chart": chart, "leader": names[order[0]]}
