"""The scripted path: table + scenario files → shocks → one impact Dataset.

The CLI and the reports call these functions; a notebook calls the same ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import xarray as xr

from .budget import Setting, add_revenue, household_spending_per_income, money_basis
from .errors import TableError
from .fiscal import load_fiscal
from .impact import ModelType, run_impact
from .multipliers import ClosureKind
from .prices import Prices, load_prices
from .readers import load_table
from .readers.satellite import read_productivity
from .resources import prices_dir, shocks_dir, tables_dir
from .scenario import Scenario, load_scenarios
from .shock import Bridge, Shock, build_shock, load_bridge
from .summary import load_groups
from .table import IOTable
from .thesis import case_columns

__all__ = [
    "Preferences",
    "Productivity",
    "Run",
    "prices_dir",
    "productivity_by_sector",
    "productivity_file",
    "run_centres",
    "run_from_dataset",
    "shocks_dir",
    "with_revenue",
]


def productivity_file() -> Path:
    """The shipped labour-productivity path by OKVED2 section (2021 = 1)."""
    return tables_dir() / "productivity" / "labour_productivity.csv"


Productivity = Literal["path", "frozen"]
#: Which preferential tax regime a run applies: each scenario's assumed one, or its eligible one.
Preferences = Literal["scenario", "eligible"]


def productivity_by_sector(table: IOTable, path: Path | None = None) -> pd.DataFrame | None:
    """Labour-productivity index by year (rows) and sector (columns), 1 in the table year.

    Each product takes the path of its OKVED2 section (``okved2_section`` of the sector list);
    None when the table has no section column (its employment coefficients stay frozen).
    """
    if "okved2_section" not in table.sectors.columns:
        return None
    by_section = read_productivity(path or productivity_file())
    if table.meta.year not in by_section.columns:
        raise TableError(
            f"{path or productivity_file()}: no index for the table year {table.meta.year}"
        )
    by_section = by_section.div(by_section[table.meta.year], axis=0)
    sections = table.sectors["okved2_section"].astype(str).tolist()
    missing = sorted(set(sections) - set(by_section.index))
    if missing:
        raise TableError(
            f"{path or productivity_file()}: no path for section(s) {', '.join(missing)} of "
            f"table {table.meta.id}"
        )
    return pd.DataFrame(
        by_section.loc[sections].to_numpy().T, index=by_section.columns, columns=table.codes
    )


def _groups(table: IOTable) -> pd.DataFrame | None:
    """The table's sector groups (``sector_groups.toml`` beside it), None when it has none."""
    path = table.meta.path.parent / "sector_groups.toml"
    return load_groups(path, table) if path.exists() else None


@dataclass(frozen=True)
class Run:
    """Everything one run used and produced."""

    table: IOTable
    bridge: Bridge
    prices: Prices
    scenarios: tuple[Scenario, ...]
    shocks: tuple[Shock, ...]
    dataset: xr.Dataset

    def scenario(self, centre: str) -> Scenario:
        return next(s for s in self.scenarios if s.id == centre)


def run_centres(
    centres: Sequence[str] | None = None,
    table: str = "rosstat-2021",
    variants: Sequence[str] | None = None,
    model: ModelType = "II",
    closure: ClosureKind = "default",
    shocks_folder: Path | None = None,
    progress: Callable[[str], None] | None = None,
    productivity: Productivity = "path",
    cases: str | None = "central",
    preferences: Preferences = "scenario",
    regional: bool = True,
    method: str | None = None,
    delta: float | None = None,
) -> Run:
    """Load the table and the scenarios, build every shock and solve them all at once.

    ``centres`` None means every ``shocks/*.toml`` except the template; ``variants`` None means
    every variant of each file.  ``progress`` is called with each centre id as its shock is built.
    ``productivity`` "path" lets the table's employment coefficients fall with the shipped
    labour-productivity path (``tables/productivity/``); "frozen" keeps the table year's.
    ``cases`` names the variant the thesis cases are built on (issue 12: processing stages,
    localisation, cluster versus standalone — :mod:`iomodel.thesis`), solved in the same solve
    and kept by sector group; None, or a variant the run leaves out, builds none.
    The Dataset gets budget revenue by tax and level (:mod:`iomodel.budget`, law in
    ``tables/fiscal/``) when the table is in roubles; ``preferences`` "scenario" taxes each new
    activity under the regime its scenario assumes, "eligible" under the one it could hold.
    ``regional`` adds each centre's effects by location — its region(s), the rest of Russia,
    abroad (:func:`iomodel.regional_impact.regional_effects`) — with location quotients of
    ``method`` and ``delta`` (defaults in ``tables/regional/regionalisation.toml``).
    """
    io_table = load_table(table)
    bridge = load_bridge(io_table.meta.path.parent / "bridge.toml", io_table)
    prices = load_prices(prices_dir())
    scenarios = load_scenarios(shocks_folder or shocks_dir(), centres)
    shocks = []
    for scenario in scenarios:
        if progress:
            progress(scenario.id)
        chosen = list(variants) if variants else None
        thesis = case_columns(scenario, cases) if cases and cases in (chosen or [cases]) else []
        shocks.append(build_shock(scenario, io_table, bridge, prices, chosen, thesis))
    inputs = [
        bridge.path,
        *(prices.path / name for name in ("exchange_rates.csv", "deflators.csv", "price_map.toml")),
    ]
    if productivity not in ("path", "frozen"):
        raise ValueError(f"productivity must be 'path' or 'frozen', not {productivity!r}")
    index = productivity_by_sector(io_table) if productivity == "path" else None
    if index is not None:
        inputs.append(productivity_file())
    dataset = run_impact(
        io_table,
        shocks,
        model=model,
        closure=closure,
        productivity=index,
        productivity_label=(
            "labour-productivity path by OKVED2 section (tables/productivity), "
            f"{io_table.meta.year} = 1"
            if index is not None
            else ""
        ),
        scenario_hashes={s.id: s.sha256 for s in scenarios},
        input_hashes={p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs},
        groups=_groups(io_table),
    )
    if io_table.meta.currency == "RUB":
        dataset = with_revenue(
            dataset, io_table, prices, scenarios, index, model, closure, preferences
        )
    if regional:
        dataset = _with_regions(io_table, scenarios, shocks, dataset, index, method, delta)
    return Run(io_table, bridge, prices, tuple(scenarios), tuple(shocks), dataset)


def with_revenue(
    dataset: xr.Dataset,
    table: IOTable,
    prices: Prices,
    scenarios: Sequence[Scenario],
    productivity: pd.DataFrame | None,
    model: ModelType,
    closure: ClosureKind,
    preferences: Preferences = "scenario",
) -> xr.Dataset:
    """``dataset`` (from :func:`iomodel.impact.run_impact`) with budget revenue
    (:func:`iomodel.budget.add_revenue`): the shipped fiscal law, each scenario's regime (or
    the eligible one), pay converted with ``prices`` and the ``productivity`` path (year ×
    product index, None: frozen), household spending of the ``closure`` for Type II."""
    law = load_fiscal()
    basis = money_basis(law, prices, table, dataset["year"].values.tolist(), productivity)
    settings = {
        s.id: Setting(
            regime, s.fiscal.regime_start if regime != "none" else None, s.fiscal.northern_share
        )
        for s in scenarios
        for regime in [s.fiscal.applied(preferences)]
    }
    spending = household_spending_per_income(law, table, closure) if model == "II" else 0.0
    return add_revenue(dataset, law, basis, settings, spending, preferences)


def _with_regions(
    table: IOTable,
    scenarios: Sequence[Scenario],
    shocks: Sequence[Shock],
    dataset: xr.Dataset,
    productivity: pd.DataFrame | None,
    method: str | None,
    delta: float | None,
) -> xr.Dataset:
    """The national run with the regional variables merged in (and, when it has budget revenue,
    its split by location: ``revenue_by_region``, ``revenue_in_region_by_delta``), and the
    regional data's hashes."""
    from .readers.regional import load_regional
    from .regional_impact import (
        regional_effects,
        regional_files,
        revenue_by_region,
        revenue_in_region_by_delta,
    )

    data = load_regional()
    extra = regional_effects(
        table,
        scenarios,
        shocks,
        dataset,
        productivity=productivity,
        data=data,
        method=method,
        delta=delta,
    )
    merged = xr.merge([dataset, extra], combine_attrs="no_conflicts")
    if "revenue" in merged:  # budget revenue by where it is paid (iomodel.budget first)
        merged["revenue_by_region"] = revenue_by_region(merged["revenue"], merged)
        if "delta" in merged.dims:
            merged["revenue_in_region_by_delta"] = revenue_in_region_by_delta(
                merged["revenue"], merged
            )
        for name in ("revenue_by_region", "revenue_in_region_by_delta"):
            if name in merged:
                merged[name].attrs["units"] = merged["revenue"].attrs.get("units", "")
    hashes = json.loads(dataset.attrs.get("inputs_sha256", "{}"))
    hashes.update(regional_files(data))
    merged.attrs["inputs_sha256"] = json.dumps(hashes, sort_keys=True)
    return merged


def run_from_dataset(path: Path, shocks_folder: Path | None = None) -> Run:
    """A finished run read back from its Dataset (``iomodel run``'s ``impact.nc``), for reports
    made without solving again: the table, bridge, prices and scenarios it names, each checked
    against the sha256 the Dataset recorded, so a report never pairs a Dataset with scenario or
    table files that have changed since.  ``shocks`` is empty (the Dataset holds their effects).
    """
    from .errors import ScenarioError
    from .export import read_netcdf

    try:
        dataset = read_netcdf(Path(path))
    except FileNotFoundError:
        raise ScenarioError(
            f"{path}: no such Dataset; give the impact.nc `iomodel run` wrote"
        ) from None
    except (OSError, ValueError, TypeError) as exc:
        raise ScenarioError(f"{path}: not a Dataset written by iomodel run ({exc})") from None
    missing = [
        k for k in ("table_id", "scenario_sha256", "table_files_sha256") if k not in dataset.attrs
    ]
    if missing or "output" not in dataset:
        raise ScenarioError(
            f"{path}: not a Dataset written by iomodel run (no {', '.join(missing) or 'output'}); "
            "give the impact.nc `iomodel run` wrote"
        )
    io_table = load_table(str(dataset.attrs["table_id"]))
    recorded = json.loads(dataset.attrs["table_files_sha256"])
    changed = [n for n, sha in io_table.meta.file_hashes.items() if recorded.get(n, sha) != sha]
    if changed:
        raise ScenarioError(
            f"{path}: the table's file(s) {', '.join(changed)} changed since this run; run again"
        )
    ids = [str(c) for c in dataset["centre"].values]
    scenarios = load_scenarios(shocks_folder or shocks_dir(), ids)
    hashes = json.loads(dataset.attrs["scenario_sha256"])
    changed = [s.id for s in scenarios if hashes.get(s.id) != s.sha256]
    if changed:
        raise ScenarioError(
            f"{path}: scenario file(s) of {', '.join(changed)} changed since this run "
            f"(sha256 differs from the Dataset's); run again"
        )
    bridge = load_bridge(io_table.meta.path.parent / "bridge.toml", io_table)
    prices = load_prices(prices_dir())
    return Run(io_table, bridge, prices, tuple(scenarios), (), dataset)
