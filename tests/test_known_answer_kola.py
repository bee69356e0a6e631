"""Kola, central variant, operation 2035, recomputed by an independent path.

Nothing of iomodel is used to compute the expected figures (the central variant's operating
domestic-share paths included, issue 12): the workbook is read by fixed cell
addresses with openpyxl («Симм отеч» and «Симм имп», rows 5–117 and columns D–DL for the 113
products; P1 in row 129; D1 row 123; D21-D31 row 121; P7 row 118; B1g row 128), the scenario,
the bridge and the deflators are parsed with tomllib and csv, and the open model is solved with
numpy.linalg.solve.  The result is compared with the Dataset of a Type I run.
"""

from __future__ import annotations

import csv
import tomllib

import numpy as np
import openpyxl
import pytest

from iomodel.pipeline import run_centres

from .conftest import ROOT, ROSSTAT_WORKBOOK

YEAR = 2035


def _block(rows, r0, r1, c0=3, c1=116):
    return np.array([[float(v or 0) for v in r[c0:c1]] for r in rows[r0:r1]])


@pytest.fixture(scope="module")
def workbook():
    wb = openpyxl.load_workbook(ROSSTAT_WORKBOOK, read_only=True, data_only=True)
    dom = list(wb["Симм отеч"].iter_rows(values_only=True))
    imp = list(wb["Симм имп"].iter_rows(values_only=True))
    with open(ROOT / "tables" / "rosstat-2021" / "sectors.csv", encoding="utf-8") as f:
        listed = list(csv.DictReader(f))
    # the product numbers in column A of the sheet are the sector list's, in the same order
    assert [str(r[0]) for r in dom[4:117]] == [row["number"] for row in listed]
    codes = [row["code"] for row in listed]
    wb.close()
    return {
        "codes": codes,
        "Z": _block(dom, 4, 117),
        "Zimp": _block(imp, 4, 117),
        "P7": _block(dom, 117, 118)[0],
        "D21": _block(dom, 120, 121)[0],
        "D1": _block(dom, 122, 123)[0],
        "B1g": _block(dom, 127, 128)[0],
        "P1": _block(dom, 128, 129)[0],
    }


def _gva_deflator(from_year: int, to_year: int) -> float:
    """Price level of ``to_year`` ÷ that of ``from_year``, whole-economy GVA deflator."""
    index = {}
    with open(ROOT / "tables" / "prices" / "deflators.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["series"] == "total":
                index[int(row["year"])] = float(row["index_prev_year"]) / 100
    level = np.prod([index[y] for y in range(to_year + 1, from_year + 1)])
    return 1 / level


def test_kola_operation_2035_by_an_independent_path(workbook):
    scenario = tomllib.loads((ROOT / "shocks" / "kola.toml").read_text(encoding="utf-8"))
    bridge = tomllib.loads(
        (ROOT / "tables" / "rosstat-2021" / "bridge.toml").read_text(encoding="utf-8")
    )
    op = scenario["operation"]
    central = scenario["variants"]["central"]
    k = YEAR - op["start_year"]
    ramp = op["ramp_up"][k] if k < len(op["ramp_up"]) else 1.0
    to_mn_2021 = 1e3 * _gva_deflator(op["price_year"], 2021)  # bn RUB of 2024 → mn RUB of 2021
    base = sum(p["value"] for p in op["products"]) * to_mn_2021 * central["volume_scale"] * ramp
    sales = base * central["price_scale"]

    codes, n = workbook["codes"], len(workbook["codes"])
    dom, imp = workbook["Z"].sum(axis=1), workbook["Zimp"].sum(axis=1)
    table_share = np.where(dom + imp > 0, dom / np.where(dom + imp > 0, dom + imp, 1), 1.0)
    purchases, y = np.zeros(n), np.zeros(n)
    paths = op.get("domestic_share", {}).get("central", {})
    for item in ("energy", "fuel", "reagents", "spares", "transport", "services"):
        weights = np.zeros(n)
        for code, weight in bridge["opex"][item].items():
            weights[codes.index(code)] = weight
        bought = op["costs"][item] * weights * base
        share = table_share
        if item in paths:
            # the item's domestic share in YEAR from its path ("table" = the table's own mix),
            # reached by scaling the imported (or, below the mix, the domestic) shares
            mix = weights @ table_share
            points = [(y_, mix if v == "table" else v) for y_, v in paths[item]]
            target = np.interp(YEAR, [y_ for y_, _ in points], [v for _, v in points])
            if target >= mix:
                share = 1 - (1 - table_share) * (1 - target) / (1 - mix)
            else:
                share = table_share * target / mix
            assert weights @ share == pytest.approx(target)
        purchases += bought
        y += bought * share
    x = workbook["P1"]
    A = workbook["Z"] / np.where(x > 0, x, 1)
    chain = np.linalg.solve(np.eye(n) - A, y)
    safe = np.where(x > 0, x, 1)
    expected = {
        "output": sales + chain.sum(),
        "value_added": (sales - purchases.sum()) + (workbook["B1g"] / safe) @ chain,
        "imports": (purchases - y).sum() + (workbook["P7"] / safe) @ chain,
        "compensation": op["costs"]["wages"] * base + (workbook["D1"] / safe) @ chain,
    }

    ds = run_centres(["kola"], variants=["central"], model="I").dataset
    got = ds.sel(centre="kola", variant="central", phase="operation", year=YEAR).sum(
        ["sector", "effect"]
    )
    for name, value in expected.items():
        assert float(got[name]) == pytest.approx(value, rel=1e-6), name
    # and the leakage identity on the independent figures
    leaks = expected["value_added"] + expected["imports"] + (workbook["D21"] / safe) @ chain
    assert leaks == pytest.approx(sales, rel=5e-4)
