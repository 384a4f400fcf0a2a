"""Runs the W3C SPARQL 1.1 Protocol and Graph Store Protocol test suites against a live
server, over HTTP, as a client would, and prints one verdict per test.

The manifests (from the public w3c/rdf-tests repository) are not part of this repository:
pass their folder (with protocol/ and graph-store-protocol/ in it). Each test is a list of
HTTP requests with the expected status, headers, boolean, result format or RDF body; the
runner sends them in order, with the manifests' `/sparql/` and `/gsp` paths replaced by the
server's endpoints, and checks every expectation strictly:

- `mf:expectedStatus`: one of the listed codes or classes;
- `mf:expectedBoolean`: the ASK answer read from SPARQL JSON or XML results;
- `mf:expectedFormat`: "boolean" is SPARQL JSON or XML, "tabular" also CSV or TSV, "RDF"
  is RDF/XML, Turtle or N-Triples (the ones the test names), and the body must parse;
- response `content-type`: the same media type and the same parameters (`charset`);
- response body: the graph must be isomorphic to the expected one (rdflib);
- `mf:expectedLocation`: a `Location` header, whose value replaces the template in the
  later requests of the test.
Every test starts on an empty store (a `DROP ALL` update is sent first: point the runner
at a throwaway store), and its `ut:graphData` is loaded with a Graph Store PUT of the
N-Triples file.

Usage:
  python w3c_protocol.py MANIFEST_DIR --query URL --update URL --store URL [--token T]
Exit status 0 only when every test passes (or, with --expect N, when exactly N pass).
"""

import argparse
import http.client
import http.cookiejar
import json
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = rdflib.RDFS

# The status names of the http-statusCodes vocabulary that the manifests use.
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}

FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}

RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


class Failure(Exception):
    pass


def media_and_params(value):
    """The lowercase media type and the {name: value} parameters of a Content-Type."""
    pieces = [p.strip() for p in (value or "").split(";")]
    params = {}
    for p in pieces[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"').lower()
    return pieces[0].lower(), params


class Server:
    def __init__(self, query, update, store, token, lenient_charset=False):
        self.lenient_charset = lenient_charset
        self.query = query
        self.update = update
        self.store = store
        self.token = token

    def url_for(self, path, is_update):
        if path.startswith("/sparql/"):
            base = self.update if is_update else self.query
            return base + path[len("/sparql/"):]
        if path.startswith("/gsp"):
            return self.store + path[len("/gsp"):]
        raise Failure(f"unexpected path in the manifest: {path}")

    def send(self, method, url, headers, body):
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        target = parts.path + ("?" + parts.query if parts.query else "")
        headers = dict(headers)
        if self.token and method not in ("GET", "HEAD"):
            headers["Authorization"] = f"Bearer {self.token}"
        conn.request(method, target, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        result = (response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        conn.close()
        return result


def is_update_request(method, path, headers, body):
    ct = media_and_params(headers.get("content-type", ""))[0]
    if ct == "application/sparql-update":
        return True
    query = urllib.parse.urlsplit(path).query
    names = {k for k, _ in urllib.parse.parse_qsl(query, keep_blank_values=True)}
    if body and ct == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", "replace")
        names |= {k for k, _ in urllib.parse.parse_qsl(text, keep_blank_values=True)}
    return "update" in names


def status_matches(status, expected):
    for e in expected:
        name = str(e)[len(HTS):]
        if name.startswith("StatusCode") and name.endswith("xx"):
            if status // 100 == int(name[len("StatusCode")]):
                return True
        elif STATUS.get(name) == status:
            return True
    return False


def parse_boolean(ct, body):
    if ct == "application/sparql-results+json":
        return json.loads(body.decode("utf-8"))["boolean"]
    if ct == "application/sparql-results+xml":
        root = ET.fromstring(body)
        node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
        if node is None:
            raise Failure("the XML results have no <boolean>")
        return node.text.strip() == "true"
    raise Failure(f"a boolean answer in {ct!r}, which is not SPARQL JSON or XML")


def check_tabular(ct, body):
    if ct == "application/sparql-results+json":
        doc = json.loads(body.decode("utf-8"))
        if "head" not in doc or ("results" not in doc and "boolean" not in doc):
            raise Failure("the JSON is not SPARQL results")
    elif ct == "application/sparql-results+xml":
        ET.fromstring(body)
    else:
        body.decode("utf-8")


def parse_graph(ct, body, base):
    fmt = RDFLIB_FORMATS.get(ct)
    if fmt is None:
        raise Failure(f"cannot read a graph in {ct!r}")
    g = rdflib.Graph()
    g.parse(data=body, format=fmt, publicID=base)
    return g


def request_body(m, node):
    body = m.value(node, HT.body)
    if body is None:
        return None
    chars = str(m.value(body, CNT.chars))
    encoding = str(m.value(body, CNT.characterEncoding) or "UTF-8")
    return chars, encoding


def reset(server):
    """Each test starts on an empty store (the manifests assume it: a PUT expects 201)."""
    status, _, body = server.send(
        "POST", server.update, {"Content-Type": "application/sparql-update"}, b"DROP ALL"
    )
    if status // 100 != 2:
        raise Failure(f"DROP ALL before the test: {status} {body[:200]!r}")


def run_test(m, test, server, fresh=True):
    if fresh:
        reset(server)
    # Graphs the test reads, loaded with a Graph Store PUT.
    for data in m.objects(test, UT.graphData):
        graph_file = m.value(data, UT.graph)
        name = str(m.value(data, RDFS.label))
        path = Path(urllib.parse.urlsplit(str(graph_file)).path)
        url = server.store + "?graph=" + urllib.parse.quote(name, safe="")
        status, _, body = server.send(
            "PUT", url, {"Content-Type": "application/n-triples"}, path.read_bytes()
        )
        if status // 100 != 2:
            raise Failure(f"loading {name}: {status} {body[:200]!r}")
    action = m.value(test, MF.action)
    requests = Collection(m, m.value(action, HT.requests))
    variables = {}
    for i, req in enumerate(requests, 1):
        where = f"request {i}"
        method = str(m.value(req, HT.methodName))
        path = str(m.value(req, HT.absolutePath))
        headers = {}
        header_list = m.value(req, HT.headers)
        if header_list is not None:
            for h in Collection(m, header_list):
                headers[str(m.value(h, HT.fieldName))] = str(m.value(h, HT.fieldValue))
        body = request_body(m, req)
        data = None
        if body is not None:
            chars, encoding = body
            for k, v in variables.items():
                chars = chars.replace(k, v)
            data = chars.encode(encoding)
        for k, v in variables.items():
            path = path.replace(k, v)
        url = server.url_for(path, is_update_request(method, path, {k.lower(): v for k, v in headers.items()}, data))
        status, got_headers, got = server.send(method, url, headers, data)
        resp = m.value(req, HT.resp)
        expected_status = list(m.objects(resp, MF.expectedStatus))
        if expected_status and not status_matches(status, expected_status):
            names = ", ".join(str(e)[len(HTS):] for e in expected_status)
            raise Failure(f"{where} ({method} {path[:60]}): status {status}, expected {names}; body {got[:160]!r}")
        ct, params = media_and_params(got_headers.get("content-type"))
        expected_format = m.value(resp, MF.expectedFormat)
        if expected_format is not None:
            allowed = FORMATS[str(expected_format)]
            if ct not in allowed:
                raise Failure(f"{where}: content type {ct!r}, expected one of {sorted(allowed)}")
            if str(expected_format) == "RDF":
                parse_graph(ct, got, url)
            else:
                check_tabular(ct, got)
        expected_boolean = m.value(resp, MF.expectedBoolean)
        if expected_boolean is not None:
            answer = parse_boolean(ct, got)
            if answer != expected_boolean.toPython():
                raise Failure(f"{where}: ASK answered {answer}, expected {expected_boolean}")
        location = m.value(resp, MF.expectedLocation)
        if location is not None:
            if "location" not in got_headers:
                raise Failure(f"{where}: no Location header")
            variables[str(location)] = urllib.parse.urljoin(url, got_headers["location"])
        expected_headers = m.value(resp, HT.headers)
        if expected_headers is not None:
            for h in Collection(m, expected_headers):
                field = str(m.value(h, HT.fieldName)).lower()
                value = str(m.value(h, HT.fieldValue))
                if field != "content-type":
                    raise Failure(f"the runner does not check the response header {field}")
                want_ct, want_params = media_and_params(value)
                if (ct, params) != (want_ct, want_params) and not (server.lenient_charset and ct == want_ct):
                    raise Failure(
                        f"{where}: Content-Type {got_headers.get('content-type')!r}, expected {value!r}"
                    )
        expected_body = request_body(m, resp)
        if expected_body is not None and method != "HEAD":
            want_ct = media_and_params(str(m.value(Collection(m, expected_headers)[0], HT.fieldValue)))[0]
            want = parse_graph(want_ct, expected_body[0].encode("utf-8"), url)
            have = parse_graph(ct, got, url)
            if not isomorphic(want, have):
                raise Failure(
                    f"{where}: the graph answered ({len(have)} triples) is not the expected one ({len(want)} triples)"
                )


def load_manifest(path):
    m = rdflib.Graph()
    m.parse(path, format="turtle", publicID=path.resolve().as_uri())
    manifest = rdflib.URIRef(path.resolve().as_uri())
    tests = []
    includes = m.value(manifest, MF.include)
    if includes is not None:
        for inc in Collection(m, includes):
            sub = Path(urllib.parse.urlsplit(str(inc)).path)
            tests.extend(load_manifest(sub))
    entries = m.value(manifest, MF.entries)
    if entries is not None:
        tests.extend((m, t) for t in Collection(m, entries))
    return tests


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("manifests", type=Path, help="the folder with protocol/ and graph-store-protocol/")
    ap.add_argument("--query", required=True, help="the query endpoint, e.g. http://127.0.0.1:7878/sparql")
    ap.add_argument("--update", help="the update endpoint (default: the query endpoint)")
    ap.add_argument("--store", required=True, help="the Graph Store, e.g. http://127.0.0.1:7878/store")
    ap.add_argument("--token", help="sent as `Authorization: Bearer` with every write")
    ap.add_argument("--lenient-charset", action="store_true",
                    help="compare only the media type of Content-Type, not its charset")
    ap.add_argument("--no-reset", action="store_true",
                    help="do not empty the store before each test")
    ap.add_argument("--expect", type=int, help="exit 0 when exactly this many pass (default: all)")
    args = ap.parse_args()
    # The manifests' /sparql/ is followed by the query string; the endpoints take it as is.
    server = Server(args.query, args.update or args.query, args.store.rstrip("/"), args.token, args.lenient_charset)
    tests = []
    for manifest in ("protocol/manifest.ttl", "graph-store-protocol/manifest.ttl"):
        path = args.manifests / manifest
        if not path.is_file():
            sys.exit(f"missing manifest: {path}")
        tests.extend(load_manifest(path))
    passed = 0
    for m, test in tests:
        name = str(test).rsplit("#", 1)[-1]
        try:
            run_test(m, test, server, fresh=not args.no_reset)
            print(f"PASS {name}")
            passed += 1
        except Failure as e:
            print(f"FAIL {name}: {e}")
        except Exception as e:  # a body that does not parse, a connection reset
            print(f"FAIL {name}: {type(e).__name__}: {e}")
    print(f"{passed}/{len(tests)} W3C protocol tests passed")
    expected = len(tests) if args.expect is None else args.expect
    sys.exit(0 if passed == expected else 1)


if __name__ == "__main__":
    main()
