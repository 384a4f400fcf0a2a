#!/usr/bin/env python3
"""Converts China's outline from the npm package world-atlas (Natural Earth 1:50m Admin 0
country boundaries, version 4.1.0, as TopoJSON) into data/geo/china-outline.json, the small
file the binary embeds for the page's map. Run once; standard library only.

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 data/geo/convert_outline.py package/countries-50m.json > data/geo/china-outline.json

Natural Earth data is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/);
world-atlas redistributes it under the ISC licence of its packaging.
"""
import json
import sys

CHINA = "156"  # ISO 3166-1 numeric, the feature id world-atlas uses
PRECISION = 2  # decimal degrees kept: about 1 km, finer than the page draws


def decode_arcs(topology):
    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def ring(arcs, indexes):
    points = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc if not points else arc[1:])
    out = []
    for lon, lat in points:
        p = [round(lon, PRECISION), round(lat, PRECISION)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def main(path):
    with open(path, encoding="utf-8") as f:
        topology = json.load(f)
    arcs = decode_arcs(topology)
    [china] = [g for g in topology["objects"]["countries"]["geometries"] if str(g.get("id")) == CHINA]
    polygons = china["arcs"] if china["type"] == "MultiPolygon" else [china["arcs"]]
    rings = [ring(arcs, r) for polygon in polygons for r in polygon]
    rings = [r for r in rings if len(r) >= 4]
    json.dump(
        {
            "name": china.get("properties", {}).get("name", "China"),
            "source": "Natural Earth 1:50m Admin 0 countries v4.1.0, via npm world-atlas@2.0.2 (countries-50m.json, id 156)",
            "licence": "public domain (Natural Earth)",
            "rings": rings,
        },
        sys.stdout,
        separators=(",", ":"),
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
