// ---- Result views, chosen from the result's shape (as the Wikidata Query Service does) ----
// Table always; Map when a column holds WKT points or there are lat/long columns; Bar chart
// when there is a label column and a numeric column; Graph when two columns hold IRIs.
const WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";
const NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|unsignedInt|unsignedLong|unsignedShort)$/;
const OUTLINE = JSON.parse($("outline").textContent);
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

const isLiteral = (t) => t && (t.type === "literal" || t.type === "typed-literal");
const isNumeric = (t) => isLiteral(t) && NUMERIC.test(t.datatype || "") && Number.isFinite(Number(t.value));
function parsePoint(t) {
  if (!isLiteral(t) || t.datatype !== WKT) return null;
  const m = /^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$/i.exec(t.value);
  return m ? [Number(m[1]), Number(m[2])] : null;
}
function show(t) {
  if (!t) return "";
  if (t.type === "uri") return compact(t.value);
  if (isNumeric(t)) return Number(t.value).toLocaleString("en");
  return t.value;
}

// What the columns hold: each list keeps the SELECT's order.
function shapeOf(vars, rows) {
  const col = (test) => vars.filter((v) => rows.some((r) => r[v]) && rows.every((r) => !r[v] || test(r[v])));
  const wkt = col((t) => parsePoint(t) !== null);
  const numeric = col(isNumeric);
  const lat = numeric.find((v) => /^(lat|latitude)$/i.test(v));
  const lon = numeric.find((v) => /^(lon|long|lng|longitude)$/i.test(v));
  const iris = col((t) => t.type === "uri");
  const periods = vars.filter((v) => /period|^from$|^to$|start|end|year|date/i.test(v) && !numeric.includes(v));
  const labels = col(isLiteral).filter((v) => !numeric.includes(v) && !wkt.includes(v) && !periods.includes(v));
  return { wkt: wkt[0], lat, lon, numeric: numeric.filter((v) => v !== lat && v !== lon), iris, labels, periods };
}
function periodOf(row, shape) { return shape.periods.map((v) => row[v] && row[v].value).filter(Boolean).join(" – "); }

// An equirectangular projection of a lon/lat box onto width × height (north up).
function projection(points, width) {
  let [x0, x1, y0, y1] = [73, 135.5, 17.5, 54];
  for (const [lon, lat] of points) { x0 = Math.min(x0, lon - 1); x1 = Math.max(x1, lon + 1); y0 = Math.min(y0, lat - 1); y1 = Math.max(y1, lat + 1); }
  const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
  const scale = width / ((x1 - x0) * k);
  const height = Math.round((y1 - y0) * scale);
  return { width, height, xy: ([lon, lat]) => [(lon - x0) * k * scale, (y1 - lat) * scale] };
}

// Draws the outline and one marker per point into a new SVG. point: {lon, lat, value,
// key, label, title, iri}. Markers at one place are spread on a small circle.
function drawMap(host, points, legend) {
  const width = Math.max(360, Math.round(host.getBoundingClientRect().width) || 640);
  const p = projection(points.map((d) => [d.lon, d.lat]), width);
  const box = svg("svg", { class: "map", viewBox: "0 0 " + p.width + " " + p.height, role: "img", "aria-label": "map" });
  const d = OUTLINE.rings.map((ring) => "M" + ring.map((c) => p.xy(c).map((n) => n.toFixed(1)).join(",")).join("L") + "Z").join("");
  box.append(svg("path", { id: host.id + "-outline", class: "outline", d }));
  const values = points.map((q) => q.value).filter((v) => typeof v === "number" && v > 0);
  const max = Math.max(...values, 0);
  const keys = [...new Set(points.map((q) => q.key).filter(Boolean))];
  const colour = (key) => key ? PALETTE[keys.indexOf(key) % PALETTE.length] : "#1f5fbf";
  const atPlace = new Map();
  for (const q of points) { const k = q.lon + "," + q.lat; atPlace.set(k, (atPlace.get(k) || 0) + 1); }
  const seen = new Map(), labelled = new Map();
  for (const [i, q] of points.entries()) {
    const place = q.lon + "," + q.lat, n = atPlace.get(place), j = seen.get(place) || 0;
    seen.set(place, j + 1);
    let [x, y] = p.xy([q.lon, q.lat]);
    if (n > 1) { const a = (2 * Math.PI * j) / n; x += 7 * Math.cos(a); y += 7 * Math.sin(a); }
    const r = max > 0 && typeof q.value === "number" ? 4 + 14 * Math.sqrt(Math.max(q.value, 0) / max) : 6;
    const c = svg("circle", { class: "marker", cx: x.toFixed(1), cy: y.toFixed(1), r: r.toFixed(1), fill: colour(q.key), "data-row": i, "data-lon": q.lon, "data-lat": q.lat });
    const title = svg("title");
    title.textContent = q.title || q.label || "";
    c.append(title);
    if (q.onclick) { c.style.cursor = "pointer"; c.addEventListener("click", q.onclick); }
    box.append(c);
    if (q.label) labelled.set(place, { label: labelled.get(place)?.label || q.label, r: Math.max(r + (n > 1 ? 7 : 0), labelled.get(place)?.r || 0), lon: q.lon, lat: q.lat });
  }
  // One label per place, right of its largest marker, drawn over all markers.
  for (const { label, r, lon, lat } of labelled.values()) {
    const [lx, ly] = p.xy([lon, lat]);
    const t = svg("text", { x: (lx + r + 3).toFixed(1), y: (ly + 4).toFixed(1), class: "place" });
    t.textContent = label;
    box.append(t);
  }
  host.append(box);
  const items = keys.map((k) => { const s = el("span", {}, k); s.style.setProperty("--c", colour(k)); return s; });
  const note = [legend.size ? "circle area ∝ ?" + legend.size + " (largest " + max.toLocaleString("en") + ")" : "", legend.colour ? "colour: " + legend.colour : ""].filter(Boolean).join("; ");
  const div = el("div", { class: "legend map-legend" });
  div.append(...items);
  if (note) div.append(el("em", {}, note));
  host.append(div);
  return box;
}

function mapView(host, vars, rows, shape) {
  const value = shape.numeric[0];
  const colourBy = shape.periods.length ? "period" : shape.labels.find((v) => v !== shape.labels[0]) || null;
  const points = [];
  for (const row of rows) {
    const pt = shape.wkt ? parsePoint(row[shape.wkt]) : [Number(row[shape.lon] && row[shape.lon].value), Number(row[shape.lat] && row[shape.lat].value)];
    if (!pt || !Number.isFinite(pt[0]) || !Number.isFinite(pt[1])) continue;
    const key = colourBy === "period" ? periodOf(row, shape) : colourBy ? show(row[colourBy]) : null;
    const label = shape.labels[0] ? show(row[shape.labels[0]]) : shape.iris[0] ? show(row[shape.iris[0]]) : "";
    const title = vars.filter((v) => row[v] && v !== shape.wkt).map((v) => "?" + v + " = " + show(row[v])).join("\n");
    points.push({ lon: pt[0], lat: pt[1], value: value && row[value] ? Number(row[value].value) : null, key, label, title });
  }
  drawMap(host, points, { size: value, colour: colourBy === "period" ? "period (" + shape.periods.map((v) => "?" + v).join(", ") + "): different periods are different series" : colourBy && "?" + colourBy });
}

function chartView(host, vars, rows, shape) {
  const value = shape.numeric[0], label = shape.labels[0] || shape.iris[0];
  const keyOf = (row) => shape.periods.length ? periodOf(row, shape) : "";
  const keys = [...new Set(rows.map(keyOf).filter(Boolean))];
  const data = rows.filter((r) => r[value]).map((r) => ({ label: show(r[label]), v: Number(r[value].value), key: keyOf(r) }));
  const max = Math.max(...data.map((d) => Math.abs(d.v)), 0) || 1;
  const width = Math.max(360, Math.round(host.getBoundingClientRect().width) || 640), left = 200, bar = 18;
  const box = svg("svg", { class: "chart", viewBox: "0 0 " + width + " " + (data.length * (bar + 6) + 10), role: "img", "aria-label": "bar chart" });
  data.forEach((d, i) => {
    const y = 5 + i * (bar + 6), w = Math.max(1, (width - left - 90) * Math.abs(d.v) / max);
    const t = svg("text", { x: left - 6, y: y + 13, "text-anchor": "end" });
    t.textContent = d.label.length > 30 ? d.label.slice(0, 29) + "…" : d.label;
    const r = svg("rect", { class: "bar", x: left, y, width: w.toFixed(1), height: bar, fill: d.key ? PALETTE[keys.indexOf(d.key) % PALETTE.length] : "#1f5fbf" });
    const title = svg("title");
    title.textContent = d.label + ": " + d.v.toLocaleString("en") + (d.key ? " (" + d.key + ")" : "");
    r.append(title);
    const n = svg("text", { x: left + w + 4, y: y + 13 });
    n.textContent = d.v.toLocaleString("en");
    box.append(t, r, n);
  });
  host.append(box);
  const legend = el("div", { class: "legend" });
  legend.append(...keys.map((k) => { const s = el("span", {}, k); s.style.setProperty("--c", PALETTE[keys.indexOf(k) % PALETTE.length]); return s; }), el("em", {}, "bars: ?" + value + (keys.length ? "; colour: period" : "")));
  host.append(legend);
}

function graphView(host, vars, rows, shape) {
  const [a, b] = shape.iris;
  const nodes = new Map(), edges = [];
  for (const row of rows) {
    if (!row[a] || !row[b]) continue;
    for (const t of [row[a], row[b]]) if (!nodes.has(t.value)) nodes.set(t.value, { id: t.value, label: compact(t.value) });
    edges.push({ source: row[a].value, target: row[b].value, label: vars.filter((v) => v !== a && v !== b && row[v]).map((v) => show(row[v])).join(", ") });
  }
  const box = svg("svg", { class: "graph", role: "img", "aria-label": "graph" });
  host.append(box);
  drawGraph(box, [...nodes.values()], edges, { directed: true });
}

const VIEWS = [
  ["table", "Table", () => true, null],
  ["map", "Map", (s) => s.wkt || (s.lat && s.lon), mapView],
  ["chart", "Bar chart", (s) => (s.labels.length || s.iris.length) && s.numeric.length, chartView],
  ["graph", "Graph", (s) => s.iris.length >= 2, graphView],
];

// Shows the result's views as tabs over the table (built by the caller).
function renderViews(vars, rows, table, initial) {
  const shape = shapeOf(vars, rows);
  const tabs = $("views"), host = $("results");
  tabs.replaceChildren();
  const open = (name) => {
    for (const b of tabs.children) b.classList.toggle("active", b.dataset.view === name);
    host.replaceChildren();
    const view = VIEWS.find((v) => v[0] === name);
    if (!view[3]) host.append(table); else view[3](host, vars, rows, shape);
  };
  for (const [name, title, fits] of VIEWS) {
    if (!rows.length || !fits(shape)) continue;
    const b = el("button", { type: "button", class: "tab", "data-view": name }, title);
    b.addEventListener("click", () => open(name));
    tabs.append(b);
  }
  open(initial && VIEWS.some((v) => v[0] === initial && rows.length && v[2](shape)) ? initial : "table");
}

// ---- Start view: each city's output figures as stated, with their periods ------------
const START = `SELECT ?city ?label ?zh ?wkt ?measure ?value ?start ?end ?approx (GROUP_CONCAT(DISTINCT STR(?p); separator=", ") AS ?paragraphs) WHERE {
  ?city geo:hasGeometry/geo:asWKT ?wkt ; rdfs:label ?label . FILTER(LANG(?label) = "en")
  OPTIONAL { ?city rdfs:label ?zh FILTER(LANG(?zh) = "zh") }
  OPTIONAL { ?o a ak:Observation ; ak:subject ?city ; ak:measure ?measure ; ak:value ?value ; ak:periodStart ?start ; ak:periodEnd ?end .
    FILTER(?measure IN (ak:VehicleOutput, ak:NEVOutput))
    OPTIONAL { ?o ak:approximation ?approx } OPTIONAL { ?o ak:sourceParagraph ?p } }
} GROUP BY ?city ?label ?zh ?wkt ?measure ?value ?start ?end ?approx ORDER BY ?label ?measure ?start ?end`;
const MEASURE_NAMES = { VehicleOutput: "vehicle output", NEVOutput: "NEV output" };

function figuresQuery(iri) {
  return "# Figures about " + compact(iri) + ", each with its period, hedge and source paragraph\n" +
    "SELECT ?measure ?value ?start ?end ?approx ?paragraph ?source WHERE {\n" +
    "  ?o a ak:Observation ; ak:subject <" + iri + "> ; ak:measure ?measure ; ak:value ?value ;\n" +
    "     ak:periodStart ?start ; ak:periodEnd ?end .\n" +
    "  OPTIONAL { ?o ak:approximation ?approx } OPTIONAL { ?o ak:sourceParagraph ?paragraph }\n" +
    "  OPTIONAL { ?o prov:wasDerivedFrom ?source }\n} ORDER BY ?measure ?start ?end";
}

async function startView() {
  const host = $("geo-map"), list = $("geo-list");
  let doc;
  try {
    const r = await fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json" }, body: START });
    if (!r.ok) { $("geo-status").textContent = r.status + " " + (await r.text()); return; }
    doc = await r.json();
  } catch (e) { $("geo-status").textContent = String(e); return; }
  const cities = new Map();
  for (const row of doc.results.bindings) {
    const iri = row.city.value;
    if (!cities.has(iri)) cities.set(iri, { iri, label: row.label.value, zh: row.zh ? row.zh.value : "", point: parsePoint(row.wkt), figures: [] });
    if (row.measure) cities.get(iri).figures.push({ measure: compact(row.measure.value).replace("ak:", ""), value: Number(row.value.value), start: row.start.value, end: row.end.value, approx: row.approx ? compact(row.approx.value).replace("ak:", "") : "", paragraphs: row.paragraphs ? row.paragraphs.value : "" });
  }
  const line = (f) => (MEASURE_NAMES[f.measure] || f.measure) + ": " + (f.approx && f.approx !== "Exact" ? f.approx.toLowerCase() + " " : "") + f.value.toLocaleString("en") + " (" + f.start + " to " + f.end + (f.paragraphs ? ", ¶ " + f.paragraphs : "") + ")";
  const share = (c) => {
    const out = [];
    for (const n of c.figures.filter((f) => f.measure === "NEVOutput")) {
      const all = c.figures.find((f) => f.measure === "VehicleOutput" && f.start === n.start && f.end === n.end);
      if (all && all.value > 0) out.push("NEV share " + (100 * n.value / all.value).toFixed(1) + "% (" + n.start + " to " + n.end + ")");
    }
    return out;
  };
  const focus = (c) => () => { $("entity").value = c.iri; showNetwork(); $("network").scrollIntoView({ behavior: "smooth" }); };
  const points = [...cities.values()].filter((c) => c.point).map((c) => ({
    lon: c.point[0], lat: c.point[1], label: c.label + " " + c.zh, key: c.figures.length ? "output figures stated" : "no output figure",
    title: [c.label + " " + c.zh, ...c.figures.map(line), ...share(c)].join("\n"), onclick: focus(c),
  }));
  host.replaceChildren();
  drawMap(host, points, { colour: "whether the article states the city's output" });
  list.replaceChildren();
  for (const c of cities.values()) {
    const item = el("li");
    item.append(el("strong", {}, c.label + " " + c.zh));
    const nb = el("a", { href: "#network", class: "neighbourhood" }, "neighbourhood");
    nb.addEventListener("click", (ev) => { ev.preventDefault(); focus(c)(); });
    const fig = el("a", { href: "#sparql", class: "figures" }, "figures with provenance");
    fig.addEventListener("click", (ev) => { ev.preventDefault(); $("query").value = figuresQuery(c.iri); runQuery(); $("sparql").scrollIntoView({ behavior: "smooth" }); });
    item.append(" ", nb, " · ", fig);
    const ul = el("ul");
    for (const f of c.figures) ul.append(el("li", { class: "figure" }, line(f)));
    for (const s of share(c)) ul.append(el("li", { class: "share" }, s));
    if (!c.figures.length) ul.append(el("li", { class: "status" }, "no output figure in the article"));
    item.append(ul);
    list.append(item);
  }
  $("geo-status").textContent = cities.size + " places; periods differ between cities, so each figure is shown with its own period and no totals are drawn as one series. A share is computed only where both figures cover the same period.";
}
