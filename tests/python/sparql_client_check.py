"""External SPARQL clients against a running `autokg serve`: SPARQLWrapper and rdflib.

Usage: python sparql_client_check.py BASE_URL TOKEN
Checks a SELECT, an ASK, a CONSTRUCT into an rdflib Graph (Turtle, and JSON-LD through the
`format=json` parameter SPARQLWrapper sends), XML results through `output=xml`, the charset of
CSV and TSV answers, and an update with the token.
Exits non-zero with a message on the first failed check.
"""
import sys

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

base, token = sys.argv[1].rstrip("/"), sys.argv[2]
endpoint = f"{base}/sparql"
AKID = "https://w3id.org/autokg/id/"


def check(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")
    print(f"ok: {message}")


sw = SPARQLWrapper(endpoint)
sw.setReturnFormat(JSON)
sw.setQuery(
    "PREFIX ak: <https://w3id.org/autokg/ontology#> PREFIX akid: <https://w3id.org/autokg/id/> "
    "SELECT ?investee WHERE { akid:hefei-government ak:investedIn ?investee } ORDER BY ?investee"
)
rows = sw.query().convert()["results"]["bindings"]
investees = sorted(r["investee"]["value"].removeprefix(AKID) for r in rows)
check(investees == ["byd", "nio", "volkswagen-anhui"], f"SELECT: Hefei government invested in {investees}")

sw.setQuery("ASK { <https://w3id.org/autokg/id/huawei> <https://w3id.org/autokg/ontology#partnerOf> <https://w3id.org/autokg/id/seres> }")
check(sw.query().convert()["boolean"] is True, "ASK: Huawei partners with Seres")

sw.setReturnFormat(TURTLE)
sw.setQuery("CONSTRUCT { <https://w3id.org/autokg/id/jetta> ?p ?o } WHERE { <https://w3id.org/autokg/id/jetta> ?p ?o }")
graph = rdflib.Graph()
graph.parse(data=sw.query().convert(), format="turtle")
labels = {str(o) for o in graph.objects(rdflib.URIRef(AKID + "jetta"), rdflib.RDFS.label)}
check("捷达" in labels and len(graph) > 5, f"CONSTRUCT into rdflib: {len(graph)} triples, labels {sorted(labels)}")

# SPARQLWrapper sends `format=json` (and a broad Accept) for setReturnFormat(JSON): on a
# CONSTRUCT the endpoint must answer JSON-LD, which SPARQLWrapper parses into an rdflib Graph.
sw.setReturnFormat(JSON)
sw.setQuery("CONSTRUCT { <https://w3id.org/autokg/id/jetta> ?p ?o } WHERE { <https://w3id.org/autokg/id/jetta> ?p ?o }")
response = sw.query()
content_type = response.response.headers.get("Content-Type", "")
converted = response.convert()
check(
    content_type.startswith("application/ld+json") and isinstance(converted, rdflib.Graph) and len(converted) == len(graph),
    f"CONSTRUCT with setReturnFormat(JSON): {content_type}, parsed into {type(converted).__name__} of {len(converted) if isinstance(converted, rdflib.Graph) else '?'} triples",
)

# The `output` parameter (SPARQLWrapper sends format and output) for XML results.
from SPARQLWrapper import XML  # noqa: E402

sw.setReturnFormat(XML)
sw.setQuery("SELECT ?l WHERE { <https://w3id.org/autokg/id/jetta> <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
response = sw.query()
content_type = response.response.headers.get("Content-Type", "")
doc = response.convert()
check(
    content_type.startswith("application/sparql-results+xml") and "捷达" in doc.toxml(),
    f"SELECT with setReturnFormat(XML): {content_type}",
)

# Text answers name their charset, so HTTP libraries do not fall back to Latin-1.
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

query = urllib.parse.urlencode({"query": "SELECT ?l WHERE { <https://w3id.org/autokg/id/seres> <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = 'zh') }"})
for accept in ("text/csv", "text/tab-separated-values"):
    req = urllib.request.Request(f"{endpoint}?{query}", headers={"Accept": accept})
    with urllib.request.urlopen(req) as r:
        charset = r.headers.get_content_charset()
        text = r.read().decode(charset or "latin-1")
    check(charset == "utf-8" and "赛力斯" in text, f"{accept} says charset={charset} and decodes 赛力斯")

# rdflib's own SPARQL store client, too.
store = SPARQLStore(endpoint)
result = list(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?o a <https://w3id.org/autokg/ontology#Observation> }"))
check(int(result[0][0]) >= 16, f"rdflib SPARQLStore: {result[0][0]} observations")

up = SPARQLWrapper(f"{endpoint}")
up.setMethod(POST)
up.addCustomHttpHeader("Authorization", f"Bearer {token}")
up.setQuery(
    "INSERT DATA { GRAPH <https://example.org/ci> { <https://example.org/acme> a <https://w3id.org/autokg/ontology#PartsSupplier> } }"
)
up.query()
sw = SPARQLWrapper(endpoint)
sw.setReturnFormat(JSON)
sw.setQuery("ASK { <https://example.org/acme> a <https://w3id.org/autokg/ontology#Company> }")
check(sw.query().convert()["boolean"] is True, "UPDATE with the token, and its entailment is visible")

denied = SPARQLWrapper(endpoint)
denied.setMethod(POST)
denied.setQuery("INSERT DATA { <https://example.org/x> <https://example.org/p> 1 }")
try:
    denied.query()
    sys.exit("FAILED: an update without the token was accepted")
except Exception as e:  # SPARQLWrapper raises on 401
    check("401" in str(e) or "Unauthorized" in str(e), f"UPDATE without the token refused ({type(e).__name__})")
print("all external-client checks passed")
