"""The change report of an update (``change.<lang>.pdf``): its context from ``change.json``.

Every number comes from the change report the update wrote (:func:`iomodel.update.change_report`)
and the run's summary; the template formats nothing and computes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ._locale import MISSING, Locale

__all__ = ["change_context"]

#: Indicators shown in billions (money in millions of table units).
_MONEY = {
    "capex",
    "construction_output",
    "construction_value_added",
    "construction_compensation",
    "construction_taxes",
    "construction_imports",
    "operation_output",
    "operation_value_added",
    "operation_compensation",
    "operation_taxes",
    "operation_imports",
    "operation_exports",
    "operation_domestic_sales",
    "discounted_output",
    "discounted_value_added",
    "discounted_taxes",
    "discounted_exports",
}
_RATIOS = {"output_per_capex", "value_added_per_capex", "type2_over_type1_output"}
_PARTS = ("table", "prices", "scenarios", "law", "method")


def _fmt(loc: Locale, indicator: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if indicator in _MONEY:
        return loc.num(value / 1e3, 2)  # mn → bn
    if indicator in _RATIOS:
        return loc.num(value, 3)
    if indicator == "design_year":
        return str(round(value))
    return loc.num(value, 0)


def change_context(
    change: Mapping[str, Any],
    summary: Mapping[str, Any],
    loc: Locale,
    names: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The template context of ``change.html``.

    ``names`` maps centre ids to their (Russian, English) names (default: the ids).
    """
    table = summary["table"]
    projection = table.get("projection") or {}
    year = summary["year"]
    units = loc.t("unit.bn_rub")

    factors = []
    order = [f for f in _PARTS if f in change["factors"]]  # JSON sorts the keys
    for f in order + sorted(set(change["factors"]) - set(order)):
        info = change["factors"][f]
        files = [f"{kind}: {', '.join(paths)}" for kind, paths in info["files"].items() if paths]
        factors.append(
            {
                "name": loc.t(f"change.factors.{f}"),
                "changed": loc.t("change.yes" if info["changed"] else "change.no"),
                "files": "; ".join(files) or loc.t("change.none"),
            }
        )

    multiplier_rows = []
    for r in change["multipliers"]:
        before, after = r["table_product_previous"], r["table_product_current"]
        product = r["product"] + (
            f" → {before or MISSING}/{after or MISSING}"
            if (before, after) != (r["product"], r["product"])
            else ""
        )
        cells = [r["previous"], r["current"], r["change"], r.get("table"), r.get("method")]
        multiplier_rows.append(
            {
                "product": product,
                "measure": loc.t(f"change.measures.{r['measure']}"),
                "cells": [loc.num(v, 3) if v is not None else MISSING for v in cells],
            }
        )

    by_centre: dict[str, list[dict[str, Any]]] = {}
    for r in change["centres"]:
        ind = r["indicator"]
        cells = [_fmt(loc, ind, r[k]) for k in ("previous", "current", "change")]
        cells.append(loc.pct(r["relative"], 1) if r["relative"] is not None else MISSING)
        cells += [_fmt(loc, ind, r.get(k)) for k in _PARTS]
        by_centre.setdefault(r["centre"], []).append(
            {"label": loc.t(f"change.ind.{ind}"), "cells": cells}
        )

    def name(centre: str) -> str:
        pair = (names or {}).get(centre)
        return loc.pick(*pair) if pair else centre

    headline = []
    for ind in ("capex", "construction_value_added", "discounted_value_added"):
        rows = [r for r in change["centres"] if r["indicator"] == ind]
        if rows:
            total = sum(r["change"] for r in rows if r["change"] is not None)
            headline.append(
                {
                    "value": _fmt(loc, ind, total),
                    "unit": units,
                    "label": loc.t(f"change.head.{ind}"),
                }
            )

    return {
        "lang": loc.lang,
        "title": loc.t("change.title", year=year),
        "version": summary.get("iomodel_version", ""),
        "run": summary["run"],
        "run_date": summary["run_date"],
        "year": year,
        "table": {"id": table["id"], "name": table["name"]},
        "projected": bool(table.get("projected")),
        "projection_text": loc.t(
            "change.projection_text",
            base=projection.get("projected_from", ""),
            year=projection.get("year", year),
            iterations=projection.get("gras_iterations", MISSING),
            residual=f"{projection.get('gras_max_relative_residual', math.nan):.1e}",
            adjustment=loc.pct(projection.get("gras_adjustment"), 1),
            structural=loc.pct(projection.get("structural_adjustment"), 1),
        )
        if projection
        else "",
        "previous_label": change["previous"]["label"],
        "previous_table": change["previous"]["table"],
        "previous_units": change["previous"]["units"],
        "current_units": change["current"]["units"],
        "variant_name": loc.t(f"variant.{change['variant']}")
        if loc.has(f"variant.{change['variant']}")
        else change["variant"],
        "headline": headline,
        "factors": factors,
        "notes": list(change.get("notes", [])),
        "multiplier_rows": multiplier_rows,
        "centres": [{"name": name(c), "rows": rows} for c, rows in by_centre.items()],
        "added": ", ".join(name(c) for c in change.get("centres_added", [])),
        "removed": ", ".join(name(c) for c in change.get("centres_removed", [])),
    }
