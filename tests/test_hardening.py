"""Hostile and careless input (issue 9): every case is one clean line naming the file, the key or
cell and the fix — or a valid result — never a traceback.

Scenario cases start from the shipped ``shocks/kola.toml``, table cases from the two-sector
example; the command-line cases run in-process with click's CliRunner.  The generated corpora
(random mutations of the same files) are in ``tests/properties/test_corpora.py``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from iomodel.cli import main
from iomodel.errors import ScenarioError, TableError
from iomodel.readers import load_table
from iomodel.scenario import Scenario, load_scenarios

from .conftest import EXAMPLE, ROOT, edit

KOLA = ROOT / "shocks" / "kola.toml"


def clean_line(result, *fragments: str) -> None:
    """A refusal: exit code 1, one line, no traceback, naming every fragment."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = result.output.strip()
    assert "Traceback" not in text and text.count("\n") == 0, text
    assert text.startswith("Error: "), text
    assert "internal error" not in text, text
    for fragment in fragments:
        assert fragment in text, (fragment, text)


# ---------------------------------------------------------------------------- scenarios
@pytest.fixture()
def kola(tmp_path: Path) -> Path:
    target = tmp_path / "kola.toml"
    shutil.copy(KOLA, target)
    return target


def _central(path: Path, key: str, value: str) -> None:
    """Set ``key`` of [variants.central] to ``value``."""
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("[variants.central]")
    assert sep, "kola.toml has no [variants.central]"
    rest, n = re.subn(rf"^{key} = .*$", f"{key} = {value}", rest, count=1, flags=re.M)
    assert n == 1, key
    path.write_text(head + sep + rest, encoding="utf-8")


@pytest.mark.parametrize(
    "value,message",
    [
        ("inf", r"variants.central.capex must be a finite number, got inf"),
        ("1e400", r"variants.central.capex must be a finite number, got inf"),
        ("nan", r"variants.central.capex must be a number|finite number"),
        ("1e30", r"variants.central.capex is 1e\+30 bn RUB .* above the ceiling of 1e\+13 RUB"),
        ('"100"', r"variants.central.capex must be a number, got '100'"),
    ],
)
def test_absurd_capex(kola, value, message):
    _central(kola, "capex", value)
    with pytest.raises(ScenarioError, match=message):
        Scenario.load(kola)


def test_an_infinite_scale(kola):
    text = kola.read_text(encoding="utf-8")
    scales = re.findall(r"^(\w*scale) = ", text.partition("[variants.central]")[2], flags=re.M)
    if not scales:
        pytest.skip("no scale key in the central variant")
    _central(kola, scales[0], "inf")
    with pytest.raises(ScenarioError, match=rf"variants.central.{scales[0]} must be a finite"):
        Scenario.load(kola)


def test_ramp_up_longer_than_the_operation(kola):
    edit(kola, "end_year = 2042", "end_year = 2029")
    edit(kola, "ramp_up = [0.2, 0.5]", "ramp_up = [0.2, 0.5, 0.7]")
    with pytest.raises(ScenarioError, match=r"ramp_up lists 3 years but the operation lasts 2"):
        Scenario.load(kola)


def test_operation_ending_before_construction(kola):
    edit(kola, "start_year = 2028\nend_year = 2042", "start_year = 2020\nend_year = 2021")
    with pytest.raises(
        ScenarioError, match=r"operation.end_year 2021 is before construction.start_year 2026"
    ):
        Scenario.load(kola)


def test_a_thousand_year_profile(kola):
    profile = ", ".join(["0.001"] * 1000)
    edit(kola, "profile = [0.10, 0.20, 0.25, 0.25, 0.20]", f"profile = [{profile}]")
    with pytest.raises(ScenarioError, match=r"construction.profile spans 1000 years, more than"):
        Scenario.load(kola)


def test_a_megabyte_name(kola):
    edit(kola, 'name_en = "Kola', f'name_en = "{"K" * 1_000_000}Kola')
    with pytest.raises(ScenarioError, match=r"centre.name_en is 1,000,\d{3} characters long"):
        Scenario.load(kola)


def test_scenario_path_is_a_folder(tmp_path):
    (tmp_path / "kola.toml").mkdir()
    with pytest.raises(ScenarioError, match=r"kola.toml: is a folder, not a scenario file"):
        Scenario.load(tmp_path / "kola.toml")
    with pytest.raises(ScenarioError, match=r"is a folder"):
        load_scenarios(tmp_path, ["kola"])


@pytest.mark.parametrize(
    "ids,message",
    [
        (["../shocks/kola"], r"'../shocks/kola': a centre is named by its id"),
        (["shocks/kola.toml"], r"a centre is named by its id"),
        (["kola", "kola"], r"kola: centre named twice"),
    ],
)
def test_centres_are_ids_named_once(ids, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenarios(ROOT / "shocks", ids)


def test_scenario_years_far_past_the_table(kola, rosstat):
    from iomodel.prices import load_prices
    from iomodel.shock import build_shock, load_bridge

    edit(kola, "end_year = 2042", "end_year = 2095")
    scenario = Scenario.load(kola)
    bridge = load_bridge(ROOT / "tables" / "rosstat-2021" / "bridge.toml", rosstat)
    prices = load_prices(ROOT / "tables" / "prices")
    with pytest.raises(ScenarioError, match=r"runs to 2095, more than 60 years past"):
        build_shock(scenario, rosstat, bridge, prices, ["central"])


# ---------------------------------------------------------------------------- tables
@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "table"
    shutil.copytree(EXAMPLE, target)
    return target


@pytest.mark.parametrize("name", ["Z.csv", "Y.csv", "V.csv"])
def test_empty_csv(folder, name):
    (folder / name).write_text("")
    with pytest.raises(TableError, match=rf"{name}: the file is empty"):
        load_table(folder)


def test_header_only_csv(folder):
    (folder / "Y.csv").write_text("code,households,other\n")
    with pytest.raises(TableError, match=r"Y.csv: the file has a header row but no data rows"):
        load_table(folder)


def test_folder_without_files(tmp_path):
    with pytest.raises(TableError, match=r"no table.toml in this folder"):
        load_table(tmp_path)


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("unit = 1.0", "unit = inf", r"unit must be a finite number, got inf"),
        ("unit = 1.0", "unit = nan", r"unit must be a finite number, got nan"),
        ("unit = 1.0", 'unit = "lots"', r"unit must be a number, got 'lots'"),
        ("unit = 1.0", "unit = 0", r"unit must be positive"),
        ("year = 2009", "year = 20.5", r"year must be a year such as 2021"),
        ("[roles]", "tolerance = 0.01\n\n[roles]", r"tolerance must be a table \[tolerance\]"),
        ("[roles]", "tolerance = -1\n\n[roles]", r"tolerance must be a table"),
        (
            "[roles]",
            '[tolerance]\nrelative = "tiny"\n\n[roles]',
            r"tolerance.relative must be a number, got 'tiny'",
        ),
        (
            "[roles]",
            "[tolerance]\nrelative = nan\n\n[roles]",
            r"tolerance.relative must be a finite number, got nan",
        ),
        (
            "[roles]",
            "[tolerance]\nabsolute = -1\n\n[roles]",
            r"tolerance.absolute = -1 must be ≥ 0",
        ),
        (
            "propensity_to_consume = 0.8",
            'propensity_to_consume = "0,8"',
            r"closure.propensity_to_consume must be a number, got '0,8'; write decimals "
            r"with a point",
        ),
        ("wage_share = 0.8", "wage_share = 8", r"closure.wage_share = 8.0 must lie in \(0, 1\]"),
    ],
)
def test_bad_manifest_values(folder, old, new, message):
    edit(folder / "table.toml", old, new)
    with pytest.raises(TableError, match=rf"table.toml: {message}"):
        load_table(folder)


def test_manifest_without_id_takes_the_folder_name(folder):
    edit(folder / "table.toml", 'id = "two-sector"\n', "")
    assert load_table(folder).meta.id == "table"


def test_huge_flows_overflow(folder):
    edit(folder / "Z.csv", "agriculture,150,500", "agriculture,1e308,1e308")
    with pytest.raises(TableError, match=r"row total of sector agriculture overflows"):
        load_table(folder)


def test_semicolons_and_decimal_commas(folder):
    (folder / "Z.csv").write_text(
        "code;agriculture;manufacturing\nagriculture;150,0;500,0\nmanufacturing;200,0;100,0\n"
    )
    with pytest.raises(
        TableError, match=r"Z.csv: the columns are separated by semicolons; the generic format"
    ):
        load_table(folder)


def test_decimal_comma_in_a_cell(folder):
    edit(folder / "Z.csv", "agriculture,150,500", 'agriculture,"150,5",500')
    with pytest.raises(TableError, match=r"holds '150,5', not a number.*decimals with a point"):
        load_table(folder)


def test_ragged_row(folder):
    edit(folder / "Z.csv", "agriculture,150,500", "agriculture,150,500,7")
    with pytest.raises(TableError, match=r"Z.csv: row 2 has 4 cells but the header row has 3"):
        load_table(folder)


def test_excel_bom_is_accepted(folder):
    text = (folder / "Z.csv").read_text()
    (folder / "Z.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_table(folder).n == 2


def test_whole_unit_rounding_passes_the_default_tolerance(folder):
    """A table published in whole units: a gap of 1 (relative 2.3e-6 here) is rounding, not an
    error, when table.toml states no absolute tolerance."""
    table = "\n".join(
        [
            "code,a,b",
            "a,100000,50000",
            "b,30000,20000",
        ]
    )
    (folder / "Z.csv").write_text(table + "\n")
    (folder / "Y.csv").write_text("code,households,other\na,200000,85952\nb,300000,85952\n")
    (folder / "V.csv").write_text(
        "row,a,b\nlabour,200000,250000\nsurplus,105953,115952\nimports,0,0\ntaxes,0,0\n"
    )
    (folder / "employment.csv").unlink()
    got = load_table(folder)  # column a: 435,953 against output 435,952
    assert got.x[0] == 435952
    edit(folder / "table.toml", "[roles]", "[tolerance]\nabsolute = 0\n\n[roles]")
    with pytest.raises(TableError, match=r"column identity fails for sector a.*gap \+1.000"):
        load_table(folder)


def test_type_one_needs_no_closure(folder):
    text = (folder / "table.toml").read_text()
    (folder / "table.toml").write_text(text.split("[closure]")[0])
    runner = CliRunner()
    result = runner.invoke(main, ["multipliers", str(folder), "--type", "I"])
    assert result.exit_code == 0, result.output
    assert "1.518" in result.output
    result = runner.invoke(main, ["multipliers", str(folder), "--type", "I", "--format", "json"])
    assert result.exit_code == 0 and '"output_type2": null' in result.output
    clean_line(runner.invoke(main, ["multipliers", str(folder)]), "needs", "--closure textbook")


# ---------------------------------------------------------------------------- command line
@pytest.mark.parametrize(
    "args,fragments",
    [
        (["validate", "/dev/null"], ["/dev/null: not a table folder or an .xlsx workbook"]),
        (["multipliers", "rosstat-2021", "--sectors", "07.2,07.2"], ["'07.2' is given twice"]),
        (["multipliers", "rosstat-2021", "--sectors", "07.2,010"], ["'010' is given twice"]),
        (["multipliers", "rosstat-2021", "--sectors", ",,,"], ["names no sector"]),
        (["run", "kola", "kola"], ["kola: centre named twice"]),
        (["run", "../shocks/kola"], ["a centre is named by its id"]),
        (["report", "kola", "kola"], ["kola: centre named twice"]),
    ],
)
def test_cli_refusals(args, fragments):
    clean_line(CliRunner().invoke(main, args), *fragments)


def test_out_below_a_file_is_refused_before_the_work(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    import iomodel.cli

    def boom(*args, **kwargs):  # the computation must not start
        raise AssertionError("computed before checking the destination")

    monkeypatch.setattr(iomodel.cli, "_run", boom)
    for args in (["run"], ["report", "kola"]):
        result = CliRunner().invoke(main, [*args, "--out", str(blocker / "sub")])
        clean_line(result, "is a file; choose another --out")


def test_unwritable_out_is_refused(tmp_path, monkeypatch):
    import iomodel.export

    locked = tmp_path / "locked"
    locked.mkdir()
    # root may write anywhere, so the permission check itself is made to say no
    monkeypatch.setattr(iomodel.export.os, "access", lambda path, mode: Path(path) != locked)
    clean_line(CliRunner().invoke(main, ["run", "--out", str(locked / "x")]), "not writable")


def test_an_unexpected_error_is_one_line_and_shows_with_debug(monkeypatch):
    import iomodel.readers

    monkeypatch.setenv("IOMODEL_NO_CACHE", "1")  # no saved answer: the command must compute

    def broken(ref):
        raise ZeroDivisionError("simulated defect")

    monkeypatch.setattr(iomodel.readers, "load_table", broken)
    result = CliRunner().invoke(main, ["validate", "rosstat-2021"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "internal error (ZeroDivisionError: simulated defect)" in result.output
    debug = CliRunner().invoke(main, ["--debug", "validate", "rosstat-2021"])
    assert isinstance(debug.exception, ZeroDivisionError)


def test_variant_names_cannot_become_paths(kola):
    text = kola.read_text(encoding="utf-8")
    block = text[text.index("[variants.central]") :]
    block = block[: block.index("\n[", 1)].replace(
        "[variants.central]", '[variants."../../central"]'
    )
    kola.write_text(text + "\n" + block + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"variant name '../../central' must use only a-z"):
        Scenario.load(kola)


def test_repeated_questions_are_answered_from_the_cache(tmp_path, monkeypatch):
    """A shipped table's multipliers asked twice: the second answer is the saved text, keyed by
    the table's files; a changed file, or a damaged entry, is computed again."""
    import iomodel.readers

    monkeypatch.setenv("IOMODEL_CACHE_DIR", str(tmp_path / "cache"))
    home = tmp_path / "home"
    shutil.copytree(ROOT / "tables", home / "tables")
    monkeypatch.setenv("IOMODEL_HOME", str(home))
    args = ["multipliers", "rosstat-2021", "--format", "csv", "--sectors", "07.2,28"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    (entry,) = (tmp_path / "cache" / "answers").glob("*.txt")
    computed = []
    real = iomodel.readers.load_table
    monkeypatch.setattr(
        iomodel.readers, "load_table", lambda ref: computed.append(ref) or real(ref)
    )
    assert CliRunner().invoke(main, args).output == first.output and computed == []
    entry.write_text(entry.read_text().replace("07.2", "99.9"))  # damaged: checksum fails
    assert CliRunner().invoke(main, args).output == first.output and len(computed) == 1
    edit(
        home / "tables" / "rosstat-2021" / "table.toml",
        "propensity_to_consume = 0.82",
        "propensity_to_consume = 0.7",
    )
    changed = CliRunner().invoke(main, args)
    assert len(computed) == 2 and changed.output != first.output
