"""The 2016 and 2011 Rosstat tables (OKPD 2007) through the same reader as 2021.

Known answers are the workbooks' own cells read here by fixed address with openpyxl,
independently of the reader (which finds blocks by their codes): output (row P1) and
compensation (row D1) of a few products, and gross fixed capital formation (column P51) at basic
prices in «Симм отеч».  Employment totals are the Russia KLEMS EMP totals (TOT row) for the year.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from iomodel.errors import TableError
from iomodel.multipliers import multiplier_table
from iomodel.readers import load_table
from iomodel.shock import load_bridge
from iomodel.summary import load_groups

from .conftest import ROOT, edit

# (table fixture, workbook, {code: (output cell, output, D1 cell, D1, P51 cell, P51)})
KNOWN = {
    "rosstat2016": (
        "rosstat-2016/raw/baz2016.xlsx",
        {
            "13.2": ("O114", 259433, "O108", 108702, "DD16", 0),
            "27.4": ("AX114", 2294020, "AX108", 158258, "DD51", 0),
            "45": ("BU114", 10731070, "BU108", 2022487, "DD74", 8222237),
        },
    ),
    "rosstat2011": (
        "rosstat-2011/raw/baz2011.xlsx",
        {
            "13.2": ("P142", 78253, "P136", 50799, "EF17", 0),
            "27.4": ("BN142", 1491744, "BN136", 116331, "EF67", 0),
            "45": ("CW142", 7863661, "CW136", 1473055, "EF102", 5795288),
            "11.2": ("M142", 789774, "M136", 148836, "EF14", 396568),
        },
    ),
}


@pytest.mark.parametrize("name", ["rosstat2016", "rosstat2011"])
def test_known_cells_by_fixed_address(name, request):
    table = request.getfixturevalue(name)
    workbook, cells = KNOWN[name]
    wb = openpyxl.load_workbook(ROOT / "tables" / workbook, read_only=True, data_only=True)
    ws = wb["Симм отеч"]
    for code, (x_cell, x, d1_cell, d1, p51_cell, p51) in cells.items():
        j = table.locate(code)
        assert ws[x_cell].value == x and table.x[j] == x
        assert ws[d1_cell].value == d1 and table.primary_row("D1")[j] == d1
        assert ws[p51_cell].value == p51 and table.final_demand_column("P51")[j] == p51
    wb.close()


def test_shapes_years_and_classification(rosstat2016, rosstat2011):
    assert (rosstat2016.n, rosstat2016.meta.year) == (98, 2016)
    assert (rosstat2011.n, rosstat2011.meta.year) == (126, 2011)
    assert rosstat2016.sectors.loc["13.2", "okpd"] == "13.2"
    assert rosstat2011.sectors.loc["24.6x", "okpd"] == "24.6 без 24.61"
    assert rosstat2016.sectors.loc["35+39.9", "okpd"] == "35 + 39.9*"
    for t in (rosstat2016, rosstat2011):
        assert t.sectors["label_en"].str.len().min() > 3


@pytest.mark.parametrize("name", ["rosstat2016", "rosstat2011"])
def test_identities_and_productivity(name, request):
    t = request.getfixturevalue(name)
    assert np.abs(t.Z.sum(1) + t.Y.sum(1) - t.x).max() <= 20
    assert np.abs(t.Z.sum(0) + t.V.sum(0) - t.x).max() <= 20
    from iomodel import leontief

    assert leontief.spectral_radius(t.A) < 1


def test_2011_negative_flows_are_the_declared_ones(rosstat2011):
    neg = np.argwhere(rosstat2011.Z < 0)
    cells = {(rosstat2011.codes[i], rosstat2011.codes[j]) for i, j in neg}
    declared = {(e.row, e.column) for e in rosstat2011.sign_exceptions}
    assert cells == declared and len(cells) == 8
    assert rosstat2011.Z[rosstat2011.locate("11.2"), rosstat2011.locate("23.2")] == -26411


def _copy_table(tmp_path: Path, table_id: str) -> Path:
    folder = tmp_path / table_id
    shutil.copytree(ROOT / "tables" / table_id, folder, ignore=shutil.ignore_patterns("raw"))
    (folder / "raw").mkdir()
    for f in (ROOT / "tables" / table_id / "raw").iterdir():
        (folder / "raw" / f.name).symlink_to(f)
    return folder


def test_undeclared_negative_flow_is_refused(tmp_path):
    folder = _copy_table(tmp_path, "rosstat-2011")
    text = (folder / "table.toml").read_text()
    (folder / "table.toml").write_text(text[: text.index("[[sign_exceptions]]")])
    with pytest.raises(
        TableError, match=r"Z has a negative flow -26411 at row '11.2', column '23.2'"
    ):
        load_table(folder)


def test_stale_sign_exception_is_refused(tmp_path):
    folder = _copy_table(tmp_path, "rosstat-2016")
    with (folder / "table.toml").open("a") as fh:
        fh.write('\n[[sign_exceptions]]\nrow = "13.2"\ncolumn = "45"\nreason = "test"\n')
    with pytest.raises(TableError, match=r"declared but the cell holds .* ≥ 0"):
        load_table(folder)


def test_margin_codes_come_from_the_manifest(tmp_path):
    # with the 2021 (OKPD2) margin products the 2016 workbook's rail freight row breaks the
    # valuation identity: the reader says which product and how to fix the manifest
    folder = _copy_table(tmp_path, "rosstat-2016")
    edit(folder / "table.toml", '["50", "51", "52"]', '["45", "46", "47"]')
    edit(folder / "table.toml", '["60", "61", "62", "63"]', '["49", "50", "51", "52"]')
    with pytest.raises(
        TableError,
        match=r"baz2016.xlsx, column 'P51': product 157 \(code '60.10.2 \+ 60.10.3'\) breaks ТИцп = ТИоц.*trade_margin_codes",
    ):
        load_table(folder)


@pytest.mark.parametrize("name", ["rosstat2016", "rosstat2011"])
def test_gfcf_valuation(name, request):
    t = request.getfixturevalue(name)
    val = t.gfcf_valuation
    gap = val["purchasers"] - val[["basic", "trade_margins", "transport_margins", "net_taxes"]].sum(
        axis=1
    )
    assert gap.abs().max() <= 5
    assert abs(val["trade_margins"].sum()) <= 5 and abs(val["transport_margins"].sum()) <= 5
    # trade (OKPD 2007 51) earns trade margins; rail freight earns transport margins
    assert val.loc["51", "trade_margins"] < 0 and val.loc["60.1", "transport_margins"] < 0
    # machinery bought for GFCF carries trade margins
    machinery = "29.1-29.5" if name == "rosstat2016" else "29.5"
    assert val.loc[machinery, "trade_margins"] > 0


@pytest.mark.parametrize(
    ("name", "year", "klems_total"),
    [("rosstat2016", 2016, 77794.635881), ("rosstat2011", 2011, 77990)],
)
def test_employment_from_klems(name, year, klems_total, request):
    t = request.getfixturevalue(name)
    assert t.employment.sum() == pytest.approx(klems_total * 1000, rel=1e-6)
    # households as employers (section P) have no figure in the source
    assert t.employment[t.locate("95")] == 0
    # agriculture and fishing share one KLEMS figure, spread by compensation
    a = [t.locate(c) for c in t.codes if t.sectors.loc[c, "okved2007_section"] in "AB"]
    d1 = t.primary_row("D1")
    np.testing.assert_allclose(t.employment[a] / t.employment[a].sum(), d1[a] / d1[a].sum())


@pytest.mark.parametrize("name", ["rosstat2016", "rosstat2011"])
def test_bridge_groups_and_closure(name, request):
    t = request.getfixturevalue(name)
    folder = t.meta.path.parent
    bridge = load_bridge(folder / "bridge.toml", t)
    assert np.allclose(bridge.capex.sum(axis=1), 1) and np.allclose(bridge.opex.sum(axis=1), 1)
    groups = load_groups(folder / "sector_groups.toml", t)
    assert groups.loc["13.2", "group"] == "mining" and groups.loc["45", "group"] == "construction"
    p = t.closure_parameters
    assert p.income_tax_rate == 0.13 and 0.7 < p.wage_share < 0.9 and 0.7 < p.domestic_share < 0.85
    assert "ESTIMATE" in p.sources["propensity_to_consume"]


def test_non_ferrous_ore_output_multipliers(rosstat, rosstat2016, rosstat2011):
    """Type I output multipliers of non-ferrous metal ores (printed in the README)."""
    got = {
        2011: multiplier_table(rosstat2011).loc["13.2", "output_type1"],
        2016: multiplier_table(rosstat2016).loc["13.2", "output_type1"],
        2021: multiplier_table(rosstat).loc["07.2", "output_type1"],
    }
    # independent check: column sums of (I - A)^-1 formed by numpy's inverse
    for year, t, code in (
        (2011, rosstat2011, "13.2"),
        (2016, rosstat2016, "13.2"),
        (2021, rosstat, "07.2"),
    ):
        L = np.linalg.inv(np.eye(t.n) - t.A)
        assert got[year] == pytest.approx(L[:, t.locate(code)].sum(), rel=1e-10)
    assert got == pytest.approx({2011: 1.8323, 2016: 1.8165, 2021: 1.7763}, abs=5e-5)
