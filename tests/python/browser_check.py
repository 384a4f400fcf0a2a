"""Drives the page at `/` in Debian's Chromium through Selenium (run by tests/export/geo.rs).

    browser_check.py BASE_URL EXPECTED.json

EXPECTED (computed by the Rust test from the store and the API):
    {"example": INDEX, "example_rows": N, "wkt_query": SPARQL, "wkt_rows": {WKT: label},
     "graph_query": SPARQL, "graph_nodes": N, "neighbourhood": {"entity": "seres", "ids": [IRI, ...]}}

Checks: the start map draws the outline and one marker per place, Chengdu west of Hefei and
Shenzhen south of Hefei, figures listed with their periods; the example chooser stays inside
its panel; an example fills the table with the expected rows; a WKT query offers the map
with one marker per row at its coordinates; a label + number offers a bar chart; two IRI
columns offer a graph with one node per IRI; the
neighbourhood view draws the nodes the API returns, labels inside the box and not
overlapping; and the console shows no error. Exits non-zero with the reason on failure.
"""
import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

HEFEI, CHENGDU, SHENZHEN = (117.2272, 31.8206), (104.0665, 30.5723), (114.0579, 22.5431)


def driver():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1100"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def markers(d, root):
    return d.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' circle.marker')].map(c => "
        "({lon: Number(c.dataset.lon), lat: Number(c.dataset.lat), x: Number(c.getAttribute('cx')), y: Number(c.getAttribute('cy'))}))",
        root,
    )


def at(points, lonlat):
    found = [p for p in points if abs(p["lon"] - lonlat[0]) < 1e-6 and abs(p["lat"] - lonlat[1]) < 1e-6]
    assert found, f"no marker at {lonlat} among {points}"
    return found[0]


def check_positions(points, where):
    hefei, chengdu, shenzhen = at(points, HEFEI), at(points, CHENGDU), at(points, SHENZHEN)
    assert chengdu["x"] < hefei["x"], f"{where}: Chengdu is not drawn west of Hefei: {chengdu} {hefei}"
    assert shenzhen["y"] > hefei["y"], f"{where}: Shenzhen is not drawn south of Hefei: {shenzhen} {hefei}"


def outline_drawn(d, root):
    length = d.execute_script(
        "const p = document.querySelector(arguments[0] + ' path.outline'); return p ? p.getTotalLength() : 0;", root
    )
    assert length > 100, f"{root}: no outline drawn (path length {length})"


def run(d, query):
    d.execute_script("document.getElementById('query').value = arguments[0];", query)
    d.find_element(By.ID, "run").click()
    wait_rows(d)


def wait_rows(d):
    WebDriverWait(d, 20).until(lambda d: "row" in d.find_element(By.ID, "query-status").text or d.find_element(By.ID, "query-error").text)
    error = d.find_element(By.ID, "query-error").text
    assert not error, error


def main(base, expected_path):
    expected = json.load(open(expected_path, encoding="utf-8"))
    d = driver()
    try:
        d.get(base + "/")
        # Start view: outline, one marker per place, positions, figures with periods.
        WebDriverWait(d, 20).until(lambda d: len(markers(d, "#geo-map")) > 0)
        start = markers(d, "#geo-map")
        assert len(start) == len(expected["wkt_rows"]), (start, expected["wkt_rows"])
        outline_drawn(d, "#geo-map")
        check_positions(start, "start view")
        figures = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#geo-list li.figure")]
        assert figures and all(" to " in f for f in figures), figures
        links = d.find_elements(By.CSS_SELECTOR, "#geo-list a.neighbourhood")
        assert len(links) == len(expected["wkt_rows"]), len(links)

        # The example chooser stays inside its panel.
        inside = d.execute_script(
            "const s = document.getElementById('example').getBoundingClientRect();"
            "const p = document.getElementById('sparql').getBoundingClientRect();"
            "return s.right <= p.right + 0.5 && s.left >= p.left;"
        )
        assert inside, "the example chooser overflows its panel"

        # An example from the chooser fills the table.
        Select(d.find_element(By.ID, "example")).select_by_value(str(expected["example"]))
        d.find_element(By.ID, "run").click()
        wait_rows(d)
        rows = d.find_elements(By.CSS_SELECTOR, "#results tbody tr")
        assert len(rows) == expected["example_rows"], (len(rows), expected["example_rows"])

        # A WKT column offers the map: one marker per row, where the coordinates say.
        run(d, expected["wkt_query"])
        d.find_element(By.CSS_SELECTOR, "#views button[data-view=map]").click()
        points = markers(d, "#results")
        assert len(points) == len(expected["wkt_rows"]), (len(points), expected["wkt_rows"])
        outline_drawn(d, "#results")
        check_positions(points, "map view")
        views = [b.get_attribute("data-view") for b in d.find_elements(By.CSS_SELECTOR, "#views button")]
        assert "table" in views and "map" in views, views

        # A label and a number offer a bar chart with one bar per row.
        run(d, "SELECT ?city ?label ?value WHERE { ?o a ak:Observation ; ak:subject ?city ; ak:measure ak:VehicleOutput ; ak:value ?value . ?city rdfs:label ?label FILTER(lang(?label) = 'en') }")
        n = len(d.find_elements(By.CSS_SELECTOR, "#results tbody tr"))
        d.find_element(By.CSS_SELECTOR, "#views button[data-view=chart]").click()
        bars = d.find_elements(By.CSS_SELECTOR, "#results rect.bar")
        assert n > 0 and len(bars) == n, (n, len(bars))

        # Two IRI columns offer the graph view: one node per distinct IRI.
        run(d, expected["graph_query"])
        d.find_element(By.CSS_SELECTOR, "#views button[data-view=graph]").click()
        graph_nodes = d.find_elements(By.CSS_SELECTOR, "#results svg.graph circle.node")
        assert len(graph_nodes) == expected["graph_nodes"], (len(graph_nodes), expected["graph_nodes"])

        # The neighbourhood view draws the API's nodes, labels inside the box, none overlapping.
        hood = expected["neighbourhood"]
        d.execute_script("document.getElementById('entity').value = arguments[0]; document.getElementById('depth').value = '1';", hood["entity"])
        d.find_element(By.ID, "show").click()
        WebDriverWait(d, 20).until(lambda d: "nodes" in d.find_element(By.ID, "net-status").text)
        ids = sorted(d.execute_script("return [...document.querySelectorAll('#net circle.node')].map(c => c.dataset.id)"))
        assert ids == sorted(hood["ids"]), (ids, hood["ids"])
        boxes = d.execute_script(
            "const v = document.getElementById('net').viewBox.baseVal;"
            "return {w: v.width, h: v.height, labels: [...document.querySelectorAll('#net text.label')].map(t => { const b = t.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; })};"
        )
        assert boxes["labels"], "no labels drawn"
        for b in boxes["labels"]:
            assert b[0] >= 0 and b[1] >= 0 and b[2] <= boxes["w"] and b[3] <= boxes["h"], ("label runs off the view", b, boxes["w"], boxes["h"])
        for i, a in enumerate(boxes["labels"]):
            for b in boxes["labels"][i + 1:]:
                overlap = min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1
                assert not overlap, ("labels overlap", a, b)

        time.sleep(0.2)
        errors = [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        assert not errors, errors
        print(f"browser: start map {len(start)} markers, table {len(rows)} rows, map {len(points)} markers, chart {len(bars)} bars, graph {len(graph_nodes)} nodes, neighbourhood {len(ids)} nodes, no console errors")
    finally:
        d.quit()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
