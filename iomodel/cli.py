"""Command line: ``iomodel tables | validate | multipliers | …`` (thin wrappers over the library)."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import click
import pandas as pd

from .errors import IOModelError
from .multipliers import multiplier_table
from .readers import load_table, shipped_tables

#: Products the centres touch most: ores, chemicals, metals, equipment, construction, energy,
#: transport (codes of the Rosstat 2021 table).
ADJACENT_SECTORS = ("07.2", "08", "09", "20", "24.1-24.3", "24.4", "25", "27", "28", "33",
                    "41-43", "35.1", "19.2-19.3", "49.1-49.2", "49.4", "52", "71")


class _Group(click.Group):
    """Turns library errors into one clean line (tracebacks only with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IOModelError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(package_name="iomodel")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """iomodel — input-output impact model for Russia's rare-metal mineral-resource centres."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@main.command()
def tables() -> None:
    """List the shipped tables."""
    for table_id in shipped_tables():
        table = load_table(table_id)
        click.echo(f"{table_id}\t{table.n} sectors\t{table.meta.year}\t{table.meta.unit_label}\t"
                   f"{table.meta.name}")


@main.command()
@click.argument("table")
def validate(table: str) -> None:
    """Check TABLE (shipped id or path): shapes, labels, signs, balances, productivity."""
    t = load_table(table)
    from . import leontief
    click.echo(f"OK {t.meta.id}: {t.n} sectors, year {t.meta.year}, output "
               f"{t.x.sum():,.0f} {t.meta.unit_label}, spectral radius of A "
               f"{leontief.spectral_radius(t.A):.4f}"
               + ("" if t.employment is None else f", employment {t.employment.sum():,.0f} "
                  f"{t.meta.employment_unit}"))


@main.command()
@click.argument("table")
def sectors(table: str) -> None:
    """List the sector codes and labels of TABLE."""
    t = load_table(table)
    for code, ru, en in zip(t.codes, t.labels("ru"), t.labels("en")):
        click.echo(f"{code}\t{en}\t{ru}")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@main.command()
@click.argument("table")
@click.option("--type", "kind", type=click.Choice(["I", "II"]), default="II", show_default=True,
              help="Multiplier type shown in text output (csv and json carry both).")
@click.option("--closure", type=click.Choice(["textbook", "default"]), default="default",
              show_default=True, help="Household closure for Type II.")
@click.option("--sectors", "codes", default=None,
              help="Comma-separated sector codes (default: all).")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text",
              show_default=True)
def multipliers(table: str, kind: str, closure: str, codes: str | None, fmt: str) -> None:
    """Type I and Type II multipliers per unit of final demand, by sector."""
    t = load_table(table)
    frame = multiplier_table(t, closure)  # type: ignore[arg-type]
    if codes:
        frame = frame.iloc[t.select([c.strip() for c in codes.split(",") if c.strip()])]
    if fmt == "json":
        records = [{"code": code, **{k: _clean(v) for k, v in row.items()}}
                   for code, row in frame.to_dict(orient="index").items()]
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        click.echo(frame.to_csv(float_format="%.6g"), nl=False)
    else:
        click.echo(_text_table(t, frame, kind, closure))


def _text_table(t, frame: pd.DataFrame, kind: str, closure: str) -> str:
    suffix = "type1" if kind == "I" else "type2"
    cols = {"output": f"output_{suffix}", "GVA": f"value_added_{suffix}",
            "income": f"income_{suffix}", "jobs": f"employment_{suffix}",
            "taxes": "taxes_type1", "imports": "imports_type1"}
    unit = t.meta.unit_label
    head = (f"{t.meta.id}: Type {kind} effects per 1 {unit} of final demand"
            + (f" ({closure} household closure)" if kind == "II" else "")
            + f"; jobs in {t.meta.employment_unit} per 1 {unit}; taxes and imports Type I")
    lines = [head, f"{'code':<10} {'label':<44}" + "".join(f"{c:>9}" for c in cols)]
    for code, row in frame.iterrows():
        label = str(row["label"])[:43]
        cells = "".join(f"{row[v]:>9.3f}" if pd.notna(row[v]) else f"{'–':>9}" for v in cols.values())
        lines.append(f"{code:<10} {label:<44}{cells}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
