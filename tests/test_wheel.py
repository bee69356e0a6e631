"""A wheel install (not editable) runs `iomodel run` and `iomodel report` away from the source tree.

The wheel is built from this checkout (pip, build isolation; setuptools comes from the pip cache
or PyPI) and installed with ``--no-deps`` into a fresh virtual environment; that environment
reaches the libraries iomodel depends on through a path file pointing at the test environment's
site-packages, so nothing else is downloaded.  Every command runs in an empty folder with no
``IOMODEL_HOME``: tables, scenarios and report assets must come from the installed package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from iomodel.export import read_netcdf
from iomodel.report import format_number

from .conftest import ROOT

pypdf = pytest.importorskip("pypdf")


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("IOMODEL_HOME", "PYTHONPATH")}
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp), str(ROOT)],
        tmp,
        env,
    )
    (wheel,) = tmp.glob("iomodel-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "iomodel/tables/rosstat-2021/table.toml",
        "iomodel/tables/rosstat-2021/raw/baz_tzv-2021.xlsx",
        "iomodel/shocks/kola.toml",
        "iomodel/reports/templates/centre.html",
        "iomodel/reports/fonts/DejaVuSansCondensed.ttf",
    ):
        assert needed in names, f"{needed} is not in the wheel"
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp, env)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps"]
        + ["--no-index", str(wheel)],
        tmp,
        env,
    )
    return venv, env


def test_wheel_installs_its_data(installed, tmp_path):
    venv, env = installed
    where = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import iomodel, iomodel.resources as r; print(iomodel.__file__); "
            "print(r.tables_dir()); print(r.reports_dir())",
        ],
        tmp_path,
        env,
    ).split()
    assert all(Path(w).is_relative_to(venv) for w in where), where


def test_wheel_runs_and_reports(installed, tmp_path):
    venv, env = installed
    iomodel = str(venv / "bin" / "iomodel")
    _run([iomodel, "run", "kola", "--quiet", "--format", "netcdf", "--out", "out"], tmp_path, env)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["impact.nc"]
    # `iomodel report` solving by itself (no --from), the Dataset it was made from kept beside
    # the PDF and named in reports.json, the PDF's capex equal to that Dataset's
    out = _run(
        [iomodel, "report", "kola", "--lang", "en", "--workers", "1", "--draws", "0"]
        + ["--variant", "central", "--out", "reports"],
        tmp_path,
        env,
    )
    assert "1 report(s)" in out
    pdf = tmp_path / "reports" / "kola.en.pdf"
    assert pdf.stat().st_size > 10_000
    made_from = json.loads((tmp_path / "reports" / "reports.json").read_text(encoding="utf-8"))
    ds = read_netcdf(tmp_path / "reports" / made_from["kola.en.pdf"])
    assert list(ds.centre.values) == ["kola"]
    capex = float(ds["capex"].sel(centre="kola", variant="central").sum())
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages[:1])
    assert format_number(capex / 1e3, 1, "en") in text
