"""Testing the programme's own thesis (issue 12): deeper processing, localisation, the cluster.

The programme the centres come from rests on three claims: (a) value added comes from products
of higher processing stages, not from concentrate; (b) a domestic machine-building and service
industry for mining, processing and chemicals multiplies the effect in adjacent industries; (c)
a cluster of deposits sharing infrastructure and one shipping point lets lower-grade and smaller
deposits be worked.  Each claim becomes a set of *cases* of one centre's scenario, built on one
variant (``central``):

``base``
    the scenario as it is;
``stage_1`` … ``stage_k``
    the base with its first 1 … k processing stages (``[[stages]]``, cumulative in file order);
``localisation_low`` / ``localisation_high``
    the variant's capex, prices and volume with the equipment import share and the operating
    domestic-share paths of the least and of the most localised variant (both phases);
``standalone``
    the deposits developed as separate projects, each with its own infrastructure (``[cluster]``;
    deposits that are not worked alone drop out).

The cases are columns of the run's one solve (:func:`case_columns` → ``build_shock(cases=…)``
→ :func:`iomodel.impact.run_impact`), stored as the ``case_*`` variables by sector group.  The
functions below are pure functions of that Dataset.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import xarray as xr

from .scenario import Scenario
from .shock import Column
from .summary import Appraisal, discount_factors

__all__ = [
    "ADJACENT",
    "CASES",
    "THESIS_INDICATORS",
    "case_columns",
    "has_cases",
    "localisation_gain",
    "thesis_table",
]

#: The adjacent industries the programme names (sector groups of ``sector_groups.toml``):
#: machine building, electrical equipment, chemicals and services.
ADJACENT = ("machine_building", "electrical_equipment", "chemicals", "services")
#: Fixed case names (stages are ``stage_1`` … in between).
CASES = ("base", "localisation_low", "localisation_high", "standalone")
#: Columns of :func:`thesis_table`.
THESIS_INDICATORS = (
    "capex",
    "capex_discounted",
    "value_added_discounted",
    "job_years",
    "adjacent_output_discounted",
    "revenue_discounted",
    "value_added_per_rouble",
    "job_years_per_bn_rub",
    "adjacent_output_per_rouble",
    "revenue_per_rouble",
    "operation_value_added_full",
    "operation_jobs_full",
    "reference",
    "delta_capex",
    "delta_capex_discounted",
    "delta_value_added_discounted",
    "delta_job_years",
    "delta_adjacent_output_discounted",
    "delta_value_added_per_rouble",
    "delta_job_years_per_bn_rub",
    "delta_adjacent_output_per_rouble",
    "delta_revenue_discounted",
    "delta_revenue_per_rouble",
    "marginal_value_added_per_rouble",
    "marginal_job_years_per_bn_rub",
    "marginal_adjacent_output_per_rouble",
    "marginal_revenue_per_rouble",
)


#: Russian genitive of the usual variant names, for case labels.
_VARIANT_RU = {
    "low": "нижнего варианта",
    "central": "центрального варианта",
    "high": "верхнего варианта",
}


def case_columns(scenario: Scenario, variant: str = "central") -> list[Column]:
    """The thesis cases of ``scenario`` built on ``variant`` (none without that variant or an
    operation phase)."""
    if variant not in scenario.variants or scenario.operation is None:
        return []
    v = scenario.variants[variant]
    k = len(scenario.stages)
    off = (False,) * k
    columns = [Column("base", v, variant, stages=off, label_ru="Базовый вариант", label_en="Base")]
    for j, stage in enumerate(scenario.stages, start=1):
        columns.append(
            Column(
                f"stage_{j}",
                v,
                variant,
                stages=(True,) * j + (False,) * (k - j),
                label_ru=f"+ {stage.name_ru}",
                label_en=f"+ {stage.name_en}",
            )
        )
    shares = scenario.variants.values()
    most = max(shares, key=lambda x: x.equipment_import_share)  # least localised
    least = min(shares, key=lambda x: x.equipment_import_share)
    for name, source, ru, en in (
        ("localisation_low", most, "Низкая локализация", "Low localisation"),
        ("localisation_high", least, "Высокая локализация", "High localisation"),
    ):
        share = source.equipment_import_share
        whose = _VARIANT_RU.get(source.name, f"варианта «{source.name}»")
        columns.append(
            Column(
                name,
                replace(v, equipment_import_share=share),
                source.name,
                stages=off,
                label_ru=f"{ru}: импорт оборудования {share:.0%}, закупки {whose}",
                label_en=f"{en}: equipment imports {share:.0%}, purchases of the {source.name} variant",
            )
        )
    if scenario.cluster is not None:
        columns.append(
            Column(
                "standalone",
                v,
                variant,
                stages=off,
                standalone=True,
                label_ru="Месторождения по отдельности (без общей инфраструктуры)",
                label_en="Deposits developed separately (no shared infrastructure)",
            )
        )
    return columns


def has_cases(ds: xr.Dataset) -> bool:
    """Whether the Dataset holds the thesis cases."""
    return "case_value_added" in ds


def _unit_value(ds: xr.Dataset) -> float:
    unit = str(ds.attrs.get("table_unit", "mn RUB")).split()[0]
    return {"mn": 1e6, "bn": 1e9, "thousand": 1e3}.get(unit, 1.0)


def _totals(ds: xr.Dataset, appraisal: Appraisal) -> xr.Dataset:
    """Per centre and case: discounted capex, value added and adjacent output, job-years, and
    value added and jobs in the year of full operation (first year of the largest own output)."""
    disc = discount_factors(ds.year.values, appraisal)
    adjacent = [g for g in ADJACENT if g in ds.group.values]
    supply = ds.case_output.sum("phase") - ds.case_own_output
    own = ds.case_own_output.sum("group")
    peak = own.max("year")
    full = (own >= peak * (1 - 1e-9)) & (peak > 0)
    first = full.argmax("year")
    operation = ds.sel(phase="operation")
    at_full = operation[["case_value_added", "case_employment"]].sum("group").isel(year=first)
    out = xr.Dataset(
        {
            "capex": ds.case_capex.sum(["phase", "year"]),
            "capex_discounted": (ds.case_capex.sum("phase") * disc).sum("year"),
            "value_added_discounted": (ds.case_value_added.sum(["phase", "group"]) * disc).sum(
                "year"
            ),
            "job_years": ds.case_employment.sum(["phase", "group", "year"]),
            "adjacent_output_discounted": (supply.sel(group=adjacent).sum("group") * disc).sum(
                "year"
            ),
            "operation_value_added_full": at_full["case_value_added"].where(peak > 0),
            "operation_jobs_full": at_full["case_employment"].where(peak > 0),
        }
    )
    if "case_revenue" in ds:  # the fiscal block's budget revenue: every tax, level and effect
        revenue = ds.case_revenue.sum(
            [d for d in ds.case_revenue.dims if d not in ("centre", "case", "year")]
        )
        out["revenue_discounted"] = (revenue * disc).sum("year")
    else:
        out["revenue_discounted"] = xr.full_like(out["capex"], np.nan)
    defined = ds.case_capex.notnull().any(["phase", "year"])
    return out.where(defined).reset_coords(drop=True)


def _reference(centre: str, case: str) -> str | None:
    """The case a row is compared with: the previous stage (or the base), the low-localisation
    case for the high one, the cluster (the base) for the standalone one."""
    if case.startswith("stage_"):
        j = int(case.split("_")[1])
        return "base" if j == 1 else f"stage_{j - 1}"
    cluster = "cluster" if centre == "all" else "base"
    return {
        "stages_all": "base",
        "localisation_high": "localisation_low",
        "standalone": cluster,
    }.get(case)


def thesis_table(ds: xr.Dataset, appraisal: Appraisal) -> pd.DataFrame:
    """The thesis table: one row per centre and case, and rows for all centres together.

    Columns (:data:`THESIS_INDICATORS`): ``capex`` (table units, purchasers' prices) and
    ``capex_discounted``; over both phases and every year, value added and the supply-chain
    output of the programme's adjacent industries (:data:`ADJACENT`; all effects, the centre's
    own products excluded), both discounted to ``appraisal.base_year`` at its rate, and
    ``job_years``; ``*_per_rouble`` = discounted value added or adjacent output per unit of
    discounted capex, ``job_years_per_bn_rub`` per billion of currency of capex;
    ``operation_*_full`` the year of full operation (the first year of the case's largest own
    output).  ``revenue_discounted`` is the case's budget revenue (the Dataset's
    ``case_revenue``: every tax, budget level and effect, both phases) discounted alike, and
    ``revenue_per_rouble`` that per unit of discounted capex — NaN when the run has no fiscal
    block.  ``delta_*`` are differences from the row's ``reference`` case (the previous stage
    or the base, low localisation, the cluster), of the totals and of the ratios;
    ``marginal_*`` (stages only) are what a stage adds per rouble it costs — NaN for a stage at
    an existing plant, which costs no capex.
    """
    if not has_cases(ds):
        raise ValueError("the Dataset has no thesis cases; run with the central variant")
    totals = _totals(ds, appraisal)
    frame = totals.to_dataframe().reset_index()
    frame = frame[frame["capex"].notna()]
    labels = ds[["case_label_ru", "case_label_en"]].to_dataframe().reset_index()
    frame = frame.merge(labels, on=["centre", "case"], how="left")
    frame = pd.concat([frame, _all_centres(totals, ds)], ignore_index=True)
    bn = 1e9 / _unit_value(ds)
    spend = frame["capex_discounted"]
    frame["value_added_per_rouble"] = frame["value_added_discounted"] / spend
    frame["job_years_per_bn_rub"] = frame["job_years"] / frame["capex"] * bn
    frame["adjacent_output_per_rouble"] = frame["adjacent_output_discounted"] / spend
    frame["revenue_per_rouble"] = frame["revenue_discounted"] / spend
    frame["reference"] = [
        _reference(centre, c) for centre, c in zip(frame["centre"], frame["case"])
    ]
    keys = list(zip(frame["centre"], frame["case"]))
    for k in (
        *("capex", "capex_discounted", "value_added_discounted", "job_years"),
        *("adjacent_output_discounted", "revenue_discounted"),
        *("value_added_per_rouble", "job_years_per_bn_rub", "adjacent_output_per_rouble"),
        "revenue_per_rouble",
    ):
        by_case = dict(zip(keys, frame[k].tolist()))  # a dict, not a MultiIndex lookup a row
        ref = [
            by_case.get((centre, r), np.nan) if r else np.nan
            for centre, r in zip(frame["centre"], frame["reference"])
        ]
        frame[f"delta_{k}"] = frame[k] - np.array(ref, dtype=float)
    # what a stage adds per rouble it costs (NaN at an existing plant: no capex)
    spent = frame["delta_capex_discounted"].where(frame["delta_capex"].abs() > 1e-9)
    stage = frame["case"].str.startswith("stage_") | (frame["case"] == "stages_all")
    spent = spent.where(stage)
    frame["marginal_value_added_per_rouble"] = frame["delta_value_added_discounted"] / spent
    frame["marginal_adjacent_output_per_rouble"] = frame["delta_adjacent_output_discounted"] / spent
    frame["marginal_revenue_per_rouble"] = frame["delta_revenue_discounted"] / spent
    frame["marginal_job_years_per_bn_rub"] = (
        frame["delta_job_years"] / frame["delta_capex"].where(spent.notna()) * bn
    )
    columns = ["centre", "case", "case_label_ru", "case_label_en", *THESIS_INDICATORS]
    return frame[columns].reset_index(drop=True)


def _all_centres(totals: xr.Dataset, ds: xr.Dataset) -> pd.DataFrame:
    """All centres together: the base, every centre with all its stages, low and high
    localisation, and cluster against standalone over the centres that have a cluster."""
    stages = [c for c in totals.case.values if str(c).startswith("stage_")]
    defined = totals.capex.notnull()
    rows = {}
    rows["base"] = totals.sel(case="base")
    if stages:
        # each centre's deepest stage (its base when it has none)
        deepest = totals.sel(case="base")
        for case in stages:
            deepest = xr.where(defined.sel(case=case), totals.sel(case=case), deepest)
        rows["stages_all"] = deepest.drop_vars("case", errors="ignore")
    for case in ("localisation_low", "localisation_high"):
        if case in totals.case.values:
            rows[case] = totals.sel(case=case)
    if "standalone" in totals.case.values and bool(defined.sel(case="standalone").any()):
        clustered = defined.sel(case="standalone")
        rows["cluster"] = totals.sel(case="base").where(clustered)
        rows["standalone"] = totals.sel(case="standalone").where(clustered)
    labels = {
        "base": ("Базовый вариант", "Base"),
        "stages_all": ("Все переделы", "All processing stages"),
        "localisation_low": ("Низкая локализация", "Low localisation"),
        "localisation_high": ("Высокая локализация", "High localisation"),
        "cluster": (
            "Кластер (центры с несколькими месторождениями)",
            "Cluster (multi-deposit centres)",
        ),
        "standalone": ("Месторождения по отдельности", "Deposits developed separately"),
    }
    out = []
    for case, part in rows.items():
        summed = part.drop_vars("case", errors="ignore").sum("centre", min_count=1)
        row: dict[str, object] = {str(k): float(summed[k]) for k in summed.data_vars}
        row.update(
            centre="all", case=case, case_label_ru=labels[case][0], case_label_en=labels[case][1]
        )
        out.append(row)
    frame = pd.DataFrame(out)
    return frame


def localisation_gain(ds: xr.Dataset, groups: tuple[str, ...] = ADJACENT) -> pd.DataFrame:
    """Output and jobs gained by each adjacent industry from high instead of low localisation,
    by centre and phase (both summed over the years: output in table units, job-years), with
    the totals over all sector groups.  Long form: centre, phase, group, output and employment
    under low and high localisation and the gain."""
    if not has_cases(ds) or "localisation_low" not in ds.case.values:
        raise ValueError("the Dataset has no localisation cases")
    pair = ds[["case_output", "case_employment"]].sel(
        case=["localisation_low", "localisation_high"]
    )
    summed = pair.sum("year")
    summed = summed.drop_vars(["group_label_ru", "group_label_en"])
    chosen = summed.sel(group=[g for g in groups if g in ds.group.values])
    total = summed.sum("group").expand_dims(group=["total"])
    both = xr.concat([chosen, total], dim="group")
    frame = both.to_dataframe()[["case_output", "case_employment"]].unstack("case")
    frame.columns = [
        f"{v.removeprefix('case_')}_{c.removeprefix('localisation_')}" for v, c in frame.columns
    ]
    frame = frame.reset_index()
    for v in ("output", "employment"):
        frame[f"{v}_gain"] = frame[f"{v}_high"] - frame[f"{v}_low"]
    frame = frame[frame["output_low"].notna()]
    return frame.reset_index(drop=True)
