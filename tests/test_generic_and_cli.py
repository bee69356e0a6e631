"""The generic table format (folder and workbook) and the command line, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from iomodel.cli import main
from iomodel.multipliers import multiplier_table
from iomodel.readers import load_table

from .conftest import EXAMPLE

JSON_KEYS = [
    "code",
    "label",
    "output_type1",
    "output_type2",
    "value_added_type1",
    "value_added_type2",
    "income_type1",
    "income_type2",
    "income_ratio_type1",
    "income_ratio_type2",
    "employment_type1",
    "employment_type2",
    "employment_ratio_type1",
    "employment_ratio_type2",
    "taxes_type1",
    "imports_type1",
]


def write_workbook(folder: Path, target: Path) -> Path:
    """The two-sector example as one .xlsx workbook (sheets table, Z, Y, V, employment)."""
    import tomllib

    manifest = tomllib.loads((folder / "table.toml").read_text())
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "table"
    ws.append(["key", "value"])

    def flat(prefix, node):
        for key, value in node.items():
            if isinstance(value, dict):
                flat(f"{prefix}{key}.", value)
            else:
                ws.append([prefix + key, ", ".join(value) if isinstance(value, list) else value])

    flat("", manifest)
    for name in ("Z", "Y", "V", "employment"):
        sheet = wb.create_sheet(name)
        frame = pd.read_csv(folder / f"{name}.csv", dtype=str)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([row[0], *[float(v) for v in row[1:]]])
    wb.save(target)
    return target


def test_workbook_equals_folder(tmp_path):
    book = load_table(write_workbook(EXAMPLE, tmp_path / "two.xlsx"))
    folder = load_table(EXAMPLE)
    pd.testing.assert_frame_equal(multiplier_table(book), multiplier_table(folder))
    assert book.meta.id == "two-sector"


def test_cli_tables_and_validate():
    runner = CliRunner()
    result = runner.invoke(main, ["tables"])
    assert result.exit_code == 0 and "rosstat-2021\t113 sectors\t2021" in result.output
    result = runner.invoke(main, ["validate", "rosstat-2021"])
    assert result.exit_code == 0 and result.output.startswith("OK rosstat-2021: 113 sectors")


def test_cli_multipliers_json_keys_and_values(rosstat):
    result = CliRunner().invoke(
        main, ["multipliers", "rosstat-2021", "--format", "json", "--sectors", "07.2,28, 41-43"]
    )
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert [r["code"] for r in records] == ["07.2", "28", "41-43"]
    for record in records:
        assert list(record) == JSON_KEYS
    expected = multiplier_table(rosstat).loc["28"]
    assert records[1]["output_type2"] == pytest.approx(expected["output_type2"])
    assert records[1]["employment_type1"] == pytest.approx(expected["employment_type1"])


def test_cli_closure_changes_type2_only():
    runner = CliRunner()
    args = ["multipliers", str(EXAMPLE), "--format", "json"]
    default = json.loads(runner.invoke(main, args).output)
    textbook = json.loads(runner.invoke(main, args + ["--closure", "textbook"]).output)
    assert default[0]["output_type1"] == textbook[0]["output_type1"]
    assert default[0]["output_type2"] < textbook[0]["output_type2"]


def test_cli_csv_and_text():
    runner = CliRunner()
    csv = runner.invoke(main, ["multipliers", str(EXAMPLE), "--format", "csv"])
    assert csv.output.splitlines()[0] == ",".join(JSON_KEYS)
    text = runner.invoke(main, ["multipliers", str(EXAMPLE), "--type", "I"])
    assert "Type I effects per 1 USD" in text.output and "1.518" in text.output


def test_cli_error_is_one_line_and_nonzero(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["multipliers", "rosstat-2021", "--sectors", "99.9"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0
    assert "unknown sector '99.9'" in result.output
    debug = runner.invoke(main, ["--debug", "validate", str(tmp_path)])
    assert debug.exit_code != 0 and debug.exception is not None


def test_cli_run_with_a_bad_scenario_writes_nothing(tmp_path, monkeypatch):
    """A scenario error stops the run before any output is written, and says where and why."""
    import shutil

    from .conftest import ROOT

    home = tmp_path / "home"
    shutil.copytree(ROOT / "tables", home / "tables")
    shutil.copytree(ROOT / "shocks", home / "shocks")
    bad = home / "shocks" / "stavropol.toml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("capex = 10.0", "capex = -10.0", 1),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "impact.nc").write_bytes(b"earlier good result")
    monkeypatch.setenv("IOMODEL_HOME", str(home))
    result = CliRunner().invoke(main, ["run", "--quiet", "--out", str(out)])
    assert result.exit_code == 1
    assert "stavropol.toml: variants.central.capex is -10.0, below the minimum 0.0" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["impact.nc"]
    assert (out / "impact.nc").read_bytes() == b"earlier good result"
