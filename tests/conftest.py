"""Shared fixtures: the Miller & Blair two-sector example and the shipped Rosstat table."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# parsed tables are cached under the user's cache folder; the tests keep theirs apart
if not os.environ.get("IOMODEL_CACHE_DIR"):
    _CACHE = tempfile.mkdtemp(prefix="iomodel-test-cache-")
    os.environ["IOMODEL_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

from iomodel.readers import load_table

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "two-sector"
ROSSTAT_WORKBOOK = ROOT / "tables" / "rosstat-2021" / "raw" / "baz_tzv-2021.xlsx"


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a text file (which must contain it) with ``new``."""
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="session")
def miller_blair():
    """Miller & Blair (2009), *Input-Output Analysis*, 2nd ed., ch. 2, Table 2.3.

    Z = [[150, 500], [200, 100]], f = [350, 1700], x = [1000, 2000]; labour-income coefficients
    0.3 and 0.25 (section 2.3).  Published results used in the tests: A = [[.15, .25], [.2, .05]],
    L = [[1.2541, 0.3300], [0.2640, 1.1221]], output multipliers 1.5181 and 1.4521, and for the
    new final demand f = [600, 1500]: x = [1247.5, 1841.6] and labour income [374.25, 460.4].
    """
    return load_table(EXAMPLE)


@pytest.fixture(scope="session")
def rosstat():
    """The shipped Rosstat 2021 symmetric table of domestic products."""
    return load_table("rosstat-2021")


@pytest.fixture(scope="session")
def rosstat2016():
    """The shipped Rosstat 2016 symmetric table of domestic products (98 OKPD 2007 products)."""
    return load_table("rosstat-2016")


@pytest.fixture(scope="session")
def rosstat2011():
    """The shipped Rosstat 2011 symmetric table of domestic products (126 OKPD 2007 products)."""
    return load_table("rosstat-2011")


@pytest.fixture(scope="session")
def projected2024(rosstat):
    """The 2021 table projected to 2024 with GVA by OKVED2 section (and 2024 employment)."""
    from iomodel.projection import project_table
    from iomodel.readers.national_accounts import load_employment_by_section, load_gva_by_section

    return project_table(
        rosstat,
        2024,
        load_gva_by_section(),
        employment=load_employment_by_section()[2024] * 1000.0,
    )


@pytest.fixture(scope="session")
def kola_run():
    """Kola, central variant, on the shipped table (Type II, regional step): one solve shared by
    the tests that need a real run of one centre."""
    from iomodel.pipeline import run_centres

    return run_centres(["kola"], variants=["central"])
