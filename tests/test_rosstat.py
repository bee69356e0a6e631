"""The Rosstat 2021 table: reader, balances, and an independent computation of multipliers.

The independent route reads the workbook by fixed cell addresses with openpyxl (rows 5–117,
columns D–DL of «Симм отеч»; P1 in row 129) and inverts I − A with numpy, sharing no code with
the reader or the solver.
"""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import openpyxl
import pytest

from iomodel.multipliers import multiplier_table, type1, type2

from .conftest import ROSSTAT_WORKBOOK


@pytest.fixture(scope="module")
def independent():
    wb = openpyxl.load_workbook(ROSSTAT_WORKBOOK, read_only=True, data_only=True)
    rows = list(wb["Симм отеч"].iter_rows(values_only=True))
    num = lambda v: float(v or 0)  # noqa: E731
    Z = np.array([[num(v) for v in r[3:116]] for r in rows[4:117]])
    P1 = np.array([num(v) for v in rows[128][3:116]])
    D1 = np.array([num(v) for v in rows[122][3:116]])
    P7 = np.array([num(v) for v in rows[117][3:116]])
    B1g = np.array([num(v) for v in rows[127][3:116]])
    return dict(Z=Z, P1=P1, D1=D1, P7=P7, B1g=B1g)


def test_shape_and_output_equal_p1(rosstat, independent):
    assert rosstat.n == 113
    assert rosstat.Z.shape == (113, 113)
    npt.assert_array_equal(rosstat.x, independent["P1"])
    npt.assert_array_equal(rosstat.Z, independent["Z"])
    assert rosstat.codes[9] == "07.2" and rosstat.codes[60] == "41-43"
    assert rosstat.sectors.loc["28", "label_ru"].startswith("Машины и оборудование")


def test_row_identity_x_equals_L_times_own_final_demand(rosstat):
    x = rosstat.factorization.solve(rosstat.Y.sum(axis=1))
    npt.assert_allclose(x, rosstat.x, rtol=1e-3, atol=20)


def test_multipliers_agree_with_independent_inverse(rosstat, independent):
    x = independent["P1"]
    A = independent["Z"] / x
    L = np.linalg.inv(np.eye(113) - A)
    t1 = type1(rosstat)
    npt.assert_allclose(t1["output"], L.sum(axis=0), rtol=1e-10)
    npt.assert_allclose(t1["compensation"], (independent["D1"] / x) @ L, rtol=1e-10)
    npt.assert_allclose(t1["imports"], (independent["P7"] / x) @ L, rtol=1e-10)
    npt.assert_allclose(t1["value_added"], (independent["B1g"] / x) @ L, rtol=1e-4)


def test_published_style_benchmarks(rosstat):
    """Type I output multipliers computed from «Симм отеч» in the research notes (parameters.yaml)."""
    t1 = type1(rosstat)["output"]
    expected = {
        "07.2": 1.776,
        "08": 1.709,
        "09": 1.962,
        "20": 2.250,
        "24.4": 2.088,
        "28": 2.142,
        "41-43": 2.061,
    }
    for code, value in expected.items():
        assert t1[code] == pytest.approx(value, abs=6e-4), code


def test_leakage_identity(rosstat):
    """Imports + product taxes + value added (+ other primary rows) per unit of final demand = 1."""
    leak = rosstat.factorization.solve_transposed(rosstat.coefficients(rosstat.primary_inputs))
    # exact up to the published table's rounding: columns balance to 4.4e-4 of output at worst
    column_gap = np.abs((rosstat.Z.sum(axis=0) + rosstat.V.sum(axis=0)) / rosstat.x - 1).max()
    assert column_gap < 5e-4
    npt.assert_allclose(leak, np.ones(rosstat.n), atol=2 * column_gap)
    t1 = type1(rosstat)
    npt.assert_allclose(
        t1["imports"]
        + t1["value_added"]
        + rosstat.factorization.solve_transposed(rosstat.coefficients("D21-D31")),
        np.ones(rosstat.n),
        atol=2 * column_gap,
    )


def test_type2_at_least_type1(rosstat):
    t1, t2 = type1(rosstat), type2(rosstat)
    assert (t2["output"] >= t1["output"] - 1e-12).all()
    assert (t1["output"] >= 1 - 1e-12).all()
    t2_textbook = type2(rosstat, "textbook")
    assert (t2_textbook["output"] > t2["output"]).all()


def test_employment_allocated_within_sections(rosstat):
    import pandas as pd

    sections = pd.read_csv(ROSSTAT_WORKBOOK.parents[1] / "employment_by_section.csv")
    assert rosstat.employment.sum() == pytest.approx(sections["employed_thousand"].sum() * 1000)
    by_section = (
        pd.Series(rosstat.employment, index=rosstat.codes)
        .groupby(rosstat.sectors["okved2_section"])
        .sum()
    )
    for _, row in sections.iterrows():
        assert by_section[row["section"]] == pytest.approx(row["employed_thousand"] * 1000)
    assert rosstat.employment[rosstat.codes.index("97")] == 0  # section T: no data, declared


def test_default_closure_parameters(rosstat):
    p = rosstat.closure_parameters
    assert p.wage_share == pytest.approx(35166374 / 43131304, rel=1e-5)
    assert p.domestic_share == pytest.approx(0.759, abs=5e-4)
    assert set(p.sources) >= {
        "income_tax_rate",
        "propensity_to_consume",
        "wage_share",
        "domestic_share",
    }


def test_multiplier_table_columns(rosstat):
    frame = multiplier_table(rosstat)
    assert frame.shape == (113, 15)
    assert (frame["income_ratio_type2"] / frame["income_ratio_type1"]).std() < 1e-9
