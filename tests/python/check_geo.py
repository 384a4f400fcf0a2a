"""Outside checks of autokg's geography (run by tests/export/geo.rs with the venv's Python).

    check_geo.py geojson FILE EXPECTED.json
        FILE must be RFC 7946 GeoJSON that the `geojson` package reads as a valid
        FeatureCollection; every geometry must be valid for shapely; EXPECTED is
        {"features": {id-or-index: {"wkt": "POINT(..)", "observations": N | null,
        "properties": {...}}}} and each feature must sit at its WKT's point (shapely.wkt) and
        carry the expected observations count and properties. GDAL's `ogrinfo` (Debian's
        gdal-bin) must open FILE as a GeoJSON layer of as many features, each at the same
        point, with every property as a field.
    check_geo.py distance ROWS.json
        ROWS is a list of {"a": WKT, "b": WKT, "m": metres, "km": kilometres} from
        geof:distance; each must be within 0.5% of pyproj's WGS 84 geodesic, and m = 1000 km.

Prints one line per check and exits non-zero on the first failure.
"""
import json
import re
import subprocess
import sys

import geojson
import shapely.geometry
import shapely.wkt
from pyproj import Geod


def check_geojson(path, expected_path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = geojson.loads(text)
    assert isinstance(doc, geojson.FeatureCollection), type(doc)
    assert doc.is_valid, doc.errors()
    expected = json.load(open(expected_path, encoding="utf-8"))["features"]
    features = doc["features"]
    assert len(features) == len(expected), (len(features), sorted(expected))
    for i, feature in enumerate(features):
        key = feature.get("id") or str(i)
        assert key in expected, (key, sorted(expected))
        want = expected[key]
        shape = shapely.geometry.shape(feature["geometry"])
        assert shape.is_valid, (key, shape)
        point = shapely.wkt.loads(want["wkt"])
        assert shape.equals_exact(point, 1e-9), (key, shape.wkt, point.wkt)
        props = feature["properties"]
        if want.get("observations") is not None:
            got = props.get("observations", [])
            assert len(got) == want["observations"], (key, len(got), want["observations"])
            for o in got:
                for field in ("measure", "value", "periodStart", "periodEnd"):
                    assert field in o, (key, field, o)
        for name, value in want.get("properties", {}).items():
            assert props.get(name) == value, (key, name, props.get(name), value)
    print(f"geojson: {len(features)} valid features at their WKT points: {path}")
    check_ogrinfo(path, features)


def check_ogrinfo(path, features):
    """GDAL reads FILE as one GeoJSON layer with the features' count and points, in order."""
    def ogrinfo(*args):
        done = subprocess.run(["ogrinfo", "-ro", "-al", *args, path], capture_output=True, text=True)
        assert done.returncode == 0 and "ERROR" not in done.stderr, (done.returncode, done.stderr)
        return done.stdout
    summary = ogrinfo("-so")
    assert "using driver `GeoJSON'" in summary, summary[:500]
    count = int(re.search(r"^Feature Count: (\d+)$", summary, re.M).group(1))
    assert count == len(features), (count, len(features))
    # Every property name of the file is a field of GDAL's layer.
    fields = set(re.findall(r"^(\w+): \w", summary, re.M))
    names = {name for f in features for name in (f.get("properties") or {})}
    assert names <= fields, (sorted(names - fields), sorted(fields))
    number = r"(-?[0-9.]+(?:e[-+]?[0-9]+)?)"
    points = [(float(x), float(y)) for x, y in re.findall(rf"^  POINT \({number} {number}\)$", ogrinfo(), re.M)]
    want = [tuple(f["geometry"]["coordinates"][:2]) for f in features if f["geometry"] and f["geometry"]["type"] == "Point"]
    assert len(points) == len(want), (len(points), len(want))
    for got, expected in zip(points, want):
        assert all(abs(a - b) <= 1e-9 for a, b in zip(got, expected)), (got, expected)
    print(f"ogrinfo: {count} features, {len(points)} points where the file puts them: {path}")


def check_distance(rows_path):
    geod = Geod(ellps="WGS84")
    rows = json.load(open(rows_path, encoding="utf-8"))
    assert rows, "no distances to check"
    worst = 0.0
    for row in rows:
        a, b = shapely.wkt.loads(row["a"]), shapely.wkt.loads(row["b"])
        _, _, metres = geod.inv(a.x, a.y, b.x, b.y)
        assert abs(row["m"] - 1000.0 * row["km"]) <= 1e-6 * max(row["m"], 1.0), row
        if metres == 0:
            assert row["m"] == 0, row
            continue
        error = abs(row["m"] - metres) / metres
        worst = max(worst, error)
        assert error < 0.005, (row, metres, error)
    print(f"distance: {len(rows)} pairs within 0.5% of pyproj's geodesic (worst {worst:.4%})")


if __name__ == "__main__":
    if sys.argv[1] == "geojson":
        check_geojson(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "distance":
        check_distance(sys.argv[2])
    else:
        sys.exit(f"unknown check {sys.argv[1]}")
