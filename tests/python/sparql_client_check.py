"""External SPARQL clients against a running `autokg serve`: SPARQLWrapper and rdflib.

Usage: python sparql_client_check.py BASE_URL TOKEN
Checks a SELECT, an ASK, a CONSTRUCT into an rdflib Graph, and an update with the token.
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
