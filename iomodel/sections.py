"""Multipliers at OKVED2 section level, to compare tables of different classifications.

The 2011 and 2016 tables classify products by OKPD 2007, the 2021 table by OKPD2; their
products cannot be matched one to one, but every product maps to OKVED2 sections (A–U) through
the table's concordance (``IOTable.section_shares``, from each table's ``okved2_sections.csv``
or its ``sectors.csv``).

A section's multiplier is the average of its products' multipliers **weighted by their final
demand** (total final use of domestic output, ``Y·1``) times the product's share in the section.
Because multipliers are linear in demand, that average is exactly the multiplier of one unit of
final demand spread over the section's products in the proportions the table shows — the
question a section-level comparison asks.  Output weights would instead favour products sold
mostly to other industries (intermediate goods), whose final demand — and so whose shocks — are
small.  Negative final demand (products run down from inventories) gets weight zero; a section
whose products have no positive final demand falls back to output weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import TableError
from .table import IOTable

__all__ = ["SECTION_LABELS", "compare_sections", "section_multipliers", "section_weights"]

#: OKVED2 sections (= NACE Rev. 2 sections), short English names.
SECTION_LABELS = {
    "A": "Agriculture, forestry and fishing",
    "B": "Mining and quarrying",
    "C": "Manufacturing",
    "D": "Electricity, gas, steam and air conditioning",
    "E": "Water supply, sewerage, waste management",
    "F": "Construction",
    "G": "Wholesale and retail trade",
    "H": "Transportation and storage",
    "I": "Accommodation and food services",
    "J": "Information and communication",
    "K": "Financial and insurance activities",
    "L": "Real estate activities",
    "M": "Professional, scientific and technical",
    "N": "Administrative and support services",
    "O": "Public administration and defence",
    "P": "Education",
    "Q": "Human health and social work",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Households as employers",
    "U": "Extraterritorial organisations",
}


def section_weights(table: IOTable) -> pd.DataFrame:
    """Weights of each sector (rows) in each OKVED2 section (columns); columns sum to 1.

    Final-demand weights as described in the module docstring; sections with no product are
    left out.
    """
    shares = table.section_shares
    if shares is None:
        raise TableError(
            f"{table.meta.path}: the table has no concordance to OKVED2 sections; add an "
            "okved2_section column to sectors.csv or a [sections] file to table.toml"
        )
    final = np.clip(table.Y.sum(axis=1), 0.0, None)
    active = table.x > 0
    by_demand = shares.mul(np.where(active, final, 0.0), axis=0)
    by_output = shares.mul(np.where(active, table.x, 0.0), axis=0)
    use = by_demand.sum() > 0
    raw = by_demand.where(use, by_output, axis=1)
    totals = raw.sum()
    raw = raw.loc[:, totals > 0]
    return raw / raw.sum()


def section_multipliers(table: IOTable, multipliers: pd.DataFrame) -> pd.DataFrame:
    """Section-level averages of the numeric columns of ``multipliers`` (indexed by code).

    NaN multipliers (inactive products, missing employment) carry no weight; a section whose
    products are all NaN in a column is NaN there.
    """
    weights = section_weights(table)
    numeric = multipliers.select_dtypes("number").reindex(table.codes)
    out = {}
    for column in numeric.columns:
        values = numeric[column].to_numpy(float)
        known = np.isfinite(values)
        w = weights.to_numpy() * known[:, None]
        total = w.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[column] = np.where(
                total > 0, (w * np.nan_to_num(values)[:, None]).sum(0) / total, np.nan
            )
    return pd.DataFrame(out, index=pd.Index(weights.columns, name="section"))


def compare_sections(
    tables: Sequence[IOTable], frames: Sequence[pd.DataFrame], column: str
) -> pd.DataFrame:
    """One multiplier ``column`` by OKVED2 section (rows) for each table (columns, by id)."""
    if len(tables) != len(frames):
        raise ValueError("compare_sections: one multiplier frame per table")
    columns = {
        t.meta.id: section_multipliers(t, f[[column]])[column] for t, f in zip(tables, frames)
    }
    out = pd.DataFrame(columns)
    return out.reindex(sorted(out.index))
