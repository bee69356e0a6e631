"""A table written out in the generic folder format, readable again by :func:`load_table`.

The update keeps the table it used beside its results this way — for a projected table, the
projected matrices themselves — so that ``iomodel validate``, ``iomodel multipliers`` or any CSV
tool can read it.  Numbers are written in the shortest form that reads back to the same double
(nothing is lost), so the same table always gives the same bytes.  What the generic format has
no place for stays out: the GFCF valuation and the imports-use matrix (the shocks need them, so
centre runs read the table from its source), and the OKVED2 concordance.  A projected table's
``meta.projection`` goes to ``projection.json`` beside it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from .table import IOTable

__all__ = ["write_generic_table"]

_CLOSURE = ("income_tax_rate", "propensity_to_consume", "wage_share", "domestic_share")


def write_generic_table(table: IOTable, folder: Path) -> list[Path]:
    """Write ``table`` to ``folder`` (created) as table.toml, Z.csv, Y.csv, V.csv, sectors.csv,
    employment.csv (when it has employment) and projection.json (when projected).

    Returns the files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in (("Z", table.frame("Z")), ("Y", table.frame("Y")), ("V", table.frame("V"))):
        frame.index.name = "code"
        written.append(_csv(frame, folder / f"{name}.csv"))
    sectors = table.sectors.copy()
    sectors.index.name = "code"
    written.append(_csv(sectors, folder / "sectors.csv"))
    if table.employment is not None:
        emp = pd.DataFrame({"employment": table.employment}, index=pd.Index(table.codes))
        emp.index.name = "code"
        written.append(_csv(emp, folder / "employment.csv"))
    path = folder / "table.toml"
    path.write_text(_manifest(table), encoding="utf-8")
    written.append(path)
    if table.meta.projection is not None:
        path = folder / "projection.json"
        path.write_text(
            json.dumps(table.meta.projection, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        written.append(path)
    return written


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    # floats as repr: the shortest text that reads back to the same double
    frame.to_csv(path, encoding="utf-8", lineterminator="\n", float_format=None)
    return path


def _value(value: Any) -> str:
    """A TOML value: strings as JSON strings (a subset of TOML basic strings), numbers as repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _manifest(table: IOTable) -> str:
    meta = table.meta
    lines = [
        "# Written by iomodel (iomodel.export_table) in the generic format: the table an update"
        " used.",
        f"id = {_value(meta.id)}",
        f"name = {_value(meta.name)}",
        'format = "generic"',
        f"year = {meta.year}",
        f"currency = {_value(meta.currency)}",
        f"unit = {_value(float(meta.unit))}",
        f"price_basis = {_value(meta.price_basis)}",
        f"source = {_value(meta.source)}",
        f"employment_unit = {_value(meta.employment_unit)}",
        f"allow_negative = {_value(list(table.allow_negative))}",
        "",
        "[tolerance]",
        f"relative = {_value(float(table.tolerance.relative))}",
        f"absolute = {_value(float(table.tolerance.absolute))}",
        "",
        "[roles]",
        f"household_consumption = {_value(table.roles.household_consumption)}",
        f"compensation = {_value(table.roles.compensation)}",
    ]
    for key in ("value_added", "imports", "product_taxes", "production_taxes"):
        lines.append(f"{key} = {_value(list(getattr(table.roles, key)))}")
    closure = table.closure_parameters
    body = []
    for key in _CLOSURE:
        value = getattr(closure, key)
        if value is not None:
            body.append(f"{key} = {_value(float(value))}")
            body.append(f"{key}_source = {_value(closure.sources.get(key, 'from the table'))}")
    if closure.imputed_rent:
        body.append(f"imputed_rent = {_value(float(closure.imputed_rent))}")
        body.append(f"imputed_rent_product = {_value(closure.imputed_rent_product or '')}")
        source = closure.sources.get("imputed_rent", "from the table")
        body.append(f"imputed_rent_source = {_value(source)}")
    if body:
        lines += ["", "[closure]", *body]
    for ex in table.sign_exceptions:
        lines += [
            "",
            "[[sign_exceptions]]",
            f"row = {_value(ex.row)}",
            f"column = {_value(ex.column)}",
            f"reason = {_value(ex.reason)}",
        ]
    return "\n".join(lines) + "\n"
