"""Regional data: GVA by OKVED2 section for every subject of the RF, and the regionalisation
settings (``tables/regional/``, format in its PROVENANCE.md).

Files, all UTF-8 CSV with a header row:

* ``regions.csv`` — ``id`` (lower-case ascii, ``a-z0-9_``), ``name_ru``, ``name_en``,
  ``rosstat_label``, ``federal_district_2021``; one row per region, the regions partition Russia;
* ``gva_structure.csv`` — ``region``, ``year`` and one column per section ``A`` … ``T``: percent
  of the region's GVA at basic prices (rows sum to 100); region ``russia`` is Rosstat's own total
  row, kept for reference;
* ``grp.csv`` — ``region``, ``year``, ``grp_mn_rub`` (gross regional product, million roubles,
  current prices);
* ``regionalisation.toml`` — default ``method``, ``delta``, ``delta_sensitivity``, ``year``.

Everything is checked when read; a bad file raises :class:`~iomodel.errors.RegionError` naming
the file, the row (region and year) or column, and the fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import RegionError
from ..regional import METHODS, Regionalisation, regionalise
from ..table import IOTable

__all__ = [
    "SECTIONS",
    "RegionalData",
    "RegionalSettings",
    "load_regional",
    "regional_dir",
    "regionalise_table",
]

SECTIONS: tuple[str, ...] = tuple("ABCDEFGHIJKLMNOPQRST")
NATION = "russia"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_REGION_COLUMNS = ("id", "name_ru", "name_en", "rosstat_label", "federal_district_2021")


@dataclass(frozen=True)
class RegionalSettings:
    """Default regionalisation method and δ, with the δ values for sensitivity runs."""

    method: str
    delta: float
    delta_source: str
    delta_sensitivity: tuple[float, ...]
    year: int


@dataclass(frozen=True, eq=False)
class RegionalData:
    """Validated regional data (read-only frames).

    ``regions`` is indexed by id; ``structure`` (percent of GVA by section) and ``grp`` (million
    roubles) are indexed by (region, year).
    """

    path: Path
    regions: pd.DataFrame
    structure: pd.DataFrame
    grp: pd.Series
    settings: RegionalSettings

    @property
    def ids(self) -> list[str]:
        """Region ids in file order."""
        return list(self.regions.index)

    @property
    def years(self) -> list[int]:
        """Years with data for every region."""
        return sorted({int(y) for _, y in self.grp.index})

    @cached_property
    def _names(self) -> dict[str, str]:
        names = {}
        for column in ("name_ru", "name_en", "rosstat_label"):
            names.update({_key(v): str(rid) for rid, v in self.regions[column].items()})
        names.update({_key(rid): str(rid) for rid in self.regions.index})
        return names

    def resolve(self, name: str) -> str:
        """The id of a region given by id, Russian or English name (case-insensitive)."""
        rid = self._names.get(_key(name))
        if rid is None:
            raise RegionError(
                f"{self.path}: unknown region {name!r}; valid ids are: {', '.join(self.ids)} "
                "(Russian and English names in regions.csv are accepted too)"
            )
        return rid

    def section_gva(self, year: int) -> pd.DataFrame:
        """GVA by section (million roubles, current prices): regions × sections.

        Level = GRP × structure percent / 100 (GRP equals GVA at basic prices in Rosstat's
        regional accounts).
        """
        if year not in self.years:
            raise RegionError(
                f"{self.path}: no regional data for {year}; years available: "
                f"{', '.join(map(str, self.years))}"
            )
        shares = self.structure.xs(year, level="year").loc[self.ids]
        grp = self.grp.xs(year, level="year").loc[self.ids]
        return shares.mul(grp, axis=0) / 100.0

    def national_gva(self, year: int) -> pd.Series:
        """GVA by section of Russia as the sum of all regions (million roubles)."""
        return self.section_gva(year).sum(axis=0)


def _key(name: object) -> str:
    return " ".join(str(name).split()).casefold()


def regional_dir() -> Path:
    """The shipped regional data folder."""
    from . import tables_dir

    return tables_dir() / "regional"


def load_regional(folder: str | Path | None = None) -> RegionalData:
    """Read and check the regional data in ``folder`` (default: the shipped ``tables/regional``)."""
    path = Path(folder) if folder is not None else regional_dir()
    files = [path / n for n in ("regions.csv", "gva_structure.csv", "grp.csv")]
    files.append(path / "regionalisation.toml")
    stamp = tuple(f.stat().st_mtime if f.exists() else 0.0 for f in files)
    return _load(path.resolve(), stamp)


@lru_cache(maxsize=4)
def _load(path: Path, stamp: tuple[float, ...]) -> RegionalData:
    regions = _read_regions(path / "regions.csv")
    ids = list(regions.index)
    structure = _read_structure(path / "gva_structure.csv", ids)
    grp = _read_grp(path / "grp.csv", ids)
    s_years = {int(y) for r, y in structure.index if r != NATION}
    g_years = {int(y) for _, y in grp.index}
    if s_years != g_years:
        raise RegionError(
            f"{path}: gva_structure.csv has years {sorted(s_years)} but grp.csv has "
            f"{sorted(g_years)}; give both files the same years"
        )
    settings = _read_settings(path / "regionalisation.toml", sorted(g_years))
    return RegionalData(path, regions, structure, grp, settings)


def _csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    if not path.exists():
        raise RegionError(
            f"{path}: file missing; the regional data folder needs it (see PROVENANCE.md)"
        )
    frame = pd.read_csv(path, dtype={"id": str, "region": str}, keep_default_na=True)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise RegionError(
            f"{path}: missing column(s) {', '.join(missing)}; the file needs {', '.join(required)}"
        )
    return frame


def _read_regions(path: Path) -> pd.DataFrame:
    frame = _csv(path, _REGION_COLUMNS)
    for i, row in frame.iterrows():
        bad = [c for c in _REGION_COLUMNS if pd.isna(row[c]) or not str(row[c]).strip()]
        if bad:
            raise RegionError(f"{path}: row {i + 2} has an empty {', '.join(bad)}; fill it in")
        if not _ID.match(str(row["id"])) or row["id"] == NATION:
            raise RegionError(
                f"{path}: row {i + 2}: id {row['id']!r} must be lower-case ascii letters, digits "
                f"and '_' (and not {NATION!r}, which names the national total)"
            )
    dup = frame["id"][frame["id"].duplicated()].tolist()
    if dup:
        raise RegionError(f"{path}: duplicate region id(s) {dup}; each region needs one row")
    return frame.set_index("id")[list(_REGION_COLUMNS[1:])]


def _keyed(path: Path, frame: pd.DataFrame, ids: list[str], allow_nation: bool) -> pd.DataFrame:
    valid = set(ids) | ({NATION} if allow_nation else set())
    unknown = sorted(set(frame["region"]) - valid)
    if unknown:
        raise RegionError(
            f"{path}: unknown region id(s) {unknown}; valid ids are: {', '.join(ids)}"
            + (f" (and {NATION} for the national total)" if allow_nation else "")
        )
    if frame["year"].isna().any() or not np.all(np.mod(frame["year"].astype(float), 1) == 0):
        raise RegionError(f"{path}: every row needs an integer year")
    frame = frame.assign(year=frame["year"].astype(int))
    dup = frame[frame.duplicated(["region", "year"])]
    if len(dup):
        r = dup.iloc[0]
        raise RegionError(f"{path}: region {r['region']} appears twice for {r['year']}")
    for year, block in frame.groupby("year"):
        missing = sorted(set(ids) - set(block["region"]))
        if missing:
            raise RegionError(
                f"{path}: year {year} has no row for region(s) {missing[:8]}; every region "
                "needs every year"
            )
    return frame.set_index(["region", "year"]).sort_index()


def _check_values(path: Path, frame: pd.DataFrame, what: str) -> None:
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(float)
    bad = np.argwhere(~np.isfinite(values))
    if bad.size:
        i, j = bad[0]
        (region, year), column = frame.index[i], frame.columns[j]
        raise RegionError(
            f"{path}: {what} of {region} in {year}, column {column}, is missing or not a "
            f"number ({frame.iat[i, j]!r}); give a number (0 if the section is empty)"
        )
    neg = np.argwhere(values < 0)
    if neg.size:
        i, j = neg[0]
        (region, year), column = frame.index[i], frame.columns[j]
        raise RegionError(
            f"{path}: {what} of {region} in {year}, column {column}, is negative "
            f"({values[i, j]:g}); it must be ≥ 0"
        )


def _read_structure(path: Path, ids: list[str]) -> pd.DataFrame:
    frame = _csv(path, ("region", "year", *SECTIONS))
    frame = _keyed(path, frame[["region", "year", *SECTIONS]], ids, allow_nation=True)
    _check_values(path, frame, "GVA share")
    frame = frame.astype(float)
    total = frame.sum(axis=1)
    off = total[(total - 100).abs() > 1.0]
    if len(off):
        (region, year), value = off.index[0], off.iloc[0]
        raise RegionError(
            f"{path}: the section shares of {region} in {year} sum to {value:.2f} %, not 100; "
            "check the row"
        )
    return frame


def _read_grp(path: Path, ids: list[str]) -> pd.Series:
    frame = _csv(path, ("region", "year", "grp_mn_rub"))
    frame = _keyed(path, frame[["region", "year", "grp_mn_rub"]], ids, allow_nation=False)
    _check_values(path, frame, "GRP")
    grp = frame["grp_mn_rub"].astype(float)
    if (grp <= 0).any():
        region, year = grp[grp <= 0].index[0]
        raise RegionError(f"{path}: GRP of {region} in {year} is zero; it must be positive")
    return grp


def _read_settings(path: Path, years: list[int]) -> RegionalSettings:
    if not path.exists():
        raise RegionError(f"{path}: file missing; it sets the default method and δ")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegionError(f"{path}: not valid TOML ({exc})") from None
    try:
        method = str(data["method"])
        delta = float(data["delta"])
        sensitivity = tuple(float(d) for d in data.get("delta_sensitivity", [delta]))
        year = int(data["year"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RegionError(
            f"{path}: needs method (text), delta (number), year (integer) and "
            f"delta_sensitivity (list of numbers): {exc}"
        ) from None
    if method not in METHODS:
        raise RegionError(
            f"{path}: method {method!r} is unknown; choose one of {', '.join(METHODS)}"
        )
    for d in (delta, *sensitivity):
        if not 0 <= d < 1:
            raise RegionError(f"{path}: δ = {d} is outside [0, 1)")
    if year not in years:
        raise RegionError(f"{path}: year {year} has no regional data (years: {years})")
    return RegionalSettings(method, delta, str(data.get("delta_source", "")), sensitivity, year)


def regionalise_table(
    table: IOTable,
    regions: list[str] | str,
    *,
    data: RegionalData | None = None,
    method: str | None = None,
    delta: float | None = None,
    year: int | None = None,
    absent: np.ndarray | None = None,
) -> Regionalisation:
    """Regionalise ``table`` for one or more regions (names or ids) with the regional data.

    Defaults (method, δ, year) come from ``regionalisation.toml``.  Each product takes the
    quotient of its OKVED2 section (the ``okved2_section`` column of the table's sectors);
    ``absent`` marks products the regions do not make (see :func:`iomodel.regional.regionalise`).
    """
    data = data or load_regional()
    names = [regions] if isinstance(regions, str) else list(regions)
    ids = [data.resolve(r) for r in names]
    if len(set(ids)) != len(ids):
        raise RegionError(f"{data.path}: region(s) named twice in {names}")
    if "okved2_section" not in table.sectors.columns:
        raise RegionError(
            f"{table.meta.path}: the table's sectors.csv has no okved2_section column; "
            "regionalisation needs each product's OKVED2 section letter"
        )
    sections = table.sectors["okved2_section"].astype(str).tolist()
    year = data.settings.year if year is None else year
    gva = data.section_gva(year)
    method = method or data.settings.method
    if method not in METHODS:
        raise RegionError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    delta = data.settings.delta if delta is None else delta
    return regionalise(
        table.A,
        sections,
        gva.loc[ids].to_numpy(),
        data.national_gva(year).to_numpy(),
        list(SECTIONS),
        method=method,  # type: ignore[arg-type]
        delta=delta,
        absent=absent,
    )
