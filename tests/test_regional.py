"""Regionalisation: a worked example, the shipped regional data and its reader.

The worked example is CONSTRUCTED, not published: no numeric SLQ/CILQ/FLQ example with published
results could be found and read (Miller & Blair 2009 ch. 8 and the Flegg papers were not
available as text).  It takes the published national coefficients of Miller & Blair (2009),
*Input-Output Analysis*, 2nd ed., Table 2.3 (A = [[.15, .25], [.20, .05]]) and illustrative
regional data, and checks every number against the arithmetic written out in the docstrings,
which follows the formulas of Flegg, Webber & Elliott (1995, Regional Studies 29(6) 547–561),
Flegg & Webber (1997, Regional Studies 31(8) 795–805) and Flegg & Webber (2000, Regional
Studies 34(6) 563–569).
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import numpy as np
import numpy.testing as npt
import pytest

from iomodel import leontief
from iomodel import regional as R
from iomodel.errors import RegionError
from iomodel.readers.regional import SECTIONS, load_regional, regionalise_table

from .conftest import ROOT, edit

A_MB = np.array([[0.15, 0.25], [0.20, 0.05]])
NATIONAL_GVA = np.array([600.0, 1300.0])  # illustrative
REGIONAL_GVA = np.array([90.0, 100.0])  # illustrative: the region is 190/1900 = 10 % of the nation


def test_worked_example_location_quotients():
    """SLQ_1 = (90/190)/(600/1900) = 1.5; SLQ_2 = (100/190)/(1300/1900) = 10/13 = 0.769231.

    λ* = [log2(1 + 0.1)]^0.3 = 0.137504^0.3 = 0.551435.
    """
    slq = R.location_quotients(REGIONAL_GVA, NATIONAL_GVA)
    npt.assert_allclose(slq, [1.5, 10 / 13])
    npt.assert_allclose(R.flq_scale(0.1, 0.3), 0.551435, atol=1e-6)


def test_worked_example_regional_coefficients():
    """Regional coefficients r_ij = a_ij·min(q_ij, 1) by method.

    SLQ:  q = [[1.5, 1.5], [.769231, .769231]] → r_21 = .2·.769231 = .153846, r_22 = .038462.
    CILQ: q_12 = 1.5/.769231 = 1.95 (→ 1), q_21 = .769231/1.5 = .512821 (→ r_21 = .102564);
          diagonal = SLQ: q_11 = 1.5 (→ 1), q_22 = .769231 (→ r_22 = .038462).
    FLQ (δ = .3): q = .551435·CILQ = [[.827152, 1.075298], [.282787, .424181]]
          → r = [[.124073, .25], [.056557, .021209]].
    AFLQ: buyer 1 is specialised (SLQ 1.5 > 1): its column × log2(2.5) = 1.321928
          → q_11 = 1.093434 (→ 1), q_21 = .373824 → r_21 = .074765; column 2 as FLQ.
    """
    slq = R.location_quotients(REGIONAL_GVA, NATIONAL_GVA)
    expected = {
        "slq": [[0.15, 0.25], [0.153846, 0.038462]],
        "cilq": [[0.15, 0.25], [0.102564, 0.038462]],
        "flq": [[0.124073, 0.25], [0.056557, 0.021209]],
        "aflq": [[0.15, 0.25], [0.074765, 0.021209]],
    }
    for method, r in expected.items():
        q = R.quotients(slq, method, size=0.1, delta=0.3)
        npt.assert_allclose(R.regional_coefficients(A_MB, q), r, atol=5e-6, err_msg=method)


def test_worked_example_regional_multiplier():
    """SLQ regional output multipliers: I − r = [[.85, −.25], [−.153846, .961538]],
    det = .85·.961538 − .25·.153846 = .778846, column sums of (I − r)⁻¹ =
    (.961538 + .153846)/.778846 = 1.432099 and (.25 + .85)/.778846 = 1.412346 — below the
    national 1.5181 and 1.4521 (Miller & Blair Table 2.3)."""
    slq = R.location_quotients(REGIONAL_GVA, NATIONAL_GVA)
    r = R.regional_coefficients(A_MB, R.quotients(slq, "slq"))
    mult = leontief.leontief_inverse(r).sum(axis=0)
    npt.assert_allclose(mult, [1.432099, 1.412346], atol=1e-6)
    npt.assert_allclose(leontief.leontief_inverse(A_MB).sum(axis=0), [1.5181, 1.4521], atol=1e-4)


def test_worked_example_two_region_adds_up():
    """The region's imports from the rest of Russia become demand there; the sum is national.

    Shock: 100 of final demand for product 1 bought in the region, FLQ δ = .3: the region buys
    rpc_1 = min(.551435·1.5, 1) = .827152 of it locally, the rest (17.28) from the rest of Russia.
    """
    rg = R.regionalise(A_MB, ["a", "m"], REGIONAL_GVA, NATIONAL_GVA, ["a", "m"], "flq", 0.3)
    npt.assert_allclose(rg.rpc[0], [0.827152, 0.424181], atol=1e-6)
    npt.assert_allclose(rg.supply[0], [0.15, 10 / 13 * 0.1])  # SLQ × size
    demand = np.zeros((2, 2))
    demand[0, 0] = 100.0
    y = R.regional_demand(demand, rg.rpc, rg.supply)
    npt.assert_allclose(y, [82.7152, 0, 17.2848, 0], atol=1e-4)
    x = rg.factorization().solve(y)
    npt.assert_allclose(x[:2] + x[2:], leontief.factorize(A_MB).solve([100.0, 0.0]))
    # what the region produces is less than the national total, and the rest produces the rest
    assert 0 < x[:2].sum() < x.sum()


def test_diagonal_convention_and_same_section_block():
    """CILQ's diagonal (and, with sections, each same-section block) takes SLQ_i."""
    slq = np.array([2.0, 0.5, 0.5])
    q = R.quotients(slq, "cilq", groups=["X", "Y", "Y"])
    npt.assert_allclose(q, [[2.0, 4.0, 4.0], [0.25, 0.5, 0.5], [0.25, 0.5, 0.5]])
    q = R.quotients(slq, "cilq")  # without sections: the diagonal only
    npt.assert_allclose(np.diag(q), slq)
    assert q[1, 2] == 1.0


def test_absent_buyer_and_absent_section():
    """A section with no national GVA gets SLQ 0; a buyer absent from the region stays finite."""
    slq = R.location_quotients([1.0, 0.0, 0.0], [5.0, 5.0, 0.0])
    npt.assert_allclose(slq, [2.0, 0.0, 0.0])
    q = R.quotients(slq, "flq", groups=["a", "b", "c"], size=0.2, delta=0.3)
    assert np.all(np.isfinite(q))


def test_bad_parameters_refused():
    with pytest.raises(ValueError, match="unknown method"):
        R.quotients(np.ones(2), "lq")
    with pytest.raises(ValueError, match="needs the region's size"):
        R.quotients(np.ones(2), "flq")
    with pytest.raises(ValueError, match="δ must be"):
        R.flq_scale(0.1, 1.5)
    with pytest.raises(ValueError, match="share of the nation"):
        R.flq_scale(0.0, 0.3)
    with pytest.raises(ValueError, match="non-negative"):
        R.location_quotients([-1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="more than 1"):
        R.origin_shares(np.ones(1), 0, np.array([[0.7], [0.6]]))
    with pytest.raises(ValueError, match="sections"):
        R.regionalise(A_MB, ["a", "z"], REGIONAL_GVA, NATIONAL_GVA, ["a", "m"])


# --------------------------------------------------------------------------- shipped data
@pytest.fixture(scope="module")
def regional_data():
    return load_regional()


def test_shipped_regions_partition_russia(regional_data):
    """85 subjects; their GVA by section (GRP × percent) sums to Rosstat's 'Российская
    Федерация' row (the sum of subjects) within 0.2 percentage points: the largest gap found is
    0.15 (section C, 2018–2019), 0.06 in 2021 — rounding of the one-decimal percentages and,
    probably, GRP figures of a later vintage in VRP.xlsx (not verified)."""
    assert len(regional_data.ids) == 85
    assert regional_data.years == [2016, 2017, 2018, 2019, 2020, 2021, 2022]
    for year in regional_data.years:
        national = regional_data.national_gva(year)
        share = 100 * national / national.sum()
        published = regional_data.structure.loc[("russia", year)]
        npt.assert_allclose(share.to_numpy(), published.to_numpy(), atol=0.2)


def test_every_shipped_scenario_region_resolves(regional_data):
    for path in sorted((ROOT / "shocks").glob("*.toml")):
        if path.name == "TEMPLATE.toml":
            continue
        centre = tomllib.loads(path.read_text(encoding="utf-8"))["centre"]
        for ru, en in zip(centre["regions_ru"], centre["regions_en"]):
            assert regional_data.resolve(ru) == regional_data.resolve(en), path.name


def test_murmansk_figures(regional_data):
    """Murmansk oblast 2021: GRP 1,106,607.7 mn RUB; manufacturing 32.9 % against 17.1 % for
    Russia (raw/VRP.xlsx, raw/VRP_OKVED2_s2016.xlsx sheet 2021)."""
    gva = regional_data.section_gva(2021).loc["murmansk"]
    npt.assert_allclose(gva.sum(), 1_106_607.7, rtol=1e-12)
    npt.assert_allclose(gva["C"], 0.329 * 1_106_607.7)
    assert regional_data.structure.loc[("russia", 2021), "C"] == 17.1


def test_unknown_region_lists_valid_ids(regional_data):
    with pytest.raises(RegionError, match=r"unknown region .Атлантида.*tambov.*murmansk"):
        regional_data.resolve("Атлантида")
    assert regional_data.resolve("  murmansk oblast ") == "murmansk"
    with pytest.raises(RegionError, match="no regional data for 2024"):
        regional_data.section_gva(2024)


def test_regionalise_shipped_table(rosstat, regional_data):
    """Murmansk with the 2021 table: regional coefficients below national, sums national."""
    rg = regionalise_table(rosstat, "Мурманская область", data=regional_data)
    assert rg.method == "flq" and rg.delta == 0.3
    A = rosstat.A
    assert np.all(rg.regional[0] <= A + 1e-15)
    n = rosstat.n
    blocks = rg.M.reshape(2, n, 2, n)
    npt.assert_allclose(blocks.sum(axis=0)[:, 0], A, atol=1e-15)
    npt.assert_allclose(blocks.sum(axis=0)[:, 1], A, atol=1e-15)
    with pytest.raises(RegionError, match="valid ids"):
        regionalise_table(rosstat, "Kola", data=regional_data)


# --------------------------------------------------------------------------- bad files
@pytest.fixture
def regional_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "regional"
    folder.mkdir()
    for name in ("regions.csv", "gva_structure.csv", "grp.csv", "regionalisation.toml"):
        shutil.copy(ROOT / "tables" / "regional" / name, folder / name)
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "gva_structure.csv",
            "murmansk,2021,11.3",
            "murmansk,2021,",
            r"murmansk in 2021, column A.*missing",
        ),
        ("gva_structure.csv", "murmansk,2021,11.3", "murmansk,2021,-11.3", "negative"),
        (
            "gva_structure.csv",
            "murmansk,2021,",
            "atlantis,2021,",
            r"unknown region id\(s\) \['atlantis'\].*valid ids",
        ),
        ("gva_structure.csv", ",S,T\n", ",S,X\n", r"missing column\(s\) T"),
        ("gva_structure.csv", "murmansk,2021,11.3", "murmansk,2021,21.3", "sum to 110"),
        ("grp.csv", "murmansk,2021,", "murmansk,2020,", "appears twice"),
        ("grp.csv", "region,year,grp_mn_rub", "region,year,grp", "missing column"),
        ("regions.csv", "murmansk,", "Murmansk Oblast,", "lower-case"),
        ("regionalisation.toml", "delta = 0.3", "delta = 1.3", "outside"),
        ("regionalisation.toml", 'method = "flq"', 'method = "lq"', "unknown"),
    ],
)
def test_bad_regional_files_refused(regional_copy, file, old, new, message):
    edit(regional_copy / file, old, new)
    with pytest.raises(RegionError, match=message) as info:
        load_regional(regional_copy)
    assert file in str(info.value) or file == "regions.csv"


def test_missing_file_refused(regional_copy):
    (regional_copy / "grp.csv").unlink()
    with pytest.raises(RegionError, match=r"grp\.csv: file missing"):
        load_regional(regional_copy)


def test_sections_constant_matches_files(regional_data):
    assert list(regional_data.structure.columns) == list(SECTIONS)
