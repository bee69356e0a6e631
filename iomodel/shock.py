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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from .categories import COST_ITEMS, EQUIPMENT, PURCHASES, PURPOSES
from .errors import ScenarioError
from .prices import Prices
from .table import IOTable

if TYPE_CHECKING:  # scenario.py imports this module (Scenario.shock); no import back at run time
    from .scenario import Construction, Operation, Scenario, Variant

__all__ = [
    "DIRECT_VARIABLES",
    "PHASES",
    "Bridge",
    "Column",
    "Note",
    "ProductMap",
    "Shock",
    "build_columns",
    "build_shock",
    "load_bridge",
    "load_product_map",
    "localised_shares",
]

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
    "own_use",
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
    #: For a table of another classification than the scenarios' (Rosstat 2021, OKPD2): how the
    #: scenarios' operation products translate to its products (None: they are its own codes).
    products: ProductMap | None = None


@dataclass(frozen=True)
class ProductMap:
    """The scenarios' product codes (Rosstat 2021, OKPD2) → products of a table of another
    classification, from the table's concordance file (``[scenario_products]``).

    ``to`` maps a 2021 code to one product of the table; ``refused`` holds the 2021 codes that
    have no single counterpart there, each with the reason.
    """

    path: Path
    from_table: str
    to: Mapping[str, str]
    refused: Mapping[str, str]

    def product(self, code: str, table: IOTable, where: Path) -> str:
        """The table's product for the scenario code ``code`` (ScenarioError if none)."""
        if code in self.to:
            return self.to[code]
        if code in self.refused:
            raise ScenarioError(
                f"{where}: operation product {code!r} cannot be run on table {table.meta.id}: "
                f"{self.refused[code]} (from {self.path})"
            )
        raise ScenarioError(
            f"{where}: operation product {code!r} (a {self.from_table} code) has no counterpart "
            f"in table {table.meta.id}: {self.path} [scenario_products] does not list it; add "
            f"it with the {table.meta.id} product it stands for, or run on {self.from_table}"
        )


def _read_toml(path: Path, missing: str) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: {missing}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML ({exc})") from None


def load_product_map(path: Path, table: IOTable) -> ProductMap:
    """Read a table's concordance of scenario products (``[scenario_products]``), checking that
    every product it names is a product of ``table``."""
    data = _read_toml(path, "concordance file not found (named by the bridge's scenario_products)")
    entries = data.get("scenario_products")
    source = data.get("from_table")
    if not isinstance(entries, dict) or not isinstance(source, str):
        raise ScenarioError(
            f"{path}: needs from_table (the table whose codes scenarios use) and a "
            "[scenario_products] table"
        )
    to, refused = {}, {}
    for code, entry in entries.items():
        ok = isinstance(entry, dict) and (("to" in entry) != ("refused" in entry))
        if not ok:
            raise ScenarioError(
                f"{path}: [scenario_products.{code!r}] needs either to = a product of "
                f"{table.meta.id} (with basis = why) or refused = the reason"
            )
        if "refused" in entry:
            if not isinstance(entry["refused"], str) or not entry["refused"].strip():
                raise ScenarioError(f"{path}: [scenario_products.{code!r}] refused must be text")
            refused[code] = entry["refused"].strip()
            continue
        target, basis = entry["to"], entry.get("basis")
        if not isinstance(target, str) or target not in table.codes:
            raise ScenarioError(
                f"{path}: [scenario_products.{code!r}] to = {target!r} is not a product of "
                f"{table.meta.id}; use a code from `iomodel sectors {table.meta.id}`"
            )
        if not isinstance(basis, str) or not basis.strip():
            raise ScenarioError(
                f"{path}: [scenario_products.{code!r}] needs basis = the source or reasoning"
            )
        to[code] = target
    return ProductMap(path=path, from_table=source, to=to, refused=refused)


def load_bridge(path: Path, table: IOTable) -> Bridge:
    """Read ``bridge.toml`` and check every product code against ``table``.

    A bridge of a table in another classification than the scenarios' names its concordance of
    scenario products with ``scenario_products = "<file>"`` (see :class:`ProductMap`).
    """
    data = _read_toml(path, "bridge file not found; the table folder needs bridge.toml")
    products = None
    if "scenario_products" in data:
        name = data["scenario_products"]
        if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
            raise ScenarioError(
                f"{path}: scenario_products must name a file beside the bridge, got {name!r}"
            )
        products = load_product_map(path.parent / name, table)

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
        products=products,
    )


@dataclass(frozen=True)
class Column:
    """One right-hand side built from a scenario: a variant, or a case of the thesis test.

    ``variant`` gives the capex, equipment import share, price and volume; ``localisation``
    names the variant whose operating domestic-share paths apply (``[operation.domestic_share]``);
    ``base`` includes the base case; ``stages`` flags each of the scenario's ``[[stages]]`` in
    or out; ``standalone`` develops the deposits as separate projects (``[cluster]``).

    The base case's own parameters may be overridden column by column (uncertainty draws and
    their basis, :mod:`iomodel.uncertainty`; None keeps the scenario's): ``purposes`` its capex
    shares (:data:`PURPOSES` order), ``domestic_share`` the domestic share of each purpose
    (equipment purposes still take theirs from the variant), ``costs`` its operating cost shares
    (:data:`COST_ITEMS` order; purchases and wages), ``jobs`` its direct jobs at design output,
    and ``tax_kinds`` which kinds of its tax lines apply.
    """

    name: str
    variant: Variant
    localisation: str
    base: bool = True
    stages: tuple[bool, ...] = ()
    standalone: bool = False
    label_ru: str = ""
    label_en: str = ""
    purposes: tuple[float, ...] | None = None
    domestic_share: tuple[float, ...] | None = None
    costs: tuple[float, ...] | None = None
    jobs: float | None = None
    tax_kinds: tuple[str, ...] | None = None


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
        employment, its sales abroad (``exports``) and at home (``domestic_sales``), and its own
        use (``own_use``: output of one stage processed by a later one, by the product used).
    income : DataArray (variant, phase, year)
        Exogenous household income (the new activity's compensation) for Type II.
    notes : tuple of Note
        Assumptions taken for this scenario (fallbacks, missing valuation data …).
    cases : Shock or None
        The thesis cases (issue 12), the same arrays with dim ``case`` instead of ``variant``;
        ``labels_ru`` / ``labels_en`` name them.
    """

    centre: str
    demand: xr.DataArray
    imports: xr.DataArray
    product_taxes: xr.DataArray
    purchasers: xr.DataArray
    direct: xr.Dataset
    income: xr.DataArray
    notes: tuple[Note, ...]
    cases: Shock | None = None
    labels_ru: tuple[str, ...] = ()
    labels_en: tuple[str, ...] = ()


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
    cases: Sequence[Column] | None = None,
) -> Shock:
    """Turn ``scenario`` into demand, leakages and direct effects on ``table``.

    One column per variant (dim ``variant``: the base case, no stages) and, when ``cases`` are
    given, one per case (``Shock.cases``, dim ``case``; see :func:`iomodel.thesis.case_columns`).
    Everything is linear in the scenario's amounts, so every column and year is built at once
    with array arithmetic.  Raises ScenarioError when a product code is unknown, a year precedes
    the table's, or a price cannot be converted.
    """
    names = variants or list(scenario.variants)
    for name in names:
        if name not in scenario.variants:
            raise ScenarioError(
                f"{scenario.path}: unknown variant {name!r}; this file has "
                f"{', '.join(scenario.variants)}"
            )
    off = (False,) * len(scenario.stages)
    columns = [Column(n, scenario.variants[n], n, stages=off) for n in names]
    extra = list(cases or ())
    arrays, years, notes = _arrays(scenario, table, bridge, prices, columns + extra)
    if not np.all(np.isfinite(arrays["demand"])):
        raise ScenarioError(
            f"{scenario.path}: the amounts are too large to compute with (the final demand they "
            "give overflows); check the values and their units"
        )
    main = _wrap(scenario.id, arrays, slice(0, len(columns)), columns, "variant", years, table)
    if not extra:
        return replace(main, notes=notes)
    rest = _wrap(scenario.id, arrays, slice(len(columns), None), extra, "case", years, table)
    labelled = replace(
        rest,
        labels_ru=tuple(c.label_ru for c in extra),
        labels_en=tuple(c.label_en for c in extra),
    )
    return replace(main, notes=notes, cases=labelled)


def build_columns(
    scenario: Scenario,
    table: IOTable,
    bridge: Bridge,
    prices: Prices,
    columns: Sequence[Column],
) -> Shock:
    """Every column of ``columns`` at once, along dim ``variant`` named by the columns' names."""
    arrays, years, notes = _arrays(scenario, table, bridge, prices, columns)
    shock = _wrap(scenario.id, arrays, slice(None), columns, "variant", years, table)
    return replace(shock, notes=notes)


def _arrays(
    scenario: Scenario,
    table: IOTable,
    bridge: Bridge,
    prices: Prices,
    columns: Sequence[Column],
) -> tuple[dict[str, np.ndarray], list[int], tuple[Note, ...]]:
    """The shock's arrays with a leading column axis, its years and notes."""
    where = scenario.path
    con, op = scenario.construction, scenario.operation
    stage_years = [
        y
        for s in scenario.stages
        for y in (s.construction.years if s.construction else ()) + s.operation.years
    ]
    all_years = set(con.years) | set(op.years if op else ()) | set(stage_years)
    if min(all_years) < table.meta.year:
        raise ScenarioError(
            f"{where}: the scenario starts in {min(all_years)}, before the table year "
            f"{table.meta.year}; an impact cannot be computed for years before the "
            "table — move start_year to ≥ the table year"
        )
    last = max(all_years)
    if last > table.meta.year + HORIZON_SPAN:
        raise ScenarioError(
            f"{where}: the scenario runs to {last}, more than {HORIZON_SPAN} years past the "
            f"table year {table.meta.year}; a table's technology says little that far ahead — "
            "end the scenario earlier or use a newer table (README, 'Scenario bounds')"
        )
    for column in columns:
        if len(column.stages) != len(scenario.stages):
            raise ValueError(
                f"column {column.name!r} flags {len(column.stages)} stages, not "
                f"{len(scenario.stages)}"
            )
        if column.standalone and scenario.cluster is None:
            raise ScenarioError(f"{where}: a standalone case needs a [cluster] block")
        for name, value, size in (
            ("purposes", column.purposes, len(PURPOSES)),
            ("domestic_share", column.domestic_share, len(PURPOSES)),
            ("costs", column.costs, len(COST_ITEMS)),
        ):
            if value is not None and len(value) != size:
                raise ValueError(f"column {column.name!r}: {name} needs {size} values")
    years = sorted(all_years)
    n = table.n
    shape = (len(columns), len(PHASES), len(years), n)
    demand, imports, taxes = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    purchasers = np.zeros(shape[:3])
    income = np.zeros(shape[:3])
    direct = {v: np.zeros((len(columns), len(years), n)) for v in DIRECT_VARIABLES}
    notes: list[Note] = []

    build = _construction(scenario, table, bridge, prices, columns, years)
    notes += build.notes
    demand[:, 0], imports[:, 0], taxes[:, 0], purchasers[:, 0] = (
        build.demand,
        build.imports,
        build.taxes,
        build.purchasers,
    )
    if op is not None:
        run = _operation(scenario, table, bridge, prices, columns, years, build.capex)
        notes += run.notes
        demand[:, 1], imports[:, 1], income[:, 1] = run.demand, run.imports, run.income
        direct = run.direct

    arrays = {
        "demand": demand,
        "imports": imports,
        "product_taxes": taxes,
        "purchasers": purchasers,
        "income": income,
        **{f"direct.{k}": v for k, v in direct.items()},
    }
    return arrays, years, tuple(dict.fromkeys(notes))


def _wrap(
    centre: str,
    arrays: dict[str, np.ndarray],
    part: slice,
    columns: Sequence[Column],
    dim: str,
    years: list[int],
    table: IOTable,
) -> Shock:
    """The columns ``part`` of ``arrays`` as a Shock whose first dim is ``dim`` (one Dataset
    builds the coordinate indexes once for every array)."""
    dims4 = (dim, "phase", "year", "sector")
    coords = {
        dim: [c.name for c in columns],
        "phase": list(PHASES),
        "year": years,
        "sector": table.codes,
    }
    both = xr.Dataset(
        {
            **{k: (dims4, arrays[k][part]) for k in ("demand", "imports", "product_taxes")},
            **{k: (dims4[:3], arrays[k][part]) for k in ("purchasers", "income")},
            **{k: ((dim, "year", "sector"), arrays[f"direct.{k}"][part]) for k in DIRECT_VARIABLES},
        },
        coords=coords,
    )
    direct = both[list(DIRECT_VARIABLES)]
    return Shock(
        centre=centre,
        demand=both["demand"],
        imports=both["imports"],
        product_taxes=both["product_taxes"],
        purchasers=both["purchasers"],
        direct=direct,
        income=both["income"],
        notes=(),
    )


@dataclass(frozen=True)
class _Built:
    """Construction phase arrays: (column, year, sector), (column, year) and capex by activity."""

    demand: np.ndarray
    imports: np.ndarray
    taxes: np.ndarray
    purchasers: np.ndarray
    capex: np.ndarray  # (column, activity, year): capex at table-year purchasers' prices
    notes: list[Note]


@dataclass(frozen=True)
class _Block:
    """One block of capex: a construction (timing, purposes, domestic shares), its amount for
    each column, and the activity (0 the base case, j the j-th stage) whose assets it buys."""

    con: Construction
    shares: np.ndarray  # (column, purpose)
    capex: np.ndarray  # (column,), in con's currency and unit
    activity: int


def _blocks(scenario: Scenario, columns: Sequence[Column]) -> list[_Block]:
    con = scenario.construction
    base = np.array([c.variant.capex if c.base and not c.standalone else 0.0 for c in columns])
    own = tuple(con.purposes[p] for p in PURPOSES)
    shares = np.array([c.purposes if c.purposes is not None else own for c in columns])
    blocks = [_Block(con, shares, base, 0)]
    if any(c.standalone for c in columns):
        assert scenario.cluster is not None and scenario.operation is not None
        values = {p.id: p.value for p in scenario.operation.products}
        ratio, purposes = scenario.cluster.standalone(values, con.purposes)
        alone = np.array(
            [c.variant.capex * ratio if c.base and c.standalone else 0.0 for c in columns]
        )
        split = np.array([purposes[p] for p in PURPOSES])
        blocks.append(_Block(con, np.broadcast_to(split, (len(columns), len(PURPOSES))), alone, 0))
    for j, stage in enumerate(scenario.stages):
        if stage.construction is None:
            continue
        amounts = np.array([stage.capex if c.stages[j] else 0.0 for c in columns])
        split = np.array([stage.construction.purposes[p] for p in PURPOSES])
        shares = np.broadcast_to(split, (len(columns), len(PURPOSES)))
        blocks.append(_Block(stage.construction, shares, amounts, j + 1))
    return blocks


def _construction(
    scenario: Scenario,
    table: IOTable,
    bridge: Bridge,
    prices: Prices,
    columns: Sequence[Column],
    years: list[int],
) -> _Built:
    ratios, trade_to, transport_to, valuation_notes = _gfcf_ratios(table)
    blocks = _blocks(scenario, columns)
    # amount[a, b, t, p]: capex of column a in block b, year t, on purpose p; table units
    amount = np.zeros((len(columns), len(blocks), len(years), len(PURPOSES)))
    domestic = np.zeros((len(columns), len(blocks), len(PURPOSES)))
    for b, block in enumerate(blocks):
        con = block.con
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
        profile = np.zeros(len(years))
        profile[[years.index(y) for y in con.years]] = con.profile
        amount[:, b] = (
            block.capex[:, None, None] * profile[None, :, None] * (block.shares * factor)[:, None]
        )
        own_block = con is scenario.construction
        domestic[:, b] = [
            [_domestic_share(con, p, c, own_block) for p in PURPOSES] for c in columns
        ]
    # spend_bp[a, b, t, p, i]: purchasers' value bought from product i; home_share its domestic part
    weights = bridge.capex.loc[list(PURPOSES)].to_numpy()
    spend_bp = amount[..., None] * weights
    home_share = np.broadcast_to(domestic[..., None], domestic.shape + (table.n,))
    if bridge.capex_domestic_share is not None:
        override = bridge.capex_domestic_share.reindex(table.codes).to_numpy()
        home_share = np.where(np.isnan(override), home_share, override)
    spend = spend_bp.sum(axis=(1, 3))
    basic = spend * ratios["basic"].to_numpy()
    home = np.einsum("abtpi,abpi->ati", spend_bp, home_share) * ratios["basic"].to_numpy()
    margins = spend * ratios["trade"].to_numpy(), spend * ratios["transport"].to_numpy()
    demand = (
        home
        + margins[0].sum(axis=-1, keepdims=True) * trade_to.to_numpy()
        + margins[1].sum(axis=-1, keepdims=True) * transport_to.to_numpy()
    )
    activities = 1 + len(scenario.stages)
    capex = np.zeros((len(columns), activities, len(years)))
    for b, block in enumerate(blocks):
        capex[:, block.activity] += amount[:, b].sum(axis=-1)
    return _Built(
        demand=demand,
        imports=basic - home,
        taxes=spend * ratios["taxes"].to_numpy(),
        purchasers=spend.sum(axis=-1),
        capex=capex,
        notes=list(valuation_notes),
    )


def _domestic_share(con: Construction, purpose: str, column: Column, own: bool) -> float:
    """Domestic share of ``purpose``: the variant's for equipment, else the column's override
    (for the scenario's own construction, ``own``) or the construction's."""
    if purpose in EQUIPMENT:
        return 1.0 - column.variant.equipment_import_share
    if own and column.domestic_share is not None:
        return column.domestic_share[PURPOSES.index(purpose)]
    return con.domestic_share[purpose]


@dataclass(frozen=True)
class _Running:
    """Operation phase arrays: (column, year, sector) and (column, year)."""

    demand: np.ndarray
    imports: np.ndarray
    income: np.ndarray
    direct: dict[str, np.ndarray]
    notes: list[Note]


def localised_shares(
    table_share: np.ndarray, weights: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """Domestic share of each product bought under each cost item, given the item's target.

    ``table_share`` (product,) is the table's domestic share of intermediate use, ``weights``
    (item, product) the opex bridge, ``target`` (..., item) the item's overall domestic share
    (NaN: the table's mix, unchanged).  Above the table's own share of the item the imported
    shares of its products shrink in proportion, below it the domestic shares do, so the
    table's pattern is kept, no share leaves [0, 1], and the item's weighted share is the
    target exactly.  Returns (..., item, product).
    """
    mix = weights @ table_share  # the item's own share in the table
    d = table_share
    target = target[..., None]
    mix_ = mix[:, None]
    up = 1.0 - (1.0 - d) * (1.0 - target) / np.where(mix_ < 1, 1.0 - mix_, 1.0)
    down = d * target / np.where(mix_ > 0, mix_, 1.0)
    shares = np.where(target >= mix_, up, down)
    return np.where(np.isnan(target), d, shares)


def _operation(
    scenario: Scenario,
    table: IOTable,
    bridge: Bridge,
    prices: Prices,
    columns: Sequence[Column],
    years: list[int],
    capex: np.ndarray,
) -> _Running:
    """The new-industry method for the base case and its stages, every column and year at once.

    Output value = value × volume × price × ramp-up; purchases, wages, jobs and the `other` tax
    lines follow the volume value (value × volume × ramp-up, base prices); the mineral extraction
    tax follows the output value; property tax the activity's capex.  A stage's feeds are
    valued at their sales price: they leave the fed product's sales and enter the stage's costs
    (``own_use``).  Operating surplus is the remainder.
    """
    op = scenario.operation
    assert op is not None
    where = scenario.path
    n, coef = table.n, table.direct
    notes: list[Note] = []
    acts = [op] + [s.operation for s in scenario.stages]
    a, t = len(columns), len(years)
    # products k of every activity: activity, sector, base value (table units), export share
    items = [(j, p) for j, act in enumerate(acts) for p in act.products]
    act_of = np.array([j for j, _ in items])
    ids = [p.id for _, p in items]
    sector = np.array([_locate(table, p.product, where, bridge.products) for _, p in items])
    factor = [
        _convert(
            prices,
            1.0,
            act.currency,
            act.price_year,
            table.meta.year,
            "operation.output",
            where,
            "operation",
        )
        * act.unit
        / table.meta.unit
        for act in acts
    ]
    base = np.array([p.value * factor[j] for j, p in items])
    exports = np.array([p.export_share for _, p in items])
    ramp_act = np.array(
        [[act.utilisation(y) if y in act.years else 0.0 for y in years] for act in acts]
    )
    staff_act = np.array(
        [[act.staffing(y) if y in act.years else 0.0 for y in years] for act in acts]
    )
    # which activities and products each column includes
    included = np.array([[c.base, *c.stages] for c in columns], dtype=float)  # (a, activity)
    alone = _standalone_mask(scenario, columns, ids, act_of)  # (a, k): 0 for dropped deposits
    include = included[:, act_of] * alone
    volume = np.array([c.variant.volume_scale for c in columns])
    price = np.array([c.variant.price_scale for c in columns])
    at_volume = volume[:, None, None] * include[:, None, :] * ramp_act[act_of].T[None] * base
    sales = at_volume * price[:, None, None]
    onto = np.zeros((len(items), n))
    onto[np.arange(len(items)), sector] = 1.0

    def by_sector(values: np.ndarray) -> np.ndarray:
        return values @ onto

    # within[k]: product k's share of its activity's design output value
    totals = np.bincount(act_of, weights=base, minlength=len(acts))
    within = np.where(totals[act_of] > 0, base / np.where(totals[act_of] > 0, totals[act_of], 1), 0)
    fed_stage = _feeds(scenario, ids, base, volume, price, included, ramp_act)  # (a, t, j, k)
    fed = fed_stage.sum(axis=2)
    feed_cost = fed_stage.sum(axis=3)[:, :, act_of] * within
    short = (fed > sales * (1 + 1e-9) + 1e-9) & (include[:, None, :] > 0)
    if short.any():
        c, y, k = (int(i[0]) for i in np.nonzero(short))
        raise ScenarioError(
            f"{where}: in {years[y]} the stages process more of {ids[k]!r} than is produced "
            f"({fed[c, y, k]:.4g} > {sales[c, y, k]:.4g} table units, case {columns[c].name!r}); "
            "start the stage later, slow its ramp_up or lower the feed share"
        )
    net = sales - fed
    direct = {
        "output": by_sector(sales),
        "exports": by_sector(net * exports),
        "domestic_sales": by_sector(net * (1 - exports)),
        "own_use": by_sector(fed),
    }
    cost, wage, costed = _cost_shares(acts, act_of, columns)  # (a, k, item), (a, k), (a, k)
    weights = bridge.opex.loc[list(PURCHASES)].to_numpy()  # (item, product)
    bought = np.einsum("atk,akc,ci->atci", at_volume, cost, weights)
    if costed.any():
        table_share, share_notes = _domestic_intermediate_share(table)
        notes += share_notes
        target = _targets(scenario, columns, years, weights @ table_share)
        home = localised_shares(table_share, weights, target)  # (a, t, item, product)
    else:
        home = np.ones(bought.shape)
    demand = (bought * home).sum(axis=2)
    imports = (bought * (1 - home)).sum(axis=2)
    purchases_k = at_volume * cost.sum(axis=2)[:, None]
    compensation_k = at_volume * wage[:, None]
    value_added_k = sales - purchases_k - feed_cost
    other_k = np.zeros_like(sales)
    if not costed.all():
        # the product's average column of the table, at the volume value
        fallback = at_volume * ~costed[:, None]
        demand += np.einsum("atk,ik->ati", fallback, table.A[:, sector])
        imports += by_sector(fallback * coef["imports"][sector])
        compensation_k += fallback * coef["compensation"][sector]
        value_added_k = np.where(
            costed[:, None],
            value_added_k,
            fallback * coef["value_added"][sector] + sales - at_volume,
        )
        other_k += fallback * coef["taxes"][sector]
        uncosted = np.atleast_1d(~costed.all(axis=0))
        codes_used = ", ".join(
            dict.fromkeys(table.codes[sector[i]] for i in range(len(items)) if uncosted[i])
        )
        notes.append(
            Note(
                f"operation: no cost structure in the scenario — the average column "
                f"of {codes_used} in the table is used",
                f"эксплуатация: в сценарии нет структуры затрат — использован средний "
                f"столбец продукта {codes_used} таблицы",
            )
        )
    kinds = _tax_kinds(columns)
    lines = _tax_amounts(acts, years, ids, act_of, sales, at_volume, capex, base, include, kinds)
    lines["other_taxes"] += other_k
    direct["compensation"] = by_sector(compensation_k)
    direct["value_added"] = by_sector(value_added_k)
    for kind, amount in lines.items():
        direct[kind] = by_sector(amount)
    direct["taxes"] = np.sum([direct[k] for k in TAX_VARIABLES], axis=0)
    direct["operating_surplus"] = direct["value_added"] - direct["compensation"] - direct["taxes"]
    negative = direct["operating_surplus"] < -1e-9 * np.abs(direct["output"]).max()
    if negative.any():
        where_ = ", ".join(c.name for c, bad in zip(columns, negative.any(axis=(1, 2))) if bad)
        notes.append(
            Note(
                "operation: in some years purchases, wages and taxes exceed the output value "
                f"(negative operating surplus): {where_}",
                "эксплуатация: в отдельные годы закупки, оплата труда и налоги превышают "
                f"стоимость выпуска (отрицательная валовая прибыль): {where_}",
            )
        )
    jobs = np.zeros((a, t, len(items)))
    for j, act in enumerate(acts):
        mine = act_of == j
        given = np.array(
            [c.jobs if j == 0 and c.jobs is not None else act.jobs for c in columns], dtype=object
        )
        stated = np.array([g is not None for g in given])
        if stated.any():
            jobs[np.ix_(stated, np.arange(t), mine)] = (
                np.array([g for g in given if g is not None], dtype=float)[:, None, None]
                * (volume[stated, None, None] * include[stated][:, None, mine])
                * staff_act[j][None, :, None]
                * within[mine]
            )
        if stated.all():
            continue
        if "employment" in coef:
            jobs[np.ix_(~stated, np.arange(t), mine)] = (
                at_volume[~stated][..., mine] * coef["employment"][sector[mine]]
            )
        else:
            notes.append(
                Note(
                    "operation: no jobs figure and no employment in the table — direct "
                    "employment is zero",
                    "эксплуатация: нет ни числа рабочих мест в сценарии, ни занятости в "
                    "таблице — прямая занятость принята нулевой",
                )
            )
    direct["employment"] = by_sector(jobs)
    return _Running(
        demand=demand,
        imports=imports,
        income=direct["compensation"].sum(axis=-1),
        direct=direct,
        notes=notes,
    )


def _cost_shares(
    acts: list[Operation], act_of: np.ndarray, columns: Sequence[Column]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Purchased cost shares (column, product, item), wage shares and whether the product has a
    cost structure (column, product): each activity's, or the column's override for the base."""
    rows = []
    for column in columns:
        override = None if column.costs is None else dict(zip(COST_ITEMS, column.costs))
        rows.append(
            [override if j == 0 and override is not None else acts[j].costs for j in act_of]
        )
    # no cost structure: the table's column (see the fallback in _operation)
    cost = np.array([[[(c or {}).get(i, 0.0) for i in PURCHASES] for c in row] for row in rows])
    wage = np.array([[(c or {}).get("wages", 0.0) for c in row] for row in rows])
    costed = np.array([[c is not None for c in row] for row in rows], dtype=bool)
    return cost.reshape(len(columns), len(act_of), len(PURCHASES)), wage, costed


def _tax_kinds(columns: Sequence[Column]) -> dict[str, np.ndarray]:
    """Per kind of tax line, 1 for the columns whose base case counts it (``tax_kinds``)."""
    return {
        kind: np.array([c.tax_kinds is None or kind in c.tax_kinds for c in columns], dtype=float)
        for kind in ("mineral_extraction", "property", "other")
    }


def _standalone_mask(
    scenario: Scenario, columns: Sequence[Column], ids: list[str], act_of: np.ndarray
) -> np.ndarray:
    """(column, product): 0 for the products of deposits not developed alone, in standalone
    columns; 1 otherwise."""
    mask = np.ones((len(columns), len(ids)))
    cluster = scenario.cluster
    if cluster is None:
        return mask
    dropped = {p for d in cluster.deposits if not d.standalone for p in d.products}
    drop = np.array([i in dropped for i in ids]) & (act_of == 0)
    for a, column in enumerate(columns):
        if column.standalone:
            mask[a, drop] = 0.0
    return mask


def _feeds(
    scenario: Scenario,
    ids: list[str],
    base: np.ndarray,
    volume: np.ndarray,
    price: np.ndarray,
    included: np.ndarray,
    ramp_act: np.ndarray,
) -> np.ndarray:
    """(column, year, activity, product): value of product k processed by activity j — the
    feed share of k's design output at the column's volume and price, at j's ramp-up."""
    share = np.zeros((ramp_act.shape[0], len(ids)))
    for j, stage in enumerate(scenario.stages, start=1):
        for feed in stage.feeds:
            share[j, ids.index(feed.product)] = feed.share
    scale = (volume * price)[:, None] * included  # (a, j)
    return np.einsum("aj,jt,jk,k->atjk", scale, ramp_act, share, base)


def _targets(
    scenario: Scenario, columns: Sequence[Column], years: list[int], mix: np.ndarray
) -> np.ndarray:
    """(column, year, item): each purchased item's domestic share from the scenario's paths,
    NaN where no path is given (the table's mix)."""
    out = np.full((len(columns), len(years), len(PURCHASES)), np.nan)
    assert scenario.operation is not None
    localisation = scenario.operation.localisation
    if localisation is None:
        return out
    for a, column in enumerate(columns):
        for c, item in enumerate(PURCHASES):
            path = localisation.path(column.localisation, item)
            if path is not None:
                out[a, :, c] = path.values(years, float(mix[c]))
    return out


def _tax_amounts(
    acts: list[Operation],
    years: list[int],
    ids: list[str],
    act_of: np.ndarray,
    sales: np.ndarray,
    at_volume: np.ndarray,
    capex: np.ndarray,
    base: np.ndarray,
    include: np.ndarray,
    kinds: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Each kind of tax line of every activity, by output product: arrays (column, year,
    product).  Property tax is spread over the activity's products in the column by value.
    ``kinds`` (kind → (column,)) masks the base case's lines column by column."""
    out = {k: np.zeros_like(sales) for k in TAX_VARIABLES}
    for j, act in enumerate(acts):
        running = np.isin(years, act.years).astype(float)
        ones = np.ones(len(kinds["other"]))
        mine = (act_of == j) * include * base  # (a, k)
        total = mine.sum(axis=1, keepdims=True)
        spread = np.where(total > 0, mine / np.where(total > 0, total, 1.0), 0.0)
        for line in act.taxes:
            on = (kinds[line.kind] if j == 0 else ones)[:, None, None]  # (column, 1, 1)
            if line.kind == "mineral_extraction":
                mask = np.isin(ids, line.products).astype(float)
                rate = line.coefficient(years) * line.value_share
                out["mineral_extraction_tax"] += sales * rate[None, :, None] * mask * on
            elif line.kind == "property":
                in_use = capex[:, j] @ line.residual(years, act.start_year).T  # (column, year)
                value = line.rate * line.base_share * in_use * running
                out["property_tax"] += value[:, :, None] * spread[:, None, :] * on
            else:
                mask = np.isin(ids, line.products).astype(float)
                out["other_taxes"] += at_volume * line.rate * mask * on
    return out


def _locate(table: IOTable, code: str, where: Path, products: ProductMap | None = None) -> int:
    if products is not None:
        code = products.product(code, table, where)
    codes = table.codes
    if code in codes:
        return codes.index(code)
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
