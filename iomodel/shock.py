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

import numpy as np
import pandas as pd
import xarray as xr

from .errors import ScenarioError
from .prices import Prices
from .scenario import EQUIPMENT, PURCHASES, PURPOSES, Scenario
from .table import IOTable

__all__ = ["DIRECT_VARIABLES", "PHASES", "Bridge", "Note", "Shock", "build_shock", "load_bridge"]

PHASES = ("construction", "operation")
DIRECT_VARIABLES = ("output", "value_added", "compensation", "taxes", "imports", "employment")


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

    return Bridge(capex=block("capex", PURPOSES), opex=block("opex", PURCHASES), path=path)


@dataclass(frozen=True)
class Shock:
    """One scenario in table units (``table.meta.unit`` of currency, table-year basic prices).

    Attributes
    ----------
    demand : DataArray (variant, phase, year, sector)
        Domestic final demand: the shock solved through ``(I − A)⁻¹``.
    imports : DataArray (variant, phase, year, sector)
        Imports that leak directly: imported capital goods, the new activity's imported inputs.
    product_taxes : DataArray (variant, phase, year, sector)
        Net taxes on products paid on capex purchases.
    purchasers : DataArray (variant, phase, year)
        Capex at purchasers' prices (table units) — the conservation check's left side.
    direct : Dataset (variant, year, sector)
        The new activity's own output, value added, compensation, taxes, imports, employment.
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

    Raises ScenarioError when a product code is unknown, a year precedes the table's, or a price
    cannot be converted.
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
    years = sorted(set(con.years) | set(op.years if op else ()))
    n, codes = table.n, table.codes
    shape = (len(names), len(PHASES), len(years), n)
    demand, imports, taxes = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    purchasers = np.zeros(shape[:3])
    income = np.zeros(shape[:3])
    direct = {v: np.zeros((len(names), len(years), n)) for v in DIRECT_VARIABLES}
    notes: list[Note] = []

    # ---------------- construction
    ratios, trade_to, transport_to, valuation_notes = _gfcf_ratios(table)
    notes += list(valuation_notes)
    to_units = 1.0 / table.meta.unit
    capex_weights = {p: bridge.capex.loc[p].to_numpy() for p in PURPOSES}
    basic_ratio, tax_ratio = ratios["basic"].to_numpy(), ratios["taxes"].to_numpy()
    trade_ratio, transport_ratio = ratios["trade"].to_numpy(), ratios["transport"].to_numpy()
    trade_share, transport_share = trade_to.to_numpy(), transport_to.to_numpy()
    for a, name in enumerate(names):
        variant = scenario.variants[name]
        domestic = dict(con.domestic_share)
        for purpose in EQUIPMENT:
            domestic[purpose] = 1.0 - variant.equipment_import_share
        for share, year in zip(con.profile, con.years):
            t = years.index(year)
            for purpose in PURPOSES:
                amount = variant.capex * con.unit * share * con.purposes[purpose]
                if amount == 0:
                    continue
                rub = _convert(
                    prices,
                    amount,
                    con.currency,
                    con.price_year,
                    table.meta.year,
                    f"capex.{purpose}",
                    where,
                    "construction",
                )
                spend = capex_weights[purpose] * rub * to_units
                basic = spend * basic_ratio
                purchasers[a, 0, t] += spend.sum()
                demand[a, 0, t] += basic * domestic[purpose]
                imports[a, 0, t] += basic * (1.0 - domestic[purpose])
                taxes[a, 0, t] += spend * tax_ratio
                demand[a, 0, t] += trade_share * (spend * trade_ratio).sum()
                demand[a, 0, t] += transport_share * (spend * transport_ratio).sum()

    # ---------------- operation (new-industry method)
    if op is not None:
        dom_share, share_notes = _domestic_intermediate_share(table)
        notes += share_notes
        coef = table.direct
        purchases_per_unit = (
            bridge.opex.T.to_numpy() @ np.array([op.costs[c] for c in PURCHASES])
            if op.costs is not None
            else None
        )
        for product in op.products:
            j = _locate(table, product.product, where)
            for a, name in enumerate(names):
                variant = scenario.variants[name]
                for year in op.years:
                    t = years.index(year)
                    value = product.value * op.unit * variant.output_scale * op.utilisation(year)
                    q = (
                        _convert(
                            prices,
                            value,
                            op.currency,
                            op.price_year,
                            table.meta.year,
                            "operation.output",
                            where,
                            "operation",
                        )
                        * to_units
                    )
                    direct["output"][a, t, j] += q
                    if op.costs is not None:
                        bought = purchases_per_unit * q
                        demand[a, 1, t] += bought * dom_share
                        imported = bought * (1 - dom_share)
                        wages = op.costs["wages"] * q
                        direct["taxes"][a, t, j] += op.costs["taxes"] * q
                        direct["value_added"][a, t, j] += q * (
                            op.costs["wages"] + op.costs["taxes"] + op.costs["operating_surplus"]
                        )
                    else:
                        demand[a, 1, t] += table.A[:, j] * q
                        imported = np.zeros(n)
                        imported[j] = coef["imports"][j] * q
                        wages = coef["compensation"][j] * q
                        direct["taxes"][a, t, j] += coef["taxes"][j] * q
                        direct["value_added"][a, t, j] += coef["value_added"][j] * q
                    imports[a, 1, t] += imported
                    direct["imports"][a, t, j] += imported.sum()
                    direct["compensation"][a, t, j] += wages
                    income[a, 1, t] += wages
                    if op.jobs is None and "employment" in coef:
                        direct["employment"][a, t, j] += coef["employment"][j] * q
        if op.costs is None:
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
            jobs_share = _jobs_split(table, op, where)
            for a, name in enumerate(names):
                for year in op.years:
                    t = years.index(year)
                    direct["employment"][a, t] += (
                        op.jobs * scenario.variants[name].output_scale * jobs_share
                    )
        elif "employment" not in coef:
            notes.append(
                Note(
                    "operation: no jobs figure and no employment in the table — direct "
                    "employment is zero",
                    "эксплуатация: нет ни числа рабочих мест в сценарии, ни занятости в "
                    "таблице — прямая занятость принята нулевой",
                )
            )

    dims4 = ("variant", "phase", "year", "sector")
    coords = {"variant": names, "phase": list(PHASES), "year": years, "sector": codes}
    da = lambda values: xr.DataArray(values, dims=dims4, coords=coords)  # noqa: E731
    coords3 = {k: coords[k] for k in ("variant", "phase", "year")}
    direct_ds = xr.Dataset(
        {k: (("variant", "year", "sector"), v) for k, v in direct.items()},
        coords={"variant": names, "year": years, "sector": codes},
    )
    return Shock(
        centre=scenario.id,
        demand=da(demand),
        imports=da(imports),
        product_taxes=da(taxes),
        purchasers=xr.DataArray(purchasers, dims=dims4[:3], coords=coords3),
        direct=direct_ds,
        income=xr.DataArray(income, dims=dims4[:3], coords=coords3),
        notes=tuple(notes),
    )


def _jobs_split(table: IOTable, op, where: Path) -> np.ndarray:
    """Direct jobs spread over the new activity's products in proportion to output value."""
    share = np.zeros(table.n)
    total = sum(p.value for p in op.products)
    for p in op.products:
        share[_locate(table, p.product, where)] += (
            p.value / total if total else 1 / len(op.products)
        )
    return share


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
