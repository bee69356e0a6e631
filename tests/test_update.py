"""The annual update (iomodel.update): table choice, runs written as a whole or not at all, the
lock, idempotence and the decomposition of the change.

Every test runs on its own data folder laid out like the project (``tables/``, ``shocks/``),
linking the shipped files it does not change, with one small centre (Stavropol) and no PDFs;
the full ``iomodel update --year 2024`` with its reports is in test_update_cli.py.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from iomodel.decompose import combinations_of, shapley
from iomodel.errors import ConfigError, TableError, UpdateLocked
from iomodel.readers import load_table
from iomodel.runlock import hold_lock, read_lock
from iomodel.update import (
    FACTORS,
    UpdateConfig,
    choose_table,
    default_year,
    find_runs,
    load_config,
    parse_config,
    update,
)

from .conftest import EXAMPLE, ROOT, edit

DAY = datetime.date(2025, 6, 1)
CENTRE = "stavropol"


def make_home(tmp: Path, copy: tuple[str, ...] = ()) -> Path:
    """A data folder: the shipped tables and scenarios linked, those in ``copy`` copied (to be
    changed by the test); one scenario (Stavropol)."""
    home = tmp / "home"
    (home / "tables").mkdir(parents=True)
    (home / "shocks").mkdir()
    shipped = ("rosstat-2021", "national-accounts", "prices", "productivity", "fiscal", "regional")
    for name in (*shipped, "appraisal.toml"):
        src, dst = ROOT / "tables" / name, home / "tables" / name
        if name in copy:
            (shutil.copytree if src.is_dir() else shutil.copyfile)(src, dst)
        else:
            dst.symlink_to(src)
    shutil.copyfile(ROOT / "shocks" / f"{CENTRE}.toml", home / "shocks" / f"{CENTRE}.toml")
    return home


def config(home: Path, **kw) -> UpdateConfig:
    return UpdateConfig(runs=home.parent / "runs", data=home, reports=False, **kw)


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder`` with its sha256 and modification time."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(folder))] = (
                hashlib.sha256(path.read_bytes()).hexdigest(),
                path.stat().st_mtime_ns,
            )
    return out


def discard(run: Path) -> None:
    """Remove a run a test added, so the module's runs folder is as the fixture left it."""
    shutil.rmtree(run)
    latest = run.parent / "latest"
    latest.unlink()
    latest.symlink_to(find_runs(run.parent)[-1].path.name)


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """One update of the 2021 table (the baseline is the same table: nothing moves); the table
    and the prices are copies the tests may change (and put back)."""
    from iomodel.readers import _load_resolved

    tmp = tmp_path_factory.mktemp("first")
    home = make_home(tmp, copy=("prices", "rosstat-2021"))
    load_table(home / "tables" / "rosstat-2021")  # parsed, and kept in the parsed-table cache
    _load_resolved.cache_clear()  # so the update reads it back from that cache
    result = update(config(home, year=2021), today=DAY)
    return home, result


# ----------------------------------------------------------------------------- configuration
def test_config_file_is_read_with_paths_from_its_folder(tmp_path):
    path = tmp_path / "update.toml"
    path.write_text(
        'runs = "out/runs"\nyear = 2024\ncentres = ["kola"]\nlanguages = ["ru", "en"]\n'
        "reports = false\nworkers = 2\n",
        encoding="utf-8",
    )
    cfg = load_config(path)
    assert cfg.runs == tmp_path / "out" / "runs" and cfg.year == 2024
    assert cfg.centres == ("kola",) and cfg.languages == ("ru", "en") and not cfg.reports


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"yaer": 2024}, "unknown key(s) yaer"),
        ({"year": "2024"}, "year must be an integer"),
        ({"year": True}, "year must be an integer"),
        ({"model": "III"}, "model = 'III'; choose one of I, II"),
        ({"languages": ["de"]}, "choose one of ru, en"),
        ({"languages": []}, "at least one"),
        ({"centres": "kola"}, "centres must be a list"),
        ({"centres": ["kola", "kola"]}, "twice"),
        ({"indicators": ["gdp"]}, "indicators[0] = 'gdp'"),
        ({"reports": "yes"}, "reports must be true or false"),
        ({"workers": 0}, "workers must be an integer from 1 to 64"),
    ],
)
def test_bad_configuration_is_refused_naming_file_and_key(tmp_path, data, problem):
    with pytest.raises(ConfigError) as err:
        parse_config(data, tmp_path / "update.toml", tmp_path)
    assert "update.toml" in str(err.value) and problem in str(err.value)


def test_the_example_configuration_is_valid():
    cfg = load_config(ROOT / "examples" / "update.toml")
    assert cfg.runs == ROOT / "examples" / ".." / "runs" and cfg.languages == ("ru", "en")


def test_config_file_that_is_not_toml_is_refused(tmp_path):
    path = tmp_path / "update.toml"
    path.write_text("year = = 2024\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "missing.toml")


# ----------------------------------------------------------------------------- the table
def test_the_table_for_a_year():
    """A year with a basic table takes it; a later year projects the latest basic table before
    it; the default is the latest year with GVA and employment by section (2024)."""
    assert choose_table(ROOT, 2021).id == "rosstat-2021"
    assert choose_table(ROOT, 2016).id == "rosstat-2016"
    assert choose_table(ROOT, 2024).id == "rosstat-2021-projected-2024"
    assert choose_table(ROOT, 2019).id == "rosstat-2016-projected-2019"
    assert default_year(ROOT) == 2024
    with pytest.raises(TableError, match="no basic table for 2010 or before"):
        choose_table(ROOT, 2010)


# ----------------------------------------------------------------------------- decomposition
def test_shapley_known_answers():
    """f = table + prices·scenarios: the additive input gets exactly its own effect, an input
    f does not depend on gets 0, and the parts add up to the change (Shapley 1953)."""

    def f(s):
        t = 3.0 if "table" in s else 1.0
        p = 0.8 if "prices" in s else 1.0
        q = 2.0 if "scenarios" in s else 1.0
        return t + p * q

    three = ("table", "prices", "scenarios")
    parts = shapley(f, three)
    assert parts["table"] == pytest.approx(2.0)
    assert parts["prices"] == pytest.approx(0.5 * ((0.8 - 1) + (1.6 - 2)))  # −0.3
    assert parts["scenarios"] == pytest.approx(0.5 * ((2 - 1) + (1.6 - 0.8)))  # 0.9
    assert sum(parts.values()) == pytest.approx(f(frozenset(three)) - f(frozenset()))
    # a fourth input f does not depend on (the tax law here) changes nothing of the others
    four = shapley(f, FACTORS)
    assert four["law"] == 0.0 and all(four[k] == pytest.approx(parts[k]) for k in three)
    assert shapley(lambda s: 5.0, FACTORS) == dict.fromkeys(FACTORS, 0.0)
    assert len(combinations_of(three)) == 8 and len(combinations_of(FACTORS)) == 16
    with pytest.raises(ValueError, match="distinct"):
        shapley(f, ["table", "table"])


def _scale_deflators(path: Path, year: int, factor: float) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["year"] == str(year):
            row["index_prev_year"] = repr(float(row["index_prev_year"]) * factor)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_change_decomposes_into_prices_and_scenarios_on_a_constructed_case(first):
    """Prices: every 2022 deflator × 1.25, so the 2024-rouble capex is worth 0.8 of it in 2021
    prices; scenarios: the central capex doubled.  Capex and the construction figures are
    proportional to both, f = C·p·s, so the Shapley parts are known: prices ½C[(0.8 − 1) +
    (1.6 − 2)] = −0.3 C, scenarios ½C[(2 − 1) + (1.6 − 0.8)] = 0.9 C; table and method 0."""
    home, before = first
    _scale_deflators(home / "tables" / "prices" / "deflators.csv", 2022, 1.25)
    edit(home / "shocks" / f"{CENTRE}.toml", "capex = 10.0", "capex = 20.0")
    try:
        result = update(config(home, year=2021), today=DAY)
    finally:
        shutil.copyfile(
            ROOT / "tables" / "prices" / "deflators.csv",
            home / "tables" / "prices" / "deflators.csv",
        )
        edit(home / "shocks" / f"{CENTRE}.toml", "capex = 20.0", "capex = 10.0")
    discard(result.path)
    change = result.change
    assert change["previous"]["run"] == before.path.name and change["decomposed"]
    assert {f: change["factors"][f]["changed"] for f in FACTORS} == {
        "table": False,
        "prices": True,
        "scenarios": True,
        "law": False,
    }
    assert change["factors"]["prices"]["files"]["changed"] == ["tables/prices/deflators.csv"]
    rows = {r["indicator"]: r for r in change["centres"] if r["centre"] == CENTRE}
    for indicator in ("capex", "construction_value_added", "construction_employment"):
        row = rows[indicator]
        c = row["previous"]
        assert row["current"] == pytest.approx(1.6 * c, rel=1e-9)
        assert row["prices"] == pytest.approx(-0.3 * c, rel=1e-9)
        assert row["scenarios"] == pytest.approx(0.9 * c, rel=1e-9)
        assert row["table"] == row["law"] == 0.0
        assert row["method"] == pytest.approx(0.0, abs=1e-9 * c)
    for row in change["centres"]:  # the parts add up to the change, for every figure
        parts = sum(row[f] for f in FACTORS) + row["method"]
        assert parts == pytest.approx(row["change"], rel=1e-9, abs=1e-9)
    for row in change["multipliers"]:  # the table did not change: neither did they
        assert row["change"] == pytest.approx(0.0, abs=1e-12)


def test_first_run_is_compared_with_the_latest_basic_table(first):
    _, result = first
    assert result.status == "updated" and result.path.name == "2025-06-01_rosstat-2021"
    change = result.change
    assert (
        change["previous"]["run"] is None and "baseline rosstat-2021" in change["previous"]["label"]
    )
    assert not any(change["factors"][f]["changed"] for f in FACTORS)
    assert all(row["change"] == 0.0 for row in change["centres"])
    summary = result.summary
    assert summary["sequence"] == 1 and summary["table"]["projected"] is False
    assert set(summary["headline"]) == {CENTRE}
    assert (result.path / "inputs" / "shocks" / f"{CENTRE}.toml").is_file()
    assert (result.path / "inputs" / "tables" / "rosstat-2021" / "raw").is_dir()
    assert not (result.path / "table").exists()  # only a projected table is written out
    for rel, sha in summary["files_sha256"].items():
        assert hashlib.sha256((result.path / rel).read_bytes()).hexdigest() == sha


# ----------------------------------------------------------------------------- idempotence
def test_update_twice_changes_nothing(first):
    home, result = first
    runs = result.path.parent
    before = snapshot(runs)
    again = update(config(home, year=2021), today=DAY)
    assert again.status == "up-to-date" and again.path == result.path
    assert snapshot(runs) == before
    assert [r.path.name for r in find_runs(runs)] == [result.path.name]


def test_same_inputs_give_the_same_bytes(first, tmp_path, monkeypatch):
    """The same inputs on the same date into another runs folder — the table parsed from the
    workbook this time, read back from the parsed-table cache (its arrays laid out otherwise)
    for the module's run — give every file the same, byte for byte: NetCDF, CSV, JSON, the
    inputs and the workbook (its creation date is the run date; XlsxWriter dates the zip
    members 1980).  The projected table's allocation is checked for layout in
    test_projection.py."""
    from iomodel.readers import _load_resolved

    home, result = first
    monkeypatch.setenv("IOMODEL_NO_CACHE", "1")
    _load_resolved.cache_clear()
    other = update(replace(config(home, year=2021), runs=tmp_path / "runs"), today=DAY).path
    _load_resolved.cache_clear()
    ours, theirs = snapshot(result.path), snapshot(other)
    assert set(ours) == set(theirs) and "impact.xlsx" in ours
    assert {k: v[0] for k, v in ours.items()} == {k: v[0] for k, v in theirs.items()}


# ----------------------------------------------------------------------------- failures
def test_a_corrupt_workbook_is_refused_and_changes_nothing(first):
    """A truncated download of the workbook: refused naming the file, nothing written."""
    home, result = first
    runs = result.path.parent
    before = snapshot(runs)
    workbook = home / "tables" / "rosstat-2021" / "raw" / "baz_tzv-2021.xlsx"
    good = workbook.read_bytes()
    workbook.write_bytes(good[:200_000])
    try:
        with pytest.raises(TableError, match=r"baz_tzv-2021\.xlsx: cannot be read"):
            update(config(home, year=2021), today=DAY)
    finally:
        workbook.write_bytes(good)
    assert snapshot(runs) == before
    assert not list(runs.glob(".iomodel-staging-*"))


def test_an_unbalanced_new_table_is_refused_with_its_reason(first, tmp_path):
    """Rosstat publishes a 2024 table and it does not balance: the update refuses it naming
    the sector and the gap, and the earlier runs stay as they were."""
    home, result = first
    runs = result.path.parent
    before = snapshot(runs)
    new = home / "tables" / "rosstat-2024"
    shutil.copytree(EXAMPLE, new)
    edit(new / "table.toml", "year = 2009", "year = 2024")
    edit(new / "Z.csv", "500", "5500")
    try:
        assert choose_table(home, 2024).basic == "rosstat-2024"
        with pytest.raises(TableError, match="identity fails for sector"):
            update(config(home, year=2024), today=DAY)
    finally:
        shutil.rmtree(new)
    assert snapshot(runs) == before


_KILLED = textwrap.dedent(
    """
    import datetime, sys
    from pathlib import Path
    from iomodel.update import UpdateConfig, update
    home = Path(sys.argv[1])
    update(UpdateConfig(runs=home.parent / "runs", data=home, reports=False, year=2021,
                        closure="textbook"), today=datetime.date(2025, 6, 2))
    """
)


def test_a_killed_run_leaves_the_previous_run_intact(first):
    """The update is killed (SIGKILL) while it writes its staging folder: the earlier run is
    untouched, no new run appears, and the next update clears the leftovers and succeeds."""
    home, result = first
    runs = result.path.parent
    before = {k: v for k, v in snapshot(runs).items() if not k.startswith(".")}
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(home)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 120
        while not list(runs.glob(".iomodel-staging-*")):
            assert proc.poll() is None, "the update ended before it wrote anything"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    left = snapshot(runs)
    assert {k: v for k, v in left.items() if not k.startswith(".")} == before
    assert (runs / ".update.lock").exists()  # left behind by the killed run: stale
    assert "PID" in read_lock(runs / ".update.lock")
    again = update(replace(config(home, year=2021), closure="textbook"), today=DAY)
    assert again.status == "updated" and again.stale_lock and "PID" in again.stale_lock
    assert not list(runs.glob(".iomodel-staging-*"))
    # a change of option only: nothing else moved, the whole change is "method"
    row = next(r for r in again.change["multipliers"] if r["measure"] == "output_type2")
    assert row["change"] != 0 and row["method"] == pytest.approx(row["change"], rel=1e-12)
    discard(again.path)


def test_the_lock_refuses_a_second_run(first):
    home, result = first
    runs = result.path.parent
    with hold_lock(runs / ".update.lock"), pytest.raises(UpdateLocked) as err:
        update(config(home, year=2021), today=DAY, force=True)
    assert f"PID {os.getpid()}" in str(err.value) and ".update.lock" in str(err.value)
    assert not (runs / ".update.lock").exists()
