"""Tests of ``iomodel.readers.rosstat_valuation`` (valuation layers of a final-demand column).

Two kinds of test:

* on the repo copy of Rosstat's 2021 basic IO workbook,
  ``tables/rosstat-2021/raw/baz_tzv-2021.xlsx`` (sha256 2a59e368...fef51): the valuation
  identities per product, the margin convention, and agreement with the symmetric tables
  ``Симм отеч`` / ``Симм имп``, which are read here independently of the module;
* on small synthetic workbooks with the same layout, built in ``tmp_path``: exact answers for
  the margin bookkeeping and the errors raised for bad input.

Known answers for P51 (gross fixed capital formation, 2021, million RUB) come from the TOTAL
rows of the workbook: ТИцп 25,957,673; М-торг 1,094,556; М-трансп 79,423; М-чистнал 245,630;
М-имп 5,092,722.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

from iomodel.readers.rosstat_valuation import (
    normalise_code,
    parse_okpd2,
    read_final_demand_valuation,
)

WORKBOOK = Path(__file__).parents[1] / "tables" / "rosstat-2021" / "raw" / "baz_tzv-2021.xlsx"
COLUMNS = [
    "purchasers",
    "basic",
    "trade_margins",
    "transport_margins",
    "net_taxes",
    "domestic_basic",
    "imports_basic",
]
TRADE_PRODUCTS = ["062", "063", "064"]  # OKPD2 45, 46, 47
TRANSPORT_PRODUCTS = ["065", "066", "067", "068", "069", "070", "071", "072"]  # OKPD2 49-52
ROUNDING = 5.0  # million RUB: five published figures, each rounded to 1 million RUB
# margin-earning products of the 2021 classification (OKPD2), as in tables/rosstat-2021/table.toml
MARGINS = {"trade_codes": ("45", "46", "47"), "transport_codes": ("49", "50", "51", "52")}


# --------------------------------------------------------------------------------------------
# independent reading of the symmetric tables
# --------------------------------------------------------------------------------------------
def symmetric_column(sheet: str, code: str) -> tuple[pd.Series, dict[str, float]]:
    """Column ``code`` of a symmetric sheet: products by number, and the other rows by code."""
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True, data_only=True)
    try:
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    header = next(r for r in rows if code in r)
    col = header.index(code)
    start = rows.index(header) + 1
    products: dict[str, float] = {}
    others: dict[str, float] = {}
    for row in rows[start:]:
        number, okpd2 = row[0], row[1]
        if okpd2 is None:
            continue
        value = float(row[col] or 0)
        if parse_okpd2(okpd2) is not None:
            products[str(number)] = value
        else:
            others[normalise_code(okpd2)] = value
    return pd.Series(products), others


@pytest.fixture(scope="module")
def gfcf() -> pd.DataFrame:
    return read_final_demand_valuation(WORKBOOK, "P51", **MARGINS)


@pytest.fixture(scope="module")
def households() -> pd.DataFrame:
    return read_final_demand_valuation(WORKBOOK, "P3_S14", ambiguous="split", **MARGINS)


# --------------------------------------------------------------------------------------------
# the real workbook
# --------------------------------------------------------------------------------------------
def test_workbook_is_the_published_one() -> None:
    import hashlib

    digest = hashlib.sha256(WORKBOOK.read_bytes()).hexdigest()
    assert digest == "2a59e36809f22ccff5b7470569a1ff02a6a2fe5adedd7c2bb1e991f7603fef51"


def test_shape_index_and_columns(gfcf: pd.DataFrame) -> None:
    assert list(gfcf.columns) == COLUMNS
    assert list(gfcf.index) == [f"{i:03d}" for i in range(1, 114)]
    assert gfcf.index.name == "product"
    assert gfcf.attrs["okpd2"]["061"] == "41 + 42 + 43"
    assert gfcf.attrs["okpd2"]["046"] == "28"
    assert gfcf.attrs["okpd2"]["052"] == "32 без 32.1 и 32.5"
    assert np.isfinite(gfcf.to_numpy()).all()


@pytest.mark.parametrize("frame", ["gfcf", "households"])
def test_valuation_identities_per_product(frame: str, request: pytest.FixtureRequest) -> None:
    df = request.getfixturevalue(frame)
    to_basic = df.purchasers - df.basic - df.trade_margins - df.transport_margins - df.net_taxes
    origin = df.basic - df.domestic_basic - df.imports_basic
    assert to_basic.abs().max() <= ROUNDING
    assert origin.abs().max() <= ROUNDING
    assert abs(to_basic.sum()) <= 10 * ROUNDING


def test_known_totals_for_gfcf(gfcf: pd.DataFrame) -> None:
    totals = gfcf.sum()
    assert totals.purchasers == pytest.approx(25_957_673, abs=ROUNDING)
    assert totals.net_taxes == pytest.approx(245_630, abs=ROUNDING)
    assert totals.imports_basic == pytest.approx(5_092_722, abs=ROUNDING)
    assert totals.basic == pytest.approx(25_957_673 - 245_630, abs=ROUNDING)
    # the workbook's own TOTAL rows, as reported by the reader
    rows = gfcf.attrs["non_product_rows"]
    assert rows["ТИцп"]["TOTAL"] == 25_957_673
    assert rows["ТИцп"]["P33"] == 0  # no direct purchases abroad in GFCF


def test_trade_margins_on_goods_equal_those_received_by_trade(gfcf: pd.DataFrame) -> None:
    margins = gfcf.trade_margins
    on_goods = margins.drop(TRADE_PRODUCTS)
    assert (on_goods >= 0).all()
    assert (margins[TRADE_PRODUCTS] <= 0).all()
    # sum of the positive margins on goods == minus the entries of the trade rows
    assert on_goods.sum() == pytest.approx(-margins[TRADE_PRODUCTS].sum(), abs=10)
    # ... == the TOTAL row of М-торг
    assert on_goods.sum() == pytest.approx(1_094_556, abs=10)
    assert gfcf.attrs["non_product_rows"]["М-торг"]["TOTAL"] == 1_094_556
    # the trade rows at basic prices hold those margins (none bought directly for GFCF)
    assert gfcf.loc["063", "basic"] == 782_935
    assert gfcf.loc["063", "purchasers"] == 0


def test_transport_margins_on_goods_equal_those_received_by_transport(gfcf: pd.DataFrame) -> None:
    margins = gfcf.transport_margins
    on_goods = margins.drop(TRANSPORT_PRODUCTS)
    assert (on_goods >= 0).all()
    assert (margins[TRANSPORT_PRODUCTS] <= 0).all()
    assert on_goods.sum() == pytest.approx(-margins[TRANSPORT_PRODUCTS].sum(), abs=10)
    assert on_goods.sum() == pytest.approx(79_423, abs=10)


def test_margin_columns_sum_to_zero_in_every_final_demand_column() -> None:
    for column in ["P31_S13", "P52", "P6"]:
        df = read_final_demand_valuation(WORKBOOK, column, ambiguous="split", **MARGINS)
        assert abs(df.trade_margins.sum()) <= 10, column
        assert abs(df.transport_margins.sum()) <= 10, column


def test_gfcf_agrees_with_symmetric_tables(gfcf: pd.DataFrame) -> None:
    domestic, dom_other = symmetric_column("Симм отеч", "P51")
    imports, _ = symmetric_column("Симм имп", "P51")
    total, _ = symmetric_column("Симм ТЗВ", "P51")
    assert list(domestic.index) == list(gfcf.index)

    # products: imports to rounding; domestic to rounding except a published shift of
    # 268 mln RUB from wholesale trade (063) to agriculture (001) in Симм отеч
    assert (gfcf.imports_basic - imports).abs().max() <= ROUNDING
    gap = gfcf.domestic_basic - domestic
    assert gap.drop(["001", "063"]).abs().max() <= ROUNDING
    assert gap["001"] == pytest.approx(-268, abs=ROUNDING)
    assert gap["063"] == pytest.approx(264, abs=ROUNDING)
    assert (gfcf.basic - total).drop(["001", "063"]).abs().max() <= ROUNDING

    # totals
    assert gfcf.domestic_basic.sum() == pytest.approx(domestic.sum(), abs=ROUNDING)
    assert gfcf.imports_basic.sum() == pytest.approx(imports.sum(), abs=ROUNDING)
    assert gfcf.imports_basic.sum() == pytest.approx(dom_other["P7"], abs=ROUNDING)
    assert gfcf.net_taxes.sum() == pytest.approx(dom_other["D21-D31"], abs=ROUNDING)
    assert gfcf.purchasers.sum() == pytest.approx(dom_other["TOTAL"], abs=ROUNDING)
    assert dom_other["P34"] == 0 and dom_other["P6A"] == 0


def test_household_column_agrees_with_symmetric_tables(households: pd.DataFrame) -> None:
    domestic, dom_other = symmetric_column("Симм отеч", "P3_S14")
    imports, _ = symmetric_column("Симм имп", "P3_S14")
    assert (households.domestic_basic - domestic).abs().max() <= ROUNDING
    assert (households.imports_basic - imports).abs().max() <= ROUNDING
    assert households.net_taxes.sum() == pytest.approx(dom_other["D21-D31"], abs=ROUNDING)
    # the symmetric TOTAL also holds direct purchases abroad (P33, in P7) and P34
    p33 = households.attrs["non_product_rows"]["ТИцп"]["P33"]
    assert households.purchasers.sum() + p33 + dom_other["P34"] == pytest.approx(
        dom_other["TOTAL"], abs=10 * ROUNDING
    )
    assert set(households.attrs["split"]["65"]) == {"083", "084"}


def test_ambiguous_insurance_row_raises_by_default() -> None:
    with pytest.raises(ValueError, match=r"baz_tzv-2021\.xlsx.*'ТИоц'.*'65'.*083.*084"):
        read_final_demand_valuation(WORKBOOK, "P3_S14", **MARGINS)


def test_gfcf_ratios_for_capital_goods(gfcf: pd.DataFrame) -> None:
    """Shares of the purchasers' price, 2021 GFCF: plausible ranges, not exact values."""
    machinery = gfcf.loc["046"]  # OKPD2 28
    assert 0.75 < machinery.basic / machinery.purchasers < 0.9
    assert 0.1 < machinery.trade_margins / machinery.purchasers < 0.2
    assert machinery.imports_basic / machinery.basic > 0.5
    construction = gfcf.loc["061"]  # OKPD2 41 + 42 + 43: no margins, no product taxes
    assert construction.basic == construction.purchasers
    assert construction.trade_margins == construction.transport_margins == 0
    assert construction.net_taxes == 0


def test_code_discrepancy_in_row_020_is_recorded(gfcf: pd.DataFrame) -> None:
    assert "020" in gfcf.attrs["code_discrepancies"]
    assert gfcf.attrs["code_discrepancies"]["020"]["ТИоц"] == "01.46"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def test_normalise_code_maps_cyrillic_lookalikes() -> None:
    assert normalise_code("Р51с") == "P51C"  # Cyrillic Р and с
    assert normalise_code(" P51 ") == "P51"
    assert normalise_code(30) == "30"
    assert normalise_code(30.0) == "30"
    assert normalise_code(None) == ""


def test_parse_okpd2_expressions() -> None:
    s = parse_okpd2("41 + 42 + 43")
    assert s is not None and s.include == ("41", "42", "43") and s.exclude == ()
    s = parse_okpd2("32 без 32.1 и 32.5")
    assert s is not None and s.include == ("32",) and s.exclude == ("321", "325")
    s = parse_okpd2("01.13 кроме 01.13.51, 01.13.6, 01.13.71, 01.13.72 ")
    assert s is not None and s.exclude == ("011351", "01136", "011371", "011372")
    assert parse_okpd2(30).include == ("30",)  # type: ignore[union-attr]
    for not_a_product in ["P33", "TOTAL", "D21 - D31", "Р51с", "B2n + B3n", None, ""]:
        assert parse_okpd2(not_a_product) is None
    symm = parse_okpd2("32 без 32.1 и 32.5")
    assert symm is not None
    assert symm.classify("322") == "inside"
    assert symm.classify("321") == "outside"
    assert symm.classify("32") == "partial"
    assert symm.classify("32", own_exclusions=("321", "325")) == "inside"
    assert parse_okpd2("65.1 + 65.2").classify("65") == "partial"  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------------
# synthetic workbooks
# --------------------------------------------------------------------------------------------
SUT_SHEETS = ["ТИцп", "ТИоц", "М-торг", "М-трансп", "М-чистнал", "М-отеч", "М-имп"]

# (number, code) -> P51 value on each SUT sheet. Machinery 28.1+28.2 and 28.9 carry trade and
# transport margins and taxes; wholesale trade (46) is bought directly for 5, of which 1 is
# tax, and receives the 18 of trade margins at basic prices; road freight (49.4) receives the
# 4 of transport margins.
SUT_ROWS: dict[tuple[str, Any], dict[str, float]] = {
    ("001", "28.1 + 28.2"): {
        "ТИцп": 100,
        "ТИоц": 80,
        "М-торг": 12,
        "М-трансп": 3,
        "М-чистнал": 5,
        "М-отеч": 30,
        "М-имп": 50,
    },
    ("002", "28.9"): {
        "ТИцп": 50,
        "ТИоц": 40,
        "М-торг": 6,
        "М-трансп": 1,
        "М-чистнал": 3,
        "М-отеч": 40,
        "М-имп": 0,
    },
    ("003", 46): {
        "ТИцп": 5,
        "ТИоц": 22,
        "М-торг": 0,
        "М-трансп": 0,
        "М-чистнал": 1,
        "М-отеч": 22,
        "М-имп": 0,
    },
    ("004", "49.4"): {
        "ТИцп": 0,
        "ТИоц": 4,
        "М-торг": 0,
        "М-трансп": 0,
        "М-чистнал": 0,
        "М-отеч": 4,
        "М-имп": 0,
    },
}
SYMM_ROWS = [("001", "28"), ("002", "46 "), ("003", "49"), ("004", "P7"), ("005", "TOTAL")]


def _write_sheet(
    wb: openpyxl.Workbook, title: str, rows: list[tuple[str, Any, float]], column_code: str = "P51"
) -> None:
    ws = wb.create_sheet(title)
    ws.append([f"{title} за 2021 год (млн. рублей)"])
    ws.append([None, None, None, "Производство машин", "Валовое накопление основного капитала"])
    ws.append([None, "Коды", None, "28", column_code])
    ws.append(["№№", None, None, "001", "002"])
    for number, code, value in rows:
        ws.append([number, code, f"label {code}", 0, value])


def make_workbook(
    path: Path,
    sut_rows: dict[tuple[str, Any], dict[str, float]] | None = None,
    symm_rows: list[tuple[str, Any]] | None = None,
    drop: str | None = None,
    column_code: dict[str, str] | None = None,
) -> Path:
    sut_rows = SUT_ROWS if sut_rows is None else sut_rows
    symm_rows = SYMM_ROWS if symm_rows is None else symm_rows
    column_code = column_code or {}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in SUT_SHEETS:
        if sheet == drop:
            continue
        rows = [(n, c, v[sheet]) for (n, c), v in sut_rows.items()]
        rows.append((f"{len(rows) + 1:03d}", "TOTAL", sum(r[2] for r in rows)))
        # a trailing space in one sheet name, as in Rosstat's 'ТР '
        _write_sheet(
            wb, sheet + (" " if sheet == "М-имп" else ""), rows, column_code.get(sheet, "P51")
        )
    for sheet in ["Симм отеч", "Симм имп"]:
        _write_sheet(wb, sheet, [(n, c, 0.0) for n, c in symm_rows])
    wb.save(path)
    return path


def test_synthetic_margin_bookkeeping(tmp_path: Path) -> None:
    # Cyrillic 'Р51' in one header must still be found
    path = make_workbook(tmp_path / "synthetic.xlsx", column_code={"М-торг": "Р51"})
    df = read_final_demand_valuation(path, **MARGINS)
    expected = pd.DataFrame(
        {
            "purchasers": [150.0, 5.0, 0.0],
            "basic": [120.0, 22.0, 4.0],
            "trade_margins": [18.0, -18.0, 0.0],
            "transport_margins": [4.0, 0.0, -4.0],
            "net_taxes": [8.0, 1.0, 0.0],
            "domestic_basic": [70.0, 22.0, 4.0],
            "imports_basic": [50.0, 0.0, 0.0],
        },
        index=pd.Index(["001", "002", "003"], name="product"),
    )
    pd.testing.assert_frame_equal(df, expected)
    assert df.attrs["margin_rows"]["trade"]["46"] == -18
    assert df.attrs["margin_rows"]["transport"]["49.4"] == -4


def test_synthetic_missing_sheet(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "no_imports.xlsx", drop="М-имп")
    with pytest.raises(ValueError, match=r"no_imports\.xlsx.*no sheet named 'М-имп'"):
        read_final_demand_valuation(path, **MARGINS)


def test_synthetic_missing_column(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "wb.xlsx")
    with pytest.raises(ValueError, match=r"wb\.xlsx, sheet 'ТИцп': no header cell 'P99'"):
        read_final_demand_valuation(path, "P99", **MARGINS)


def test_synthetic_unmappable_product(tmp_path: Path) -> None:
    rows = dict(SUT_ROWS)
    rows[("005", "99")] = {s: 1.0 if s in ("ТИцп", "ТИоц", "М-отеч") else 0.0 for s in SUT_SHEETS}
    path = make_workbook(tmp_path / "wb.xlsx", sut_rows=rows)
    message = r"wb\.xlsx, sheet 'ТИоц'.* 005 code '99' matches no product"
    with pytest.raises(ValueError, match=message):
        read_final_demand_valuation(path, **MARGINS)


def test_synthetic_straddling_product(tmp_path: Path) -> None:
    symm = [("001", "28.1 + 28.2"), ("002", "28.9"), ("003", "46"), ("004", "49"), ("005", "TOTAL")]
    rows = {
        ("001", "28"): {s: sum(SUT_ROWS[k][s] for k in list(SUT_ROWS)[:2]) for s in SUT_SHEETS},
        **{k: v for k, v in SUT_ROWS.items() if k[0] in ("003", "004")},
    }
    path = make_workbook(tmp_path / "wb.xlsx", sut_rows=rows, symm_rows=symm)
    with pytest.raises(ValueError, match=r"code '28' straddles symmetric products 001 .* 002"):
        read_final_demand_valuation(path, **MARGINS)
    # the symmetric tables of this synthetic workbook are all zero: nothing to split by
    with pytest.raises(ValueError, match="no use of them"):
        read_final_demand_valuation(path, ambiguous="split", **MARGINS)


def test_synthetic_broken_identity(tmp_path: Path) -> None:
    rows = {k: dict(v) for k, v in SUT_ROWS.items()}
    rows[("002", "28.9")]["ТИцп"] += 100
    path = make_workbook(tmp_path / "wb.xlsx", sut_rows=rows)
    with pytest.raises(ValueError, match=r"product 002 \(code '28.9'\) breaks"):
        read_final_demand_valuation(path, **MARGINS)


def test_bad_option(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        read_final_demand_valuation(WORKBOOK, ambiguous="guess", **MARGINS)  # type: ignore[arg-type]
