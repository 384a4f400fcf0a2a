"""Reads autokg's /api JSON-LD back as RDF with two independent JSON-LD processors (run by
tests/standards/jsonld.rs with the venv's Python).

    check_jsonld.py BASE_URL PATH...

For each PATH (for example /api/entities/aito), the document fetched with
`Accept: application/ld+json` is turned into triples by rdflib's JSON-LD parser and by PyLD's
toRdf (its N-Quads parsed by rdflib). Every triple without a blank node must be in the
store, compared term by term (IRI, lexical form, datatype, language tag): the store is read
whole over SPARQL as N-Triples (`CONSTRUCT` over every graph). Triples with a blank node
(pages and relations without a statement node) must still have their other terms in some
store triple of the same predicate, except the `rdfs:member` links of a page (its own
blank node) to its items.

The triples the context types must come back, so a context that drops them cannot pass:
for every IRI a processor read as a subject, each store triple of it whose predicate is
one of TYPED (or in http://example.org/, the test's extra entity properties) must have been
read by both processors, and each predicate of MUST must show up at least once.

Prints one line per document and processor, and exits non-zero on the first failure.
"""
import json
import sys
import urllib.parse
import urllib.request

import rdflib
from pyld import jsonld
from rdflib.term import BNode, URIRef

AK = "https://w3id.org/autokg/ontology#"
TYPED = {URIRef(AK + p) for p in [
    "value", "yoyGrowth", "periodStart", "periodEnd", "since", "until", "role", "product",
]}
EXTRA = "http://example.org/"
MUST = {URIRef(AK + p) for p in ["value", "yoyGrowth", "periodStart", "since", "role", "product"]} | {
    URIRef(EXTRA + p) for p in ["opened", "localName", "capacityShare", "lines", "automated", "code", "site"]
}
MEMBER = URIRef("http://www.w3.org/2000/01/rdf-schema#member")
# Compare lexical forms as written (rdflib would otherwise canonicalise both sides).
rdflib.NORMALIZE_LITERALS = False


def fetch(url, accept):
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read().decode("utf-8"), r.headers.get("Content-Type", "")


def store_triples(base):
    q = "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    text, _ = fetch(
        base + "/sparql?query=" + urllib.parse.quote(q), "application/n-triples"
    )
    g = rdflib.Graph()
    g.parse(data=text, format="nt")
    return set(g)


def no_remote(url, options=None):
    raise RuntimeError("the document asked to load a remote context: " + url)


def with_rdflib(text):
    g = rdflib.Graph()
    g.parse(data=text, format="json-ld")
    return set(g)


def with_pyld(text):
    doc = json.loads(text)
    nquads = jsonld.to_rdf(
        doc, {"format": "application/n-quads", "documentLoader": no_remote}
    )
    g = rdflib.Graph()
    g.parse(data=nquads, format="nt")
    return set(g)


def main():
    base, paths = sys.argv[1], sys.argv[2:]
    store = store_triples(base)
    assert len(store) > 1000, f"the store read back has only {len(store)} triples"
    by_predicate = {}
    for s, p, o in store:
        by_predicate.setdefault(p, []).append((s, o))
    seen = {"rdflib": set(), "pyld": set()}
    for path in paths:
        text, ctype = fetch(base + path, "application/ld+json")
        assert ctype.startswith("application/ld+json"), (path, ctype)
        for name, read in (("rdflib", with_rdflib), ("pyld", with_pyld)):
            triples = read(text)
            assert triples, (path, name, "no triples")
            ground = 0
            for s, p, o in triples:
                if isinstance(s, BNode) and p == MEMBER:
                    continue
                if isinstance(s, BNode) or isinstance(o, BNode):
                    ok = any(
                        (isinstance(s, BNode) or s == ss)
                        and (isinstance(o, BNode) or o == oo)
                        for ss, oo in by_predicate.get(p, [])
                    )
                    assert ok, f"{path}: {name} read a triple the store lacks: {s.n3()} {p.n3()} {o.n3()}"
                    continue
                ground += 1
                assert (s, p, o) in store, (
                    f"{path}: {name} read a triple the store lacks: {s.n3()} {p.n3()} {o.n3()}"
                )
            seen[name] |= triples
            print(f"ok {path} {name}: {len(triples)} triples, {ground} without blank nodes")
    subjects = {s for triples in seen.values() for s, _, _ in triples if not isinstance(s, BNode)}
    expected = {
        (s, p, o)
        for s, p, o in store
        if s in subjects and (p in TYPED or str(p).startswith(EXTRA))
    }
    lacking = MUST - {p for _, p, _ in expected}
    assert not lacking, "no document holds " + ", ".join(sorted(lacking))
    for name, triples in seen.items():
        missing = expected - triples
        assert not missing, f"{name} did not read: " + "; ".join(
            f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in sorted(missing)
        )
        print(f"ok {name} read all {len(expected)} expected triples")


if __name__ == "__main__":
    main()
