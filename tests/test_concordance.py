"""Centre scenarios on the 2016 and 2011 tables: the OKPD2 → OKPD 2007 concordance of products.

The scenarios name Rosstat 2021 (OKPD2) products; on the older tables each operation product is
translated by ``okpd2_concordance.toml`` (``[scenario_products]``) or refused with its reason.
``[bridge_products]`` documents where each product of the 2021 bridge went in the older bridges;
the test below checks the two bridges against it.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace

import numpy as np
import pytest

from iomodel.errors import ScenarioError
from iomodel.impact import run_impact
from iomodel.pipeline import prices_dir, shocks_dir
from iomodel.prices import load_prices
from iomodel.scenario import load_scenarios
from iomodel.shock import build_shock, load_bridge, load_product_map

from .conftest import ROOT

OLDER = ["rosstat2016", "rosstat2011"]


@pytest.fixture(scope="module")
def prices():
    return load_prices(prices_dir())


@pytest.fixture(scope="module")
def scenarios():
    return load_scenarios(shocks_dir())


def _bridge(table):
    return load_bridge(table.meta.path.parent / "bridge.toml", table)


@pytest.mark.parametrize("fixture", OLDER)
def test_every_shipped_centre_runs_on_the_older_tables(fixture, request, prices, scenarios):
    """Each operation product lands on the product the concordance names — not on the older
    table's own product of the same code (OKPD 2007 20 is wood, 24.4 pharmaceuticals)."""
    table = request.getfixturevalue(fixture)
    bridge = _bridge(table)
    assert bridge.products is not None
    shocks = [build_shock(s, table, bridge, prices, ["central"]) for s in scenarios]
    ds = run_impact(table, shocks, "I")
    new = ds.output.sel(phase="operation", effect="direct", variant="central").sum(
        ["centre", "year"]
    )
    sold = {bridge.products.to[p.product] for s in scenarios for p in s.operation.products}
    assert sold == {"13.2", "14", "24.1"}
    assert float(new.sel(sector=sorted(sold)).sum()) > 0
    wrong = [c for c in ("20", "20.1", "24.4") if c in ds.sector.values]
    assert wrong and float(new.sel(sector=wrong).sum()) == 0.0


@pytest.mark.parametrize(
    ("fixture", "code", "words"),
    [
        ("rosstat2016", "09", "mining support services"),
        ("rosstat2011", "09", "mining support services"),
        ("rosstat2011", "28", "five products"),
        ("rosstat2011", "24.1-24.3", "three products"),
    ],
)
def test_a_product_without_one_counterpart_is_refused_with_its_reason(
    fixture, code, words, request, prices, scenarios
):
    table = request.getfixturevalue(fixture)
    kola = next(s for s in scenarios if s.id == "kola")
    product = replace(kola.operation.products[0], product=code)
    changed = replace(kola, operation=replace(kola.operation, products=(product,)))
    with pytest.raises(ScenarioError) as err:
        build_shock(changed, table, _bridge(table), prices, ["central"])
    text = str(err.value)
    assert "kola.toml" in text and repr(code) in text and words in text
    assert table.meta.id in text and "okpd2_concordance.toml" in text


def test_a_product_missing_from_the_concordance_is_refused(rosstat2016, prices, scenarios):
    kola = next(s for s in scenarios if s.id == "kola")
    product = replace(kola.operation.products[0], product="13.2")  # an OKPD 2007 code
    changed = replace(kola, operation=replace(kola.operation, products=(product,)))
    with pytest.raises(ScenarioError, match=r"'13.2' \(a rosstat-2021 code\) has no counterpart"):
        build_shock(changed, rosstat2016, _bridge(rosstat2016), prices, ["central"])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            'from_table = "rosstat-2021"\n[scenario_products."07.2"]\nto = "07.2"\nbasis = "x"\n',
            "is not a product of rosstat-2016",
        ),
        ('from_table = "rosstat-2021"\n[scenario_products."07.2"]\nto = "13.2"\n', "needs basis"),
        (
            'from_table = "rosstat-2021"\n[scenario_products."07.2"]\nto = "13.2"\nrefused = "x"\n',
            "needs either to",
        ),
        ('[scenario_products."07.2"]\nto = "13.2"\nbasis = "x"\n', "needs from_table"),
        ("from_table = [", "not valid TOML"),
    ],
)
def test_a_malformed_concordance_is_refused(tmp_path, rosstat2016, text, problem):
    path = tmp_path / "okpd2_concordance.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=problem):
        load_product_map(path, rosstat2016)


def _weights(path) -> dict[str, dict[str, float]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        f"{block}.{item}": {code: float(w) for code, w in weights.items()}
        for block in ("capex", "opex")
        for item, weights in data[block].items()
    }


@pytest.mark.parametrize("year", [2016, 2011])
def test_older_bridges_follow_the_documented_concordance(year):
    """In every purpose and cost item, the 2021 products and the older products that the
    concordance links form groups; each group carries the same weight in both bridges."""
    concordance = tomllib.loads(
        (ROOT / "tables" / f"rosstat-{year}" / "okpd2_concordance.toml").read_text()
    )["bridge_products"]
    new = _weights(ROOT / "tables" / "rosstat-2021" / "bridge.toml")
    old = _weights(ROOT / "tables" / f"rosstat-{year}" / "bridge.toml")
    assert set(new) == set(old)
    assert {c for item in new.values() for c in item} <= set(concordance)
    for item, weights in new.items():
        # groups: connected components of the 2021 products with weight here and their images
        groups: list[tuple[set[str], set[str]]] = []
        for code in weights:
            images = set(concordance[code])
            linked = [g for g in groups if g[1] & images]
            merged = ({code}, images)
            for g in linked:
                groups.remove(g)
                merged = (merged[0] | g[0], merged[1] | g[1])
            groups.append(merged)
        covered = set().union(*(g[1] for g in groups))
        assert set(old[item]) <= covered, (item, set(old[item]) - covered)
        for sources, images in groups:
            np.testing.assert_allclose(
                sum(old[item].get(c, 0.0) for c in images),
                sum(weights[c] for c in sources),
                atol=1e-12,
                err_msg=f"{year} {item}: {sorted(sources)} → {sorted(images)}",
            )


def test_a_centre_report_on_an_older_table_names_the_products_it_used(rosstat, rosstat2016):
    """The report's product table shows the scenario's 2021 code and the older table's product
    it was translated to (its label is that product's), and the code alone on the 2021 table."""
    from iomodel.report._centre import product_codes

    older = _bridge(rosstat2016).products
    assert product_codes(older, "20") == ("20 → 24.1", "24.1")
    assert product_codes(older, "07.2") == ("07.2 → 13.2", "13.2")
    assert product_codes(_bridge(rosstat).products, "20") == ("20", "20")
