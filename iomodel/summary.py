"""Views of an impact Dataset: key figures per centre, sector groups, comparison, localisation.

Pure functions of the Dataset (plus, for localisation, the scenario and the table): what a report
or a workbook shows can be recomputed from the Dataset it came from.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .errors import TableError
from .fiscal import BUDGETS
from .impact import ACTIVITY_VARIABLES, VARIABLES, run_impact
from .prices import Prices
from .regional_impact import ABROAD as ABROAD_REGION
from .regional_impact import REST as REST_OF_RUSSIA
from .scenario import Scenario
from .shock import Bridge, build_shock
from .table import IOTable

__all__ = [
    "INDICATORS",
    "REGIONAL_INDICATORS",
    "Appraisal",
    "by_group",
    "compare",
    "design_years",
    "discount_factors",
    "key_figures",
    "load_appraisal",
    "load_groups",
    "localisation",
    "new_activity",
    "ranked",
    "regional_shares",
    "regional_view",
    "revenue_table",
    "views",
]

#: Indicators for summaries and comparisons (see :func:`key_figures`).
INDICATORS = (
    "capex",
    "construction_output",
    "construction_value_added",
    "construction_compensation",
    "construction_employment",
    "construction_taxes",
    "construction_imports",
    "design_year",
    "operation_output",
    "operation_value_added",
    "operation_compensation",
    "operation_employment",
    "operation_taxes",
    "operation_imports",
    "operation_exports",
    "operation_domestic_sales",
    "output_per_capex",
    "value_added_per_capex",
    "jobs_per_bn_capex",
    "discounted_output",
    "discounted_value_added",
    "discounted_taxes",
    "discounted_exports",
    "type2_over_type1_output",
    "discounted_capex",
    "value_added_per_discounted_capex",
    "job_years",
    "job_years_per_bn_capex",
    "construction_revenue",
    *(f"construction_revenue_{b}" for b in BUDGETS),
    "operation_revenue",
    *(f"operation_revenue_{b}" for b in BUDGETS),
    "discounted_revenue",
    *(f"discounted_revenue_{b}" for b in BUDGETS),
    "construction_revenue_per_capex",
    "revenue_per_capex",
    *(
        REGIONAL_INDICATORS := (
            "construction_value_added_in_region",
            "construction_employment_in_region",
            "operation_value_added_in_region",
            "operation_employment_in_region",
            "construction_value_added_region_share",
            "construction_employment_region_share",
            "operation_value_added_region_share",
            "operation_employment_region_share",
            "value_added_in_region_per_capex",
            "jobs_in_region_per_bn_capex",
            "discounted_value_added_in_region",
            "discounted_value_added_region_share",
            "construction_regional_budget_revenue",
            "operation_regional_budget_revenue",
            "discounted_regional_budget_revenue",
            "regional_budget_revenue_per_capex",
            "regional_budget_revenue_share",
        )
    ),
)


@dataclass(frozen=True)
class Appraisal:
    """Discounting parameters (``tables/appraisal.toml``)."""

    discount_rate: float
    base_year: int
    source: str
    source_ru: str = ""  # the same in Russian, shown in Russian reports
    #: ((year, price level), …) when the flows are in current prices (:mod:`iomodel.nominal`):
    #: the real ``discount_rate`` is then made nominal with the level's inflation (Fisher)
    price_level: tuple[tuple[int, float], ...] = ()

    @property
    def nominal(self) -> bool:
        """Whether flows are discounted at the nominal rate (flows in current prices)."""
        return bool(self.price_level)


def load_appraisal(path: Path) -> Appraisal:
    """Read the discount rate, its base year and source."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Appraisal(
            float(data["discount_rate"]),
            int(data["discount_base_year"]),
            str(data["discount_rate_source"]),
            str(data.get("discount_rate_source_ru", "")),
        )
    except FileNotFoundError:
        raise TableError(f"{path}: appraisal parameters missing") from None
    except KeyError as exc:
        raise TableError(f"{path}: key {exc.args[0]!r} missing") from None


def load_groups(path: Path, table: IOTable) -> pd.DataFrame:
    """Sector → group table (index sector code; columns group, label_ru, label_en, adjacent).

    Every sector must belong to exactly one group.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))["groups"]
    except FileNotFoundError:
        raise TableError(f"{path}: sector groups file missing") from None
    rows = []
    for name, g in data.items():
        for code in g["codes"]:
            if code not in table.codes:
                raise TableError(
                    f"{path}: group {name} lists {code!r}, not a sector of {table.meta.id}"
                )
            rows.append((code, name, g["label_ru"], g["label_en"], bool(g.get("adjacent"))))
    frame = pd.DataFrame(rows, columns=["sector", "group", "label_ru", "label_en", "adjacent"])
    dup = frame["sector"][frame["sector"].duplicated()].tolist()
    missing = sorted(set(table.codes) - set(frame["sector"]))
    if dup or missing:
        raise TableError(
            f"{path}: every sector must be in exactly one group; in two: {dup[:5]}, "
            f"in none: {missing[:5]}"
        )
    return frame.set_index("sector").reindex(table.codes)


def by_group(ds: xr.Dataset, groups: pd.DataFrame) -> xr.Dataset:
    """Sum the sector dimension into sector groups (dim ``group``, in the groups file's order)."""
    order = list(dict.fromkeys(groups["group"]))
    mapped = xr.DataArray(
        groups["group"].reindex(ds.sector.values).to_numpy(),
        dims="sector",
        coords={"sector": ds.sector.values},
    )
    out = ds[list(VARIABLES)].groupby(mapped.rename("group")).sum().reindex(group=order)
    labels = groups.drop_duplicates("group").set_index("group")
    return out.assign_coords(
        group_label_ru=("group", labels.loc[order, "label_ru"].tolist()),
        group_label_en=("group", labels.loc[order, "label_en"].tolist()),
        adjacent=("group", labels.loc[order, "adjacent"].tolist()),
    )


def discount_factors(years: np.ndarray, appraisal: Appraisal) -> xr.DataArray:
    """Discount factor of each of ``years`` to ``appraisal.base_year`` at its real rate; for
    flows in current prices (``appraisal.price_level``) at the matching nominal rate
    ``(1 + r)(1 + π_t) − 1``, i.e. times ``P_base / P_t``."""
    factors = (1 + appraisal.discount_rate) ** -(years - appraisal.base_year).astype(float)
    if appraisal.price_level:
        level = dict(appraisal.price_level)
        factors = factors * level[appraisal.base_year] / np.array([level[int(y)] for y in years])
    return xr.DataArray(factors, dims="year", coords={"year": years})


def design_years(ds: xr.Dataset, variant: str) -> pd.Series:
    """First year each centre's new activity runs at design output (its largest direct output).

    NaN for a centre without an operation phase.
    """
    direct = (
        ds["output"].sel(variant=variant, phase="operation", effect="direct").sum("sector")
    )  # centre, year
    peak = direct.max("year")
    at_design = (direct >= peak * (1 - 1e-9)) & (peak > 0)
    first = at_design.argmax("year")
    years = xr.DataArray(ds.year.values, dims="year")[first]
    return pd.Series(
        np.where(peak.values > 0, years.values, np.nan), index=ds.centre.values, name="design_year"
    )


def key_figures(ds: xr.Dataset, variant: str, appraisal: Appraisal) -> pd.DataFrame:
    """One row per centre with :data:`INDICATORS`.

    * ``construction_*``: cumulative over the construction years, all effects (direct + indirect
      + induced where present);
    * ``design_year``: the first year at design output (see :func:`design_years`);
      ``operation_*``: that year, all effects; ``operation_exports`` and
      ``operation_domestic_sales``: the new activity's sales abroad and at home that year (the
      domestic part is supply that can replace imports);
    * ``*_per_capex``: construction effect per unit of capex (purchasers' prices);
      ``jobs_per_bn_capex``: job-years during construction per billion of currency of capex;
    * ``discounted_*``: both phases, every year, discounted to ``appraisal.base_year``;
    * ``type2_over_type1_output``: total ÷ (direct + indirect) output, construction phase;
    * ``discounted_capex``: capex discounted like the effects; ``value_added_per_discounted_capex``:
      discounted value added of both phases ÷ discounted capex (what a rouble invested yields
      over the whole horizon, in present value — the measure the centres are compared by);
      ``job_years``: employment summed over every year of both phases (job-years);
      ``job_years_per_bn_capex``: that per billion of currency of capex;
    * ``*_revenue`` and ``*_revenue_<budget>``: budget revenue (every tax, all effects; see
      :mod:`iomodel.budget`) in total and by level (federal, regional, local, social funds),
      over construction, in the design year and discounted over both phases;
      ``construction_revenue_per_capex``: construction revenue ÷ capex;
      ``revenue_per_capex``: discounted revenue ÷ discounted capex (same base year) — the
      budget revenue a rouble invested returns over the whole horizon, in present value.
      NaN when the Dataset has no revenue.
    * :data:`REGIONAL_INDICATORS` (NaN for a run without the regional step): the same value
      added and jobs counted only in each centre's own regions (``*_in_region``), as shares of
      the national figure (``*_region_share``), per unit of capex, and discounted; with budget
      revenue, ``*_regional_budget_revenue``: the revenue of the regional and local budgets of
      the centre's own regions over construction, in the design year and discounted,
      ``regional_budget_revenue_per_capex`` (discounted ÷ discounted capex, as
      ``revenue_per_capex``) and ``regional_budget_revenue_share`` (of all regional and local
      budgets' discounted revenue).
    Money in table units; employment in persons (job-years for construction).
    """
    sel = ds.sel(variant=variant)
    total = sel[list(VARIABLES)].sum(["effect", "sector"])  # centre, phase, year
    cons = total.sel(phase="construction").sum("year").to_dataframe()[list(VARIABLES)]
    frame = pd.DataFrame(index=pd.Index(ds.centre.values, name="centre"))
    frame["capex"] = sel["capex"].sel(phase="construction").sum("year").to_series()
    for v in VARIABLES:
        frame[f"construction_{v}"] = cons[v]
    design = design_years(ds, variant)
    frame["design_year"] = design
    sales = sel[["exports", "domestic_sales"]].sum("sector")  # centre, year
    for v in VARIABLES:
        frame[f"operation_{v}"] = _at_design(total[v].sel(phase="operation"), design)
    for v in ("exports", "domestic_sales"):
        frame[f"operation_{v}"] = _at_design(sales[v], design)
    capex = frame["capex"].where(frame["capex"] > 0)
    frame["output_per_capex"] = frame["construction_output"] / capex
    frame["value_added_per_capex"] = frame["construction_value_added"] / capex
    frame["jobs_per_bn_capex"] = frame["construction_employment"] / capex * 1e9 / _unit_value(ds)
    disc = discount_factors(ds.year.values, appraisal)
    for v in ("output", "value_added", "taxes"):
        frame[f"discounted_{v}"] = (total[v].sum("phase") * disc).sum("year").to_series()
    frame["discounted_exports"] = (sales["exports"] * disc).sum("year").to_series()
    frame["discounted_capex"] = (sel["capex"].sum("phase") * disc).sum("year").to_series()
    frame["value_added_per_discounted_capex"] = frame["discounted_value_added"] / frame[
        "discounted_capex"
    ].where(frame["discounted_capex"] > 0)
    frame["job_years"] = total["employment"].sum(["phase", "year"]).to_series()
    frame["job_years_per_bn_capex"] = frame["job_years"] / capex * 1e9 / _unit_value(ds)
    effects = sel["output"].sel(phase="construction").sum(["sector", "year"])
    if "induced" in ds.effect.values:
        base = effects.sel(effect=["direct", "indirect"]).sum("effect")
        frame["type2_over_type1_output"] = (
            effects.sum("effect") / base.where(base > 0)
        ).to_series()
    else:
        frame["type2_over_type1_output"] = np.nan
    _revenue_figures(frame, sel, design, disc)
    _regional_figures(frame, sel, design, disc)
    return frame[list(INDICATORS)]


def _revenue_figures(
    frame: pd.DataFrame, sel: xr.Dataset, design: pd.Series, disc: xr.DataArray
) -> None:
    """Fill the ``*revenue*`` columns of :func:`key_figures` (NaN without revenue)."""
    names = [c for c in INDICATORS if "revenue" in c]
    if "revenue" not in sel:
        for name in names:
            frame[name] = np.nan
        return
    by_level = sel["revenue"].sum(["effect", "tax"])  # centre, phase, year, budget
    levels = {"": by_level.sum("budget"), **{f"_{b}": by_level.sel(budget=b) for b in BUDGETS}}
    for suffix, part in levels.items():
        frame[f"construction_revenue{suffix}"] = (
            part.sel(phase="construction").sum("year").to_series()
        )
        frame[f"operation_revenue{suffix}"] = _at_design(part.sel(phase="operation"), design)
        frame[f"discounted_revenue{suffix}"] = (part.sum("phase") * disc).sum("year").to_series()
    capex = frame["capex"].where(frame["capex"] > 0)
    frame["construction_revenue_per_capex"] = frame["construction_revenue"] / capex
    discounted_capex = (sel["capex"].sum("phase") * disc).sum("year").to_series()
    frame["revenue_per_capex"] = frame["discounted_revenue"] / discounted_capex.where(
        discounted_capex > 0
    )


def revenue_table(ds: xr.Dataset) -> pd.DataFrame:
    """Budget revenue in long form: centre, variant, phase, year, tax, its Russian ``label``,
    then one column per budget level and ``total`` (all effects; rows where every level is zero
    are left out).

    Empty when the Dataset has no revenue.
    """
    columns = ["centre", "variant", "phase", "year", "tax", "label", *BUDGETS, "total"]
    if "revenue" not in ds:
        return pd.DataFrame(columns=columns)
    wide = ds["revenue"].sum("effect").to_dataframe()["revenue"].unstack("budget")
    wide = wide[list(BUDGETS)]
    wide.columns.name = None
    wide["total"] = wide.sum(axis=1)
    frame = wide.reset_index()
    if "tax_label_ru" in ds.coords:
        labels = dict(zip(ds["tax"].values.tolist(), ds["tax_label_ru"].values.tolist()))
        frame["label"] = frame["tax"].map(labels)
    else:
        frame["label"] = frame["tax"]
    keep = (frame[list(BUDGETS)] != 0).any(axis=1)
    return frame.loc[keep, columns].reset_index(drop=True)


def _regional_figures(
    frame: pd.DataFrame, sel: xr.Dataset, design: pd.Series, disc: xr.DataArray
) -> None:
    """Fill the regional indicators of ``frame`` (one variant of a run) in place."""
    for name in REGIONAL_INDICATORS:
        frame[name] = np.nan
    if "value_added_by_region" not in sel:
        return
    for v in ("value_added", "employment"):
        stays = sel[f"{v}_by_region"].where(sel["home"], 0.0).sum(["region", "effect"])
        cons = stays.sel(phase="construction").sum("year").to_series()
        frame[f"construction_{v}_in_region"] = cons
        frame[f"construction_{v}_region_share"] = cons / frame[f"construction_{v}"].where(
            frame[f"construction_{v}"] != 0
        )
        value = _at_design(stays.sel(phase="operation"), design).reindex(frame.index).to_numpy()
        frame[f"operation_{v}_in_region"] = value
        national = frame[f"operation_{v}"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            frame[f"operation_{v}_region_share"] = np.where(
                national != 0, value / np.where(national != 0, national, 1.0), np.nan
            )
        if v == "value_added":
            discounted = (stays.sum("phase") * disc).sum("year").to_series()
            frame["discounted_value_added_in_region"] = discounted
            frame["discounted_value_added_region_share"] = discounted / frame[
                "discounted_value_added"
            ].where(frame["discounted_value_added"] != 0)
    capex = frame["capex"].where(frame["capex"] > 0)
    frame["value_added_in_region_per_capex"] = frame["construction_value_added_in_region"] / capex
    frame["jobs_in_region_per_bn_capex"] = (
        frame["construction_employment_in_region"] / capex * 1e9 / _unit_value(sel)
    )
    if "revenue_by_region" not in sel:
        return
    # the regional and local budgets of the centre's own regions
    own = _by_region(sel, REGIONAL_REVENUE).where(sel["home"], 0.0).sum(["region", "effect"])
    frame["construction_regional_budget_revenue"] = (
        own.sel(phase="construction").sum("year").to_series()
    )
    frame["operation_regional_budget_revenue"] = _at_design(own.sel(phase="operation"), design)
    discounted = (own.sum("phase") * disc).sum("year").to_series()
    frame["discounted_regional_budget_revenue"] = discounted
    discounted_capex = (sel["capex"].sum("phase") * disc).sum("year").to_series()
    frame["regional_budget_revenue_per_capex"] = discounted / discounted_capex.where(
        discounted_capex > 0
    )
    national = sel["revenue"].sel(budget=SUBNATIONAL).sum(["tax", "budget", "effect"])
    national = (national.sum("phase") * disc).sum("year").to_series()
    frame["regional_budget_revenue_share"] = discounted / national.where(national != 0)


def _design_positions(da: xr.DataArray, design: pd.Series) -> tuple[list[int], np.ndarray]:
    """Position of each centre's design year on ``da.year`` (0 where it has none) and whether
    it has one, in the order of ``da.centre``."""
    at = design.reindex(da.centre.values).to_numpy()
    finite = np.isfinite(at)
    position = {int(y): i for i, y in enumerate(da.year.values)}
    return [position[int(y)] if ok else 0 for y, ok in zip(at, finite)], finite


def _at_design(da: xr.DataArray, design: pd.Series) -> pd.Series:
    """``da`` (dims centre and year) in each centre's design year, 0 for a centre without one;
    in the order of ``da.centre``."""
    values = da.transpose("centre", "year").values
    years, finite = _design_positions(da, design)
    picked = np.where(finite, values[np.arange(len(years)), years], 0.0)
    return pd.Series(picked, index=pd.Index(da.centre.values, name="centre"))


def _unit_value(ds: xr.Dataset) -> float:
    unit = str(ds.attrs.get("table_unit", "mn RUB")).split()[0]
    return {"mn": 1e6, "bn": 1e9, "thousand": 1e3}.get(unit, 1.0)


def compare(
    ds: xr.Dataset,
    variant: str,
    appraisal: Appraisal,
    by: str = "discounted_value_added",
) -> pd.DataFrame:
    """Key figures of all centres ranked by indicator ``by`` (largest first), with a rank column."""
    if by not in INDICATORS:
        raise ValueError(f"unknown indicator {by!r}; choose one of {', '.join(INDICATORS)}")
    return ranked(key_figures(ds, variant, appraisal), by)


def ranked(figures: pd.DataFrame, by: str) -> pd.DataFrame:
    """Key figures already computed (:func:`key_figures`) ranked by ``by`` as :func:`compare`
    ranks them: a copy, largest first, with a rank column."""
    frame = figures.sort_values(by, ascending=False)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


def localisation(
    scenario: Scenario,
    table: IOTable,
    bridge: Bridge,
    prices: Prices,
    groups: pd.DataFrame,
    model: str = "II",
    closure: str = "default",
    base_variant: str = "central",
) -> pd.Series:
    """Gain from localising equipment: the construction phase at ``base_variant`` capex, run with
    the highest and with the lowest equipment import share among the scenario's variants.

    Returns machine-building (and electrical-equipment) output and jobs, and total output and
    jobs, for both import shares and the gain (low-import minus high-import), over the whole
    construction phase, all effects.
    """
    shares = sorted({v.equipment_import_share for v in scenario.variants.values()})
    base = scenario.variants[base_variant]
    pair = {
        "imports_high": replace(base, name="imports_high", equipment_import_share=shares[-1]),
        "imports_low": replace(base, name="imports_low", equipment_import_share=shares[0]),
    }
    trial = replace(scenario, variants=pair, operation=None)
    shock = build_shock(trial, table, bridge, prices)
    ds = run_impact(table, [shock], model=model, closure=closure)  # type: ignore[arg-type]
    cons = (
        ds[["output", "employment"]]
        .sel(centre=scenario.id, phase="construction")
        .sum(["year", "effect"])
    )
    machine = groups.index[groups["group"].isin(["machine_building", "electrical_equipment"])]
    out = {"import_share_high": shares[-1], "import_share_low": shares[0]}
    for name in pair:
        part = cons.sel(variant=name)
        out[f"machine_output_{name}"] = float(part["output"].sel(sector=list(machine)).sum())
        out[f"machine_jobs_{name}"] = float(part["employment"].sel(sector=list(machine)).sum())
        out[f"total_output_{name}"] = float(part["output"].sum())
        out[f"total_jobs_{name}"] = float(part["employment"].sum())
    for k in ("machine_output", "machine_jobs", "total_output", "total_jobs"):
        out[f"{k}_gain"] = out[f"{k}_imports_low"] - out[f"{k}_imports_high"]
    return pd.Series(out, name=scenario.id)


def new_activity(ds: xr.Dataset) -> pd.DataFrame:
    """The new activity's own accounts by centre, variant and year (operation phase, long form).

    Output, value added, compensation, each kind of tax, operating surplus, direct jobs, and
    sales abroad (``exports``) and at home (``domestic_sales``: supply that can replace imports).
    """
    direct = ds[["output", "value_added", "compensation", "taxes", "employment"]].sel(
        phase="operation", effect="direct"
    )
    # the direct effect of the operation phase also holds the new activity's imported inputs by
    # the product imported; its own output, value added … sit in its own product's rows only,
    # which is what the sector sum below gives for these variables
    own = direct.sum("sector").drop_vars(["phase", "effect"], errors="ignore")
    extra = ds[list(ACTIVITY_VARIABLES)].sum("sector")
    frame = xr.merge([own, extra]).to_dataframe().reset_index()
    columns = [
        "centre",
        "variant",
        "year",
        "output",
        "value_added",
        "compensation",
        "mineral_extraction_tax",
        "property_tax",
        "other_taxes",
        "taxes",
        "operating_surplus",
        "employment",
        "exports",
        "domestic_sales",
    ]
    frame = frame[columns]
    return frame[frame["output"] != 0].reset_index(drop=True)


#: Variables the regional views show (imports are all abroad).
REGIONAL_SHOWN = ("output", "value_added", "compensation", "employment", "taxes")
#: Budget levels counted as the region's own revenue: the budget of the subject of the RF and
#: the local budgets in it.
SUBNATIONAL = ["regional", "local"]
#: The row of the regional views holding that revenue (runs with budget revenue).
REGIONAL_REVENUE = "regional_budget_revenue"


def _by_region(sel: xr.Dataset, name: str) -> xr.DataArray:
    """A variable by location: ``<name>_by_region``, or the regional and local budgets'
    revenue summed over taxes for :data:`REGIONAL_REVENUE`."""
    if name == REGIONAL_REVENUE:
        return sel["revenue_by_region"].sel(budget=SUBNATIONAL).sum(["tax", "budget"])
    return sel[f"{name}_by_region"]


def _shown(ds: xr.Dataset) -> tuple[str, ...]:
    return REGIONAL_SHOWN + ((REGIONAL_REVENUE,) if "revenue_by_region" in ds else ())


def _phase_totals(da: xr.DataArray, design: pd.Series) -> xr.DataArray:
    """Construction summed over its years; operation in each centre's first year at design
    output (zero for a centre without operation): dims (phase, centre, …)."""
    cons = da.sel(phase="construction").sum("year")
    centres = da.centre.values
    years, finite = _design_positions(da, design)
    # the operation phase at each centre's design year, picked with numpy (no arithmetic, so
    # the same numbers as xarray's pointwise selection, without its overhead)
    op = da.sel(phase="operation").transpose("centre", "year", *cons.dims[1:]).values
    op = op[np.arange(len(centres)), years]
    op = np.where(finite.reshape(-1, *[1] * (op.ndim - 1)), op, 0.0)
    values = np.stack([cons.transpose("centre", ...).values, op])
    coords = {k: c for k, c in cons.coords.items() if k != "phase"}
    return xr.DataArray(
        values,
        dims=("phase", "centre", *[d for d in cons.dims if d != "centre"]),
        coords={**coords, "phase": ["construction", "operation"]},
        name=cons.name,
        attrs=cons.attrs,
    )


def regional_view(ds: xr.Dataset, variant: str) -> pd.DataFrame:
    """Where each effect falls, per centre: one row per (centre, phase, variable, effect).

    Construction summed over its years, operation in the first year at design output; effect
    ``total`` sums direct, indirect and induced.  Columns: ``national``, ``in_region`` (the
    centre's own regions), ``rest_of_russia``, ``abroad`` and ``share`` (in_region ÷ national).
    With budget revenue, variable ``regional_budget_revenue``: the revenue of regional and local
    budgets, ``in_region`` that of the centre's own regions.  Empty when the run has no
    regional step.
    """
    if "value_added_by_region" not in ds:
        return pd.DataFrame()
    sel = ds.sel(variant=variant)
    design = design_years(ds, variant)
    rows = []
    for v in (*_shown(ds), "imports"):
        da = _phase_totals(_by_region(sel, v), design)
        da = xr.concat([da, da.sum("effect").expand_dims(effect=["total"])], dim="effect")
        home = da.where(sel["home"], 0.0).sum("region")
        frame = xr.Dataset(
            {
                "national": da.sum("region"),
                "in_region": home,
                "rest_of_russia": da.sel(region=REST_OF_RUSSIA, drop=True),
                "abroad": da.sel(region=ABROAD_REGION, drop=True),
            }
        ).to_dataframe()[["national", "in_region", "rest_of_russia", "abroad"]]
        frame.insert(0, "variable", v)
        rows.append(frame.reset_index())
    out = pd.concat(rows, ignore_index=True)
    out["share"] = out["in_region"] / out["national"].where(out["national"] != 0)
    return out[
        [
            "centre",
            "phase",
            "variable",
            "effect",
            "national",
            "in_region",
            "rest_of_russia",
            "abroad",
            "share",
        ]
    ]


def regional_shares(ds: xr.Dataset, variant: str) -> pd.DataFrame:
    """Share of each effect (all effects together) that stays in the centre's regions, for
    every δ of the run's sensitivity range: one row per (centre, phase, variable, delta).

    Construction summed over its years, operation in the first year at design output.  Empty
    when the run has no δ sensitivity (no regional step, or SLQ/CILQ).
    """
    if "value_added_in_region_by_delta" not in ds:
        return pd.DataFrame()
    sel = ds.sel(variant=variant)
    design = design_years(ds, variant)
    rows = []
    for v in _shown(ds):
        if v == REGIONAL_REVENUE:
            stays = sel["revenue_in_region_by_delta"].sel(budget=SUBNATIONAL)
            stays = _phase_totals(stays.sum(["tax", "budget", "effect"]), design)
            national = sel["revenue"].sel(budget=SUBNATIONAL).sum(["tax", "budget", "effect"])
            national = _phase_totals(national, design)
        else:
            stays = _phase_totals(sel[f"{v}_in_region_by_delta"].sum("effect"), design)
            national = _phase_totals(sel[v].sum(["sector", "effect"]), design)
        share = stays / national.where(national != 0)
        frame = xr.Dataset({"in_region": stays, "national": national, "share": share})
        frame = frame.to_dataframe()[["in_region", "national", "share"]].reset_index()
        frame.insert(2, "variable", v)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)[
        ["centre", "phase", "variable", "delta", "in_region", "national", "share"]
    ]


def _every_variant(ds: xr.Dataset, view: Callable[[xr.Dataset, str], pd.DataFrame]) -> pd.DataFrame:
    """``view`` of every variant of ``ds``, stacked, with a ``variant`` column second."""
    frames = []
    for variant in map(str, ds.variant.values):
        frame = view(ds, variant)
        frame.insert(1, "variant", variant)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def views(
    ds: xr.Dataset,
    groups: pd.DataFrame,
    appraisal: Appraisal,
    localisation_table: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """The tables a workbook or report shows, all derived from ``ds``.

    ``key_figures`` (every variant), ``by_year`` (totals by phase and year), ``new_activity``
    (the new activity's own accounts and sales by year), ``revenue`` (budget revenue by tax
    and level, when the Dataset has it; see :func:`revenue_table`), ``by_group`` (sector
    groups, summed over years) and ``by_sector`` (every product, summed over years), each in
    long form with the effects as columns, plus ``localisation`` when given, and, when the
    Dataset holds the thesis cases, ``thesis`` (:func:`iomodel.thesis.thesis_table`) and
    ``thesis_localisation`` (:func:`iomodel.thesis.localisation_gain`), and for a run with
    the regional step ``by_region`` (:func:`regional_view`, every variant) and ``region_delta``
    (:func:`regional_shares`).
    """
    out: dict[str, pd.DataFrame] = {}
    kf = []
    for variant in ds.variant.values:
        frame = key_figures(ds, str(variant), appraisal).reset_index()
        frame.insert(1, "variant", str(variant))
        kf.append(frame)
    out["key_figures"] = pd.concat(kf, ignore_index=True)
    totals = ds[list(VARIABLES)].sum("sector").sum("effect")
    out["by_year"] = (
        totals.to_dataframe()[list(VARIABLES)]
        .reset_index()
        .query("output != 0 or employment != 0")
        .reset_index(drop=True)
    )
    out["new_activity"] = new_activity(ds)
    if "revenue" in ds:
        out["revenue"] = revenue_table(ds)
    grouped = by_group(ds, groups).sum("year").sum("effect")
    gframe = grouped.to_dataframe()[list(VARIABLES)].reset_index()
    gframe.insert(
        gframe.columns.get_loc("group") + 1,
        "label",
        gframe["group"].map(dict(zip(groups["group"], groups["label_ru"]))),
    )
    out["by_group"] = gframe
    sectors = ds[list(VARIABLES)].sum("year").to_dataframe()[list(VARIABLES)]
    sectors = sectors.reset_index()
    sectors = sectors[(sectors[list(VARIABLES)] != 0).any(axis=1)]
    sectors.insert(
        sectors.columns.get_loc("sector") + 1,
        "label",
        sectors["sector"].map(dict(zip(ds.sector.values, ds.sector_label_ru.values))),
    )
    out["by_sector"] = sectors.reset_index(drop=True)
    if "value_added_by_region" in ds:
        out["by_region"] = _every_variant(ds, regional_view)
    if "value_added_in_region_by_delta" in ds:
        out["region_delta"] = _every_variant(ds, regional_shares)
    if localisation_table is not None:
        out["localisation"] = localisation_table.reset_index()
    if "indicator_q" in ds:  # the uncertainty study (issue 15)
        from .uncertainty.study import views as study_views

        out.update(study_views(ds, key_figures(ds, "central", appraisal)))
    if "case_value_added" in ds:  # the thesis cases (issue 12)
        from .thesis import localisation_gain, thesis_table

        out["thesis"] = thesis_table(ds, appraisal)
        out["thesis_localisation"] = localisation_gain(ds)
    return out
