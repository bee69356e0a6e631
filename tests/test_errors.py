"""Every kind of bad table is refused with a message naming the file, the cell or sector and the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iomodel.errors import TableError
from iomodel.readers import load_table

from .conftest import EXAMPLE, edit


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "table"
    shutil.copytree(EXAMPLE, target)
    return target


def test_example_loads(folder):
    assert load_table(folder).n == 2


def test_unbalanced_column(folder):
    edit(folder / "V.csv", "surplus,300,800", "surplus,300,900")
    with pytest.raises(TableError, match=r"V.csv|table.toml") as err:
        load_table(folder)
    message = str(err.value)
    assert "column identity fails for sector manufacturing" in message
    assert "gap +100.000" in message and "rebalance" in message


def test_missing_value(folder):
    edit(folder / "Z.csv", "agriculture,150,500", "agriculture,,500")
    with pytest.raises(
        TableError,
        match=r"Z.csv: cell at row 'agriculture', column 'agriculture' is empty; fill it",
    ):
        load_table(folder)


def test_text_in_a_cell(folder):
    edit(folder / "Y.csv", "manufacturing,1000,700", "manufacturing,1000,lots")
    with pytest.raises(
        TableError,
        match=r"Y.csv: cell at row 'manufacturing', column 'other' "
        r"holds 'lots', not a number",
    ):
        load_table(folder)


def test_nan_literal(folder):
    edit(folder / "Z.csv", "manufacturing,200,100", "manufacturing,200,nan")
    with pytest.raises(
        TableError,
        match=r"Z.csv: cell at row 'manufacturing', column "
        r"'manufacturing' holds 'nan', not a number",
    ):
        load_table(folder)


def test_negative_intermediate_flow(folder):
    edit(folder / "Z.csv", "agriculture,150,500", "agriculture,-150,500")
    with pytest.raises(TableError, match=r"Z has a negative flow -150 at row 'agriculture'"):
        load_table(folder)


def test_undeclared_negative_final_demand(folder):
    edit(folder / "Y.csv", "agriculture,200,150", "agriculture,400,-50")
    with pytest.raises(
        TableError,
        match=r"final-demand column 'other' has a negative value -50 at "
        r"sector 'agriculture'.*allow_negative",
    ):
        load_table(folder)


def test_declared_negative_final_demand_is_accepted(folder):
    edit(folder / "Y.csv", "agriculture,200,150", "agriculture,400,-50")
    edit(folder / "table.toml", "[roles]", 'allow_negative = ["other"]\n\n[roles]')
    assert load_table(folder).Y.min() == -50


def test_labels_do_not_match(folder):
    edit(folder / "V.csv", "row,agriculture,manufacturing", "row,agriculture,industry")
    with pytest.raises(
        TableError,
        match=r"V columns do not match the sector list: position 2 is "
        r"'industry', expected 'manufacturing'",
    ):
        load_table(folder)


def test_not_square(folder):
    (folder / "Z.csv").write_text(
        "code,agriculture,manufacturing,mining\nagriculture,150,500,0\nmanufacturing,200,100,0\n"
    )
    with pytest.raises(TableError, match=r"Z must be square, got 2 rows × 3 columns"):
        load_table(folder)


def test_not_productive(folder):
    (folder / "Z.csv").write_text(
        "code,agriculture,manufacturing\nagriculture,900,500\nmanufacturing,200,1900\n"
    )
    (folder / "Y.csv").write_text("code,households,other\nagriculture,0,0\nmanufacturing,0,0\n")
    (folder / "V.csv").write_text(
        "row,agriculture,manufacturing\nlabour,300,0\nsurplus,0,0\nimports,0,0\ntaxes,0,0\n"
    )
    with pytest.raises(TableError, match=r"(not productive|column identity)"):
        load_table(folder)


def test_not_productive_message():
    import numpy as np
    import pandas as pd

    from iomodel.table import IOTable, Roles, TableMeta

    codes = ["a", "b"]
    roles = Roles("hh", "w", ("w",), (), (), ())
    meta = TableMeta("t", "t", 2021, "RUB", 1.0, "basic", "test", Path("bad.toml"))
    # sector a uses its whole output as its own input: balanced, but A[a, a] = 1
    Z = pd.DataFrame([[10.0, 0.0], [0.0, 5.0]], index=codes, columns=codes)
    with pytest.raises(
        TableError,
        match=r"bad.toml: the table is not productive: spectral radius "
        r"of A is 1.0000 .*in sector a",
    ):
        IOTable.build(
            meta,
            pd.DataFrame({"label_ru": codes, "label_en": codes}, index=codes),
            Z,
            pd.DataFrame({"hh": [0.0, 5.0]}, index=codes),
            pd.DataFrame([[0.0, 5.0]], index=["w"], columns=codes),
            roles,
            x=pd.Series(np.array([10.0, 10.0]), index=codes),
        )


def test_zero_output_with_inputs(folder):
    (folder / "Z.csv").write_text(
        "code,agriculture,manufacturing\nagriculture,0,500\nmanufacturing,50,100\n"
    )
    (folder / "Y.csv").write_text(
        "code,households,other\nagriculture,-500,0\nmanufacturing,1000,850\n"
    )
    (folder / "V.csv").write_text(
        "row,agriculture,manufacturing\nlabour,0,500\nsurplus,-50,800\nimports,0,60\ntaxes,0,40\n"
    )
    edit(folder / "table.toml", "[roles]", 'allow_negative = ["households", "surplus"]\n\n[roles]')
    (folder / "employment.csv").write_text("code,employment\nagriculture,0\nmanufacturing,25\n")
    with pytest.raises(
        TableError,
        match=r"sector agriculture has zero output but non-zero inputs "
        r"in its column",
    ):
        load_table(folder)


def test_zero_output_sector_is_inactive(folder):
    (folder / "Z.csv").write_text(
        "code,agriculture,manufacturing\nagriculture,0,0\nmanufacturing,0,100\n"
    )
    (folder / "Y.csv").write_text(
        "code,households,other\nagriculture,0,0\nmanufacturing,1000,900\n"
    )
    (folder / "V.csv").write_text(
        "row,agriculture,manufacturing\nlabour,0,500\nsurplus,0,1300\nimports,0,60\ntaxes,0,40\n"
    )
    (folder / "employment.csv").write_text("code,employment\nagriculture,0\nmanufacturing,25\n")
    from iomodel.multipliers import multiplier_table

    table = load_table(folder)
    assert table.x[0] == 0 and table.A[:, 0].tolist() == [0, 0]
    assert multiplier_table(table).loc["agriculture"].drop("label").isna().all()


def test_employment_for_zero_output_sector(folder):
    (folder / "Z.csv").write_text(
        "code,agriculture,manufacturing\nagriculture,0,0\nmanufacturing,0,100\n"
    )
    (folder / "Y.csv").write_text(
        "code,households,other\nagriculture,0,0\nmanufacturing,1000,900\n"
    )
    (folder / "V.csv").write_text(
        "row,agriculture,manufacturing\nlabour,0,500\nsurplus,0,1300\nimports,0,60\ntaxes,0,40\n"
    )
    with pytest.raises(TableError, match=r"sector agriculture has zero output but employment 40"):
        load_table(folder)


def test_unknown_role_row(folder):
    edit(folder / "table.toml", 'compensation = "labour"', 'compensation = "wages"')
    with pytest.raises(TableError, match=r"role row 'wages' is not a primary-input row"):
        load_table(folder)


def test_missing_manifest_key(folder):
    edit(folder / "table.toml", 'currency = "USD"\n', "")
    with pytest.raises(TableError, match=r"table.toml: missing key\(s\) currency"):
        load_table(folder)


def test_bad_toml(folder):
    edit(folder / "table.toml", 'currency = "USD"', "currency = USD")
    with pytest.raises(TableError, match=r"table.toml: not valid TOML"):
        load_table(folder)


def test_missing_file(folder):
    (folder / "V.csv").unlink()
    with pytest.raises(TableError, match=r"V.csv: file missing"):
        load_table(folder)


def test_closure_parameter_without_source(folder):
    edit(folder / "table.toml", 'wage_share_source = "illustrative"\n', "")
    with pytest.raises(TableError, match=r"closure.wage_share has no source"):
        load_table(folder)


def test_unknown_table():
    with pytest.raises(
        TableError,
        match=r"no-such-table: no such table; give a shipped id "
        r"\(rosstat-2011, rosstat-2016, rosstat-2021",
    ):
        load_table("no-such-table")


def test_rosstat_code_mismatch(tmp_path):
    from .conftest import ROOT, edit

    target = tmp_path / "rosstat"
    shutil.copytree(ROOT / "tables" / "rosstat-2021", target)
    edit(target / "sectors.csv", "010,07.2,07.2", "010,07.3,07.2")
    with pytest.raises(
        TableError,
        match=r"cell B14 holds code '07.2' for product 010, but "
        r"sectors.csv says '07.3'",
    ):
        load_table(target)


def test_rosstat_missing_row_code(tmp_path):
    from .conftest import ROOT

    target = tmp_path / "rosstat"
    shutil.copytree(ROOT / "tables" / "rosstat-2021", target)
    edit(target / "table.toml", 'output_row = "P1"', 'output_row = "P99"')
    with pytest.raises(TableError, match=r"\[Симм отеч\]: no row with code 'P99'"):
        load_table(target)
