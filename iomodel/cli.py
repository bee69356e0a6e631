"""Command line: ``iomodel tables | validate | multipliers | …`` (thin wrappers over the library)."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from .errors import IOModelError

if TYPE_CHECKING:  # the heavy libraries are imported by the commands that need them
    import pandas as pd

    from .multipliers import ClosureKind
    from .pipeline import Run
    from .summary import Appraisal
    from .table import IOTable

#: Products the centres touch most: ores, chemicals, metals, equipment, construction, energy,
#: transport (codes of the Rosstat 2021 table).
ADJACENT_SECTORS = (
    "07.2",
    "08",
    "09",
    "20",
    "24.1-24.3",
    "24.4",
    "25",
    "27",
    "28",
    "33",
    "41-43",
    "35.1",
    "19.2-19.3",
    "49.1-49.2",
    "49.4",
    "52",
    "71",
)


class _Group(click.Group):
    """Turns every error into one clean line (tracebacks only with --debug).

    Input errors (:class:`~iomodel.errors.IOModelError`) and file-system errors name the file
    and the fix; anything else is a defect of iomodel, reported as such in one line.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise click.ClickException(_one_line(exc)) from None


class _Refused(click.ClickException):
    """A bad option value, refused in one line that names the option (exit code 1)."""

    def __init__(self, option: str, message: str):
        super().__init__(f"{option}: {message}")


def _one_line(exc: Exception) -> str:
    if isinstance(exc, IOModelError):
        return str(exc)
    if isinstance(exc, OSError):
        where = exc.filename or "iomodel"
        if isinstance(exc, PermissionError):
            return f"{where}: permission denied; choose another path or fix its permissions"
        return f"{where}: {exc.strerror or exc}" + (
            "; free some disk space and run again (earlier outputs are untouched)"
            if getattr(exc, "errno", None) == 28
            else ""
        )
    if isinstance(exc, MemoryError):
        return "out of memory; run fewer centres or variants at once, or on a larger machine"
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    return (
        f"internal error ({type(exc).__name__}: {text}); this is a defect of iomodel — rerun "
        "with `iomodel --debug …` for the traceback and report it"
    )


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
    from .readers import load_table, shipped_tables

    for table_id in shipped_tables():
        table = load_table(table_id)
        click.echo(
            f"{table_id}\t{table.n} sectors\t{table.meta.year}\t{table.meta.unit_label}\t"
            f"{table.meta.name}"
        )


@main.command()
@click.argument("table")
def validate(table: str) -> None:
    """Check TABLE (shipped id or path): shapes, labels, signs, balances, productivity."""

    def answer() -> str:
        from . import leontief
        from .readers import load_table

        t = load_table(table)
        return (
            f"OK {t.meta.id}: {t.n} sectors, year {t.meta.year}, output "
            f"{t.x.sum():,.0f} {t.meta.unit_label}, spectral radius of A "
            f"{leontief.spectral_radius(t.A):.4f}"
            + (
                ""
                if t.employment is None
                else f", employment {t.employment.sum():,.0f} {t.meta.employment_unit}"
            )
            + "\n"
        )

    click.echo(_answered(table, "validate", answer), nl=False)


@main.command()
@click.argument("table")
def sectors(table: str) -> None:
    """List the sector codes and labels of TABLE."""

    def answer() -> str:
        from .readers import load_table

        t = load_table(table)
        return "".join(
            f"{code}\t{en}\t{ru}\n" for code, ru, en in zip(t.codes, t.labels("ru"), t.labels("en"))
        )

    click.echo(_answered(table, "sectors", answer), nl=False)


def _answered(table: str, question: str, answer: Callable[[], str]) -> str:
    """``answer()``, or the same text saved when the same question was last asked about the
    same table files with the same iomodel (workbook tables only; see
    :func:`iomodel.readers.answer_key`): a repeated call then imports neither numpy nor pandas.
    """
    from .readers import answer_key
    from .readers._files import cache_dir

    key = answer_key(table, question)
    folder = cache_dir()
    entry = folder / "answers" / f"{key}.txt" if key and folder else None
    if entry is not None:
        try:
            head, _, body = entry.read_text(encoding="utf-8").partition("\n")
        except (OSError, UnicodeDecodeError):
            head = body = ""
        if head == _ANSWER + hashlib.sha256(body.encode()).hexdigest():
            return body
    text = answer()
    if entry is not None:
        _save_answer(entry, text)
    return text


_ANSWER = "iomodel answer sha256 "  # first line of a saved answer: the checksum of the rest


def _save_answer(entry: Path, text: str, keep: int = 64) -> None:
    """Best effort: an unwritable cache only means the next call computes again."""
    import os
    import tempfile

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".answer-", suffix=".part", dir=entry.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_ANSWER + hashlib.sha256(text.encode()).hexdigest() + "\n" + text)
        os.replace(tmp, entry)
        entries = sorted(entry.parent.glob("*.txt"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-keep]:
            old.unlink(missing_ok=True)
    except OSError:
        return


def _clean(value: Any) -> Any:
    """JSON has no NaN or infinity: a missing or unbounded figure is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


_METHOD = click.option(
    "--method",
    type=click.Choice(["slq", "cilq", "flq", "aflq"]),
    default=None,
    help="Location quotients of the regional model (default: tables/regional/"
    "regionalisation.toml, FLQ).",
)
_DELTA = click.option(
    "--delta",
    type=click.FloatRange(0, 1, max_open=True),
    default=None,
    help="δ of FLQ and AFLQ (default: tables/regional/regionalisation.toml, 0.3).",
)
_REGIONAL = [
    click.option(
        "--regional/--no-regional",
        default=True,
        show_default=True,
        help="Also split every effect between each centre's region(s), the rest of Russia and "
        "abroad (README, 'Effects in the region').",
    ),
    _METHOD,
    _DELTA,
]


@main.command()
@click.argument("table", required=False)
@click.option(
    "--type",
    "kind",
    type=click.Choice(["I", "II"]),
    default="II",
    show_default=True,
    help="Multiplier type shown in text output (csv and json carry both).",
)
@click.option(
    "--closure",
    type=click.Choice(["textbook", "default"]),
    default="default",
    show_default=True,
    help="Household closure for Type II.",
)
@click.option(
    "--sectors", "codes", default=None, help="Comma-separated sector codes (default: all)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True
)
@click.option(
    "--compare-tables",
    "compare",
    default=None,
    help="Comma-separated tables to compare (e.g. rosstat-2011,rosstat-2016,rosstat-2021).",
)
@click.option(
    "--level",
    type=click.Choice(["sector", "section"]),
    default="sector",
    show_default=True,
    help="section: averages by OKVED2 section, weighted by final demand (iomodel.sections).",
)
@click.option(
    "--measure",
    type=click.Choice(["output", "value_added", "income", "employment"]),
    default="output",
    show_default=True,
    help="Multiplier compared across tables in text output.",
)
@click.option(
    "--region",
    default=None,
    help="Multipliers in one region (id, Russian or English name of tables/regional/regions.csv): "
    "effects in the region per unit of final demand for its own product.",
)
@_METHOD
@_DELTA
def multipliers(
    table: str | None,
    kind: str,
    closure: str,
    codes: str | None,
    fmt: str,
    compare: str | None,
    level: str,
    measure: str,
    region: str | None,
    method: str | None,
    delta: float | None,
) -> None:
    """Type I and Type II multipliers per unit of final demand, by sector or OKVED2 section.

    A repeated question about a shipped (workbook) table is answered from the cache of answers
    keyed by the sha256 of the table's files and of iomodel's code (not with --region).
    """
    if region is not None or method is not None or delta is not None:
        if region is None:
            raise _Refused("--method/--delta", "apply to regional multipliers; give --region too")
        if compare or level == "section":
            raise _Refused(
                "--region",
                "gives multipliers by sector of one table; drop --compare-tables/--level",
            )
        if table is None:
            raise _Refused("TABLE", "give the table to regionalise, e.g. rosstat-2021")
        click.echo(
            _regional_multipliers(table, region, method, delta, kind, closure, codes, fmt), nl=False
        )
        return
    if compare or level == "section":
        ids = [c.strip() for c in (compare or table or "").split(",") if c.strip()]
        if not ids:
            raise _Refused("TABLE", "give TABLE or --compare-tables")
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise _Refused("--compare-tables", f"table {dup!r} is named twice; name each once")
        click.echo(_compare_text(ids, kind, closure, fmt, measure), nl=False)
        return
    if table is None:
        raise _Refused("TABLE", "give TABLE or --compare-tables")

    def answer() -> str:
        from .multipliers import has_closure, multiplier_table
        from .readers import load_table

        t = load_table(table)
        positions = _sector_positions(t, codes) if codes is not None else None
        # Type I alone needs no closure: a table without [closure] parameters still answers
        # --type I (its Type II columns are then empty in csv and json)
        chosen = cast("ClosureKind", closure)  # click.Choice allows only the two closures
        frame = multiplier_table(t, chosen if kind == "II" or has_closure(t, chosen) else None)
        if positions is not None:
            frame = frame.iloc[positions]
        if fmt == "json":
            records = [
                {"code": code, **{k: _clean(v) for k, v in row.items()}}
                for code, row in frame.to_dict(orient="index").items()
            ]
            return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
        if fmt == "csv":
            return frame.to_csv(float_format="%.6g")
        return _text_table(t, frame, kind, closure) + "\n"

    question = json.dumps(["multipliers", kind, closure, codes, fmt])
    click.echo(_answered(table, question, answer), nl=False)


def _regional_multipliers(
    table: str,
    region: str,
    method: str | None,
    delta: float | None,
    kind: str,
    closure: str,
    codes: str | None,
    fmt: str,
) -> str:
    """Multipliers in one region (:func:`iomodel.regional_impact.regional_multiplier_table`)."""
    import pandas as pd

    from .readers import load_table
    from .readers.regional import load_regional
    from .regional_impact import regional_multiplier_table

    t = load_table(table)
    data = load_regional()
    rid = data.resolve(region)  # an unknown name is refused with the list of valid ids
    frame = regional_multiplier_table(
        t, rid, data=data, method=method, delta=delta, closure=cast("ClosureKind", closure)
    )
    if codes is not None:
        frame = frame.iloc[_sector_positions(t, codes)]
    if fmt == "json":
        records = [
            {"code": code, **{k: _clean(v) for k, v in row.items()}}
            for code, row in frame.to_dict(orient="index").items()
        ]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return frame.to_csv(float_format="%.6g")
    method = method or data.settings.method
    shown_delta = data.settings.delta if delta is None else delta
    suffix = "type1" if kind == "I" else "type2"
    cols = {
        "output": f"output_{suffix}",
        "GVA": f"value_added_{suffix}",
        "income": f"income_{suffix}",
        "jobs": f"employment_{suffix}",
        "Russia": f"output_{suffix}_national",
        "local": "rpc",
    }
    name = data.regions.loc[rid, "name_en"]
    head = (
        f"{t.meta.id} regionalised for {name} ({method.upper()}"
        + (f", δ = {shown_delta:g}" if method in ("flq", "aflq") else "")
        + f", GVA of {data.settings.year}): Type {kind} effects in the region per 1 "
        f"{t.meta.unit_label} of final demand for its own product"
        + (f" ({closure} household closure)" if kind == "II" else "")
        + f"; jobs in {t.meta.employment_unit}; Russia = the national output multiplier; "
        "local = share its final buyers get in the region"
    )
    width = max([4] + [len(str(c)) for c in frame.index]) + 1
    lines = [head, f"{'code':<{width}} {'label':<44}" + "".join(f"{c:>9}" for c in cols)]
    for code, row in frame.iterrows():
        cells = "".join(
            f"{row[v]:>9.3f}" if pd.notna(row[v]) else f"{'–':>9}" for v in cols.values()
        )
        lines.append(f"{code:<{width}} {str(row['label'])[:43]:<44}{cells}")
    return "\n".join(lines) + "\n"


def _compare_text(ids: list[str], kind: str, closure: str, fmt: str, measure: str) -> str:
    """Multipliers of several tables side by side, by OKVED2 section."""
    import pandas as pd

    from .multipliers import multiplier_table
    from .readers import load_table
    from .sections import SECTION_LABELS, section_multipliers

    tables = [load_table(i) for i in ids]
    by_table = {
        t.meta.id: section_multipliers(t, multiplier_table(t, closure))  # type: ignore[arg-type]
        for t in tables
    }
    if fmt != "text":
        long = pd.concat(by_table, names=["table", "section"]).reset_index()
        if fmt == "csv":
            return long.to_csv(index=False, float_format="%.6g")
        records = [{k: _clean(v) for k, v in r.items()} for r in long.to_dict(orient="records")]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    suffix = "type1" if kind == "I" else "type2"
    column = f"{measure}_{suffix}"
    frame = pd.DataFrame({i: f[column] for i, f in by_table.items()})
    frame = frame.reindex(sorted(frame.index))
    units = ", ".join(f"{t.meta.id}: {t.meta.unit_label} of {t.meta.year}" for t in tables)
    lines = [
        f"{measure} multipliers, Type {kind}"
        + (f" ({closure} household closure)" if kind == "II" else "")
        + f", by OKVED2 section, weighted by final demand; per 1 unit of final demand ({units})",
        f"{'section':<8}{'':<41}" + "".join(f"{i:>15}" for i in frame.columns),
    ]
    for section, row in frame.iterrows():
        cells = "".join(f"{v:>15.3f}" if pd.notna(v) else f"{'–':>15}" for v in row)
        lines.append(f"{section:<8}{SECTION_LABELS.get(section, '')[:40]:<41}{cells}")
    return "\n".join(lines) + "\n"


def _sector_positions(t: IOTable, codes: str) -> list[int]:
    """Positions of the comma-separated ``codes``: at least one, each once."""
    wanted = [c.strip() for c in codes.split(",") if c.strip()]
    if not wanted:
        raise _Refused(
            "--sectors", f"{codes!r} names no sector; give codes separated by commas, e.g. 07.2,28"
        )
    positions = t.select(wanted)
    seen: dict[int, str] = {}
    for code, k in zip(wanted, positions):
        if k in seen:
            same = "" if seen[k] == code else f" (as {seen[k]!r})"
            raise _Refused("--sectors", f"sector {code!r} is given twice{same}; name each once")
        seen[k] = code
    return positions


def _text_table(t: IOTable, frame: pd.DataFrame, kind: str, closure: str) -> str:
    suffix = "type1" if kind == "I" else "type2"
    cols = {
        "output": f"output_{suffix}",
        "GVA": f"value_added_{suffix}",
        "income": f"income_{suffix}",
        "jobs": f"employment_{suffix}",
        "taxes": "taxes_type1",
        "imports": "imports_type1",
    }
    unit = t.meta.unit_label
    head = (
        f"{t.meta.id}: Type {kind} effects per 1 {unit} of final demand"
        + (f" ({closure} household closure)" if kind == "II" else "")
        + f"; jobs in {t.meta.employment_unit} per 1 {unit}; taxes and imports Type I"
    )
    width = max([4] + [len(str(c)) for c in frame.index]) + 1
    lines = [head, f"{'code':<{width}} {'label':<44}" + "".join(f"{c:>9}" for c in cols)]
    import pandas as pd

    for code, row in frame.iterrows():
        label = str(row["label"])[:43]
        cells = "".join(
            f"{row[v]:>9.3f}" if pd.notna(row[v]) else f"{'–':>9}" for v in cols.values()
        )
        lines.append(f"{code:<{width}} {label:<44}{cells}")
    return "\n".join(lines)


def _appraisal_and_groups(run: Run) -> tuple[Appraisal, pd.DataFrame]:
    from .resources import tables_dir
    from .summary import load_appraisal, load_groups

    return (
        load_appraisal(tables_dir() / "appraisal.toml"),
        load_groups(run.table.meta.path.parent / "sector_groups.toml", run.table),
    )


def _run(
    centres,
    variant,
    table,
    kind,
    closure,
    quiet,
    productivity="path",
    preferences="scenario",
    regional=True,
    method=None,
    delta=None,
    study=None,
) -> Run:
    from .pipeline import run_centres
    from .resources import shocks_dir
    from .scenario import check_centre_ids, load_scenarios

    if not regional and (method is not None or delta is not None):
        raise _Refused("--method/--delta", "set the regional model; drop them or --no-regional")
    ids = check_centre_ids(centres) or [s.id for s in load_scenarios(shocks_dir())]
    options = {
        "productivity": productivity,
        "preferences": preferences,
        "regional": regional,
        "method": method,
        "delta": delta,
        **(study or {}),
    }
    if quiet or len(ids) < 2:
        return run_centres(ids, table, [variant] if variant else None, kind, closure, **options)
    with click.progressbar(length=len(ids), label="Building shocks", file=sys.stderr) as bar:

        def step(_centre: str) -> None:
            bar.update(1)

        return run_centres(
            ids, table, [variant] if variant else None, kind, closure, progress=step, **options
        )


def _study_options(default_draws: int):
    """``--draws``, ``--seed``, ``--coefficient-cv``, ``--scheduler`` (the uncertainty study)."""

    def decorate(func):
        for option in reversed(
            [
                click.option(
                    "--draws",
                    type=click.IntRange(0, 10_000_000),
                    default=default_draws,
                    show_default=True,
                    help="Monte Carlo draws of the uncertainty study (0: none): quantiles, "
                    "outranking probabilities and sensitivity of the central variant.",
                ),
                click.option(
                    "--seed",
                    type=click.IntRange(0, 2**63 - 1),
                    default=2021,
                    show_default=True,
                    help="Seed of the draws (the same seed gives the same figures).",
                ),
                click.option(
                    "--coefficient-cv",
                    type=click.FloatRange(0, 1),
                    default=None,
                    help="Perturb the technical coefficients with this coefficient of "
                    "variation in every draw (default: tables/uncertainty.toml, 0 = off).",
                ),
                click.option(
                    "--scheduler",
                    default=None,
                    metavar="ADDRESS",
                    help="Run the draws on dask: 'threads' (local threads) or the address of a "
                    "dask.distributed scheduler (tcp://host:8786); needs iomodel[dask].",
                ),
            ]
        ):
            func = option(func)
        return func

    return decorate


def _study(draws, seed, coefficient_cv, scheduler) -> dict:
    return {
        "draws": draws,
        "seed": seed,
        "coefficient_cv": coefficient_cv,
        "scheduler": scheduler,
    }


_PRODUCTIVITY = click.option(
    "--productivity",
    type=click.Choice(["path", "frozen"]),
    default="path",
    show_default=True,
    help="Employment per rouble falls with the labour-productivity path by section "
    "(tables/productivity), or stays at the table year's (frozen).",
)


_PREFERENCES = click.option(
    "--preferences",
    type=click.Choice(["scenario", "eligible"]),
    default="scenario",
    show_default=True,
    help="Tax regime of each new activity for budget revenue: the one its scenario assumes, or "
    "the Arctic/TOR regime it is eligible for ([fiscal] in shocks/TEMPLATE.toml).",
)


_RUN_OPTIONS = [
    click.option("--variant", default=None, help="One variant (default: all in each file)."),
    click.option("--table", "table", default="rosstat-2021", show_default=True),
    click.option("--type", "kind", type=click.Choice(["I", "II"]), default="II", show_default=True),
    click.option(
        "--closure",
        type=click.Choice(["textbook", "default"]),
        default="default",
        show_default=True,
    ),
    click.option("--quiet", is_flag=True, help="No progress bar or chatter (for scripts)."),
    _PRODUCTIVITY,
    _PREFERENCES,
    *_REGIONAL,
]


def _with_run_options(func):
    for option in reversed(_RUN_OPTIONS):
        func = option(func)
    return func


@main.command()
@click.argument("centres", nargs=-1)
@_with_run_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="out",
    show_default=True,
    help="Folder for the outputs.",
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["netcdf", "xlsx", "csv"]),
    multiple=True,
    help="Output format(s); repeat for several (default: all three).",
)
@click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    default="ru",
    show_default=True,
    help="Language of the workbook's sheet and column names (the CSV and NetCDF keep their keys).",
)
@_study_options(0)
def run(
    centres,
    variant,
    table,
    kind,
    closure,
    quiet,
    productivity,
    preferences,
    regional,
    method,
    delta,
    out_dir,
    formats,
    lang,
    draws,
    seed,
    coefficient_cv,
    scheduler,
):
    """Compute the impacts of CENTRES (default: all) and write the Dataset and workbook.

    The outputs are replaced together: a run that fails or is interrupted leaves the earlier
    outputs as they were.
    """
    from .export import OutputSet, check_output_folder, write_csv, write_netcdf
    from .pipeline import write_workbook

    formats = tuple(dict.fromkeys(formats or ("netcdf", "xlsx", "csv")))
    names = {"netcdf": "impact.nc", "csv": "impact.csv", "xlsx": "impact.xlsx"}
    check_output_folder(out_dir, [names[f] for f in formats])  # before the work, not after
    study = _study(draws, seed, coefficient_cv, scheduler)
    result = _run(
        centres,
        variant,
        table,
        kind,
        closure,
        quiet,
        productivity,
        preferences,
        regional,
        method,
        delta,
        study,
    )
    appraisal, groups = _appraisal_and_groups(result)
    with OutputSet(out_dir) as staging:
        if "netcdf" in formats:
            write_netcdf(result.dataset, staging / names["netcdf"])
        if "csv" in formats:
            write_csv(result.dataset, staging / names["csv"])
        if "xlsx" in formats:
            write_workbook(
                result,
                appraisal,
                groups,
                provenance(result, appraisal),
                staging / names["xlsx"],
                lang=lang,
            )
    if not quiet:
        for fmt in formats:
            click.echo(f"wrote {out_dir / names[fmt]}")


def _thesis_text(result: Run, appraisal: Appraisal, kind: str, fmt: str) -> str:
    """The thesis table (iomodel.thesis) as text, CSV or JSON."""
    import pandas as pd

    from .thesis import thesis_table

    frame = thesis_table(result.dataset, appraisal)
    if fmt == "csv":
        return frame.to_csv(index=False, float_format="%.6g")
    if fmt == "json":
        records = [{k: _clean(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    meta = result.table.meta
    cols = {
        "capex": "capex",
        "va/rouble": "value_added_per_rouble",
        "jobs/bn": "job_years_per_bn_rub",
        "adjacent/rouble": "adjacent_output_per_rouble",
        "revenue/rouble": "revenue_per_rouble",
        "stage va/rouble": "marginal_value_added_per_rouble",
    }
    lines = [
        f"The programme's thesis (central variant, Type {kind}): capex in {meta.unit_label} of "
        f"{meta.year}; value added, adjacent-industry output and budget revenue (every tax and "
        f"budget level) over both phases, discounted at {appraisal.discount_rate:.1%} to "
        f"{appraisal.base_year}, per rouble of discounted capex; job-years over both phases per "
        "bn of capex; 'stage va/rouble': what a stage adds per rouble of its own capex",
        f"{'centre':<18}{'case':<19}" + "".join(f"{c:>16}" for c in cols),
    ]
    for _, row in frame.iterrows():
        cells = "".join(
            f"{row[c]:>16,.{0 if c in ('capex', 'job_years_per_bn_rub') else 2}f}"
            if pd.notna(row[c])
            else f"{'–':>16}"
            for c in cols.values()
        )
        lines.append(f"{row['centre']:<18}{row['case']:<19}{cells}")
    return "\n".join(lines) + "\n"


def provenance(result: Run, appraisal: Appraisal) -> dict[str, str]:
    """What made a run (see :func:`iomodel.pipeline.run_provenance`), dated today."""
    from .pipeline import run_provenance

    return run_provenance(result, appraisal)


@main.command()
@click.option(
    "--by",
    default="discounted_value_added",
    show_default=True,
    help="Indicator to rank by (see README).",
)
@_with_run_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True
)
@click.option(
    "--thesis",
    is_flag=True,
    help="The programme's thesis instead (issue 12): per rouble of capex, the base case against "
    "each processing stage, low against high localisation, the cluster against its deposits "
    "developed separately, for every centre and all together (built on the central variant).",
)
def compare(
    by,
    variant,
    table,
    kind,
    closure,
    quiet,
    productivity,
    preferences,
    regional,
    method,
    delta,
    fmt,
    thesis,
):
    """Rank all centres by an indicator, absolute and per rouble invested."""
    from .fiscal import BUDGETS
    from .summary import INDICATORS, REGIONAL_INDICATORS
    from .summary import compare as compare_centres

    if thesis:
        if variant not in (None, "central"):
            raise _Refused(
                "--variant", "the thesis cases are built on the central variant; leave it out"
            )
        result = _run((), "central", table, kind, closure, quiet, productivity, preferences)
        appraisal, _ = _appraisal_and_groups(result)
        click.echo(_thesis_text(result, appraisal, kind, fmt), nl=False)
        return
    if by not in INDICATORS:
        raise _Refused("--by", f"{by!r} is not an indicator; choose one of {', '.join(INDICATORS)}")
    result = _run(
        (),
        variant or "central",
        table,
        kind,
        closure,
        quiet,
        productivity,
        preferences,
        regional,
        method,
        delta,
    )
    if by in REGIONAL_INDICATORS and "value_added_by_region" not in result.dataset:
        raise _Refused("--by", f"{by} needs the regional model; drop --no-regional")
    appraisal, _ = _appraisal_and_groups(result)
    frame = compare_centres(result.dataset, variant or "central", appraisal, by)
    if fmt == "json":
        click.echo(frame.reset_index().to_json(orient="records", force_ascii=False, indent=1))
    elif fmt == "csv":
        click.echo(frame.to_csv(float_format="%.6g"), nl=False)
    else:
        unit = result.table.meta.unit_label
        cols = [
            "rank",
            by,
            "capex",
            "construction_value_added",
            "construction_employment",
            "operation_value_added",
            "operation_employment",
            "value_added_per_capex",
        ]
        if "revenue" in by:  # budget revenue: the level totals and the ratio beside it
            cols[3:] = ["construction_revenue", "operation_revenue", "discounted_revenue"]
            cols += [f"discounted_revenue_{b}" for b in BUDGETS] + ["revenue_per_capex"]
        if by in REGIONAL_INDICATORS:  # what stays in the centres' own regions
            cols = [
                "rank",
                by,
                "capex",
                "construction_value_added_region_share",
                "construction_employment_region_share",
                "operation_value_added_region_share",
                "operation_employment_region_share",
                "value_added_in_region_per_capex",
            ]
        cols = list(dict.fromkeys(cols))
        click.echo(
            f"Centres ranked by {by} (variant {variant or 'central'}, Type {kind}; money in "
            f"{unit} of {result.table.meta.year})"
        )
        click.echo(frame[cols].to_string(float_format=lambda v: f"{v:,.2f}"))


@main.command()
@click.argument("centres", nargs=-1)
@click.option(
    "--compare",
    "compare_only",
    is_flag=True,
    help="Only the comparison report: of the named CENTRES (at least two), or of all.",
)
@click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    default="ru",
    show_default=True,
    help="Language of the reports.",
)
@click.option(
    "--variant",
    default="central",
    show_default=True,
    help="Variant the reports are about (the tables of variants show them all).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="out/reports",
    show_default=True,
    help="Folder for the PDFs.",
)
@click.option("--table", "table", default="rosstat-2021", show_default=True)
@click.option("--type", "kind", type=click.Choice(["I", "II"]), default="II", show_default=True)
@click.option(
    "--closure", type=click.Choice(["textbook", "default"]), default="default", show_default=True
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes rendering PDFs (default: one per core).",
)
@click.option("--quiet", is_flag=True, help="Print only where the reports are.")
@_PRODUCTIVITY
@_PREFERENCES
@_REGIONAL[0]
@_METHOD
@_DELTA
@click.option(
    "--dataset/--no-dataset",
    "with_dataset",
    default=True,
    show_default=True,
    help="Also keep the Dataset the reports were made from beside them, as impact-<sha256>.nc "
    "(reports.json says which PDF was made from which).",
)
@click.option(
    "--from",
    "from_dataset",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Render from an existing run's Dataset (the impact.nc `iomodel run` wrote): no solve. "
    "Its table and scenario files must be unchanged since.",
)
@click.option(
    "--prices",
    "prices_basis",
    default="table",
    show_default=True,
    help="Prices of the money figures: 'table' (the input-output table's year), 'nominal' "
    "(each year's flows in that year's prices; discounting at the matching nominal rate) or a "
    "year, e.g. 2024 — moved with the deflator the fiscal block uses, tables/fiscal/nominal.toml.",
)
@_study_options(2000)
def report(
    centres,
    compare_only,
    lang,
    variant,
    out_dir,
    table,
    kind,
    closure,
    workers,
    quiet,
    productivity,
    preferences,
    regional,
    method,
    delta,
    with_dataset,
    draws,
    seed,
    coefficient_cv,
    scheduler,
    from_dataset,
    prices_basis,
):
    """Write PDF reports: one per centre and a comparison of all centres.

    \b
    iomodel report                    every centre's report and the comparison
    iomodel report kola tomtor        the reports of these centres only
    iomodel report --compare          the comparison of all centres only
    iomodel report kola tomtor --compare
                                      the comparison of these centres only
    iomodel report --from out/impact.nc
                                      from an existing run, without solving again
    Files are named CENTRE.LANG.pdf and comparison.LANG.pdf (CENTRE.VARIANT.LANG.pdf for a
    variant other than central).
    """
    from .export import OutputSet, check_output_folder
    from .report import report_name, write_reports
    from .scenario import check_centre_ids

    price_year = _price_year(prices_basis)
    ids = check_centre_ids(centres)
    if compare_only and len(ids) == 1:
        raise _Refused("CENTRES", "a comparison needs at least two centres; name more or none")
    out_dir = check_output_folder(
        out_dir,
        [report_name(c, lang, variant) for c in ids]
        + ([report_name(None, lang, variant)] if compare_only or not ids else []),
    )
    if from_dataset is not None:
        from .pipeline import run_from_dataset

        result = run_from_dataset(from_dataset)
        unknown = [c for c in ids if c not in result.dataset.centre.values]
        if unknown:
            raise _Refused("CENTRES", f"{', '.join(unknown)} not in {from_dataset}")
        if ids:  # only the named centres (a comparison of them)
            result = _subset_run(result, ids)
    else:
        study = _study(draws, seed, coefficient_cv, scheduler)
        result = _run(
            ids,
            None,
            table,
            kind,
            closure,
            quiet,
            productivity,
            preferences,
            regional,
            method,
            delta,
            study,
        )
    for scenario in result.scenarios:
        if variant not in scenario.variants:
            raise _Refused(
                "--variant",
                f"{scenario.path}: no variant {variant!r}; it has {', '.join(scenario.variants)}",
            )
    appraisal, groups = _appraisal_and_groups(result)

    def done(rep) -> None:
        if not quiet:
            click.echo(f"rendered {rep.path.name} ({rep.pages} pages)")

    with OutputSet(out_dir) as staging:  # the PDFs (and the Dataset) replace the old ones together
        dataset_name = ""
        if with_dataset:
            dataset_name = _stage_dataset(result, from_dataset, staging, out_dir)
        written = write_reports(
            result,
            appraisal,
            groups,
            provenance(result, appraisal),
            staging,
            centres=[] if compare_only else None,
            comparison=compare_only or not ids,
            lang=lang,
            variant=variant,
            workers=workers,
            progress=done,
            price_year=price_year,
            dataset_file=dataset_name,
        )
        if with_dataset:
            _stage_manifest(staging, out_dir, [r.path.name for r in written], dataset_name)
    if with_dataset:
        _tidy_datasets(out_dir)
    if not quiet:
        for rep in written:
            click.echo(f"wrote {out_dir / rep.path.name}")
        if with_dataset:
            click.echo(f"wrote {out_dir / dataset_name} (the Dataset these reports were made from)")
    click.echo(f"{len(written)} report(s) in {out_dir}/")


def _price_year(text: str) -> int | str | None:
    """``--prices``: None for the table year's prices, 'nominal' for current prices, else the
    year."""
    if text == "table":
        return None
    if text == "nominal":
        return text
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    raise _Refused("--prices", f"{text!r} is neither 'table', 'nominal' nor a year such as 2024")


def _subset_run(run: Run, ids: list[str]) -> Run:
    """A run read from a Dataset, narrowed to the centres ``ids``."""
    from dataclasses import replace

    return replace(
        run,
        scenarios=tuple(s for s in run.scenarios if s.id in ids),
        dataset=run.dataset.sel(centre=ids),
    )


def _stage_dataset(run: Run, source: Path | None, staging: Path, out_dir: Path) -> str:
    """Put the run's Dataset into ``staging`` as impact-<first 12 hex of its sha256>.nc (a copy
    of ``source`` when the run was read from one) and return that name: reports of different
    runs in one folder each keep the Dataset they were made from."""
    from .export import write_netcdf

    tmp = staging / ".dataset.nc"
    if source is not None:
        shutil.copyfile(source, tmp)
    else:
        write_netcdf(run.dataset, tmp)
    digest = hashlib.sha256()
    with tmp.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    name = f"impact-{digest.hexdigest()[:12]}.nc"
    if (out_dir / name).exists():
        tmp.unlink()  # the same Dataset is already there
    else:
        tmp.rename(staging / name)
    return name


MANIFEST = "reports.json"


def _stage_manifest(staging: Path, out_dir: Path, pdfs: list[str], dataset: str) -> None:
    """reports.json: which Dataset each PDF of the folder was made from (the old entries kept)."""
    try:
        entries = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entries = {}
    entries.update({pdf: dataset for pdf in pdfs})
    (staging / MANIFEST).write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n")


def _tidy_datasets(out_dir: Path) -> None:
    """Remove the Datasets of the folder no PDF there was made from any more."""
    try:
        entries = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    live = {pdf: ds for pdf, ds in entries.items() if (out_dir / pdf).exists()}
    if live != entries:
        (out_dir / MANIFEST).write_text(json.dumps(live, indent=1, sort_keys=True) + "\n")
    for path in out_dir.glob("impact-*.nc"):
        if path.name not in set(live.values()):
            path.unlink()


from .cli_update import update_command  # noqa: E402  (the command lives in its own module)

main.add_command(update_command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
