"""Reads autokg's exports for engines past one machine back with outside readers and
compares them with the CSV export of the same graph and with the graph itself.

Usage: check_columnar.py DIR

DIR holds nodes.csv and edges.csv (`csv-nodes`, `csv-edges`), nodes.parquet and
edges.parquet (`parquet-nodes`, `parquet-edges`), neo4j/ (`export --format neo4j`) and
expected.json, the export graph as the writers got it:
  {"directed": bool, "measures": [{"name": "pagerank", "integer": false}, ...],
   "nodes": [{"id", "label", "label_zh", "type", "city", "province", "scores": [..]}],
   "edges": [{"source", "target", "relations": [iri, ...], "weight", "paragraphs": [int]}],
   "neo4j": bool}
(absent values are null). With "nodes": null (files fetched over HTTP, where the graph is
the server's) the CSV is the only reference; with "neo4j": false there is no neo4j/.

Checks:
- the CSV files (Python's csv module) hold exactly the graph: ids, labels byte for byte,
  scores, edges;
- pyarrow: the Parquet tables have the CSV's columns in order, string columns, Float64
  Weight, Int64 counts and Float64 reals, and the same rows and values as the CSV (scores
  exactly, nulls where the CSV field is empty); row groups hold at most 65,536 rows;
- duckdb: counts, column types, every edge endpoint is a node id, and sums of the scores
  equal the CSV's;
- Neo4j bulk-import files: every header field follows the importer's header grammar
  (written out below), one node file per label and one relationship file per type, every
  node once with the CSV's id, label text, places and scores, every :START_ID/:END_ID one
  of the node files' ids, and one relationship per (edge, relation) of the CSV.
Prints a JSON summary; exits 1 on a mismatch, 3 when pyarrow or duckdb cannot be imported.
"""

import csv
import json
import math
import os
import re
import sys

try:
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as e:  # the Rust test turns this into a failure, not a skip
    print(f"pyarrow or duckdb is not importable: {e}", file=sys.stderr)
    sys.exit(3)

NODE_COLUMNS = ["Id", "Label", "label_zh", "type", "city", "province"]
EDGE_COLUMNS = ["Source", "Target", "Type", "Weight", "Label", "relation", "sourceParagraph"]
ARRAY_DELIMITER = ";"

# The header grammar of Neo4j's bulk importer, as this check reads it: a field is
#   [property-name] ":" ("ID" | "START_ID" | "END_ID") ["(" id-space ")"]
#   | ":LABEL" | ":TYPE" | ":IGNORE"
#   | property-name [":" value-type ["[]"]]
# with value types among the scalar ones below (arrays add "[]"); a property name is
# non-empty and holds no ":"; an id space is non-empty and holds no parentheses.
VALUE_TYPES = ("int long float double boolean byte short char string point date localtime "
               "time localdatetime datetime duration").split()
ID_FIELD = re.compile(r"^([^:]*):(ID|START_ID|END_ID)(?:\(([^()]+)\))?$")
SPECIAL = {":LABEL", ":TYPE", ":IGNORE"}
PROPERTY = re.compile(r"^([^:]+)(?::(" + "|".join(VALUE_TYPES) + r")(\[\])?)?$")


def header_field(field):
    """Parses one header field; returns (kind, name, type, is_array, id_space) or raises."""
    m = ID_FIELD.match(field)
    if m:
        return (m.group(2), m.group(1) or None, None, False, m.group(3))
    if field in SPECIAL:
        return (field[1:], None, None, False, None)
    m = PROPERTY.match(field)
    if m:
        return ("property", m.group(1), m.group(2) or "string", bool(m.group(3)), None)
    raise ValueError(f"header field {field!r} is not in the importer's grammar")


csv.field_size_limit(sys.maxsize)  # labels of a megabyte are part of the test


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def opt(text):
    return None if text == "" else text


def score_from_text(text, integer):
    if text == "":
        return None
    return int(text) if integer else float(text)


def slug(text):
    """autokg's file-name slug: ASCII letters, digits, '.', '-', '_'; others become '_'."""
    s = "".join(c if (c.isascii() and c.isalnum()) or c in ".-_" else "_" for c in text)
    return s.strip("_.") or "graph"


def main():
    d = sys.argv[1]
    problems = []
    expected = json.load(open(os.path.join(d, "expected.json"), encoding="utf-8"))
    measures = expected["measures"]
    kind = "Directed" if expected["directed"] else "Undirected"

    # --- The CSV export against the graph ----------------------------------------------
    node_header, node_rows = read_csv(os.path.join(d, "nodes.csv"))
    edge_header, edge_rows = read_csv(os.path.join(d, "edges.csv"))
    if node_header != NODE_COLUMNS + [m["name"] for m in measures]:
        problems.append(f"nodes.csv header {node_header}")
    if edge_header != EDGE_COLUMNS:
        problems.append(f"edges.csv header {edge_header}")
    if expected["nodes"] is None:
        pass
    elif len(node_rows) != len(expected["nodes"]) or len(edge_rows) != len(expected["edges"]):
        problems.append(f"CSV rows {len(node_rows)}/{len(edge_rows)}, expected "
                        f"{len(expected['nodes'])}/{len(expected['edges'])}")
    for row, want in zip(node_rows, expected["nodes"] or []):
        got = [row[0], row[1], opt(row[2]), opt(row[3]), opt(row[4]), opt(row[5])]
        if got != [want[k] for k in ("id", "label", "label_zh", "type", "city", "province")]:
            problems.append(f"nodes.csv row {got!r} differs from {want!r}"[:400])
        scores = [score_from_text(t, m["integer"]) for t, m in zip(row[6:], measures)]
        if scores != want["scores"]:
            problems.append(f"nodes.csv scores of {row[0]}: {scores} != {want['scores']}")
    for row, want in zip(edge_rows, expected["edges"] or []):
        if (row[0], row[1], row[2], float(row[3])) != (want["source"], want["target"], kind, want["weight"]):
            problems.append(f"edges.csv row {row[:4]} differs from {want}")
        if row[5].split() != want["relations"] or [int(p) for p in row[6].split()] != want["paragraphs"]:
            problems.append(f"edges.csv relations/paragraphs {row[5:]} differ from {want}")

    # --- Parquet with pyarrow ------------------------------------------------------------
    nodes = pq.read_table(os.path.join(d, "nodes.parquet"))
    edges = pq.read_table(os.path.join(d, "edges.parquet"))
    if nodes.column_names != node_header or edges.column_names != edge_header:
        problems.append(f"Parquet columns {nodes.column_names} / {edges.column_names}")
    for name in NODE_COLUMNS:
        if nodes.schema.field(name).type != pa.string():
            problems.append(f"nodes.parquet {name} is {nodes.schema.field(name).type}")
    for m in measures:
        want_type = pa.int64() if m["integer"] else pa.float64()
        if nodes.schema.field(m["name"]).type != want_type:
            problems.append(f"nodes.parquet {m['name']} is {nodes.schema.field(m['name']).type}")
    if edges.schema.field("Weight").type != pa.float64():
        problems.append(f"edges.parquet Weight is {edges.schema.field('Weight').type}")
    for name in ("Id", "Label"):
        if nodes.schema.field(name).nullable:
            problems.append(f"nodes.parquet {name} is nullable")
    if nodes.num_rows != len(node_rows) or edges.num_rows != len(edge_rows):
        problems.append(f"Parquet rows {nodes.num_rows}/{edges.num_rows}, CSV {len(node_rows)}/{len(edge_rows)}")
    for row, got in zip(node_rows, nodes.to_pylist()):
        for i, name in enumerate(NODE_COLUMNS):
            want = row[i] if i < 2 else opt(row[i])
            if got[name] != want:
                problems.append(f"nodes.parquet {row[0]} {name}={got[name]!r}, CSV {want!r}"[:300])
        for i, m in enumerate(measures):
            want = score_from_text(row[6 + i], m["integer"])
            if got[m["name"]] != want:
                problems.append(f"nodes.parquet {row[0]} {m['name']}={got[m['name']]!r}, CSV {want!r}")
    for row, got in zip(edge_rows, edges.to_pylist()):
        want = [row[0], row[1], row[2], float(row[3]), opt(row[4]), opt(row[5]), opt(row[6])]
        if [got[c] for c in EDGE_COLUMNS] != want:
            problems.append(f"edges.parquet row {got} differs from CSV {want}"[:300])
    groups = []
    for name in ("nodes.parquet", "edges.parquet"):
        meta = pq.ParquetFile(os.path.join(d, name)).metadata
        groups.append(meta.num_row_groups)
        if any(meta.row_group(i).num_rows > 65536 for i in range(meta.num_row_groups)):
            problems.append(f"{name}: a row group over 65,536 rows")

    # --- Parquet with duckdb --------------------------------------------------------------
    con = duckdb.connect()
    np_ = os.path.join(d, "nodes.parquet").replace("'", "''")
    ep = os.path.join(d, "edges.parquet").replace("'", "''")
    (n_count,) = con.execute(f"SELECT count(*) FROM '{np_}'").fetchone()
    (e_count,) = con.execute(f"SELECT count(*) FROM '{ep}'").fetchone()
    if (n_count, e_count) != (len(node_rows), len(edge_rows)):
        problems.append(f"duckdb counts {n_count}/{e_count}")
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{np_}')").fetchall())
    for m in measures:
        want = "BIGINT" if m["integer"] else "DOUBLE"
        if types.get(m["name"]) != want:
            problems.append(f"duckdb reads {m['name']} as {types.get(m['name'])}, expected {want}")
    (dangling,) = con.execute(
        f"SELECT count(*) FROM '{ep}' e WHERE e.Source NOT IN (SELECT Id FROM '{np_}') "
        f"OR e.Target NOT IN (SELECT Id FROM '{np_}')"
    ).fetchone()
    if dangling:
        problems.append(f"duckdb: {dangling} edges with an endpoint that is no node")
    for i, m in enumerate(measures):
        (total,) = con.execute(f'SELECT sum("{m["name"]}") FROM \'{np_}\'').fetchone()
        values = [score_from_text(r[6 + i], m["integer"]) for r in node_rows]
        present = [v for v in values if v is not None]
        want = (sum(present) if m["integer"] else math.fsum(present)) if present else None
        if (total is None) != (want is None) or (want is not None and not math.isclose(total, want, rel_tol=1e-9)):
            problems.append(f"duckdb sum({m['name']})={total}, CSV {want}")

    # --- Neo4j bulk-import files ---------------------------------------------------------
    if not expected["neo4j"]:
        print(json.dumps({"nodes": len(node_rows), "edges": len(edge_rows), "row_groups": groups,
                          "problems": problems[:20]}, ensure_ascii=False))
        sys.exit(1 if problems else 0)
    ndir = os.path.join(d, "neo4j")
    files = sorted(os.listdir(ndir))
    node_files = [f for f in files if f.startswith("nodes-")]
    rel_files = [f for f in files if f.startswith("relationships-")]
    if len(node_files) + len(rel_files) != len(files):
        problems.append(f"neo4j/: unexpected files {files}")
    csv_nodes = {r[0]: r for r in node_rows}
    seen_ids = {}
    for f in node_files:
        header, rows = read_csv(os.path.join(ndir, f))
        fields = [header_field(h) for h in header]
        ids = [i for i, x in enumerate(fields) if x[0] == "ID"]
        if len(ids) != 1 or fields[ids[0]][4] != "autokg" or fields[ids[0]][1] != "iri":
            problems.append(f"{f}: id field {header}")
            continue
        label_col = [i for i, x in enumerate(fields) if x[0] == "LABEL"]
        props = {x[1]: (i, x[2], x[3]) for i, x in enumerate(fields) if x[0] == "property"}
        for m in measures:
            want_type = "long" if m["integer"] else "double"
            if props.get(m["name"], (0, None))[1] != want_type:
                problems.append(f"{f}: score {m['name']} typed {props.get(m['name'])}")
        for row in rows:
            if len(row) != len(header):
                problems.append(f"{f}: row of {len(row)} fields under {len(header)}")
                continue
            nid = row[ids[0]]
            if nid in seen_ids:
                problems.append(f"{f}: {nid} also in {seen_ids[nid]}")
            seen_ids[nid] = f
            ref = csv_nodes.get(nid)
            if ref is None:
                problems.append(f"{f}: {nid} is not in the CSV export")
                continue
            labels = row[label_col[0]].split(ARRAY_DELIMITER)
            want_label = (ref[3] or "Resource").replace(ARRAY_DELIMITER, "_")
            if labels != [want_label, "Entity"]:
                problems.append(f"{f}: {nid} labels {labels}, type {ref[3]!r}")
            if f != f"nodes-{slug(labels[0])}.csv":
                problems.append(f"{f} holds a node labelled {labels[0]!r}")
            for prop, col in (("name", 1), ("name_zh", 2), ("type", 3), ("city", 4), ("province", 5)):
                if row[props[prop][0]] != ref[col]:
                    problems.append(f"{f}: {nid} {prop}={row[props[prop][0]]!r}, CSV {ref[col]!r}"[:300])
            for i, m in enumerate(measures):
                if score_from_text(row[props[m["name"]][0]], m["integer"]) != score_from_text(ref[6 + i], m["integer"]):
                    problems.append(f"{f}: {nid} {m['name']} differs from the CSV")
    if set(seen_ids) != set(csv_nodes):
        problems.append(f"neo4j node ids differ from the CSV's: {len(seen_ids)} vs {len(csv_nodes)}")
    want_rels = {}
    for row in edge_rows:
        relations = row[5].split() or [None]
        for r in relations:
            key = (row[0], row[1], r)
            want_rels[key] = want_rels.get(key, 0) + 1
    got_rels = {}
    edge_paragraphs = {(r[0], r[1]): r[6] for r in edge_rows}
    for f in rel_files:
        header, rows = read_csv(os.path.join(ndir, f))
        fields = [header_field(h) for h in header]
        start = [i for i, x in enumerate(fields) if x[0] == "START_ID"]
        end = [i for i, x in enumerate(fields) if x[0] == "END_ID"]
        typ = [i for i, x in enumerate(fields) if x[0] == "TYPE"]
        props = {x[1]: (i, x[2], x[3]) for i, x in enumerate(fields) if x[0] == "property"}
        if len(start) != 1 or len(end) != 1 or len(typ) != 1 or fields[start[0]][4] != "autokg" \
                or fields[end[0]][4] != "autokg":
            problems.append(f"{f}: header {header}")
            continue
        if props.get("sourceParagraph", (0, None, False))[1:] != ("long", True):
            problems.append(f"{f}: sourceParagraph is not long[]: {header}")
        for row in rows:
            s, t = row[start[0]], row[end[0]]
            for x in (s, t):
                if x not in seen_ids:
                    problems.append(f"{f}: endpoint {x} is in no node file")
            relation = row[props["relation"][0]] or None
            if f != f"relationships-{slug(row[typ[0]])}.csv":
                problems.append(f"{f} holds a relationship of type {row[typ[0]]!r}")
            key = (s, t, relation)
            got_rels[key] = got_rels.get(key, 0) + 1
            paragraphs = [int(p) for p in row[props["sourceParagraph"][0]].split(ARRAY_DELIMITER) if p]
            if [int(p) for p in edge_paragraphs.get((s, t), "").split()] != paragraphs:
                problems.append(f"{f}: paragraphs of {s} -> {t}: {paragraphs}")
    if got_rels != want_rels:
        missing = [k for k in want_rels if got_rels.get(k) != want_rels[k]][:3]
        extra = [k for k in got_rels if k not in want_rels][:3]
        problems.append(f"neo4j relationships differ from the CSV edges: missing {missing}, unexpected {extra}")

    summary = {"nodes": len(node_rows), "edges": len(edge_rows), "row_groups": groups,
               "node_files": len(node_files), "relationship_files": len(rel_files),
               "relationships": sum(got_rels.values()), "problems": problems[:20]}
    print(json.dumps(summary, ensure_ascii=False))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
