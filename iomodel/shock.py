"""A scenario turned into table terms: demand vectors, leakages and the new activity's direct effects.

Construction phase — capex at purchasers' prices, by purpose, is moved to the table year's prices
(:mod:`iomodel.prices`), spread over products by the investment bridge, and split with the table's
own valuation of gross fixed capital formation into basic prices, trade margins, transport margins
and net product taxes.  Margins become demand for the trade and transport products that earn them
(in the proportions the table shows for GFCF); taxes leave as taxes; the imported share of each
purpose (the scenario's localisation lever) leaves as imports.

Operation phase — the new-industry method (Miller & Blair 2009, §13.1): the new activity's output
is exogenous and counted as its own direct output, value added, compensation, taxes and jobs; its
purchases (cost structure × output, through the opex bridge) are the final-demand shock, domestic
in the proportion of each product's domestic share of intermediate use in the table.  Without a
cost structure the product's average column of the table is used (and the result says so).  The
new activity's compensation is an exogenous household income (it drives the induced effect).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from .categories import EQUIPMENT, PURCHASES, PURPOSES
from .errors import ScenarioError
from .prices import Prices
from .table import IOTable

if TYPE_CHECKING:  # scenario.py imports this module (Scenario.shock); no import back at run time
    from .scenario import Operation, Scenario, Variant

__all__ = ["DIRECT_VARIABLES", "PHASES", "Bridge", "Note", "Shock", "build_shock", "load_bridge"]

PHASES = ("construction", "operation")
#: Latest scenario year allowed, in years after the table's year.
HORIZON_SPAN = 60
#: The new activity's own accounts in ``Shock.direct`` (operation phase).
TAX_VARIABLES = ("mineral_extraction_tax", "property_tax", "other_taxes")
DIRECT_VARIABLES = (
    "output",
    "value_added",
    "compensation",
    "taxes",
    *TAX_VARIABLES,
    "operating_surplus",
    "employment",
    "exports",
    "domestic_sales",
)


@dataclass(frozen=True)
class Note:
    """An assumption a shock had to make, in English and Russian (reports show it)."""

    en: str
    ru: str

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True)
class Bridge:
    """Weights from capex purposes and opex cost items to table products (rows sum to 1)."""

    capex: pd.DataFrame  # purposes × sectors
    opex: pd.DataFrame  # purchase cost items × sectors
    path: Path
    #: Domestic share of capex bought from a product whatever its purpose (NaN: the purpose's own
    #: share applies) — e.g. installation (33), a service done on site, not imported with the
    #: machines it installs.
    capex_domestic_share: pd.Series | None = None


def load_bridge(path: Path, table: IOTable) -> Bridge:
    """Read ``bridge.toml`` and check every product code against ``table``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(
            f"{path}: bridge file not found; the table folder needs bridge.toml"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML ({exc})") from None

    def block(name: str, keys: tuple[str, ...]) -> pd.DataFrame:
        node = data.get(name)
        if not isinstance(node, dict):
            raise ScenarioError(f"{path}: [{name}] is missing")
        frame = pd.DataFrame(0.0, index=list(keys), columns=table.codes)
        for key in keys:
            weights = node.get(key)
            if not isinstance(weights, dict) or not weights:
                raise ScenarioError(f"{path}: [{name}.{key}] is missing; map it to table products")
            for code, weight in weights.items():
                if code not in table.codes:
                    raise ScenarioError(
                        f"{path}: [{name}.{key}] names product {code!r}, which is "
                        f"not in table {table.meta.id}; use a code from "
                        f"`iomodel sectors {table.meta.id}`"
                    )
                if not isinstance(weight, (int, float)) or weight < 0:
                    raise ScenarioError(
                        f"{path}: [{name}.{key}] weight of {code!r} must be a "
                        f"non-negative number, got {weight!r}"
                    )
                frame.loc[key, code] = float(weight)
            total = frame.loc[key].sum()
            if abs(total - 1) > 1e-9:
                raise ScenarioError(f"{path}: [{name}.{key}] weights sum to {total:.6f}, not 1")
        return frame

    overrides = pd.Series(np.nan, index=table.codes, dtype=float)
    node = data.get("capex_domestic_share", {})
    if not isinstance(node, dict):
        raise ScenarioError(f"{path}: [capex_domestic_share] must be a table of product = share")
    for code, share in node.items():
        if code not in table.codes:
            raise ScenarioError(
                f"{path}: [capex_domestic_share] names product {code!r}, which is not in table "
                f"{table.meta.id}; use a code from `iomodel sectors {table.meta.id}`"
            )
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise ScenarioError(
                f"{path}: [capex_domestic_share] {code!r} must be a share in [0, 1], got {share!r}"
            )
        overrides[code] = float(share)
    return Bridge(
        capex=block("capex", PURPOSES),
        opex=block("opex", PURCHASES),
        path=path,
        capex_domestic_share=overrides,
    )


@dataclass(frozen=True)
class Shock:
    """One scenario in table units (``table.meta.unit`` of currency, table-year basic prices).

    Attributes
    ----------
    demand : DataArray (variant, phase, year, sector)
        Domestic final demand: the shock solved through ``(I − A)⁻¹``.
    imports : DataArray (variant, phase, year, sector)
        Imports that leak directly, by the product imported: imported capital goods, the new
        activity's imported inputs.  Counted here only (not again in ``direct``).
    product_taxes : DataArray (variant, phase, year, sector)
        Net taxes on products paid on capex purchases.
    purchasers : DataArray (variant, phase, year)
        Capex at purchasers' prices (table units) — the conservation check's left side.
    direct : Dataset (variant, year, sector)
        The new activity's own output, value added, compensation, taxes (the sum of its tax
        lines: ``mineral_extraction_tax``, ``property_tax``, ``other_taxes``), operating surplus,
        employment, and its sales abroad (``exports``) and at home (``domestic_sales``).
    income : DataArray (variant, phase, year)
        Exogenous household income (the new activity's compensation) for Type II.
    notes : tuple of Note
        Assumptions taken for this scenario (fallbacks, missing valuation data …).
    """

    centre: str
    demand: xr.DataArray
    imports: xr.DataArray
    product_taxes: xr.DataArray
    purchasers: xr.DataArray
    direct: xr.Dataset
    income: xr.DataArray
    notes: tuple[Note, ...]


@lru_cache(maxsize=8)
def _gfcf_ratios(table: IOTable) -> tuple[pd.DataFrame, pd.Series, pd.Series, tuple[Note, ...]]:
    """Per product: shares of the purchasers' price that are basic, trade, transport, taxes; and
    which products earn trade and transport margins (weights summing to 1)."""
    notes: list[Note] = []
    val = table.gfcf_valuation
    codes = table.codes
    ratios = pd.DataFrame({"basic": 1.0, "trade": 0.0, "transport": 0.0, "taxes": 0.0}, index=codes)
    if val is None:
        notes.append(
            Note(
                "the table has no valuation matrices for gross fixed capital formation: "
                "capex is taken as if at basic prices (no margins or product taxes)",
                "в таблице нет матриц наценок и налогов для валового накопления основного "
                "капитала: капвложения взяты как в основных ценах (без торговых и "
                "транспортных наценок и налогов на продукты)",
            )
        )
        return ratios, pd.Series(0.0, index=codes), pd.Series(0.0, index=codes), tuple(notes)
    purch = val["purchasers"]
    ok = purch > 0
    for column, source in (
        ("trade", "trade_margins"),
        ("transport", "transport_margins"),
        ("taxes", "net_taxes"),
    ):
        ratios.loc[ok, column] = val.loc[ok, source] / purch[ok]
    # basic prices close the identity, so the published table's rounding (≤ 2 units) cannot
    # create or lose money on the way through the bridge
    ratios["basic"] = 1.0 - ratios[["trade", "transport", "taxes"]].sum(axis=1)
    earners = {}
    for kind, source in (("trade", "trade_margins"), ("transport", "transport_margins")):
        negative = (-val[source]).clip(lower=0)
        earners[kind] = negative / negative.sum() if negative.sum() > 0 else negative
    # margin products bought directly carry no further margin
    margin_products = (earners["trade"] > 0) | (earners["transport"] > 0)
    ratios.loc[margin_products, ["basic", "trade", "transport", "taxes"]] = [1.0, 0.0, 0.0, 0.0]
    return ratios, earners["trade"], earners["transport"], tuple(notes)


def _domestic_intermediate_share(table: IOTable) -> tuple[np.ndarray, list[Note]]:
    if table.imported_intermediate is None:
        return np.ones(table.n), [
            Note(
                "the table has no imports-use matrix: the new activity's "
                "inputs are taken as all domestic",
                "в таблице нет матрицы использования импорта: затраты нового "
                "производства считаются полностью отечественными",
            )
        ]
    dom = table.Z.sum(axis=1)
    imp = table.imported_intermediate.sum(axis=1)
    total = dom + imp
    return np.where(total > 0, dom / np.where(total > 0, total, 1.0), 1.0), []


def build_shock(
    scenario: Scenario,
    table: IOTable,
    bridge: Bridge,
    prices: Prices,
    variants: list[str] | None = None,
) -> Shock:
    """Turn ``scenario`` into demand, leakages and direct effects on ``table``.

    Everything is linear in the scenario's amounts, so every variant and year is built at once
    with array arithmetic.  Raises ScenarioError when a product code is unknown, a year precedes
    the table's, or a price cannot be converted.
    """
    where = scenario.path
    con, op = scenario.construction, scenario.operation
    names = variants or list(scenario.variants)
    for name in names:
        if name not in scenario.variants:
            raise ScenarioError(
                f"{where}: unknown variant {name!r}; this file has {', '.join(scenario.variants)}"
            )
    first = min(con.years + (op.years if op else ()))
    if first < table.meta.year:
        raise ScenarioError(
            f"{where}: the scenario starts in {first}, before the table year "
            f"{table.meta.year}; an impact cannot be computed for years before the "
            "table — move start_year to ≥ the table year"
        )
    last = max(con.years + (op.years if op else ()))
    if last > table.meta.year + HORIZON_SPAN:
        raise ScenarioError(
            f"{where}: the scenario runs to {last}, more than {HORIZON_SPAN} years past the "
            f"table year {table.meta.year}; a table's technology says little that far ahead — "
            "end the scenario earlier or use a newer table (README, 'Scenario bounds')"
        )
    years = sorted(set(con.years) | set(op.years if op else ()))
    n, codes = table.n, table.codes
    chosen = [scenario.variants[name] for name in names]
    shape = (len(names), len(PHASES), len(years), n)
    demand, imports, taxes = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    purchasers = np.zeros(shape[:3])
    income = np.zeros(shape[:3])
    direct = {v: np.zeros((len(names), len(years), n)) for v in DIRECT_VARIABLES}
    notes: list[Note] = []

    build = _construction(scenario, table, bridge, prices, chosen, years)
    notes += build.notes
    demand[:, 0], imports[:, 0], taxes[:, 0], purchasers[:, 0] = (
        build.demand,
        build.imports,
        build.taxes,
        build.purchasers,
    )
    if op is not None:
        run = _operation(scenario, table, bridge, prices, chosen, years, build.capex)
        notes += run.notes
        demand[:, 1], imports[:, 1], income[:, 1] = run.demand, run.imports, run.income
        direct = run.direct

    dims4 = ("variant", "phase", "year", "sector")
    coords = {"variant": names, "phase": list(PHASES), "year": years, "sector": codes}
    coords3 = {k: coords[k] for k in ("variant", "phase", "year")}
    direct_ds = xr.Dataset(
        {k: (("variant", "year", "sector"), v) for k, v in direct.items()},
        coords={"variant": names, "year": years, "sector": codes},
    )
    return Shock(
        centre=scenario.id,
        demand=xr.DataArray(demand, dims=dims4, coords=coords),
        imports=xr.DataArray(imports, dims=dims4, coords=coords),
        product_taxes=xr.DataArray(taxes, dims=dims4, coords=coords),
        purchasers=xr.DataArray(purchasers, dims=dims4[:3], coords=coords3),
        direct=direct_ds,
        income=xr.DataArray(income, dims=dims4[:3], coords=coords3),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class _Built:
    """Construction phase arrays: (variant, year, sector) and (variant, year)."""

    demand: np.ndarray
    imports: np.ndarray
    taxes: np.ndarray
    purchasers: np.ndarray
    capex: np.ndarray  # (variant, year) capex at table-year purchasers' prices, table units
    notes: list[Note]


def _construction(
    scenario: Scenario,
    table: IOTable,
    bridge: Bridge,
    prices: Prices,
    chosen: list[Variant],
    years: list[int],
) -> _Built:
    con = scenario.construction
    ratios, trade_to, transport_to, valuation_notes = _gfcf_ratios(table)
    # amount[a, t, p]: capex of variant a in construction year t on purpose p, table units
    factor = np.array(
        [
            _convert(
                prices,
                1.0,
                con.currency,
                con.price_year,
                table.meta.year,
                f"capex.{p}",
                scenario.path,
                "construction",
            )
            for p in PURPOSES
        ]
    ) * (con.unit / table.meta.unit)
    capex = np.array([v.capex for v in chosen])
    profile = np.zeros(len(years))
    profile[[years.index(y) for y in con.years]] = con.profile
    shares = np.array([con.purposes[p] for p in PURPOSES])
    amount = capex[:, None, None] * profile[None, :, None] * (shares * factor)[None, None, :]
    # spend[a, t, i]: purchasers' value bought from product i; domestic[a, p, i] its home share
    weights = bridge.capex.loc[list(PURPOSES)].to_numpy()
    spend_by_purpose = amount[..., None] * weights[None, None]  # (a, t, p, i)
    domestic = np.array([[_domestic_share(con, p, v) for p in PURPOSES] for v in chosen])[
        :, :, None
    ] * np.ones(table.n)
    if bridge.capex_domestic_share is not None:
        override = bridge.capex_domestic_share.reindex(table.codes).to_numpy()
        domestic = np.where(np.isnan(override), domestic, override)
    spend = spend_by_purpose.sum(axis=2)
    basic = spend * ratios["basic"].to_numpy()
    home = (spend_by_purpose * domestic[:, None]).sum(axis=2) * ratios["basic"].to_numpy()
    margins = spend * ratios["trade"].to_numpy(), spend * ratios["transport"].to_numpy()
    demand = (
        home
        + margins[0].sum(axis=-1, keepdims=True) * trade_to.to_numpy()
        + margins[1].sum(axis=-1, keepdims=True) * transport_to.to_numpy()
    )
    return _Built(
        demand=demand,
        imports=basic - home,
        taxes=spend * ratios["taxes"].to_numpy(),
        purchasers=spend.sum(axis=-1),
        capex=amount.sum(axis=2),
        notes=list(valuation_notes),
    )


def _domestic_share(con, purpose: str, variant: Variant) -> float:
    if purpose in EQUIPMENT:
        return 1.0 - variant.equipment_import_share
    return con.domestic_share[purpose]


@dataclass(frozen=True)
class _Running:
    """Operation phase arrays: (variant, year, sector) and (variant, year)."""

    demand: np.ndarray
    imports: np.ndarray
    income: np.ndarray
    direct: dict[str, np.ndarray]
    notes: list[Note]


def _operation(
    scenario: Scenario,
    table: IOTable,
    bridge: Bridge,
    prices: Prices,
    chosen: list[Variant],
    years: list[int],
    capex: np.ndarray,
) -> _Running:
    """The new-industry method, every variant and year at once.

    Output value = value × volume × price × ramp-up; purchases, wages, jobs and the `other` tax
    lines follow the volume value (value × volume × ramp-up, base prices); the mineral extraction
    tax follows the output value; property tax the capex.  Operating surplus is the remainder.
    """
    op = scenario.operation
    assert op is not None
    where = scenario.path
    n, coef = table.n, table.direct
    notes: list[Note] = []
    a, t = len(chosen), len(years)
    running = np.isin(years, op.years)
    ramp = np.array([op.utilisation(y) if r else 0.0 for y, r in zip(years, running)])
    staff = np.array([op.staffing(y) if r else 0.0 for y, r in zip(years, running)])
    volume = np.array([v.volume_scale for v in chosen])
    price = np.array([v.price_scale for v in chosen])
    to_units = op.unit / table.meta.unit
    factor = _convert(
        prices,
        1.0,
        op.currency,
        op.price_year,
        table.meta.year,
        "operation.output",
        where,
        "operation",
    )
    # by output product k: its sector, base value (table units), and the volume and sales values
    sector = np.array([_locate(table, p.product, where) for p in op.products])
    base = np.array([p.value for p in op.products]) * factor * to_units
    at_volume = volume[:, None, None] * ramp[None, :, None] * base[None, None, :]  # (a, t, k)
    sales = at_volume * price[:, None, None]
    onto = np.zeros((len(op.products), n))
    onto[np.arange(len(op.products)), sector] = 1.0  # product k → its table sector

    def by_sector(values: np.ndarray) -> np.ndarray:
        return values @ onto

    exports = np.array([p.export_share for p in op.products])
    direct = {
        "output": by_sector(sales),
        "exports": by_sector(sales * exports),
        "domestic_sales": by_sector(sales * (1 - exports)),
    }
    volume_value = at_volume.sum(axis=-1)  # (a, t)
    if op.costs is not None:
        dom_share, share_notes = _domestic_intermediate_share(table)
        notes += share_notes
        per_unit = bridge.opex.T.to_numpy() @ np.array([op.costs[c] for c in PURCHASES])
        bought = volume_value[..., None] * per_unit  # (a, t, i) by product bought
        demand, imports = bought * dom_share, bought * (1 - dom_share)
        # the new activity's own accounts, by its output sector
        purchases_k = at_volume * per_unit.sum()
        wages_k = at_volume * op.costs["wages"]
        lines = _tax_amounts(op, years, sales, at_volume, capex, base)
        direct["compensation"] = by_sector(wages_k)
        direct["value_added"] = by_sector(sales - purchases_k)
        for kind, amount in lines.items():
            direct[kind] = by_sector(amount)
        direct["taxes"] = np.sum([direct[k] for k in TAX_VARIABLES], axis=0)
        direct["operating_surplus"] = (
            direct["value_added"] - direct["compensation"] - direct["taxes"]
        )
        if (direct["operating_surplus"] < -1e-9 * np.abs(direct["output"]).max()).any():
            notes.append(
                Note(
                    "operation: in some years purchases, wages and taxes exceed the output value "
                    "(negative operating surplus)",
                    "эксплуатация: в отдельные годы закупки, оплата труда и налоги превышают "
                    "стоимость выпуска (отрицательная валовая прибыль)",
                )
            )
    else:
        # the product's average column of the table, at the volume value
        cols = sector
        vol_k = at_volume
        demand = np.einsum("atk,ik->ati", vol_k, table.A[:, cols])
        imports = by_sector(vol_k * coef["imports"][cols])
        direct["compensation"] = by_sector(vol_k * coef["compensation"][cols])
        direct["value_added"] = by_sector(vol_k * coef["value_added"][cols] + sales - vol_k)
        direct["other_taxes"] = by_sector(vol_k * coef["taxes"][cols])
        direct["mineral_extraction_tax"] = np.zeros((a, t, n))
        direct["property_tax"] = np.zeros((a, t, n))
        direct["taxes"] = direct["other_taxes"].copy()
        direct["operating_surplus"] = (
            direct["value_added"] - direct["compensation"] - direct["taxes"]
        )
        codes_used = ", ".join(p.product for p in op.products)
        notes.append(
            Note(
                f"operation: no cost structure in the scenario — the average column "
                f"of {codes_used} in the table is used",
                f"эксплуатация: в сценарии нет структуры затрат — использован средний "
                f"столбец продукта {codes_used} таблицы",
            )
        )
    if op.jobs is not None:
        share = base / base.sum() if base.sum() > 0 else np.full(len(base), 1 / len(base))
        jobs = op.jobs * volume[:, None, None] * staff[None, :, None] * share[None, None, :]
        direct["employment"] = by_sector(jobs)
    elif "employment" in coef:
        direct["employment"] = by_sector(at_volume * coef["employment"][sector])
    else:
        direct["employment"] = np.zeros((a, t, n))
        notes.append(
            Note(
                "operation: no jobs figure and no employment in the table — direct "
                "employment is zero",
                "эксплуатация: нет ни числа рабочих мест в сценарии, ни занятости в "
                "таблице — прямая занятость принята нулевой",
            )
        )
    return _Running(
        demand=demand,
        imports=imports,
        income=direct["compensation"].sum(axis=-1),
        direct=direct,
        notes=notes,
    )


def _tax_amounts(
    op: Operation,
    years: list[int],
    sales: np.ndarray,
    at_volume: np.ndarray,
    capex: np.ndarray,
    base: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each kind of tax line, by output product: arrays (variant, year, product)."""
    ids = [p.id for p in op.products]
    out = {k: np.zeros_like(sales) for k in TAX_VARIABLES}
    running = np.isin(years, op.years).astype(float)
    for line in op.taxes:
        if line.kind == "mineral_extraction":
            mask = np.isin(ids, line.products).astype(float)
            rate = line.coefficient(years) * line.value_share
            out["mineral_extraction_tax"] += sales * rate[None, :, None] * mask
        elif line.kind == "property":
            in_use = capex @ line.residual(years, op.start_year).T  # (variant, year)
            value = line.rate * line.base_share * in_use * running
            share = base / base.sum() if base.sum() > 0 else np.full(len(base), 1 / len(base))
            out["property_tax"] += value[:, :, None] * share
        else:
            mask = np.isin(ids, line.products).astype(float)
            out["other_taxes"] += at_volume * line.rate * mask
    return out


def _locate(table: IOTable, code: str, where: Path) -> int:
    if code in table.codes:
        return table.codes.index(code)
    raise ScenarioError(
        f"{where}: operation product {code!r} is not a product of table "
        f"{table.meta.id}; use a code from `iomodel sectors {table.meta.id}` "
        "(e.g. 07.2 non-ferrous ores, 20 chemicals, 24.4 non-ferrous metals)"
    )


def _convert(
    prices: Prices,
    amount: float,
    currency: str,
    price_year: int,
    to_year: int,
    key: str,
    where: Path,
    block: str,
) -> float:
    from .errors import PriceError

    try:
        return prices.convert(amount, currency, price_year, to_year, key)
    except PriceError as exc:
        raise ScenarioError(
            f"{where}: {block}: cannot convert {currency} of {price_year} to "
            f"{to_year} prices — {exc}"
        ) from None
