"""The annual update: the table for a year, every centre and report re-run, and what moved.

:func:`update` is what ``iomodel update`` runs, once a year or on a timer:

1. **The table.** The basic table of the year when one is shipped (``tables/rosstat-2021`` for
   2021), else the latest basic table before the year projected to it with GVA by OKVED2 section
   (:func:`iomodel.projection.project_table`; labelled *projected* wherever it appears).  The
   default year is the latest one the national accounts cover with both GVA and employment by
   section.  A table that fails validation is refused with its reasons before anything is written.
2. **The run.** Every centre (or those of the configuration), every variant; the Dataset
   (``impact.nc``), the tidy CSV, the workbook, the PDF reports, and ``summary.json`` — the
   table used with its hashes, the options, the headline figures and multipliers, the sha256 of
   every file written.  The table used is kept beside them: every input file, byte for byte, in
   ``inputs/`` (laid out like the project, so ``IOMODEL_HOME=<run>/inputs`` reproduces the run)
   and, for a projected table, the projected matrices in the generic format in ``table/``.
3. **What moved** (``change.json`` and its PDF): each centre's headline figures and the
   multipliers of a few products against the previous run — or, when there is none, against the
   latest basic table with the same inputs — decomposed into **table**, **prices**,
   **scenarios** and the tax **law** by re-running the model with every combination of old and new inputs (a
   Shapley decomposition, :mod:`iomodel.decompose`; inputs that did not change get exactly 0),
   plus **method**: the previous run's stored figure minus the same inputs re-run with today's
   code and options (a change of iomodel itself or of the configuration).

Safe to schedule: one run at a time (a lock file with the PID, :mod:`iomodel.runlock`);
everything is written into a hidden staging folder beside the runs and renamed into place at the
end, so a failed or killed run leaves every earlier run as it was (its staging folder is removed
by the next run); the same inputs give the same files, and a second update with unchanged inputs
writes nothing (``status = "up-to-date"``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import os
import shutil
import tomllib
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .decompose import combinations_of, shapley
from .errors import ConfigError, IOModelError, TableError
from .export import OutputSet, check_output_folder
from .impact import iomodel_version
from .multipliers import multiplier_table
from .pipeline import Run, run_loaded, run_provenance, write_workbook
from .prices import load_prices
from .projection import project_table
from .readers import load_table, project_dir
from .readers._files import sha256_file, table_files
from .readers.manifest import read_manifest
from .readers.national_accounts import load_employment_by_section, load_gva_by_section
from .resources import reports_dir
from .runlock import hold_lock
from .scenario import load_scenarios
from .shock import Bridge, load_bridge
from .summary import INDICATORS, Appraisal, key_figures, load_appraisal, load_groups
from .table import IOTable

__all__ = [
    "EXIT_CODES",
    "FACTORS",
    "Source",
    "TableChoice",
    "UpdateConfig",
    "UpdateResult",
    "choose_table",
    "default_year",
    "find_runs",
    "load_config",
    "parse_config",
    "update",
]

#: The inputs a change is decomposed into (the tax law moves only the budget revenue).
FACTORS = ("table", "prices", "scenarios", "law")
#: Exit codes of ``iomodel update`` (documented in the README).
EXIT_CODES = {
    "ok": 0,  # a new run was written, or the last one is up to date
    "error": 1,  # an unexpected failure (a bug): earlier runs are untouched
    "usage": 2,  # bad command line or configuration file
    "refused": 3,  # an input (table, scenario, prices) failed validation: nothing was written
    "locked": 4,  # another update holds the lock
    "output": 5,  # the runs folder cannot be written
}
HEADLINE = (
    "capex",
    "construction_value_added",
    "construction_employment",
    "operation_value_added",
    "operation_employment",
    "discounted_value_added",
    "discounted_taxes",
)
MULTIPLIER_PRODUCTS = ("07.2", "20", "24.4", "28", "41-43")
MEASURES = ("output_type1", "output_type2", "value_added_type2", "employment_type2")
SUMMARY = "summary.json"
CHANGE = "change.json"
LOCK = ".update.lock"
_SCHEMA = 1


# ============================================================================== configuration
@dataclass(frozen=True)
class UpdateConfig:
    """What an update does (a TOML file; every key optional, see :func:`parse_config`)."""

    runs: Path = Path("runs")
    data: Path | None = None
    year: int | None = None
    centres: tuple[str, ...] = ()
    variant: str = "central"
    model: str = "II"
    closure: str = "default"
    productivity: str = "path"
    preferences: str = "scenario"
    regional: bool = True
    languages: tuple[str, ...] = ("ru",)
    reports: bool = True
    workers: int | None = None
    multiplier_products: tuple[str, ...] = MULTIPLIER_PRODUCTS
    indicators: tuple[str, ...] = HEADLINE

    def options(self) -> dict[str, Any]:
        """The settings that shape the outputs (recorded in the summary and the fingerprint)."""
        return {
            "centres": list(self.centres),
            "variant": self.variant,
            "model": self.model,
            "closure": self.closure,
            "productivity": self.productivity,
            "preferences": self.preferences,
            "regional": self.regional,
            "languages": list(self.languages),
            "reports": self.reports,
            "multiplier_products": list(self.multiplier_products),
            "indicators": list(self.indicators),
        }


def _text(where: Path, key: str, value: Any, choices: Sequence[str] | None = None) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: {key} must be a non-empty string, got {value!r}")
    if choices is not None and value not in choices:
        raise ConfigError(f"{where}: {key} = {value!r}; choose one of {', '.join(choices)}")
    return value


def _texts(where: Path, key: str, value: Any, choices: Sequence[str] | None = None) -> tuple:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: {key} must be a list of strings, got {value!r}")
    out = tuple(_text(where, f"{key}[{k}]", v, choices) for k, v in enumerate(value))
    if len(set(out)) != len(out):
        raise ConfigError(
            f"{where}: {key} lists {sorted({v for v in out if out.count(v) > 1})} twice"
        )
    return out


def _integer(where: Path, key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(f"{where}: {key} must be an integer from {lo} to {hi}, got {value!r}")
    return value


def parse_config(data: Mapping[str, Any], where: Path, base: Path | None = None) -> UpdateConfig:
    """Check a configuration dictionary (as read from TOML) and build the config.

    Keys: ``runs`` (folder of the run folders; default ``runs``), ``data`` (folder holding
    ``tables/`` and ``shocks/``; default the shipped data or ``IOMODEL_HOME``), ``year``,
    ``centres`` (default all), ``variant`` (of the headline figures and the reports; default
    ``central``), ``model`` (``I``/``II``), ``closure`` (``default``/``textbook``),
    ``productivity`` (``path``/``frozen``), ``languages`` (of the reports: ``ru``, ``en``),
    ``reports`` (write PDFs; default true), ``workers`` (processes rendering PDFs),
    ``multiplier_products`` (Rosstat 2021 codes whose multipliers the change report follows) and
    ``indicators`` (the headline figures, from :data:`iomodel.summary.INDICATORS`).  Relative
    paths are taken from ``base`` (the configuration file's folder).  Unknown keys are refused.
    """
    known = {f.name for f in UpdateConfig.__dataclass_fields__.values()}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(known))}"
        )
    base = base or Path.cwd()
    out: dict[str, Any] = {}
    for key in ("runs", "data"):
        if key in data:
            out[key] = base / _text(where, key, data[key])
    if "year" in data:
        out["year"] = _integer(where, "year", data["year"], 2000, 2100)
    if "centres" in data:
        out["centres"] = _texts(where, "centres", data["centres"])
    if "variant" in data:
        out["variant"] = _text(where, "variant", data["variant"])
    choices = {"model": ("I", "II"), "closure": ("default", "textbook")}
    choices["productivity"] = ("path", "frozen")
    choices["preferences"] = ("scenario", "eligible")
    for key, options in choices.items():
        if key in data:
            out[key] = _text(where, key, data[key], options)
    if "languages" in data:
        out["languages"] = _texts(where, "languages", data["languages"], ("ru", "en"))
        if not out["languages"]:
            raise ConfigError(f"{where}: languages must name at least one of ru, en")
    for key in ("reports", "regional"):
        if key in data:
            if not isinstance(data[key], bool):
                raise ConfigError(f"{where}: {key} must be true or false, got {data[key]!r}")
            out[key] = data[key]
    if "workers" in data:
        out["workers"] = _integer(where, "workers", data["workers"], 1, 64)
    if "multiplier_products" in data:
        out["multiplier_products"] = _texts(
            where, "multiplier_products", data["multiplier_products"]
        )
    if "indicators" in data:
        out["indicators"] = _texts(where, "indicators", data["indicators"], INDICATORS)
    if "runs" not in out:
        out["runs"] = base / "runs"
    return UpdateConfig(**out)


def load_config(path: Path) -> UpdateConfig:
    """Read and check an update configuration file (TOML; see :func:`parse_config`)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    return parse_config(data, path, path.resolve().parent)


# ============================================================================== the table
@dataclass(frozen=True)
class TableChoice:
    """The basic table an update uses, and the year it is projected to (its own when equal)."""

    basic: str
    basic_year: int
    year: int

    @property
    def projected(self) -> bool:
        return self.year != self.basic_year

    @property
    def id(self) -> str:
        return f"{self.basic}-projected-{self.year}" if self.projected else self.basic


def basic_tables(root: Path) -> dict[str, int]:
    """The basic tables under ``root/tables`` (folders with a table.toml) and their years."""
    return {
        manifest.parent.name: read_manifest(manifest).meta.year
        for manifest in sorted((root / "tables").glob("*/table.toml"))
    }


def _national_accounts(root: Path) -> Path:
    return root / "tables" / "national-accounts"


def default_year(root: Path) -> int:
    """The latest year with both GVA and employment by OKVED2 section in the national accounts."""
    folder = _national_accounts(root)
    gva = load_gva_by_section(folder / "gva_okved2_sections.csv")
    emp = load_employment_by_section(folder / "employment_okved2_sections.csv")
    years = sorted(set(gva.columns) & set(emp.columns))
    if not years:
        raise TableError(f"{folder}: no year has both GVA and employment by section")
    return int(years[-1])


def choose_table(root: Path, year: int) -> TableChoice:
    """The basic table of ``year``, else the latest basic table before it (to be projected)."""
    tables = basic_tables(root)
    earlier = {tid: y for tid, y in tables.items() if y <= year}
    if not earlier:
        raise TableError(
            f"{root / 'tables'}: no basic table for {year} or before (tables: "
            f"{', '.join(f'{t} ({y})' for t, y in tables.items()) or 'none'}); choose a later year"
        )
    basic = max(earlier, key=lambda t: (earlier[t], t))
    return TableChoice(basic, earlier[basic], year)


# ============================================================================== inputs
@dataclass(frozen=True)
class Source:
    """One set of inputs: a folder laid out like the project (``tables/``, ``shocks/``) and the
    table chosen in it.  The current data, or the ``inputs/`` copy of an earlier run."""

    root: Path
    choice: TableChoice
    centres: tuple[str, ...] = ()
    regional: bool = True

    @property
    def table_dir(self) -> Path:
        return self.root / "tables" / self.choice.basic

    @property
    def shocks_dir(self) -> Path:
        return self.root / "shocks"

    def files(self) -> dict[str, list[str]]:
        """The input files of each factor, relative to ``root`` (posix paths)."""
        tables = self.root / "tables"
        table = table_files(self.table_dir)
        if self.choice.projected:
            na = _national_accounts(self.root)
            table += [na / "gva_okved2_sections.csv", na / "employment_okved2_sections.csv"]
        table.append(tables / "productivity" / "labour_productivity.csv")
        if self.regional:  # the regional step's data: part of the table, which it regionalises
            regional = tables / "regional"
            table += [regional / n for n in ("regions.csv", "gva_structure.csv", "grp.csv")]
            table.append(regional / "regionalisation.toml")
        prices = [
            tables / "prices" / name
            for name in ("exchange_rates.csv", "deflators.csv", "price_map.toml")
        ]
        prices.append(tables / "appraisal.toml")
        if self.centres:
            scenarios = [self.shocks_dir / f"{c}.toml" for c in self.centres]
        else:
            scenarios = sorted(p for p in self.shocks_dir.glob("*.toml") if p.stem != "TEMPLATE")
        law = sorted((tables / "fiscal").glob("*.toml"))
        out = {}
        for factor, paths in zip(FACTORS, (table, prices, scenarios, law)):
            missing = [p for p in paths if not p.is_file()]
            if missing:
                raise TableError(f"{missing[0]}: input file missing (needed for the {factor})")
            out[factor] = [p.relative_to(self.root).as_posix() for p in paths]
        return out

    def hashes(self) -> dict[str, dict[str, str]]:
        """sha256 of every input file, by factor."""
        return {
            factor: {rel: sha256_file(self.root / rel) for rel in rels}
            for factor, rels in self.files().items()
        }


@dataclass(frozen=True)
class Loaded:
    """The inputs of one run, read and checked."""

    table: IOTable
    bridge: Bridge
    groups: pd.DataFrame
    appraisal: Appraisal
    run: Run


def load_table_for(source: Source) -> IOTable:
    """The basic table of ``source``, projected to its year when that is later."""
    base = load_table(source.table_dir)
    if not source.choice.projected:
        return base
    folder = _national_accounts(source.root)
    gva = load_gva_by_section(folder / "gva_okved2_sections.csv")
    employment = load_employment_by_section(folder / "employment_okved2_sections.csv")
    year = source.choice.year
    if year not in employment.columns:
        raise TableError(
            f"{folder / 'employment_okved2_sections.csv'}: no employment by section for {year} "
            f"(it has {min(employment.columns)}–{max(employment.columns)}); a projected table "
            "needs it — choose an earlier year or add the year's figures"
        )
    return project_table(base, year, gva, employment=employment[year] * 1000.0)


def _load_run(
    config: UpdateConfig,
    table: IOTable,
    sources: Mapping[str, Source],
    variants: Sequence[str] | None = None,
    cases: str | None = None,
) -> Loaded:
    """Run the model on ``table`` with the rest of each input read from its source
    (``sources``: one :class:`Source` for each of :data:`FACTORS`): the bridge, groups and
    productivity path with the table, prices and the discount rate, the scenarios, the tax law.
    ``cases``: the variant the thesis cases are built on (None: none, for figures only)."""
    table_src = sources["table"]
    bridge = load_bridge(table_src.table_dir / "bridge.toml", table)
    groups = load_groups(table_src.table_dir / "sector_groups.toml", table)
    tables = sources["prices"].root / "tables"
    appraisal = load_appraisal(tables / "appraisal.toml")
    prices = load_prices(tables / "prices")
    scenarios = load_scenarios(sources["scenarios"].shocks_dir, list(config.centres) or None)
    productivity = table_src.root / "tables" / "productivity" / "labour_productivity.csv"
    extra = {}
    if table_src.choice.projected:
        folder = _national_accounts(table_src.root)
        for name in ("gva_okved2_sections.csv", "employment_okved2_sections.csv"):
            extra[name] = sha256_file(folder / name)
    run = run_loaded(
        table,
        bridge,
        prices,
        scenarios,
        variants=variants,
        model=config.model,  # type: ignore[arg-type]
        closure=config.closure,  # type: ignore[arg-type]
        productivity=config.productivity,  # type: ignore[arg-type]
        cases=cases,
        preferences=config.preferences,  # type: ignore[arg-type]
        productivity_path=productivity,
        regional=config.regional,
        fiscal_folder=sources["law"].root / "tables" / "fiscal",
        regional_folder=table_src.root / "tables" / "regional",
        extra_hashes=extra,
    )
    return Loaded(table, bridge, groups, appraisal, run)


# ============================================================================== figures
def headline(run: Run, config: UpdateConfig, appraisal: Appraisal) -> pd.DataFrame:
    """Headline figures of every centre (rows) for the configured variant and indicators."""
    ds = run.dataset
    if config.variant not in ds.variant.values:
        raise IOModelError(
            f"variant {config.variant!r} is not in the run (it has "
            f"{', '.join(map(str, ds.variant.values))}); set variant in the configuration"
        )
    return key_figures(ds, config.variant, appraisal)[list(config.indicators)].astype(float)


_MULTIPLIERS: weakref.WeakKeyDictionary[IOTable, dict] = weakref.WeakKeyDictionary()


def multipliers(table: IOTable, bridge: Bridge, config: UpdateConfig) -> pd.DataFrame:
    """Multipliers of the configured products (Rosstat 2021 codes, translated for a table of
    another classification): rows products, columns ``table_product`` and :data:`MEASURES`.

    Kept for the life of ``table`` (an update asks for the same table's several times).
    """
    products = None if bridge.products is None else tuple(sorted(bridge.products.to.items()))
    key = (config.closure, config.multiplier_products, products)
    memo = _MULTIPLIERS.setdefault(table, {})
    if key not in memo:
        memo[key] = _multipliers(table, bridge, config)
    return memo[key].copy()


def _multipliers(table: IOTable, bridge: Bridge, config: UpdateConfig) -> pd.DataFrame:
    frame = multiplier_table(table, config.closure)  # type: ignore[arg-type]
    rows = []
    for code in config.multiplier_products:
        target: str | None = code
        if bridge.products is not None:
            target = bridge.products.to.get(code)
        if target is not None and target not in table.codes:
            target = None
        values = [float(frame.loc[target, m]) if target else math.nan for m in MEASURES]
        rows.append([target, *values])
    out = pd.DataFrame(
        rows, index=list(config.multiplier_products), columns=["table_product", *MEASURES]
    )
    out.index.name = "product"
    return out


def _json_number(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _records(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {
        str(i): {str(k): _json_number(v) for k, v in row.items()}
        for i, row in frame.to_dict(orient="index").items()
    }


def _frame(records: Mapping[str, Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(dict(records), orient="index")
    frame = frame.reindex(columns=list(columns))
    for column in frame.columns:
        if column != "table_product":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


# ============================================================================== earlier runs
@dataclass(frozen=True)
class PastRun:
    """A completed run folder and its summary."""

    path: Path
    summary: dict[str, Any]

    @property
    def sequence(self) -> int:
        return int(self.summary.get("sequence", 0))

    @property
    def choice(self) -> TableChoice:
        t = self.summary["table"]
        return TableChoice(t["basic"], int(t["basic_year"]), int(t["year"]))


def find_runs(runs: Path) -> list[PastRun]:
    """Completed runs under ``runs`` (folders with a readable summary), oldest first."""
    out: list[PastRun] = []
    if not Path(runs).is_dir():
        return out
    for folder in sorted(Path(runs).iterdir()):
        if folder.name.startswith(".") or not folder.is_dir() or folder.is_symlink():
            continue
        try:
            summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(summary, dict) and summary.get("schema") == _SCHEMA:
            out.append(PastRun(folder, summary))
    return sorted(out, key=lambda r: (r.sequence, r.path.name))


def codesha256_file() -> str:
    """sha256 over iomodel's source and the report assets: a new version re-runs the update."""
    package = Path(__file__).resolve().parent
    files = [p for p in table_files(package) if p.suffix == ".py"]
    files += table_files(reports_dir())
    digest = hashlib.sha256(f"iomodel {iomodel_version()}\n".encode())
    for path in files:
        digest.update(f"{path.name} {sha256_file(path)}\n".encode())
    return digest.hexdigest()


def fingerprint(choice: TableChoice, hashes: Mapping, config: UpdateConfig, code: str) -> str:
    """What makes two updates the same: the table chosen, every input file, options, code."""
    blob = json.dumps(
        {"table": choice.id, "inputs": hashes, "options": config.options(), "code": code},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


# ============================================================================== the change
@dataclass(frozen=True)
class Previous:
    """What the new run is compared with: an earlier run, or the baseline (no earlier run)."""

    label: str
    run: str | None
    source: Source
    hashes: dict[str, dict[str, str]]
    headline: pd.DataFrame
    multipliers: pd.DataFrame
    table_id: str
    units: str


def _units(table: IOTable) -> str:
    return f"{table.meta.unit_label} at {table.meta.year} prices; employment in persons"


def _changed_files(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, list[str]]:
    return {
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "changed": sorted(k for k in set(old) & set(new) if old[k] != new[k]),
    }


def _moved(before: float, after: float) -> dict[str, float]:
    return {
        "previous": before,
        "current": after,
        "change": after - before,
        "relative": (after - before) / abs(before) if before else math.nan,
    }


def change_report(
    config: UpdateConfig,
    previous: Previous,
    current: Source,
    current_hashes: Mapping[str, Mapping[str, str]],
    current_loaded: Loaded,
    tables: dict[tuple[str, TableChoice], IOTable],
) -> dict[str, Any]:
    """How the headline figures and multipliers moved from ``previous`` to the current run,
    decomposed into :data:`FACTORS` and ``method`` (module docstring)."""
    files = {
        f: _changed_files(previous.hashes.get(f, {}), current_hashes.get(f, {})) for f in FACTORS
    }
    changed = [
        f
        for f in FACTORS
        if any(files[f].values()) or (f == "table" and previous.source.choice != current.choice)
    ]
    new_head = headline(current_loaded.run, config, current_loaded.appraisal)
    common = [c for c in new_head.index if c in previous.headline.index]
    old_centres = [c for c in previous.headline.index if c not in new_head.index]
    new_centres = [c for c in new_head.index if c not in previous.headline.index]

    def table_of(source: Source) -> IOTable:
        key = (str(source.root), source.choice)
        if key not in tables:
            tables[key] = load_table_for(source)
        return tables[key]

    values: dict[frozenset[str], pd.DataFrame] = {}
    notes: list[str] = []
    decomposed = True
    try:
        cfg = replace(config, centres=tuple(common))
        for subset in combinations_of(changed) if common else []:
            if subset == frozenset(changed):
                values[subset] = new_head.loc[common]
                continue
            # an input that did not change is read from the current data
            sources = {
                f: previous.source if f in changed and f not in subset else current for f in FACTORS
            }
            loaded = _load_run(cfg, table_of(sources["table"]), sources, variants=[config.variant])
            values[subset] = headline(loaded.run, cfg, loaded.appraisal).loc[common]
        parts = shapley(values, changed) if changed and common else {}
        recomputed = values.get(frozenset(), new_head.loc[common])
        old_source = previous.source if "table" in changed else current
        old_table = table_of(old_source)
        old_bridge = load_bridge(old_source.table_dir / "bridge.toml", old_table)
        old_mult = multipliers(old_table, old_bridge, config)
    except IOModelError as exc:
        decomposed = False
        notes.append(f"not decomposed: the previous inputs could not be re-run ({exc})")
        parts, recomputed, old_mult = {}, previous.headline.loc[common], previous.multipliers

    new_mult = multipliers(current_loaded.table, current_loaded.bridge, config)
    centres = []
    for centre in common:
        for indicator in config.indicators:
            before = float(previous.headline.loc[centre, indicator])
            row: dict[str, Any] = {
                "centre": centre,
                "indicator": indicator,
                **_moved(before, float(new_head.loc[centre, indicator])),
            }
            if decomposed:
                for f in FACTORS:
                    row[f] = float(parts[f].loc[centre, indicator]) if f in parts else 0.0
                row["method"] = float(recomputed.loc[centre, indicator]) - before
            centres.append({k: _json_number(v) for k, v in row.items()})
    products = []
    for code in config.multiplier_products:
        for measure in MEASURES:
            before = float(previous.multipliers.loc[code, measure])
            after = float(new_mult.loc[code, measure])
            row = {
                "product": code,
                "table_product_previous": previous.multipliers.loc[code, "table_product"],
                "table_product_current": new_mult.loc[code, "table_product"],
                "measure": measure,
                **_moved(before, after),
            }
            if decomposed:
                redone = float(old_mult.loc[code, measure])
                row.update(
                    dict.fromkeys(FACTORS, 0.0), table=after - redone, method=redone - before
                )
            products.append({k: _json_number(v) for k, v in row.items()})
    return {
        "previous": {
            "label": previous.label,
            "run": previous.run,
            "table": previous.table_id,
            "units": previous.units,
        },
        "current": {"table": current.choice.id, "units": _units(current_loaded.table)},
        "variant": config.variant,
        "method": (
            "Shapley decomposition: the model is re-run with every combination of the previous "
            "and the current table, prices, scenarios and tax law (inputs whose files did not "
            "change are not re-run and get 0); each input's part is the average over every order of "
            "switching of the change its own switch makes, and the parts add up to the change. "
            "method = the previous run's stored figure minus the same inputs re-run with the "
            "current code and options. Multipliers depend on the table only. Money is in each "
            "run's own table-year prices (see units): a new table year re-prices everything, "
            "and that is part of the table's contribution."
        ),
        "factors": {f: {"changed": f in changed, "files": files[f]} for f in FACTORS},
        "decomposed": decomposed,
        "notes": notes,
        "centres_added": new_centres,
        "centres_removed": old_centres,
        "centres": centres,
        "multipliers": products,
    }


# ============================================================================== writing
def run_date(today: datetime.date | None = None) -> datetime.date:
    """The date a run is filed under: ``today``, else ``SOURCE_DATE_EPOCH`` (the reproducible-
    builds convention) when set, else today's date (UTC)."""
    if today is not None:
        return today
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.datetime.now(datetime.UTC).date()


@contextmanager
def _source_date(date: datetime.date) -> Iterator[None]:
    """Pin the date libraries write into files (fontTools' font ``head`` table in the PDFs,
    matplotlib's SVG metadata) to the run date, unless the caller set SOURCE_DATE_EPOCH."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    stamp = datetime.datetime.combine(date, datetime.time(), datetime.UTC)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _copy_inputs(source: Source, hashes: Mapping[str, Mapping[str, str]], target: Path) -> None:
    for rels in hashes.values():
        for rel in rels:
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source.root / rel, dest)
            if sha256_file(dest) != rels[rel]:
                raise IOModelError(f"{source.root / rel}: changed while the update read it; re-run")


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False) + "\n",
        encoding="utf-8",
    )
    return path


@dataclass
class UpdateResult:
    """What an update did."""

    status: str  # "updated" or "up-to-date"
    path: Path
    summary: dict[str, Any]
    change: dict[str, Any] | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    stale_lock: str | None = None


def _name(runs: Path, date: datetime.date, choice: TableChoice) -> str:
    stem = f"{date.isoformat()}_{choice.id}"
    name, k = stem, 1
    while (runs / name).exists():
        k += 1
        name = f"{stem}_{k}"
    return name


def update(
    config: UpdateConfig,
    *,
    force: bool = False,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> UpdateResult:
    """Run the annual update (module docstring).

    Parameters
    ----------
    config
        What to do (:func:`load_config`); ``config.year`` None means :func:`default_year`.
    force
        Re-run even when the last run had the same inputs, options and code.
    today
        The run date (default :func:`run_date`).
    progress
        Called with a short message at each step.

    Raises
    ------
    ConfigError, TableError, ScenarioError, PriceError
        Bad configuration or an input that fails validation; nothing is written.
    UpdateLocked
        Another update holds the lock.
    """
    import time

    say = progress or (lambda _msg: None)
    clock = {"start": time.perf_counter()}
    root = Path(config.data) if config.data else project_dir()
    year = config.year or default_year(root)
    choice = choose_table(root, year)
    source = Source(root, choice, config.centres, config.regional)
    runs = check_output_folder(Path(config.runs))
    runs.mkdir(parents=True, exist_ok=True)
    date = run_date(today)
    with hold_lock(runs / LOCK) as lock:
        history = find_runs(runs)
        hashes = source.hashes()
        code = codesha256_file()
        print_ = fingerprint(choice, hashes, config, code)
        latest = history[-1] if history else None
        if latest is not None and latest.summary.get("fingerprint") == print_ and not force:
            say(f"up to date: {latest.path.name} has the same inputs, options and code")
            return UpdateResult("up-to-date", latest.path, latest.summary, stale_lock=lock.stale)
        say(f"table {choice.id}")
        tables: dict[tuple[str, TableChoice], IOTable] = {}
        table = load_table_for(source)
        tables[(str(source.root), choice)] = table
        say("running every centre")
        loaded = _load_run(config, table, dict.fromkeys(FACTORS, source), cases=config.variant)
        clock["run"] = time.perf_counter()
        previous = _previous(config, latest, root, tables)
        say(f"change against {previous.label}")
        change = change_report(config, previous, source, hashes, loaded, tables)
        clock["change"] = time.perf_counter()

        name = _name(runs, date, choice)
        # the run folder is staged beside the runs and moved in whole when complete (a failed
        # or killed run leaves nothing; the next OutputSet on the folder clears what it left)
        with OutputSet(runs) as staging:
            summary = _write_run(
                staging / name,
                name,
                config,
                source,
                hashes,
                loaded,
                change,
                date,
                latest,
                print_,
                code,
                say,
            )
            clock["written"] = time.perf_counter()
        _point_latest(runs, name)
    end = time.perf_counter()
    seconds = {
        "table_and_run": clock["run"] - clock["start"],
        "change": clock["change"] - clock["run"],
        "write": clock["written"] - clock["change"],
        "total": end - clock["start"],
    }
    return UpdateResult("updated", runs / name, summary, change, seconds, lock.stale)


def _previous(
    config: UpdateConfig,
    latest: PastRun | None,
    root: Path,
    tables: dict[tuple[str, TableChoice], IOTable],
) -> Previous:
    """The earlier run to compare with, or the baseline: the latest basic table, current inputs."""
    if latest is not None:
        s = latest.summary
        options = s["options"]
        source = Source(
            latest.path / "inputs",
            latest.choice,
            tuple(options["centres"]),
            bool(options.get("regional", True)),
        )
        return Previous(
            label=f"run {latest.path.name}",
            run=latest.path.name,
            source=source,
            hashes=s["inputs_sha256"],
            headline=_frame(s["headline"], config.indicators),
            multipliers=_frame(s["multipliers"], ["table_product", *MEASURES]).reindex(
                list(config.multiplier_products)
            ),
            table_id=s["table"]["id"],
            units=s["units"],
        )
    tables_by_year = basic_tables(root)
    basic = max(tables_by_year, key=lambda t: (tables_by_year[t], t))
    choice = TableChoice(basic, tables_by_year[basic], tables_by_year[basic])
    source = Source(root, choice, config.centres, config.regional)
    key = (str(root), choice)
    if key not in tables:
        tables[key] = load_table_for(source)
    loaded = _load_run(
        config, tables[key], dict.fromkeys(FACTORS, source), variants=[config.variant]
    )
    return Previous(
        label=f"baseline {choice.id} (no earlier run: the latest basic table, current inputs)",
        run=None,
        source=source,
        hashes=source.hashes(),
        headline=headline(loaded.run, config, loaded.appraisal),
        multipliers=multipliers(loaded.table, loaded.bridge, config),
        table_id=choice.id,
        units=_units(loaded.table),
    )


def _write_run(
    folder: Path,
    name: str,
    config: UpdateConfig,
    source: Source,
    hashes: dict[str, dict[str, str]],
    loaded: Loaded,
    change: dict[str, Any],
    date: datetime.date,
    latest: PastRun | None,
    print_: str,
    code: str,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Everything of one run into ``folder``; returns the summary (written last)."""
    from .export import write_csv, write_netcdf
    from .export_table import write_generic_table

    run, table, choice = loaded.run, loaded.table, source.choice
    summary = _clean(
        {
            "schema": _SCHEMA,
            "run": name,
            "sequence": (latest.sequence + 1) if latest else 1,
            "run_date": date.isoformat(),
            "year": choice.year,
            "table": {
                "id": table.meta.id,
                "name": table.meta.name,
                "basic": choice.basic,
                "basic_year": choice.basic_year,
                "year": choice.year,
                "projected": choice.projected,
                "projection": table.meta.projection,
                "files_sha256": dict(sorted(table.meta.file_hashes.items())),
            },
            "options": config.options(),
            "inputs_sha256": hashes,
            "code_sha256": code,
            "iomodel_version": iomodel_version(),
            "fingerprint": print_,
            "units": _units(table),
            "headline": _records(headline(run, config, loaded.appraisal)),
            "multipliers": _records(multipliers(table, loaded.bridge, config)),
            "change": {
                "against": change["previous"]["label"],
                "file": CHANGE,
                "decomposed": change["decomposed"],
            },
        }
    )
    say("writing inputs, table, Dataset, CSV and workbook")
    _copy_inputs(source, hashes, folder / "inputs")
    if choice.projected:
        write_generic_table(table, folder / "table")
    write_netcdf(run.dataset, folder / "impact.nc")
    write_csv(run.dataset, folder / "impact.csv")
    provenance = run_provenance(run, loaded.appraisal, date)
    write_workbook(
        run,
        loaded.appraisal,
        loaded.groups,
        provenance,
        folder / "impact.xlsx",
        config.variant,
        created=datetime.datetime.combine(date, datetime.time(), datetime.UTC),
        # in the reports' first language (Russian by default)
        lang="en" if config.languages[:1] == ("en",) else "ru",
    )
    _write_json(folder / CHANGE, change)
    if config.reports:
        from .report import write_change_report, write_reports

        with _source_date(date):
            names = {s.id: (s.centre.name_ru, s.centre.name_en) for s in run.scenarios}
            for lang in config.languages:
                say(f"reports ({lang})")
                write_reports(
                    run,
                    loaded.appraisal,
                    loaded.groups,
                    provenance,
                    folder / "reports",
                    lang=lang,
                    variant=config.variant,
                    workers=config.workers,
                    comparison=len(run.scenarios) > 1,  # as `iomodel report`: two or more
                )
                write_change_report(change, summary, folder, lang, names)
    summary["files_sha256"] = {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in table_files(folder)
        if not p.relative_to(folder).as_posix().startswith("inputs/")
    }
    _write_json(folder / SUMMARY, summary)
    return summary


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, numpy scalars Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return _json_number(value)


def _point_latest(runs: Path, name: str) -> None:
    """``runs/latest`` → the newest run (a convenience; replaced atomically)."""
    link = runs / "latest"
    tmp = runs / f".latest-{os.getpid()}"
    try:
        tmp.unlink(missing_ok=True)
        os.symlink(name, tmp)
        os.replace(tmp, link)
    except OSError:  # pragma: no cover - no symlinks on this file system
        tmp.unlink(missing_ok=True)
