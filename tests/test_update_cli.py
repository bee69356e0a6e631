"""``iomodel update --year 2024`` from the command line: the projected table, the reports and
the change report against the 2021 table, JSON on stdout, exit codes.

One update with its PDFs is shared by the module (one small centre, Russian only, to keep the
suite short); the whole update of all eight centres from a fresh clone is timed in
benchmarks/bench_update.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pypdf
import pytest
import xarray as xr
from click.testing import CliRunner

from iomodel.cli import main
from iomodel.readers import load_table
from iomodel.runlock import hold_lock
from iomodel.update import EXIT_CODES

from .test_update import CENTRE, make_home, snapshot


def _cli(*args: str):
    result = CliRunner().invoke(main, ["update", *args], catch_exceptions=False)
    return result, (json.loads(result.stdout) if "--json" in args else None)


def _config(tmp: Path, home: Path, **extra: str) -> Path:
    path = tmp / "update.toml"
    lines = [f'runs = "{tmp / "runs"}"', f'data = "{home}"', 'languages = ["ru"]']
    lines += [f"{k} = {v}" for k, v in extra.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def updated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    home = make_home(tmp)
    config = _config(tmp, home)
    result, out = _cli("--year", "2024", "--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    return tmp, config, out


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_update_2024_projects_the_table_and_writes_everything(updated):
    tmp, _, out = updated
    assert out["status"] == "updated" and out["exit_code"] == 0
    run = Path(out["path"])
    assert run.parent == tmp / "runs" and run.name.endswith("_rosstat-2021-projected-2024")
    summary = out["summary"]
    assert summary["table"]["projected"] and summary["table"]["id"] == "rosstat-2021-projected-2024"
    for name in (
        "summary.json",
        "change.json",
        "change.ru.pdf",
        "impact.nc",
        "impact.csv",
        "impact.xlsx",
        f"reports/{CENTRE}.ru.pdf",
        "table/table.toml",
        "inputs/tables/national-accounts/gva_okved2_sections.csv",
    ):
        assert (run / name).is_file(), name
    assert json.loads((run / "summary.json").read_text()) == summary
    # the projected table itself, readable again, labelled as projected
    table = load_table(run / "table")
    assert table.meta.id == "rosstat-2021-projected-2024" and table.meta.year == 2024
    assert table.meta.name.startswith("PROJECTED 2024")
    ds = xr.open_dataset(run / "impact.nc", engine="scipy")
    assert ds.attrs["table_projected"] == "yes" and ds.attrs["table_year"] == 2024
    ds.close()
    # labelled as projected in the workbook and on the reports' cover and method pages
    sheet = openpyxl.load_workbook(run / "impact.xlsx", read_only=True)["Происхождение данных"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(values_only=True)}
    assert rows["Прогнозная таблица"].startswith("PROJECTED: rosstat-2021 (2021) projected to 2024")
    assert not (run / "reports" / "comparison.ru.pdf").exists()  # one centre: no comparison
    pages = pypdf.PdfReader(run / "reports" / f"{CENTRE}.ru.pdf").pages
    assert "ПРОГНОЗНАЯ ТАБЛИЦА:" in pages[0].extract_text()  # the cover
    texts = (p.extract_text() for p in reversed(pages))  # the method section is near the end
    method = next(t for t in texts if "ПРОГНОЗНАЯ ТАБЛИЦА:" in t)
    assert "не является опубликованной базовой" in method and "методом GRAS" in method


def test_change_report_against_the_2021_table(updated):
    _, _, out = updated
    run = Path(out["path"])
    change = json.loads((run / "change.json").read_text())
    assert change["previous"]["table"] == "rosstat-2021" and change["previous"]["run"] is None
    assert change["factors"]["table"]["changed"] and not change["factors"]["prices"]["changed"]
    capex = next(
        r for r in change["centres"] if r["centre"] == CENTRE and r["indicator"] == "capex"
    )
    # Stavropol's 10 bn RUB of 2024 in 2021 prices (deflators), then in 2024 prices: all table
    assert capex["current"] == pytest.approx(10_000.0)
    assert capex["table"] == pytest.approx(capex["change"]) and capex["change"] > 0
    text = _text(run / "change.ru.pdf")
    assert "ПРОГНОЗНАЯ ТАБЛИЦА" in text and "Ставропольский" in text
    assert f"{capex['change'] / 1e3:.2f}".replace(".", ",") in text


def test_a_second_update_is_up_to_date_and_writes_nothing(updated):
    tmp, config, out = updated
    before = snapshot(tmp / "runs")
    result, again = _cli("--year", "2024", "--config", str(config), "--json")
    assert result.exit_code == 0 and again["status"] == "up-to-date"
    assert again["path"] == out["path"] and snapshot(tmp / "runs") == before


@pytest.mark.parametrize(
    ("args", "kind", "words"),
    [
        (["--year", "2010"], "refused", "no basic table for 2010"),
        (["--config", "{tmp}/missing.toml"], "usage", "no such configuration file"),
        (["--config", "{tmp}/bad.toml"], "usage", "unknown key(s) yaer"),
        (["--runs", "{tmp}/update.toml"], "output", "is a file"),
    ],
)
def test_failures_exit_with_their_code_and_a_json_error(updated, args, kind, words):
    tmp, config, _ = updated
    (tmp / "bad.toml").write_text("yaer = 2024\n", encoding="utf-8")
    args = [a.format(tmp=tmp) for a in args]
    if "--config" not in args:
        args += ["--config", str(config)]
    before = snapshot(tmp / "runs")
    result, out = _cli(*args, "--json")
    assert result.exit_code == EXIT_CODES[kind] and out["kind"] == kind
    assert out["status"] == "error" and words in out["error"]
    assert snapshot(tmp / "runs") == before


def test_a_second_update_while_one_runs_exits_4(updated):
    tmp, config, _ = updated
    with hold_lock(tmp / "runs" / ".update.lock"):
        result, out = _cli("--config", str(config), "--force", "--json")
    assert result.exit_code == EXIT_CODES["locked"] == 4
    assert "another run holds the lock" in out["error"] and "PID" in out["error"]


def test_the_change_pdf_is_reproducible_from_its_json(updated, tmp_path):
    """Rendered again from change.json and summary.json with the run date pinned, the PDF is
    the same byte for byte (fontTools stamps the fonts' head.modified from SOURCE_DATE_EPOCH;
    WeasyPrint writes the run date it is given)."""
    import datetime

    from iomodel.report import write_change_report
    from iomodel.update import _source_date

    run = Path(updated[2]["path"])
    change = json.loads((run / "change.json").read_text())
    summary = json.loads((run / "summary.json").read_text())
    scenario = (run / "inputs" / "shocks" / f"{CENTRE}.toml").read_text(encoding="utf-8")
    names = {CENTRE: tuple(_names(scenario))}
    with _source_date(datetime.date.fromisoformat(summary["run_date"])):
        again = write_change_report(change, summary, tmp_path, "ru", names).path
    assert again.read_bytes() == (run / "change.ru.pdf").read_bytes()


def _names(scenario_text: str) -> list[str]:
    import tomllib

    centre = tomllib.loads(scenario_text)["centre"]
    return [centre["name_ru"], centre["name_en"]]
