"""Map data for the comparison report's locator map (``tables/geo/``, see its PROVENANCE.md).

* ``regions.json`` — simplified outlines of the subjects of the RF, keyed by the ids of
  ``tables/regional/regions.csv``: ``{"regions": [{"id": ..., "polygons": [[[lon, lat], ...],
  ...]}, ...]}`` (longitude east of 180° written past 180);
* ``locations.toml`` — one ``[locations.<centre id>]`` per shipped centre: ``lat``, ``lon``,
  ``place_ru``, ``place_en``, ``kind`` and ``sources`` (ids of ``[[sources]]`` entries, each with
  ``text`` and ``text_ru``).

Everything is checked when read; a bad file raises :class:`~iomodel.errors.GeoError` naming the
file, the entry and what to fix.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import GeoError
from ..resources import tables_dir

__all__ = ["KINDS", "Location", "RegionShapes", "geo_dir", "load_locations", "load_regions"]

#: What a location's point stands for (the map legend names it).
KINDS = ("settlement", "district_centre", "regional_capital")


@dataclass(frozen=True)
class Location:
    """Where a centre is drawn: a settlement's coordinates (degrees, WGS 84)."""

    centre: str
    lat: float
    lon: float
    place_ru: str
    place_en: str
    kind: str
    sources: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class RegionShapes:
    """Outlines of regions: id → polygons, each an (n, 2) array of (lon, lat)."""

    path: Path
    source: str
    regions: dict[str, tuple[np.ndarray, ...]]


def geo_dir() -> Path:
    """The shipped map data folder."""
    return tables_dir() / "geo"


def load_regions(path: str | Path | None = None) -> RegionShapes:
    """Read and check ``regions.json`` (the shipped one by default)."""
    path = Path(path) if path is not None else geo_dir() / "regions.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GeoError(f"{path}: cannot read the region boundaries: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("regions"), list):
        raise GeoError(f"{path}: expected an object with a list 'regions'")
    regions: dict[str, tuple[np.ndarray, ...]] = {}
    for k, entry in enumerate(data["regions"]):
        where = f"{path}: regions[{k}]"
        rid = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(rid, str) or not rid:
            raise GeoError(f"{where}: needs an 'id' (a region id of tables/regional/regions.csv)")
        if rid in regions:
            raise GeoError(f"{where}: region {rid!r} appears twice; merge its polygons")
        polygons = entry.get("polygons")
        if not isinstance(polygons, list) or not polygons:
            raise GeoError(f"{where} ({rid}): 'polygons' must be a non-empty list of rings")
        rings = []
        for j, ring in enumerate(polygons):
            try:
                xy = np.asarray(ring, dtype=float)
            except (TypeError, ValueError):
                xy = np.empty((0, 0))
            if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) < 3:
                raise GeoError(
                    f"{where} ({rid}): polygons[{j}] must be a list of at least three "
                    "[longitude, latitude] pairs"
                )
            bad = ~np.isfinite(xy).all(axis=1) | (np.abs(xy[:, 1]) > 90)
            bad |= (xy[:, 0] < -180) | (xy[:, 0] > 360)
            if bad.any():
                i = int(np.argmax(bad))
                raise GeoError(
                    f"{where} ({rid}): polygons[{j}][{i}] = {ring[i]} is not a longitude in "
                    "[-180, 360] and a latitude in [-90, 90]"
                )
            rings.append(xy)
        regions[rid] = tuple(rings)
    return RegionShapes(path, str(data.get("source", "")), regions)


def load_locations(path: str | Path | None = None) -> dict[str, Location]:
    """Read and check ``locations.toml`` (the shipped one by default): centre id → location."""
    path = Path(path) if path is not None else geo_dir() / "locations.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise GeoError(f"{path}: cannot read the centre locations: {exc}") from None
    sources = set()
    for k, s in enumerate(data.get("sources", [])):
        if not all(isinstance(s.get(key), str) and s[key].strip() for key in ("id", "text")):
            raise GeoError(f"{path}: sources[{k}] needs 'id' and 'text'")
        if not isinstance(s.get("text_ru"), str) or not s["text_ru"].strip():
            raise GeoError(f"{path}: source {s['id']!r} needs 'text_ru' (the Russian text)")
        sources.add(s["id"])
    table = data.get("locations")
    if not isinstance(table, dict):
        raise GeoError(f"{path}: expected [locations.<centre id>] tables")
    out = {}
    for centre, entry in table.items():
        where = f"{path}: [locations.{centre}]"
        for key, low, high in (("lat", -90.0, 90.0), ("lon", -180.0, 360.0)):
            value = entry.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise GeoError(f"{where}: '{key}' must be a number (degrees), got {value!r}")
            if not low <= value <= high:
                raise GeoError(f"{where}: '{key}' = {value} is outside [{low:g}, {high:g}]")
        for key in ("place_ru", "place_en"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise GeoError(f"{where}: '{key}' must be the name of the place drawn")
        if entry.get("kind") not in KINDS:
            raise GeoError(
                f"{where}: 'kind' = {entry.get('kind')!r}; use one of {', '.join(KINDS)}"
            )
        cited = entry.get("sources")
        if not isinstance(cited, list) or not cited:
            raise GeoError(f"{where}: 'sources' must list the ids of the sources of the point")
        unknown = [s for s in cited if s not in sources]
        if unknown:
            raise GeoError(f"{where}: sources {unknown} are not among the [[sources]] of the file")
        out[centre] = Location(
            centre,
            float(entry["lat"]),
            float(entry["lon"]),
            entry["place_ru"],
            entry["place_en"],
            entry["kind"],
            tuple(cited),
        )
    return out
