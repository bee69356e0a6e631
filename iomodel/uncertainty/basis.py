"""A scenario's shock as basis shocks × weights: every draw is a weighted sum of a few columns.

The base case of the central variant is linear in each group of its parameters (README, "From
a scenario to a demand shock"):

* construction, per purpose p: capex C × share sₚ × [(1 − dₚ)·B⁰ₚ + dₚ·B¹ₚ], with dₚ the
  purpose's domestic share (1 − the equipment import share for equipment) and B⁰ₚ, B¹ₚ the shock
  of one unit of capex on p bought all abroad, all at home (margins, product taxes and the
  installation override included); property tax follows C·sₚ too;
* operation: price × volume × the sales basis (output, exports, domestic sales, value added,
  the mineral extraction tax), volume × cost share cᵢ × the purchase basis of item i under each
  operating localisation path (mixed with weights λ), volume × the `other` tax lines (and the
  table's column where there is no cost structure), jobs × volume × the jobs basis.

The bases are built by :func:`iomodel.shock.build_columns` itself — one build per centre, each
basis a column with overridden parameters — so they cannot drift from the model's own shock; a
test checks that the weights of the central values give back the central run's shock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from ..categories import COST_ITEMS, EQUIPMENT, PURPOSES
from ..prices import Prices
from ..scenario import Scenario
from ..shock import DIRECT_VARIABLES, PHASES, Bridge, Column, Shock, build_columns
from ..table import IOTable

__all__ = ["Basis", "Slot", "build_basis", "localisation_variants", "mixture"]


@dataclass(frozen=True)
class Slot:
    """What one basis column is: ``kind`` capex (purpose, home 0/1), sales, cost (item,
    localisation path), volume or jobs."""

    kind: str
    purpose: int = -1
    home: int = 0
    item: int = -1
    path: int = 0


@dataclass(frozen=True)
class Basis:
    """One centre's basis shocks (``slot`` first), in table units, on its own ``years``.

    ``domestic`` is the domestic share of each purpose that is not equipment (fixed), ``paths``
    the variants whose operating domestic-share paths the cost bases use (least localised,
    central, most localised; one name without such paths), ``design_year`` the first year at
    design output (None without operation).
    """

    centre: str
    slots: tuple[Slot, ...]
    years: tuple[int, ...]
    demand: np.ndarray  # (slot, phase, year, sector)
    imports: np.ndarray
    product_taxes: np.ndarray
    purchasers: np.ndarray  # (slot, phase, year)
    income: np.ndarray  # (slot, phase, year)
    direct: dict[str, np.ndarray]  # (slot, year, sector)
    domestic: tuple[float, ...]
    paths: tuple[str, ...]
    design_year: int | None
    unit: float  # value of one scenario capex unit in its currency (for reports)
    shock: Shock | None = None  # the basis as a Shock (dim variant: one per slot)

    def weights(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """(draw, slot) weights for parameter ``values`` (arrays over draws; ``purposes``
        (draw, 6), ``costs`` (draw, 8: the cost items and the rest), ``operating_localisation``
        in [0, 1]); a parameter the centre does not have may be missing."""
        capex = np.asarray(values["capex"], dtype=float)
        d = capex.shape[0]
        share = np.asarray(values["purposes"], dtype=float).reshape(d, len(PURPOSES))
        imported = np.asarray(values["equipment_import_share"], dtype=float)
        volume = np.asarray(values.get("volume_scale", np.ones(d)), dtype=float)
        price = np.asarray(values.get("price_scale", np.ones(d)), dtype=float)
        jobs = np.asarray(values.get("jobs", np.zeros(d)), dtype=float)
        costs = values.get("costs")
        lam = mixture(values.get("operating_localisation", np.full(d, 0.5)), len(self.paths))
        out = np.zeros((d, len(self.slots)))
        for k, slot in enumerate(self.slots):
            if slot.kind == "capex":
                p = slot.purpose
                home = 1.0 - imported if PURPOSES[p] in EQUIPMENT else self.domestic[p]
                out[:, k] = capex * share[:, p] * (home if slot.home else 1.0 - home)
            elif slot.kind == "sales":
                out[:, k] = price * volume
            elif slot.kind == "cost":
                assert costs is not None
                out[:, k] = volume * np.asarray(costs)[:, slot.item] * lam[:, slot.path]
            elif slot.kind == "volume":
                out[:, k] = volume
            else:  # jobs
                out[:, k] = jobs * volume
        return out


def mixture(u: np.ndarray, paths: int) -> np.ndarray:
    """Weights (draw, path) of the operating localisation paths for ``u`` in [0, 1]: 0 the least
    localised path, 0.5 the central, 1 the most, mixing the two neighbours in proportion."""
    u = np.asarray(u, dtype=float)
    if paths == 1:
        return np.ones((u.shape[0], 1))
    low = np.clip(1 - 2 * u, 0, 1)
    high = np.clip(2 * u - 1, 0, 1)
    return np.stack([low, 1 - low - high, high], axis=1)


def localisation_variants(scenario: Scenario) -> tuple[str, ...]:
    """The least localised, the central and the most localised variant (by equipment import
    share, as the thesis cases choose them), or ("central",) without operating paths."""
    op = scenario.operation
    if op is None or op.localisation is None or op.costs is None:
        return ("central",)
    variants = list(scenario.variants.values())
    least = max(variants, key=lambda v: v.equipment_import_share).name
    most = min(variants, key=lambda v: v.equipment_import_share).name
    return (least, "central", most)


def build_basis(scenario: Scenario, table: IOTable, bridge: Bridge, prices: Prices) -> Basis:
    """The basis shocks of ``scenario``'s central variant, base case (one build)."""
    central = scenario.variants["central"]
    op = scenario.operation
    base = replace(scenario, stages=(), cluster=None)
    zero_costs = (0.0,) * len(COST_ITEMS)
    quiet = dict(costs=zero_costs if op and op.costs is not None else None, jobs=0.0)
    paths = localisation_variants(scenario)
    columns: list[Column] = []
    slots: list[Slot] = []

    def add(slot: Slot, variant, **overrides) -> None:
        name = f"{slot.kind}_{slot.purpose}_{slot.home}_{slot.item}_{slot.path}"
        columns.append(Column(name, variant, paths[slot.path], **overrides))
        slots.append(slot)

    one = replace(central, capex=1.0, price_scale=0.0, volume_scale=0.0)
    for p in range(len(PURPOSES)):
        unit = tuple(1.0 if q == p else 0.0 for q in range(len(PURPOSES)))
        for home in (0, 1):
            variant = replace(one, equipment_import_share=1.0 - home)
            overrides = dict(quiet, purposes=unit, domestic_share=(float(home),) * len(PURPOSES))
            add(Slot("capex", purpose=p, home=home), variant, tax_kinds=("property",), **overrides)
    if op is not None:
        idle = replace(central, capex=0.0, price_scale=0.0, volume_scale=1.0)
        add(
            Slot("sales"),
            replace(idle, price_scale=1.0),
            tax_kinds=("mineral_extraction",),
            **quiet,
        )
        if op.costs is not None:
            for i in range(len(COST_ITEMS)):
                unit = tuple(1.0 if c == i else 0.0 for c in range(len(COST_ITEMS)))
                for k in range(len(paths)):
                    add(Slot("cost", item=i, path=k), idle, tax_kinds=(), costs=unit, jobs=0.0)
        # the `other` tax lines, and the table's column where the scenario has no costs
        volume = dict(quiet, jobs=0.0 if op.jobs is not None else None)
        add(Slot("volume"), idle, tax_kinds=("other",), **volume)
        if op.jobs is not None:
            add(Slot("jobs"), idle, tax_kinds=(), **dict(quiet, jobs=1.0))
    shock = build_columns(base, table, bridge, prices, columns)
    years = tuple(int(y) for y in shock.demand.coords["year"].values)
    direct = {k: shock.direct[k].values for k in DIRECT_VARIABLES}
    design = None
    if op is not None:
        ramp = np.array([op.utilisation(y) if y in op.years else 0.0 for y in years])
        design = years[int(np.argmax(ramp >= ramp.max() * (1 - 1e-9)))] if ramp.max() > 0 else None
    con = scenario.construction
    return Basis(
        centre=scenario.id,
        slots=tuple(slots),
        years=years,
        demand=shock.demand.values,
        imports=shock.imports.values,
        product_taxes=shock.product_taxes.values,
        purchasers=shock.purchasers.values,
        income=shock.income.values,
        direct=direct,
        domestic=tuple(
            con.domestic_share.get(p, 1.0) if p not in EQUIPMENT else 0.0 for p in PURPOSES
        ),
        paths=paths,
        design_year=design,
        unit=con.unit,
        shock=shock,
    )


def central_values(scenario: Scenario) -> dict[str, np.ndarray]:
    """The central variant's parameter values (one draw) in :meth:`Basis.weights`' terms."""
    central = scenario.variants["central"]
    con, op = scenario.construction, scenario.operation
    out: dict[str, np.ndarray] = {
        "capex": np.array([central.capex]),
        "equipment_import_share": np.array([central.equipment_import_share]),
        "purposes": np.array([[con.purposes[p] for p in PURPOSES]]),
        "price_scale": np.array([central.price_scale]),
        "volume_scale": np.array([central.volume_scale]),
        "operating_localisation": np.array([0.5]),
    }
    if op is not None and op.costs is not None:
        stated = [op.costs.get(c, 0.0) for c in COST_ITEMS]
        out["costs"] = np.array([[*stated, 1.0 - sum(stated)]])
    if op is not None and op.jobs is not None:
        out["jobs"] = np.array([op.jobs])
    return out


PHASE_INDEX = {p: i for i, p in enumerate(PHASES)}
