"""The comparison cover's locator map: Russia's regions, the centres' regions shaded, the centres
as numbered points with a legend beside the map.

Drawn with matplotlib in the charts' style (:mod:`._charts`) in an Albers equal-area conic
projection computed here with numpy (no map library); the data are ``tables/geo``
(:mod:`iomodel.readers.geo`).  Nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PolyCollection

from ..errors import RegionError
from ..readers.geo import load_locations, load_regions
from ..readers.regional import load_regional
from . import _charts as charts
from ._context import Inputs, _centre_name
from ._locale import Locale

__all__ = ["MapPoint", "albers", "comparison_map", "locator_map"]

#: Albers projection for Russia: central meridian and standard parallels (degrees).
CENTRAL_MERIDIAN = 100.0
PARALLELS = (52.0, 68.0)


def albers(
    lon: np.ndarray, lat: np.ndarray, lon0: float = CENTRAL_MERIDIAN, parallels=PARALLELS
) -> tuple[np.ndarray, np.ndarray]:
    """Albers equal-area conic projection on the unit sphere: (lon, lat) degrees → (x, y)."""
    p1, p2 = np.radians(parallels)
    n = (np.sin(p1) + np.sin(p2)) / 2
    c = np.cos(p1) ** 2 + 2 * n * np.sin(p1)
    rho0 = np.sqrt(c) / n  # the origin at the equator
    rho = np.sqrt(c - 2 * n * np.sin(np.radians(lat))) / n
    theta = n * np.radians(np.asarray(lon, dtype=float) - lon0)
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


@dataclass(frozen=True)
class MapPoint:
    """A numbered point and its legend line; ``exact`` False draws it hollow (a region's
    middle, where the centre has no location)."""

    number: int
    lon: float
    lat: float
    label: str
    exact: bool = True


def locator_map(
    regions: Mapping[str, Sequence[np.ndarray]],
    shaded: set[str],
    points: Sequence[MapPoint],
    notes: Sequence[str] = (),
    height_in: float = 2.2,
) -> str:
    """The map as SVG text: every region outlined, ``shaded`` ones filled, ``points`` numbered,
    the legend (one line per point, then ``notes``) to the right."""
    with plt.rc_context(charts._STYLE):
        fig = plt.figure(figsize=(charts.TEXT_WIDTH_IN, height_in))
        ax = fig.add_axes((0.0, 0.0, 0.66, 1.0))
        ax.set_axis_off()
        ax.set_aspect("equal")
        for fill in (False, True):
            polys = [
                np.column_stack(albers(ring[:, 0], ring[:, 1]))
                for rid, rings in regions.items()
                if (rid in shaded) == fill
                for ring in rings
            ]
            ax.add_collection(
                PolyCollection(
                    polys,
                    facecolors=charts.GREYS[1] if fill else charts.GREYS[3],
                    edgecolors=charts.EDGE if fill else "#9a9a9a",
                    linewidths=0.45 if fill else 0.25,
                    zorder=2 if fill else 1,
                )
            )
        ax.autoscale_view()
        ax.margins(0.01)
        x, y = albers(np.array([p.lon for p in points]), np.array([p.lat for p in points]))
        for p, px, py in zip(points, x, y):
            ax.plot(
                px,
                py,
                marker="o",
                markersize=5.5,
                markerfacecolor="white" if not p.exact else charts.GREYS[0],
                markeredgecolor=charts.EDGE,
                markeredgewidth=0.7,
                zorder=3,
            )
            ax.annotate(
                str(p.number),
                (px, py),
                xytext=(3, 2),
                textcoords="offset points",
                fontsize=7,
                fontweight="bold",
                zorder=4,
            )
        lines = [f"{p.number}  {p.label}" for p in points] + list(notes)
        fig.text(
            0.67,
            0.97,
            "\n".join(charts._wrap(line, 46) for line in lines),
            va="top",
            ha="left",
            fontsize=6.8,
            linespacing=1.35,
        )
        return charts._svg(fig)


def comparison_map(inputs: Inputs, loc: Locale, order: Sequence[str]) -> dict[str, Any]:
    """The locator map of a comparison (SVG) and its legend's facts: centres in ``order``,
    numbered from 1; a centre without a location in tables/geo is drawn hollow at its first
    region's middle, or listed as not shown when its regions are not on the map."""
    shapes = load_regions()
    places = load_locations()
    regional = load_regional()
    shaded: set[str] = set()
    points, missing = [], []
    for k, c in enumerate(order, start=1):
        s = inputs.run.scenario(c)
        ids = []
        for name in s.centre.regions_ru:
            try:
                ids.append(regional.resolve(name))
            except RegionError:
                continue  # a region outside Russia's list (a test or fictitious centre)
        ids = [r for r in ids if r in shapes.regions]
        shaded.update(ids)
        name = _centre_name(loc, s)
        where = places.get(c)
        if where is not None:
            place = loc.pick(where.place_ru, where.place_en)
            label = f"{name} — {place} ({loc.t(f'comparison.map_kind_{where.kind}')})"
            points.append(MapPoint(k, where.lon, where.lat, label))
        elif ids:
            rings = shapes.regions[ids[0]]
            ring = max(rings, key=len)
            lon, lat = (float(v) for v in ring.mean(axis=0))
            label = f"{name} ({loc.t('comparison.map_kind_region')})"
            points.append(MapPoint(k, lon, lat, label, exact=False))
        else:
            missing.append(name)
    notes = [loc.t("comparison.map_unplaced", names="; ".join(missing))] if missing else []
    return {
        "svg": locator_map(shapes.regions, shaded, points, notes),
        "shaded": sorted(shaded),
        "points": points,
        "missing": missing,
    }
