"""The regional step of a run: each centre's effects by location — its region(s), the rest of
Russia and abroad — on the interregional model of :mod:`iomodel.regional`.

It extends a national run (:func:`iomodel.impact.run_impact`): the same shocks, coefficients,
model type and closure, so that for every variable the locations add up to the national
result.  For each centre (K = 1 or 2 regions, L = K + 1 locations):

* **Where the centre buys.**  Its domestic demand ``y`` of each case (variant × phase × year)
  is bought by its regions in the proportions of ``[centre.region_split]`` (construction or
  operation); a buyer in region k gets each product locally at the regional purchase
  coefficient (FLQ by default), the rest elsewhere in Russia
  (:func:`iomodel.regional.regional_demand`).  Products made on site (``[regional] onsite``,
  default the construction section F) are all bought in the region; products the scenario says
  the region does not make (``made_outside``) get a zero quotient there, for the centre and for
  the region's other producers alike.
* **Direct, indirect, induced.**  Direct construction effects are the demand on each location's
  producers; the new activity's own accounts (operation) sit in its regions by the operation
  split; imports — direct and along the chain — are produced abroad.  All cases of a centre are
  the right-hand sides of one LU factorisation of the open interregional matrix (and one of
  the household-closed one for Type II).
* **Households.**  One household per location receives the compensation its producers pay and
  spends it like the national household, bought by origin with ``min(SLQ_i, 1)``
  (:attr:`iomodel.regional.Regionalisation.simple_rpc`: households buy mostly local retail,
  housing and services; the FLQ's size penalty is fitted on firms' purchases — a choice of this
  project, README "Effects in the region").  Non-residents (fly-in/fly-out,
  вахта): in operation a share φ of the new activity's wages goes to the households of the rest
  of Russia; in construction φ of the wages of the on-site works (the direct output of the
  ``onsite`` products in the region) does.  Every household spends alike, so moving income
  between them changes where the induced effect falls, not its national total.

Results: ``<variable>_by_region`` (centre, variant, phase, year, region, effect) at the chosen
method and δ, with ``region`` = the centres' region ids, ``rest_of_russia`` and ``abroad`` (a
centre's values are zero in the other centres' regions, whose activity is inside its rest of
Russia; the ``home`` coordinate marks each centre's own regions), and, for FLQ and AFLQ,
``<variable>_in_region_by_delta`` (centre, variant, phase, year, delta, effect): what stays in
the centre's own regions for every δ of the sensitivity range.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from threadpoolctl import threadpool_limits

from . import leontief
from .errors import RegionError, ScenarioError
from .impact import VARIABLES, effect_coefficients
from .multipliers import (
    ClosureKind,
    closed_factorization,
    household_closure,
    multiplier_table,
)
from .readers.regional import SECTIONS, RegionalData, load_regional, regionalise_table
from .regional import (
    METHODS,
    Regionalisation,
    regional_demand,
    regional_multipliers,
    regionalise,
)
from .scenario import Scenario
from .shock import PHASES, Note, Shock
from .table import IOTable

__all__ = [
    "ABROAD",
    "REGIONAL_VARIABLES",
    "REST",
    "SENSITIVITY_VARIABLES",
    "Geography",
    "geography",
    "regional_effects",
    "regional_files",
    "regional_multiplier_table",
    "revenue_by_region",
    "revenue_in_region_by_delta",
]

REST = "rest_of_russia"
ABROAD = "abroad"
#: Variables of the national run, by location.
REGIONAL_VARIABLES = tuple(f"{v}_by_region" for v in VARIABLES)
#: What stays in the centre's own regions for each δ (imports never do).
SENSITIVITY_VARIABLES = tuple(f"{v}_in_region_by_delta" for v in VARIABLES if v != "imports")
#: The new activity's own accounts that sit in its regions (operation phase, direct).
_OWN = ("output", "value_added", "compensation", "taxes", "employment")
_NAMES = {REST: ("остальная Россия", "rest of Russia"), ABROAD: ("за рубежом", "abroad")}


@dataclass(frozen=True)
class Geography:
    """Where one centre is, resolved against the regional data and the table.

    ``regions`` region ids (K); ``construction``, ``operation``, ``extraction`` shares by region
    (K, each sums to 1); ``nonresident`` φ by phase; ``onsite`` and ``made_outside`` product
    codes; ``notes`` the defaults taken.
    """

    centre: str
    regions: tuple[str, ...]
    construction: np.ndarray
    operation: np.ndarray
    extraction: np.ndarray
    nonresident: dict[str, float]
    onsite: tuple[str, ...]
    made_outside: tuple[str, ...]
    notes: tuple[Note, ...]

    def as_dict(self) -> dict:
        """Plain data for the Dataset's attributes."""
        regions = list(self.regions)
        return {
            "regions": regions,
            "construction": dict(zip(regions, self.construction.tolist())),
            "operation": dict(zip(regions, self.operation.tolist())),
            "extraction": dict(zip(regions, self.extraction.tolist())),
            "nonresident_share": self.nonresident,
            "onsite": list(self.onsite),
            "made_outside": list(self.made_outside),
        }


def geography(scenario: Scenario, table: IOTable, data: RegionalData) -> Geography:
    """Resolve a scenario's regions, region split and regional assumptions.

    Raises ScenarioError naming the file and key when a region is unknown, a split names a
    region that is not the centre's, or a product code is not in ``table``.
    """
    where, centre = scenario.path, scenario.centre
    ids: list[str] = []
    for name in centre.regions_ru:
        try:
            rid = data.resolve(name)
        except RegionError as exc:
            raise ScenarioError(f"{where}: centre.regions_ru: {exc}") from None
        if rid not in ids:
            ids.append(rid)
    notes: list[Note] = []
    split = centre.region_split

    def shares(key: str) -> np.ndarray:
        given = getattr(split, key)
        stray = sorted(set(given) - set(ids))
        if stray:
            raise ScenarioError(
                f"{where}: centre.region_split.{key} names {stray}, not among the centre's "
                f"regions ({', '.join(ids)}, from regions_ru); use those ids"
            )
        return np.array([given.get(r, 0.0) for r in ids])

    if split is None:
        equal = np.full(len(ids), 1.0 / len(ids))
        con = op = ext = equal
        if len(ids) > 1:
            notes.append(
                Note(
                    f"regional: no [centre.region_split]; construction and operation are split "
                    f"equally between {', '.join(ids)}",
                    f"региональная модель: нет [centre.region_split]; строительство и "
                    f"эксплуатация поровну распределены между регионами {', '.join(ids)}",
                )
            )
    else:
        con, op, ext = shares("construction"), shares("operation"), shares("extraction")
    assumptions = scenario.regional
    if assumptions is None:
        phi = {"construction": 0.0, "operation": 0.0}
        onsite_given: tuple[str, ...] | None = None
        outside: tuple[str, ...] = ()
        notes.append(
            Note(
                "regional: no [regional] block; no fly-in/fly-out workers, construction works "
                "(section F) bought on site, no product declared made outside the region",
                "региональная модель: нет блока [regional]; вахтовых работников нет, "
                "строительные работы (раздел F) выполняются на месте, продукция, "
                "производимая за пределами региона, не указана",
            )
        )
    else:
        phi = {
            "construction": assumptions.nonresident_construction,
            "operation": assumptions.nonresident_operation,
        }
        onsite_given, outside = assumptions.onsite, assumptions.made_outside
    for key, codes in (("onsite", onsite_given or ()), ("made_outside", outside)):
        unknown = [c for c in codes if c not in table.codes]
        if unknown:
            raise ScenarioError(
                f"{where}: regional.{key} names {unknown}, not products of table "
                f"{table.meta.id}; use codes from `iomodel sectors {table.meta.id}`"
            )
    if onsite_given is None:
        sections = table.sectors.get("okved2_section")
        onsite = tuple(
            c for c, s in zip(table.codes, sections if sections is not None else []) if s == "F"
        )
    else:
        onsite = tuple(onsite_given)
    return Geography(
        scenario.id, tuple(ids), con, op, ext, phi, onsite, tuple(outside), tuple(notes)
    )


def regional_files(data: RegionalData) -> dict[str, str]:
    """sha256 of each file of the regional data folder the run read."""
    names = ("regions.csv", "gva_structure.csv", "grp.csv", "regionalisation.toml")
    return {
        f"regional/{n}": hashlib.sha256((data.path / n).read_bytes()).hexdigest() for n in names
    }


@dataclass(frozen=True)
class _Cases:
    """One centre's shock on the run's variant and year grid (zeros where it has none)."""

    demand: np.ndarray  # (V, P, T, n)
    imports: np.ndarray  # (V, P, T)  summed over products
    product_taxes: np.ndarray  # (V, P, T)
    income: np.ndarray  # (V, P, T)
    own: dict[str, np.ndarray]  # the new activity's accounts (V, T)


def _cases(shock: Shock, variants: list[str], years: list[int]) -> _Cases:
    vi = [variants.index(str(v)) for v in shock.demand.coords["variant"].values]
    ti = [years.index(int(t)) for t in shock.demand.coords["year"].values]

    def grid(values: np.ndarray, phased: bool = True) -> np.ndarray:
        """(variant, [phase,] year, …) of the shock → the run's variants and years."""
        shape = (len(variants), len(PHASES), len(years)) if phased else (len(variants), len(years))
        out = np.zeros(shape + values.shape[len(shape) :])
        out[np.ix_(vi, range(len(PHASES)), ti) if phased else np.ix_(vi, ti)] = values
        return out

    return _Cases(
        demand=grid(shock.demand.values),
        imports=grid(shock.imports.values.sum(-1)),
        product_taxes=grid(shock.product_taxes.values.sum(-1)),
        income=grid(shock.income.values),
        own={k: grid(shock.direct[k].values.sum(-1), phased=False) for k in _OWN},
    )


@dataclass(frozen=True)
class _National:
    """National solutions of one centre's cases: open (n, m) and household-closed (n+1, m)."""

    open: np.ndarray
    closed: np.ndarray | None


def _national(
    table: IOTable, cases: _Cases, closed: leontief.ClosedFactorization | None
) -> _National:
    m = int(np.prod(cases.demand.shape[:3]))
    y = cases.demand.reshape(m, table.n).T
    if closed is None:
        return _National(table.factorization.solve(y), None)
    rhs = np.vstack([y, cases.income.reshape(1, m)])
    return _National(table.factorization.solve(y), closed.solve(rhs))


def _centre_effects(
    table: IOTable,
    geo: Geography,
    cases: _Cases,
    rg: Regionalisation,
    coef: dict[str, np.ndarray],
    closure: leontief.Closure | None,
    national: _National,
) -> dict[str, np.ndarray]:
    """Each variable by location (regions…, rest of Russia, abroad): (L + 1, V, P, T, E).

    ``national`` holds the national solutions of the same cases, from which the rest of Russia
    is eliminated (:func:`iomodel.regional.eliminate_rest`).
    """
    n_effects = 2 if national.closed is None or closure is None else 3
    n, K = table.n, len(geo.regions)
    L = K + 1
    V, P, T = cases.demand.shape[:3]
    m = V * P * T
    build = PHASES.index("construction")
    phase = np.broadcast_to(np.arange(P)[None, :, None], (V, P, T)).reshape(m)
    split = np.stack([geo.construction, geo.operation])[phase].T  # (K, m)
    phi = np.array([geo.nonresident["construction"], geo.nonresident["operation"]])[phase]
    building = phase == build

    y = cases.demand.reshape(m, n).T  # (n, m)
    buyers = np.zeros((L, n, m))
    buyers[:K] = split[:, None, :] * y[None]
    rpc = rg.rpc.copy()
    onsite = [table.codes.index(c) for c in geo.onsite]
    rpc[:, onsite] = 1.0
    demand = regional_demand(buyers, rpc, rg.supply)  # (L·n, m) by supplying location
    x_open = rg.reduced_factorization().solve(demand, national.open)
    levels = np.zeros((L * n, m, n_effects))
    levels[:, building, 0] = demand[:, building]  # construction: the demand itself is direct
    levels[..., 1] = x_open - levels[..., 0]
    if national.closed is not None and closure is not None:
        income = cases.income.reshape(m)
        households = np.zeros((L, m))
        households[:K] = (1.0 - phi) * split * income
        households[K] = phi * income
        # wages of the on-site works in the centre's regions paid to non-residents
        on_site = demand.reshape(L, n, m)[:K, onsite, :]
        wages = np.einsum("j,kjm->km", closure.income[onsite], on_site) * building
        households[:K] -= phi * wages
        households[K] += (phi * wages).sum(axis=0)
        closed, order = rg.reduced_closed_factorization(
            closure.income, closure.consumption, household_rpc=rg.simple_rpc
        )
        by_location = closed.solve(np.vstack([demand, households])[order], national.closed)
        x_closed = np.empty_like(by_location)
        x_closed[order] = by_location
        levels[..., 2] = x_closed[: L * n] - x_open
    levels = levels.reshape(L, n, V, P, T, n_effects)

    out = {}
    for k in VARIABLES:
        c = coef[k]
        spec = "tj,ljvpte->lvpte" if c.ndim == 2 else "j,ljvpte->lvpte"
        values = np.zeros((L + 1, V, P, T, n_effects))
        values[:L] = np.einsum(spec, c, levels)
        if k == "imports":  # produced abroad, whoever imports them
            values[L] = values[:L].sum(axis=0)
            values[:L] = 0.0
            values[L, ..., 0] += cases.imports
        if k in ("taxes", "product_taxes"):  # paid on the capex by its buyers
            values[:K, ..., 0] += split.reshape(K, V, P, T) * cases.product_taxes[None]
        if k in cases.own:
            operation = PHASES.index("operation")
            values[:K, :, operation, :, 0] += geo.operation[:, None, None] * cases.own[k][None]
        out[k] = values
    return out


def _deltas(data: RegionalData, method: str, delta: float) -> list[float]:
    if method not in ("flq", "aflq"):
        return []
    return sorted({*data.settings.delta_sensitivity, delta})


def regional_effects(
    table: IOTable,
    scenarios: Sequence[Scenario],
    shocks: Sequence[Shock],
    dataset: xr.Dataset,
    *,
    productivity: pd.DataFrame | None = None,
    data: RegionalData | None = None,
    method: str | None = None,
    delta: float | None = None,
) -> xr.Dataset:
    """The regional variables of a national run ``dataset`` (see the module docstring).

    Parameters
    ----------
    table, scenarios, shocks
        What the national run used (one scenario and one shock per centre, same order).
    dataset
        The national run: its variants, years, effects, model type and closure are followed.
    productivity
        The productivity index the national run used (None: frozen).
    data
        Regional data (default: the shipped ``tables/regional``).
    method, delta
        Location-quotient method (slq, cilq, flq, aflq) and δ; defaults from
        ``regionalisation.toml``.  FLQ and AFLQ are also run for every δ of its sensitivity
        range.

    Returns
    -------
    xarray.Dataset
        ``<variable>_by_region`` and (FLQ, AFLQ) ``<variable>_in_region_by_delta``, with the
        method, δ and each centre's geography in the attributes.
    """
    data = data or load_regional()
    method = method or data.settings.method
    if method not in METHODS:
        raise RegionError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    delta = data.settings.delta if delta is None else float(delta)
    if method in ("flq", "aflq") and not 0 <= delta < 1:
        raise RegionError(f"δ = {delta} is outside [0, 1)")
    if "okved2_section" not in table.sectors.columns:
        raise RegionError(
            f"{table.meta.path}: the table's sectors.csv has no okved2_section column; "
            "regionalisation needs each product's OKVED2 section letter"
        )
    coef = effect_coefficients(table, [int(y) for y in dataset.year.values], productivity)
    closure_kind: ClosureKind = (
        "textbook" if dataset.attrs.get("closure") == "textbook" else "default"
    )
    closure = household_closure(table, closure_kind) if "induced" in dataset.effect.values else None
    with threadpool_limits(limits=1, user_api="blas"):
        # many factorisations and solves of at most 2 × 114 unknowns: one BLAS thread is
        # faster than several, and far faster when the cores are busy (benchmarks/README.md)
        return _regional_effects(
            table, scenarios, shocks, dataset, coef, closure, closure_kind, data, method, delta
        )


def _regional_effects(
    table: IOTable,
    scenarios: Sequence[Scenario],
    shocks: Sequence[Shock],
    dataset: xr.Dataset,
    coef: dict[str, np.ndarray],
    closure: leontief.Closure | None,
    closure_kind: ClosureKind,
    data: RegionalData,
    method: str,
    delta: float,
) -> xr.Dataset:
    year = data.settings.year
    gva = data.section_gva(year)
    national_gva = data.national_gva(year).to_numpy()
    sections = table.sectors["okved2_section"].astype(str).tolist()
    variants = [str(v) for v in dataset.variant.values]
    years = [int(y) for y in dataset.year.values]
    effects = [str(e) for e in dataset.effect.values]
    # the national household-closed model, bordered on the table's own LU
    closed = closed_factorization(table, closure_kind) if closure else None
    deltas = _deltas(data, method, delta)
    runs = deltas if deltas else [delta]

    geos = [geography(s, table, data) for s in scenarios]
    regions = list(dict.fromkeys(r for g in geos for r in g.regions)) + [REST, ABROAD]
    dims = ("centre", "variant", "phase", "year", "region", "effect")
    shape = (len(geos), len(variants), len(PHASES), len(years), len(regions), len(effects))
    by_region = {k: np.zeros(shape) for k in VARIABLES}
    home = np.zeros((len(geos), len(regions)), dtype=bool)
    in_region = {k: np.zeros(shape[:4] + (len(deltas), len(effects))) for k in VARIABLES}
    for c, (geo, shock) in enumerate(zip(geos, shocks)):
        cases = _cases(shock, variants, years)
        national = _national(table, cases, closed)
        absent = np.isin(table.codes, geo.made_outside)
        where = [regions.index(r) for r in geo.regions] + [regions.index(REST), len(regions) - 1]
        home[c, where[:-2]] = True
        for d, value in enumerate(runs):
            rg = regionalise(
                table.A,
                sections,
                gva.loc[list(geo.regions)].to_numpy(),
                national_gva,
                list(SECTIONS),
                method=method,  # type: ignore[arg-type]
                delta=value,
                absent=absent,
            )
            values = _centre_effects(table, geo, cases, rg, coef, closure, national)
            for k in VARIABLES:
                if deltas:
                    in_region[k][c, ..., d, :] = values[k][: len(geo.regions)].sum(axis=0)
                if value == delta:
                    by_region[k][c][..., where, :] = np.moveaxis(values[k], 0, -2)
    coords = {
        "centre": [str(c) for c in dataset.centre.values],
        "variant": variants,
        "phase": list(PHASES),
        "year": years,
        "region": regions,
        "effect": effects,
        "region_name_ru": ("region", [_name(data, r, 0) for r in regions]),
        "region_name_en": ("region", [_name(data, r, 1) for r in regions]),
        "home": (("centre", "region"), home),
    }
    variables = {f"{k}_by_region": (dims, by_region[k]) for k in VARIABLES}
    if deltas:
        coords["delta"] = deltas
        sdims = ("centre", "variant", "phase", "year", "delta", "effect")
        variables.update({f"{k}_in_region_by_delta": (sdims, in_region[k]) for k in VARIABLES})
        variables.pop("imports_in_region_by_delta")
    out = xr.Dataset(variables, coords=coords)
    for name in out.data_vars:
        source = str(name).split("_by_region")[0].split("_in_region_by_delta")[0]
        out[name].attrs["units"] = dataset[source].attrs.get("units", "")
    out.attrs.update(
        {
            "regional_method": method,
            "regional_delta": delta if method in ("flq", "aflq") else float("nan"),
            "regional_delta_sensitivity": json.dumps(deltas),
            "regional_delta_source": data.settings.delta_source,
            "regional_year": year,
            "regional_centres": json.dumps(
                {g.centre: g.as_dict() for g in geos}, ensure_ascii=False
            ),
            "regional_notes": json.dumps(
                {g.centre: [n.en for n in g.notes] for g in geos}, ensure_ascii=False
            ),
            "regional_notes_ru": json.dumps(
                {g.centre: [n.ru for n in g.notes] for g in geos}, ensure_ascii=False
            ),
        }
    )
    return out


def _name(data: RegionalData, region: str, lang: int) -> str:
    if region in _NAMES:
        return _NAMES[region][lang]
    return str(data.regions.loc[region, ("name_ru", "name_en")[lang]])


#: Which regional variable places each tax of the fiscal block (issue 10) by location.
#: PIT and contributions follow wages by place of work; profit tax the operating surplus of
#: producers (the facility's region for the new activity); property tax and the mineral
#: extraction tax the new activity's location (its operation and extraction splits); VAT
#: the value added; the table's other net taxes the taxes.
REVENUE_BASES = {
    "pit": "compensation",
    "contributions": "compensation",
    "profit": "operating_surplus",
    "mineral_extraction": "extraction",
    "property": "operation",
    "vat": "value_added",
    "other_net_taxes": "taxes",
}


def _located(ds: xr.Dataset, name: str, suffix: str) -> xr.DataArray:
    """A revenue base by location (``_by_region``) or in the home regions by δ
    (``_in_region_by_delta``); ``operating_surplus`` = value added − compensation − net taxes on
    production."""
    if name == "operating_surplus":
        production_taxes = ds[f"taxes{suffix}"] - ds[f"product_taxes{suffix}"]
        return ds[f"value_added{suffix}"] - ds[f"compensation{suffix}"] - production_taxes
    return ds[f"{name}{suffix}"]


def _splits(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """Each centre's operation and extraction shares by region (centre, region)."""
    centres = json.loads(ds.attrs["regional_centres"])
    split = {key: xr.zeros_like(ds["home"], dtype=float) for key in ("operation", "extraction")}
    for centre, geo in centres.items():
        for key, frame in split.items():
            for region, share in geo[key].items():
                frame.loc[{"centre": centre, "region": region}] = share
    return split


_CASE = ("centre", "variant", "phase", "year", "effect")


def _tax_shares(revenue: xr.DataArray, ds: xr.Dataset, suffix: str, other: str) -> np.ndarray:
    """Each tax's base by location (``_by_region``, ``other`` = "region") or its home share by
    δ (``_in_region_by_delta``, ``other`` = "delta"), as one array (centre, variant, phase,
    year, effect, tax, other), in the order of ``revenue``'s cases."""
    split = _splits(ds)
    case = {d: revenue[d].values for d in _CASE}
    bases = [
        f"{v}{x}"
        for v in ("value_added", "compensation", "taxes", "product_taxes")
        for x in ("_by_region", "_in_region_by_delta")
        if f"{v}{x}" in ds
    ]
    ds = ds[bases]  # the bases only, on the revenue's cases (a copy of a few small arrays)
    if any(not np.array_equal(ds[d].values, case[d]) for d in _CASE):
        ds = ds.sel(case)
    computed: dict[str, np.ndarray] = {}

    def shares(name: str) -> np.ndarray:
        if name in split:  # (centre, region): the same in every case
            if other == "delta":  # split-based taxes stay whole in the centre's regions
                values = np.ones((len(case["centre"]), ds.sizes["delta"]))
            else:
                values = split[name].sel(centre=case["centre"]).transpose("centre", "region").values
            return values[:, None, None, None, None, :]
        located = _located(ds, name, suffix).transpose(*_CASE, other).values
        if other != "delta":
            return located
        whole = _located(ds, name, "_by_region").sum("region")
        national = whole.transpose(*_CASE).values[..., None]
        return np.divide(located, national, out=np.ones_like(located), where=national != 0)

    out = []
    for tax in revenue.tax.values:
        name = REVENUE_BASES[str(tax)]
        if name not in computed:
            computed[name] = shares(name)
        out.append(computed[name])
    shape = np.broadcast_shapes(*(o.shape for o in out))
    return np.stack([np.broadcast_to(o, shape) for o in out], axis=-2)


def revenue_by_region(revenue: xr.DataArray, ds: xr.Dataset) -> xr.DataArray:
    """Split budget revenue (… , tax, budget) over the regions of ``ds`` (a regional run).

    Each tax goes to locations in proportion to its base (:data:`REVENUE_BASES`) in the same
    centre, variant, phase, year and effect.  Cases where a base is zero everywhere follow the
    centre's operation split.  The result has a ``region`` dimension (abroad gets nothing) and
    sums over it to ``revenue``.
    """
    revenue = revenue.transpose(*_CASE, "tax", "budget")
    regions = [str(r) for r in ds.region.values]
    inside = [k for k, r in enumerate(regions) if r != ABROAD]
    base = _tax_shares(revenue, ds, "_by_region", "region")[..., inside]
    total = base.sum(axis=-1, keepdims=True)
    operation = _splits(ds)["operation"].sel(centre=revenue.centre.values)
    fallback = operation.transpose("centre", "region").values[
        :, None, None, None, None, None, inside
    ]
    share = np.where(total != 0, base / np.where(total != 0, total, 1.0), fallback)
    values = np.zeros(revenue.shape + (len(regions),))
    values[..., inside] = revenue.values[..., None] * share[..., None, :]
    return xr.DataArray(
        values,
        dims=(*revenue.dims, "region"),
        coords={**revenue.coords, "region": ds.region},
        name="revenue_by_region",
    )


def revenue_in_region_by_delta(revenue: xr.DataArray, ds: xr.Dataset) -> xr.DataArray:
    """Budget revenue (…, tax, budget) that stays in each centre's own regions, for every δ of
    the run's sensitivity range: its base's home share at that δ (split-based taxes stay whole).

    Dims of ``revenue`` plus ``delta``; at the run's δ it equals :func:`revenue_by_region`
    summed over the centre's regions.
    """
    revenue = revenue.transpose(*_CASE, "tax", "budget")
    share = _tax_shares(revenue, ds, "_in_region_by_delta", "delta")
    return xr.DataArray(
        revenue.values[..., None] * share[..., None, :],
        dims=(*revenue.dims, "delta"),
        coords={**revenue.coords, "delta": ds.delta},
        name="revenue_in_region_by_delta",
    )


#: Effects of :func:`regional_multiplier_table`: (column stem, the table's direct coefficient).
_MULTIPLIERS = (
    ("output", None),
    ("value_added", "value_added"),
    ("income", "compensation"),
    ("employment", "employment"),
)


def regional_multiplier_table(
    table: IOTable,
    region: str,
    *,
    data: RegionalData | None = None,
    method: str | None = None,
    delta: float | None = None,
    closure: ClosureKind = "default",
) -> pd.DataFrame:
    """Multipliers in one region, one row per product.

    Effect in the region per unit of final demand for the product made in the region (the
    interregional model with the rest of Russia: inputs the region buys elsewhere leak, and the
    feedback through the rest of Russia is included).  Columns ``rpc`` (the share of the product
    the region's own final buyers get locally: a unit of their demand has the multipliers × rpc
    in the region), ``output_type1``, ``output_type2``, ``value_added_type1/2``,
    ``income_type1/2``, ``employment_type1/2`` (in the region) and ``output_type1_national``,
    ``output_type2_national`` (Russia, the same unit of final demand).  Type II closes the model
    with one household per location buying with ``min(SLQ, 1)``, as the run does.  Raises
    RegionError for an unknown region name (with the list of valid ids) or method.
    """
    data = data or load_regional()
    rg = regionalise_table(table, region, data=data, method=method, delta=delta)
    stems = [(name, key) for name, key in _MULTIPLIERS if key is None or key in table.direct]
    C = np.vstack([np.ones(table.n) if key is None else table.direct[key] for _, key in stems])
    households = household_closure(table, closure)
    with threadpool_limits(limits=1, user_api="blas"):
        local = np.ones_like(rg.rpc)  # demand met by the region's own producers
        open_ = regional_multipliers(rg.factorization(), C, local, rg.supply)[0]
        closed = rg.closed_factorization(
            households.income, households.consumption, household_rpc=rg.simple_rpc
        )
        type2 = regional_multipliers(closed, C, local, rg.supply)[0]
    national = multiplier_table(table, closure)
    out = pd.DataFrame(
        {"label": table.labels("en"), "rpc": rg.rpc[0]}, index=pd.Index(table.codes, name="code")
    )
    for k, (name, _) in enumerate(stems):
        out[f"{name}_type1"] = open_[k]
        out[f"{name}_type2"] = type2[k]
    out["output_type1_national"] = national["output_type1"]
    out["output_type2_national"] = national["output_type2"]
    out.loc[table.x == 0, out.columns[1:]] = np.nan
    return out
