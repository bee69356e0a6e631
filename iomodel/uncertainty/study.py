"""One uncertainty study of a run: Monte Carlo quantiles, outranking and sensitivity, merged
into the run's Dataset (the scripted path :func:`iomodel.pipeline.run_centres` takes)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import xarray as xr

from ..prices import Prices
from ..resources import tables_dir
from ..scenario import Scenario
from ..shock import Bridge
from ..summary import Appraisal
from ..table import IOTable
from .engine import prepare, simulate
from .factors import load_model_uncertainty
from .regional import regional_basis
from .revenue import revenue_basis

__all__ = ["DEFAULT_SEED", "UNCERTAINTY_VARIABLES", "merge_into", "model_file", "study"]

#: Seed of ``iomodel run --draws`` when none is given.
DEFAULT_SEED = 2021


def model_file() -> Path:
    """The shipped distributions of the model's parameters and the scenario defaults."""
    return tables_dir() / "uncertainty.toml"


def study(
    table: IOTable,
    scenarios: Sequence[Scenario],
    bridge: Bridge,
    prices: Prices,
    appraisal: Appraisal,
    draws: int,
    seed: int = DEFAULT_SEED,
    groups: pd.DataFrame | None = None,
    model: str = "II",
    closure: str = "default",
    productivity: pd.DataFrame | None = None,
    coefficient_cv: float | None = None,
    sensitivity: bool = True,
    scheduler: str | None = None,
    path: Path | None = None,
    preferences: str = "scenario",
    regional: bool = False,
    method: str | None = None,
    delta: float | None = None,
) -> xr.Dataset:
    """``draws`` seeded draws of every centre's central variant: quantiles (dim ``quantile``) of
    each indicator, variable by phase and year and by sector group, the probability that each
    centre outranks each other, and (``sensitivity``) tornado ranges and Sobol indices.

    ``scheduler`` runs the draws on dask: ``"threads"`` (local threads) or the address of a
    ``dask.distributed`` scheduler; None computes them in memory.  The result is the same.
    Budget revenue (a rouble table; ``preferences`` as in :func:`iomodel.pipeline.run_centres`)
    and, with ``regional`` (the regional step's ``method`` and ``delta``), the regional
    indicators with δ drawn, are not computed with perturbed coefficients (NaN then: their bases
    are the table's).
    """
    run_delta = None
    if regional:
        from ..readers.regional import load_regional

        settings = load_regional().settings
        if (method or settings.method) in ("flq", "aflq"):
            run_delta = settings.delta if delta is None else float(delta)
    source = path or model_file()
    setup = prepare(
        table,
        scenarios,
        bridge,
        prices,
        load_model_uncertainty(source),
        appraisal,
        groups=groups,
        model=model,
        closure=closure,
        productivity=productivity,
        coefficient_cv=coefficient_cv,
        delta=run_delta,
    )
    perturbed = any(f.name == "coefficients" for f in setup.factors)
    revenue = (
        None if perturbed else revenue_basis(setup, scenarios, prices, productivity, preferences)
    )
    places = (
        regional_basis(setup, scenarios, productivity, method, delta)
        if run_delta is not None and not perturbed
        else None
    )
    if scheduler is None:
        ds = simulate(setup, draws, seed, revenue=revenue, regional=places)
    else:
        from .parallel import simulate_dask

        ds = simulate_dask(setup, draws, seed, scheduler, revenue=revenue, regional=places)
    if sensitivity:
        from .sensitivity import sensitivity as analyse

        ds = ds.merge(analyse(setup, seed=seed))
    import json

    ds.attrs = {
        "uncertainty_draws": draws,
        "uncertainty_seed": seed,
        "uncertainty_file_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "uncertainty_distributions": json.dumps(setup.descriptions, ensure_ascii=False),
        "uncertainty_coefficient_cv": float(
            next((f.central for f in setup.factors if f.name == "coefficients"), 0.0)  # type: ignore[arg-type]
        ),
    }
    return ds


#: What :func:`merge_into` adds to a run's Dataset (besides coordinates).
UNCERTAINTY_VARIABLES = ("indicator_q", "indicator_mean", "outrank_probability", "tornado")


def merge_into(ds: xr.Dataset, extra: xr.Dataset) -> xr.Dataset:
    """``ds`` with the study ``extra`` added: its years put on ``ds``'s years (0 where a centre
    has none), its attributes added to ``ds``'s."""
    on_years = extra.reindex(year=ds.year.values, fill_value=0.0)
    merged = ds.merge(on_years.drop_attrs() if hasattr(on_years, "drop_attrs") else on_years)
    merged.attrs = {**ds.attrs, **extra.attrs}
    return merged


def views(ds: xr.Dataset, central: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The study as tables (workbook sheets): ``uncertainty`` (each centre's indicators: P5,
    P50, P95, mean, and the central run's value from ``central``, :func:`key_figures`),
    ``outranking`` (probability that a centre outranks a rival, per criterion) and
    ``sensitivity`` (tornado range and Sobol indices per centre, headline and parameter)."""
    if "indicator_q" not in ds:
        return {}
    q = ds["indicator_q"].to_dataset(dim="quantile")
    frame = pd.DataFrame(
        {f"p{round(float(k) * 100):02d}": q[k].to_series() for k in ds["quantile"].values}
    )
    frame["mean"] = ds["indicator_mean"].to_series()
    if central is not None:
        frame["central"] = [
            central.loc[c, i] if c in central.index else float("nan") for c, i in frame.index
        ]
    out = {"uncertainty": frame.reset_index()}
    wins = ds["outrank_probability"].to_series().rename("probability").reset_index()
    out["outranking"] = wins[wins["centre"] != wins["rival"]].reset_index(drop=True)
    if "tornado" in ds:
        tor = ds["tornado"].to_dataset(dim="bound").rename(low="tornado_low", high="tornado_high")
        sens = xr.merge([tor, ds[["sobol_first", "sobol_total"]]]).to_dataframe()
        sens = sens.drop(
            columns=[
                c
                for c in sens.columns
                if c not in ("tornado_low", "tornado_high", "sobol_first", "sobol_total")
            ]
        )
        out["sensitivity"] = sens.dropna(how="all").reset_index()
    return out
