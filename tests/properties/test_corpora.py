"""Generated corpora of broken input: valid files mutated at random (hypothesis).

The property, for scenarios and tables alike: loading a mutated file gives either a valid result
or an :class:`~iomodel.errors.IOModelError` whose message names the file — never another
exception.  A valid result must work downstream: a scenario builds a shock, a table gives finite
multipliers.  The command line turns the same inputs into exit code 0, or 1 with one line.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iomodel.cli import main
from iomodel.errors import IOModelError
from iomodel.multipliers import multiplier_table
from iomodel.readers import load_table
from iomodel.scenario import Scenario

from ..conftest import EXAMPLE, ROOT

MINI = ROOT / "tests" / "data" / "mini.toml"
KOLA = ROOT / "shocks" / "kola.toml"

#: Values a careless or hostile hand types where a number, a word or a list belongs.
TOKENS = [
    "inf",
    "-inf",
    "nan",
    "1e400",
    "-1",
    "0",
    "1e30",
    "1e308",
    "-0.0",
    "0,8",
    '"0.8"',
    '"tiny"',
    '""',
    "true",
    "[]",
    "[1, 2]",
    "{}",
    '"$ {x} \\\\alpha 50%"',
    '"<b>&</b>"',
    "2021-01-01",
    "9999",
    '"../../etc/passwd"',
]
CELLS = ["", "nan", "inf", "-5", "1e308", "1,5", "abc", "0x10", " 7 ", '"3"', "1e-320", "-0"]


def _mutate_lines(text: str, ops: list[tuple[str, int, int, str]]) -> str:
    """Apply ``ops`` to the lines of ``text``: drop, duplicate, swap, replace a value, cut."""
    lines = text.splitlines()
    for op, i, j, token in ops:
        if not lines:
            break
        i, j = i % len(lines), j % len(lines)
        if op == "drop":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "value" and "=" in lines[i]:
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {token}"
        elif op == "cut":
            lines[i] = lines[i][: j % (len(lines[i]) + 1)]
    return "\n".join(lines) + "\n"


line_ops = st.lists(
    st.tuples(
        st.sampled_from(["drop", "duplicate", "swap", "value", "value", "value", "cut"]),
        st.integers(0, 10_000),
        st.integers(0, 10_000),
        st.sampled_from(TOKENS),
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def shock_inputs(rosstat):
    from iomodel.prices import load_prices
    from iomodel.shock import load_bridge

    return (
        rosstat,
        load_bridge(ROOT / "tests" / "data" / "bridge.toml", rosstat),
        load_prices(ROOT / "tables" / "prices"),
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=line_ops, source=st.sampled_from([MINI, KOLA]))
def test_mutated_scenarios_load_cleanly_or_are_refused(ops, source, shock_inputs):
    from iomodel.shock import build_shock

    text = _mutate_lines(source.read_text(encoding="utf-8"), ops)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / source.name
        path.write_text(text, encoding="utf-8")
        try:
            scenario = Scenario.load(path)
        except IOModelError as exc:
            assert str(path) in str(exc) and "\n" not in str(exc)
            return
        table, bridge, prices = shock_inputs
        try:
            shock = build_shock(scenario, table, bridge, prices)
        except IOModelError as exc:
            assert str(path) in str(exc)
            return
        assert np.all(np.isfinite(shock.demand.values))


def _table_ops() -> st.SearchStrategy:
    cell = st.tuples(
        st.just("cell"),
        st.sampled_from(["Z.csv", "Y.csv", "V.csv", "employment.csv"]),
        st.integers(0, 100),
        st.sampled_from(CELLS),
    )
    line = st.tuples(
        st.sampled_from(["drop", "duplicate", "swap", "cut", "semicolons", "empty"]),
        st.sampled_from(["Z.csv", "Y.csv", "V.csv", "employment.csv"]),
        st.integers(0, 100),
        st.just(""),
    )
    manifest = st.tuples(
        st.just("manifest"), st.just("table.toml"), st.integers(0, 100), st.sampled_from(TOKENS)
    )
    return st.lists(st.one_of(cell, line, manifest), min_size=1, max_size=4)


def _apply(folder: Path, ops) -> None:
    for op, name, k, token in ops:
        path = folder / name
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        if op == "cell":
            cells = [
                (r, c)
                for r, line in enumerate(lines[1:], 1)
                for c in range(1, len(line.split(",")))
            ]
            if cells:
                r, c = cells[k % len(cells)]
                parts = lines[r].split(",")
                parts[c] = token
                lines[r] = ",".join(parts)
            text = "\n".join(lines) + "\n"
        elif op == "manifest":
            text = _mutate_lines(text, [("value", k, 0, token)])
        elif op == "semicolons":
            text = text.replace(",", ";")
        elif op == "empty":
            text = ""
        else:
            text = _mutate_lines(text, [(op, k, k + 1, "")])
        path.write_text(text, encoding="utf-8")


@settings(max_examples=150, deadline=None)
@given(ops=_table_ops())
def test_mutated_tables_load_cleanly_or_are_refused(ops):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "table"
        shutil.copytree(EXAMPLE, folder)
        _apply(folder, ops)
        try:
            table = load_table(folder)
            frame = multiplier_table(table, "textbook")
        except IOModelError as exc:
            assert re.search(
                rf"{re.escape(str(folder))}/(table.toml|[ZYV].csv|employment.csv)", str(exc)
            ), exc
            assert "\n" not in str(exc)
            return
        type1 = frame[[c for c in frame.columns if c.endswith("type1")]].to_numpy(float)
        active = table.x != 0
        assert np.all(np.isfinite(type1[active][:, :2]))  # output and value added


@settings(max_examples=40, deadline=None)
@given(ops=_table_ops(), command=st.sampled_from(["validate", "multipliers", "sectors"]))
def test_cli_on_mutated_tables_answers_in_one_line(ops, command):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "table"
        shutil.copytree(EXAMPLE, folder)
        _apply(folder, ops)
        result = CliRunner().invoke(main, [command, str(folder)])
        if result.exit_code == 0:
            return
        assert result.exit_code == 1, result.output
        text = result.output.strip()
        assert text.startswith("Error: ") and "\n" not in text and "internal error" not in text
