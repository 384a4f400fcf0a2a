"""pySHACL as the reference for `autokg validate` (tests/shacl.rs).

Usage: crosscheck_shacl.py DATA.nq SHAPES.ttl

DATA.nq is the dataset autokg validated (every graph: data, ontology and RDFS entailments);
pySHACL sees the union of its graphs with no inference of its own, so both validators judge
the same triples. Prints a JSON list of the validation results, each
[focus node, result path or null, source constraint component], terms in N-Triples form.
Exit code 3 when pyshacl is not importable.
"""

import json
import sys

try:
    import pyshacl
    from rdflib import RDF, Dataset, Graph, Namespace
except ImportError as e:  # pragma: no cover
    print(f"missing module: {e}", file=sys.stderr)
    sys.exit(3)

SH = Namespace("http://www.w3.org/ns/shacl#")


def main():
    data_path, shapes_path = sys.argv[1], sys.argv[2]
    dataset = Dataset()
    dataset.parse(data_path, format="nquads")
    data = Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        data.add((s, p, o))
    shapes = Graph().parse(shapes_path, format="turtle")
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        path = report.value(r, SH.resultPath)
        component = report.value(r, SH.sourceConstraintComponent)
        results.append([focus.n3(), path.n3() if path is not None else None, str(component)])
    results.sort(key=lambda x: (x[0], x[1] or "", x[2]))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
