"""The comparison cover's locator map: projection, shipped map data, loaders, the PDF."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.path import Path as MplPath

from iomodel.errors import GeoError
from iomodel.readers.geo import load_locations, load_regions
from iomodel.readers.regional import load_regional
from iomodel.report._map import MapPoint, albers, locator_map
from iomodel.resources import shipped
from iomodel.scenario import load_scenarios


@pytest.fixture(scope="module")
def shipped_centres():
    return load_scenarios(shipped("shocks"))


def test_albers_is_equal_area_and_centred():
    """Equal area: a 0.01° cell projects to cos(lat)·dλ·dφ (radians², unit sphere) anywhere;
    the central meridian maps to x = 0 and the map is symmetric about it."""
    d = 0.01
    for lon, lat in ((30.0, 45.0), (100.0, 60.0), (170.0, 70.0), (120.0, 52.0)):
        x, y = albers(np.array([lon, lon + d, lon]), np.array([lat, lat, lat + d]))
        area = abs((x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0]))
        assert area == pytest.approx(np.cos(np.radians(lat)) * np.radians(d) ** 2, rel=1e-3)
    x, _ = albers(np.array([100.0, 80.0, 120.0]), np.array([55.0, 55.0, 55.0]))
    assert x[0] == pytest.approx(0.0, abs=1e-12)
    assert x[1] == pytest.approx(-x[2])


def test_every_region_of_the_regional_data_has_a_boundary():
    shapes = load_regions()
    assert set(load_regional().ids) == set(shapes.regions)


def test_every_shipped_centre_is_placed_inside_one_of_its_regions(shipped_centres):
    shapes, places, regional = load_regions(), load_locations(), load_regional()
    assert {s.id for s in shipped_centres} <= set(places)
    for s in shipped_centres:
        where = places[s.id]
        ids = [regional.resolve(n) for n in s.centre.regions_ru]
        inside = [
            r
            for r in ids
            for ring in shapes.regions[r]
            if MplPath(ring).contains_point((where.lon, where.lat))
        ]
        assert inside, f"{s.id}: {where.place_en} ({where.lat}, {where.lon}) not in {ids}"


def test_the_map_draws_its_labels_as_text(shipped_centres):
    shapes, places = load_regions(), load_locations()
    points = [
        MapPoint(
            k, places[s.id].lon, places[s.id].lat, f"{s.centre.name_ru} — {places[s.id].place_ru}"
        )
        for k, s in enumerate(shipped_centres, start=1)
    ]
    svg = locator_map(shapes.regions, {"murmansk"}, points, ["Не показаны: X"])
    for s in shipped_centres:
        assert places[s.id].place_ru in svg
    assert "Не показаны: X" in svg
    assert "http" not in svg.replace("http://www.w3.org", "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "cannot read"),
        ('{"regions": [{"polygons": [[[1, 2], [3, 4], [5, 6]]]}]}', "needs an 'id'"),
        ('{"regions": [{"id": "a", "polygons": [[[1, 2], [3, 4]]]}]}', "at least three"),
        ('{"regions": [{"id": "a", "polygons": [[[1, 2], [3, 4], [5, 96]]]}]}', "polygons[0][2]"),
        (
            '{"regions": [{"id": "a", "polygons": [[[1, 2], [3, 4], [5, 6]]]},'
            ' {"id": "a", "polygons": [[[1, 2], [3, 4], [5, 6]]]}]}',
            "appears twice",
        ),
    ],
)
def test_load_regions_refuses_malformed_files(tmp_path, text, message):
    path = tmp_path / "regions.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GeoError, match=re.escape(message)) as err:
        load_regions(path)
    assert str(path) in str(err.value)


_GOOD = """
[[sources]]
id = "s"
text = "a source"
text_ru = "источник"

[locations.kola]
lat = 67.9
lon = 34.5
place_ru = "Ревда"
place_en = "Revda"
kind = "settlement"
sources = ["s"]
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("lat = 67.9", "lat = 97.9", "'lat' = 97.9 is outside"),
        ("lon = 34.5", 'lon = "34.5"', "'lon' must be a number"),
        ('kind = "settlement"', 'kind = "mine"', "use one of settlement"),
        ('sources = ["s"]', 'sources = ["t"]', "['t'] are not among"),
        ('text_ru = "источник"', "", "needs 'text_ru'"),
        ('place_ru = "Ревда"', 'place_ru = ""', "'place_ru' must be"),
    ],
)
def test_load_locations_refuses_malformed_files(tmp_path, old, new, message):
    path = tmp_path / "locations.toml"
    path.write_text(_GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(GeoError, match=re.escape(message)) as err:
        load_locations(path)
    assert str(path) in str(err.value)
    assert "[locations.kola]" in str(err.value) or "source" in str(err.value)


def test_load_locations_reads_the_good_file(tmp_path):
    path = tmp_path / "locations.toml"
    path.write_text(_GOOD, encoding="utf-8")
    where = load_locations(path)["kola"]
    assert (where.lat, where.lon, where.kind, where.sources) == (67.9, 34.5, "settlement", ("s",))
