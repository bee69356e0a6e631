"""Multipliers at OKVED2 section level and the cross-year comparison."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from iomodel.cli import main
from iomodel.multipliers import multiplier_table
from iomodel.sections import compare_sections, section_multipliers, section_weights


@pytest.mark.parametrize("name", ["rosstat", "rosstat2016", "rosstat2011"])
def test_concordance_covers_every_product(name, request):
    t = request.getfixturevalue(name)
    np.testing.assert_allclose(t.section_shares.sum(axis=1), 1.0)
    used = set(t.section_shares.columns[t.section_shares.sum() > 0])
    assert used == set("ABCDEFGHIJKLMNOPQRST")  # U (extraterritorial) has no product
    w = section_weights(t)
    np.testing.assert_allclose(w.sum(), 1.0)


def test_section_multiplier_is_the_multiplier_of_the_sections_demand_mix(rosstat2016):
    """Identity: weighted by final demand, a section's output multiplier is total output per unit
    of a demand vector with the section's own final-demand mix (one Leontief solve)."""
    t = rosstat2016
    sections = section_multipliers(t, multiplier_table(t))
    for section in ("B", "C", "J"):
        share = t.section_shares[section].to_numpy()
        demand = np.clip(t.Y.sum(axis=1), 0, None) * share * (t.x > 0)
        out = t.factorization.solve(demand / demand.sum())
        assert sections.loc[section, "output_type1"] == pytest.approx(out.sum(), rel=1e-10)


def test_single_product_section_equals_its_product(rosstat):
    sections = section_multipliers(rosstat, multiplier_table(rosstat))
    products = multiplier_table(rosstat)
    # F is one product (41-43) and L one product (68) in 2021
    assert sections.loc["F", "output_type2"] == pytest.approx(products.loc["41-43", "output_type2"])
    assert sections.loc["L", "value_added_type1"] == pytest.approx(
        products.loc["68", "value_added_type1"]
    )


def test_compare_three_tables(rosstat, rosstat2016, rosstat2011):
    tables = [rosstat2011, rosstat2016, rosstat]
    frame = compare_sections(tables, [multiplier_table(t) for t in tables], "output_type1")
    assert list(frame.columns) == ["rosstat-2011", "rosstat-2016", "rosstat-2021"]
    assert frame.loc["T"].tolist() == [1.0, 1.0, 1.0]  # households as employers buy nothing
    assert (frame.drop("T") > 1.2).all().all() and (frame < 2.6).all().all()


def test_cli_compare_tables():
    result = CliRunner().invoke(
        main,
        [
            "multipliers",
            "--compare-tables",
            "rosstat-2011,rosstat-2016,rosstat-2021",
            "--level",
            "section",
            "--type",
            "I",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "by OKVED2 section, weighted by final demand" in lines[0]
    assert lines[1].split()[-3:] == ["rosstat-2011", "rosstat-2016", "rosstat-2021"]
    row_b = next(line for line in lines if line.startswith("B "))
    assert "Mining and quarrying" in row_b and len(row_b.split()) == 7
    csv = CliRunner().invoke(
        main,
        [
            "multipliers",
            "--compare-tables",
            "rosstat-2021",
            "--level",
            "section",
            "--format",
            "csv",
        ],
    )
    assert csv.exit_code == 0 and csv.output.startswith("table,section,output_type1")
    assert CliRunner().invoke(main, ["multipliers"]).exit_code != 0
