"""The 2021 table projected to 2024 with GVA by OKVED2 section (GRAS): margins met, signs kept,
labelled as projected.  The margins are Rosstat's GVA at current prices (VDS_god_OKVED2, sheet 1,
copied to tables/national-accounts/gva_okved2_sections.csv)."""

from __future__ import annotations

import numpy as np
import pytest

from iomodel.errors import TableError
from iomodel.multipliers import multiplier_table
from iomodel.projection import project_table
from iomodel.readers.national_accounts import load_gva_by_section


def test_labelled_as_projected(projected2024):
    meta = projected2024.meta
    assert meta.projected and meta.year == 2024 and meta.id == "rosstat-2021-projected-2024"
    assert meta.name.startswith("PROJECTED 2024") and "projected" in meta.price_basis
    p = meta.projection
    assert p["projected_from"] == "rosstat-2021" and p["year"] == 2024
    assert p["gras_max_relative_residual"] < 1e-9 and 0 < p["gras_iterations"] < 10_000
    assert 0 < p["structural_adjustment"] < p["gras_adjustment"]


def test_imputed_rent_keeps_its_share_of_household_consumption(rosstat, projected2024):
    """The imputed rent (2021: 8,218.8 bn RUB, 79.5 % of household consumption of domestic 68;
    tables/rosstat-2021/imputed_rent.toml) is a level: carried unchanged into 2024 prices it
    would fall to about half of that consumption and the closure would induce spending on it."""

    def share(t):
        column = t.final_demand_column(t.roles.household_consumption)
        return t.closure_parameters.imputed_rent / column[t.locate("68")]

    assert share(rosstat) == pytest.approx(0.795, abs=5e-4)
    assert share(projected2024) == pytest.approx(share(rosstat), rel=1e-12)
    assert projected2024.meta.projection["imputed_rent_growth"] > 1.3


def test_section_gva_grows_as_in_the_accounts(rosstat, projected2024):
    gva = load_gva_by_section()
    va = list(rosstat.roles.value_added)
    section = rosstat.sectors["okved2_section"]
    base = rosstat.frame("V").loc[va].sum().groupby(section).sum()
    projected = projected2024.frame("V").loc[va].sum().groupby(section).sum()
    expected = gva[2024] / gva[2021]
    for s in base.index:
        assert projected[s] / base[s] == pytest.approx(expected[s], rel=1e-12)


def test_identities_signs_and_zeros(rosstat, projected2024):
    t = projected2024
    assert np.abs(t.Z.sum(1) + t.Y.sum(1) - t.x).max() <= 1e-3  # GRAS meets the rows
    assert np.abs(t.Z.sum(0) + t.V.sum(0) - t.x).max() <= 20
    for new, old in ((t.Z, rosstat.Z), (t.Y, rosstat.Y), (t.V, rosstat.V)):
        assert np.array_equal(np.sign(new), np.sign(old))


def test_employment_of_2024(projected2024):
    # Rosstat 05-05, 2024: sections A–S sum to 73,202.6 thousand (T has no figure)
    assert projected2024.employment.sum() == pytest.approx(73_202_600, rel=1e-9)
    assert projected2024.meta.projection["sections_without_employment"] == ["T"]


def test_multipliers_stay_close_to_the_base(rosstat, projected2024):
    before = multiplier_table(rosstat)["output_type1"]
    after = multiplier_table(projected2024)["output_type1"]
    assert (after / before - 1).abs().max() < 0.15
    assert after["07.2"] == pytest.approx(1.7690, abs=1e-4)


def test_bad_years(rosstat):
    gva = load_gva_by_section()
    with pytest.raises(TableError, match="must be after"):
        project_table(rosstat, 2021, gva)
    with pytest.raises(TableError, match="no GVA by section for 2030"):
        project_table(rosstat, 2030, gva)


def test_projection_of_2011_keeps_the_declared_negative_flows(rosstat2011):
    gva = load_gva_by_section()
    t = project_table(rosstat2011, 2016, gva)
    assert t.meta.id == "rosstat-2011-projected-2016" and t.employment is None
    assert np.array_equal(np.sign(t.Z), np.sign(rosstat2011.Z))
    assert t.Z[t.locate("11.2"), t.locate("23.2")] < 0
    assert t.sign_exceptions == rosstat2011.sign_exceptions
    # a product split over sections (64: post H, telecom J) grows with its share-weighted mix
    va = list(rosstat2011.roles.value_added)
    j = t.locate("64")
    shares = rosstat2011.section_shares.loc["64"]
    growth = (gva[2016] / gva[2011]).reindex(shares.index).fillna(0)
    assert t.V[[t.primary_inputs.index(r) for r in va], j].sum() / rosstat2011.V[
        [rosstat2011.primary_inputs.index(r) for r in va], j
    ].sum() == pytest.approx(float((shares * growth).sum()), rel=1e-12)


def test_employment_allocation_does_not_depend_on_memory_layout(rosstat, projected2024):
    """The same shares column-major (as a table read back from the parsed-table cache holds
    them) or row-major give the same bits: an update of the same inputs gives the same files."""
    import pandas as pd

    from iomodel.projection import allocate_employment
    from iomodel.readers.national_accounts import load_employment_by_section

    shares = rosstat.section_shares
    values = shares.to_numpy()
    by_cols = pd.DataFrame(values.copy(), shares.index, shares.columns)  # pandas: column-major
    by_rows = pd.DataFrame(values.T.copy(), shares.columns, shares.index).T  # row-major
    assert by_cols.to_numpy().flags.f_contiguous and by_rows.to_numpy().flags.c_contiguous
    # the projected compensation, as project_table passes it (a row of a column-major V)
    comp = projected2024.V[projected2024.primary_inputs.index(rosstat.roles.compensation)]
    persons = load_employment_by_section()[2024] * 1000.0
    a, _ = allocate_employment(by_rows, comp, persons)
    b, _ = allocate_employment(by_cols, comp, persons)
    assert np.array_equal(a, b)
