"""The scripted path: table + scenario files → shocks → one impact Dataset.

The CLI and the reports call these functions; a notebook calls the same ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import xarray as xr

from .impact import ModelType, run_impact
from .multipliers import ClosureKind
from .prices import Prices, load_prices
from .readers import load_table, project_dir
from .scenario import Scenario, load_scenarios
from .shock import Bridge, Shock, build_shock, load_bridge
from .table import IOTable

__all__ = ["Run", "prices_dir", "run_centres", "shocks_dir"]


def shocks_dir() -> Path:
    """Folder of the shipped scenario files."""
    return project_dir() / "shocks"


def prices_dir() -> Path:
    """Folder of the shipped price data."""
    return project_dir() / "tables" / "prices"


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
) -> Run:
    """Load the table and the scenarios, build every shock and solve them all at once.

    ``centres`` None means every ``shocks/*.toml`` except the template; ``variants`` None means
    every variant of each file.  ``progress`` is called with each centre id as its shock is built.
    """
    io_table = load_table(table)
    bridge = load_bridge(io_table.meta.path.parent / "bridge.toml", io_table)
    prices = load_prices(prices_dir())
    scenarios = load_scenarios(shocks_folder or shocks_dir(), centres)
    shocks = []
    for scenario in scenarios:
        if progress:
            progress(scenario.id)
        shocks.append(
            build_shock(scenario, io_table, bridge, prices, list(variants) if variants else None)
        )
    inputs = [
        bridge.path,
        *(prices.path / name for name in ("exchange_rates.csv", "deflators.csv", "price_map.toml")),
    ]
    dataset = run_impact(
        io_table,
        shocks,
        model=model,
        closure=closure,
        scenario_hashes={s.id: s.sha256 for s in scenarios},
        input_hashes={p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs},
    )
    return Run(io_table, bridge, prices, tuple(scenarios), tuple(shocks), dataset)
