"""The scripted path: table + scenario files → shocks → one impact Dataset.

The CLI and the reports call these functions; a notebook calls the same ones.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd
import xarray as xr

from .budget import (
    MoneyBasis,
    Setting,
    add_revenue,
    budget_revenue,
    household_spending_per_income,
    money_basis,
)
from .errors import TableError
from .fiscal import FiscalLaw, load_fiscal
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

if TYPE_CHECKING:
    from .summary import Appraisal

__all__ = [
    "Preferences",
    "Productivity",
    "Run",
    "localisation_table",
    "prices_dir",
    "productivity_by_sector",
    "productivity_file",
    "run_centres",
    "run_from_dataset",
    "run_loaded",
    "run_provenance",
    "shocks_dir",
    "with_revenue",
    "workbook_money_unit",
    "write_workbook",
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
    draws: int = 0,
    seed: int | None = None,
    coefficient_cv: float | None = None,
    scheduler: str | None = None,
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
    ``draws`` > 0 adds the uncertainty study of the central variant (issue 15,
    :mod:`iomodel.uncertainty`): quantiles, outranking probabilities and sensitivity from that
    many draws seeded with ``seed`` (default 2021), the technical coefficients perturbed with
    ``coefficient_cv`` (default: ``tables/uncertainty.toml``), on dask when ``scheduler`` is
    "threads" or a ``dask.distributed`` address.
    """
    io_table = load_table(table)
    return run_loaded(
        io_table,
        load_bridge(io_table.meta.path.parent / "bridge.toml", io_table),
        load_prices(prices_dir()),
        load_scenarios(shocks_folder or shocks_dir(), centres),
        variants=variants,
        model=model,
        closure=closure,
        progress=progress,
        productivity=productivity,
        cases=cases,
        preferences=preferences,
        regional=regional,
        method=method,
        delta=delta,
        draws=draws,
        seed=seed,
        coefficient_cv=coefficient_cv,
        scheduler=scheduler,
    )


def run_loaded(
    io_table: IOTable,
    bridge: Bridge,
    prices: Prices,
    scenarios: Sequence[Scenario],
    *,
    variants: Sequence[str] | None = None,
    model: ModelType = "II",
    closure: ClosureKind = "default",
    progress: Callable[[str], None] | None = None,
    productivity: Productivity = "path",
    cases: str | None = "central",
    preferences: Preferences = "scenario",
    regional: bool = True,
    method: str | None = None,
    delta: float | None = None,
    productivity_path: Path | None = None,
    fiscal_folder: Path | None = None,
    regional_folder: Path | None = None,
    extra_hashes: Mapping[str, str] | None = None,
    draws: int = 0,
    seed: int | None = None,
    coefficient_cv: float | None = None,
    scheduler: str | None = None,
) -> Run:
    """:func:`run_centres` on inputs already loaded (a table of any origin, e.g. projected).

    ``productivity_path`` is the labour-productivity file, ``fiscal_folder`` the tax law and
    ``regional_folder`` the regional data (default: the shipped ones); ``extra_hashes`` (file
    name → sha256) are recorded with the bridge and price files in the Dataset's
    ``inputs_sha256`` (e.g. the national accounts a projected table was made from).
    ``draws``, ``seed``, ``coefficient_cv`` and ``scheduler``: the uncertainty study, as in
    :func:`run_centres`.
    """
    if productivity not in ("path", "frozen"):
        raise ValueError(f"productivity must be 'path' or 'frozen', not {productivity!r}")
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
    if bridge.products is not None:
        inputs.append(bridge.products.path)
    index = productivity_by_sector(io_table, productivity_path) if productivity == "path" else None
    if index is not None:
        inputs.append(productivity_path or productivity_file())
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs}
    fiscal = (
        _fiscal_step(io_table, prices, scenarios, index, model, closure, preferences, fiscal_folder)
        if io_table.meta.currency == "RUB"
        else None
    )
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
        input_hashes={**hashes, **(extra_hashes or {})},
        groups=_groups(io_table),
        case_revenue=fiscal.revenue if fiscal is not None else None,
    )
    if fiscal is not None:
        dataset = fiscal.add(dataset)
    if regional:
        dataset = _with_regions(
            io_table, scenarios, shocks, dataset, index, method, delta, regional_folder
        )
    if draws > 0:
        from .summary import load_appraisal
        from .uncertainty.study import DEFAULT_SEED, merge_into, model_file, study

        extra = study(
            io_table,
            [s for s in scenarios if "central" in s.variants],
            bridge,
            prices,
            load_appraisal(tables_dir() / "appraisal.toml"),
            draws,
            DEFAULT_SEED if seed is None else seed,
            groups=_groups(io_table),
            model=model,
            closure=closure,
            productivity=index,
            coefficient_cv=coefficient_cv,
            scheduler=scheduler,
            preferences=preferences,
            regional=regional,
            method=method,
            delta=delta,
        )
        dataset = merge_into(dataset, extra)
        dataset.attrs["inputs_sha256"] = _with_hash(dataset.attrs["inputs_sha256"], model_file())
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
    fiscal_folder: Path | None = None,
) -> xr.Dataset:
    """``dataset`` (from :func:`iomodel.impact.run_impact`) with budget revenue
    (:func:`iomodel.budget.add_revenue`): the fiscal law (``fiscal_folder``, default the shipped
    ``tables/fiscal``), each scenario's regime (or the eligible one), pay converted with
    ``prices`` and the ``productivity`` path (year × product index, None: frozen), household
    spending of the ``closure`` for Type II."""
    step = _fiscal_step(
        table, prices, scenarios, productivity, model, closure, preferences, fiscal_folder
    )
    return step.add(dataset)


@dataclass(frozen=True)
class _FiscalStep:
    """One run's fiscal block: the law, each centre's setting and household spending, applied
    alike to the run's Dataset (:meth:`add`) and to its thesis cases (:meth:`revenue`, the
    hook :func:`iomodel.impact.run_impact` calls while the cases have sector detail)."""

    law: FiscalLaw
    table: IOTable
    prices: Prices
    productivity: pd.DataFrame | None
    settings: dict[str, Setting]
    spending: float
    preferences: str

    def _basis(self, ds: xr.Dataset) -> MoneyBasis:
        years = ds["year"].values.tolist()
        return money_basis(self.law, self.prices, self.table, years, self.productivity)

    def revenue(self, ds: xr.Dataset) -> xr.DataArray:
        """Budget revenue of a sector-level Dataset (:func:`iomodel.budget.budget_revenue`)."""
        return budget_revenue(ds, self.law, self._basis(ds), self.settings, self.spending)

    def add(self, ds: xr.Dataset) -> xr.Dataset:
        """``ds`` with ``revenue`` and the fiscal provenance (:func:`iomodel.budget.add_revenue`)."""
        basis = self._basis(ds)
        return add_revenue(ds, self.law, basis, self.settings, self.spending, self.preferences)


def _fiscal_step(
    table: IOTable,
    prices: Prices,
    scenarios: Sequence[Scenario],
    productivity: pd.DataFrame | None,
    model: ModelType,
    closure: ClosureKind,
    preferences: Preferences = "scenario",
    fiscal_folder: Path | None = None,
) -> _FiscalStep:
    settings = {
        s.id: Setting(
            regime, s.fiscal.regime_start if regime != "none" else None, s.fiscal.northern_share
        )
        for s in scenarios
        for regime in [s.fiscal.applied(preferences)]
    }
    law = load_fiscal(fiscal_folder)
    spending = household_spending_per_income(law, table, closure) if model == "II" else 0.0
    return _FiscalStep(law, table, prices, productivity, settings, spending, preferences)


def _with_regions(
    table: IOTable,
    scenarios: Sequence[Scenario],
    shocks: Sequence[Shock],
    dataset: xr.Dataset,
    productivity: pd.DataFrame | None,
    method: str | None,
    delta: float | None,
    folder: Path | None = None,
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

    data = load_regional(folder)
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


def run_provenance(
    run: Run, appraisal: Appraisal, run_date: datetime.date | None = None
) -> dict[str, str]:
    """What made a run, for the workbook's provenance sheet and the reports: the table (and, for
    a projected one, how it was projected) and scenario hashes, parameters, version, date
    (``run_date``, default today)."""
    ds = run.dataset
    meta = run.table.meta
    info = {
        "table": f"{meta.id}: {meta.name}",
        "table source": meta.source,
        "table files sha256": ds.attrs["table_files_sha256"],
        "scenario files sha256": ds.attrs["scenario_sha256"],
        "bridge and price files sha256": ds.attrs.get("inputs_sha256", "{}"),
        "model type": ds.attrs["model_type"],
        "household closure": ds.attrs["closure"],
        "labour productivity": ds.attrs.get("productivity", "frozen"),
        "fiscal data sha256": ds.attrs.get("fiscal_sha256", "(no budget revenue: not a RUB table)"),
        "fiscal regimes": ds.attrs.get("fiscal_settings", "{}")
        + f" (--preferences {ds.attrs.get('fiscal_preferences', 'scenario')})",
        "fiscal money basis": ds.attrs.get("fiscal_money_basis", ""),
        "units": f"{ds.attrs['table_unit']}, {ds.attrs['table_year']} basic prices; employment "
        "in persons (job-years for construction)",
        "discount rate": f"{appraisal.discount_rate:.2%} to {appraisal.base_year} — {appraisal.source}",
        "iomodel version": ds.attrs["iomodel_version"],
        "run date": (run_date or datetime.date.today()).isoformat(),
        "notes": ds.attrs["notes"],
    }
    if meta.projection is not None:
        p = meta.projection
        info["table projected"] = (
            f"PROJECTED: {p.get('projected_from')} ({p.get('base_year')}) projected to "
            f"{p.get('year')} with {p.get('method')}; margins: {p.get('margins')}; "
            f"{p.get('gras_iterations')} iterations, largest relative residual "
            f"{p.get('gras_max_relative_residual', float('nan')):.1e}; details: "
            + json.dumps(p, ensure_ascii=False, sort_keys=True)
        )
    for scenario in run.scenarios:
        info[f"scenario {scenario.id}"] = str(scenario.path.name)
    return info


def write_workbook(
    run: Run,
    appraisal: Appraisal,
    groups: pd.DataFrame,
    provenance: dict[str, str],
    target: Path,
    variant: str = "central",
    created: datetime.datetime | None = None,
    lang: Literal["ru", "en"] = "ru",
) -> Path:
    """The run's workbook (:func:`iomodel.export.write_excel`): the views of the Dataset, the
    localisation of every centre at ``variant`` capex and the provenance, with sheet and column
    names in ``lang``, money in billions of the table's currency (as in the reports) and the
    unit in every header (:mod:`iomodel.workbook`); ``created`` its creation date (default
    now)."""
    from .export import write_excel
    from .summary import views
    from .workbook import sheets

    ds = run.dataset
    meta = run.table.meta
    money = workbook_money_unit(meta.currency, meta.year)
    labels = {
        "sector": dict(
            zip(ds.sector.values, zip(ds.sector_label_ru.values, ds.sector_label_en.values))
        ),
        "group": dict(zip(groups["group"], zip(groups["label_ru"], groups["label_en"]))),
    }
    if "tax_label_ru" in ds.coords:
        labels["tax"] = dict(
            zip(ds.tax.values, zip(ds.tax_label_ru.values, ds.tax_label_en.values))
        )
    here = (
        f"{money[0]}; занятость в чел. или чел.-лет"
        if lang == "ru"
        else f"{money[1]}; employment in persons or person-years"
    )
    rows: dict[str, str] = {}
    for key, value in provenance.items():
        rows[key] = value
        if key == "units":
            rows["workbook units"] = here
    return write_excel(
        target,
        sheets(
            views(ds, groups, appraisal, localisation_table(run, groups, variant)),
            rows,
            meta.unit / 1e9,
            money,
            lang,
            labels,
        ),
        created=created,
    )


def workbook_money_unit(currency: str, year: int) -> tuple[str, str]:
    """The workbook's money unit (billions, the table year's prices) in Russian and English,
    e.g. ("млрд руб., цены 2021 г.", "bn RUB, 2021 prices")."""
    ru = "руб." if currency == "RUB" else currency
    return f"млрд {ru}, цены {year} г.", f"bn {currency}, {year} prices"


def localisation_table(run: Run, groups: pd.DataFrame, variant: str = "central") -> pd.DataFrame:
    """:func:`iomodel.summary.localisation` of every centre of the run that has ``variant``, at
    its capex, with the run's model and closure: one row per centre."""
    from .summary import localisation

    ds = run.dataset
    closure = str(ds.attrs.get("closure", "default"))
    loc = pd.DataFrame(
        [
            localisation(
                s,
                run.table,
                run.bridge,
                run.prices,
                groups,
                str(ds.attrs.get("model_type", "II")),
                closure if closure != "none" else "default",
                base_variant=variant,
            )
            for s in run.scenarios
            if variant in s.variants
        ]
    )
    loc.index.name = "centre"
    return loc


def _with_hash(hashes: str, path: Path) -> str:
    data = json.loads(hashes)
    data[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return json.dumps(data, sort_keys=True)


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
