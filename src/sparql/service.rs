//! SERVICE policy: which remote endpoints a federated query may call.
//!
//! The operator allows targets with `--allow-service` (repeatable). Each entry is parsed once,
//! at start-up, into scheme, host, port and path ([`AllowedTarget`]); a SERVICE IRI is parsed
//! the same way, by the URL parser that the HTTP client then uses, and allowed when some entry
//! has the same scheme (`http` or `https`), the same host (case-insensitive, as the parser
//! normalises it), the same port (default ports made explicit) and a path that is the entry's
//! path or below it on a segment boundary (`/sparql` allows `/sparql` and `/sparql/x`, not
//! `/sparqlx`). A target with user information (`user@host`) is never allowed, nor a path
//! with an encoded `/`, `\` or `.` (a server may decode it into a way out of the path).
//!
//! The policy is applied twice: [`check_query`]/[`check_update`] walk the parsed algebra
//! before evaluation (every position, [`super::algebra::for_each_pattern`]) for a clear 400,
//! and [`super::federation::ServiceCaller`] applies it again on every call, before any
//! connection, so no position in a query can escape it.

use super::algebra::{for_each_pattern, query_pattern, update_patterns};
use reqwest::Url;
use spargebra::algebra::GraphPattern;
use spargebra::term::NamedNodePattern;
use spargebra::{Query, Update};
use std::fmt;

/// One allowed target: `scheme://host:port/path`, compared component by component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedTarget {
    /// `http` or `https`.
    scheme: String,
    /// The host as the URL parser normalises it: lower-case names, canonical IPv4, `[…]` IPv6.
    host: String,
    /// The port, the scheme's default when the entry names none.
    port: u16,
    /// The path prefix without a trailing `/` (empty: every path).
    path: String,
}

impl AllowedTarget {
    /// Parses an allow-list entry: an absolute `http` or `https` IRI without user
    /// information, query or fragment. Errors: a sentence saying what is wrong.
    pub fn parse(entry: &str) -> Result<Self, String> {
        let url = parse_target(entry)?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(
                "an allowed target is scheme, host, port and path: it takes no query or fragment"
                    .into(),
            );
        }
        Ok(Self {
            scheme: url.scheme().to_owned(),
            host: url.host_str().unwrap_or_default().to_ascii_lowercase(),
            port: url.port_or_known_default().unwrap_or_default(),
            path: url.path().trim_end_matches('/').to_owned(),
        })
    }

    /// Whether `url` (already parsed by [`parse_target`]) falls under this target.
    fn allows(&self, url: &Url) -> bool {
        url.scheme() == self.scheme
            && url
                .host_str()
                .is_some_and(|h| h.eq_ignore_ascii_case(&self.host))
            && url.port_or_known_default() == Some(self.port)
            && url
                .path()
                .strip_prefix(self.path.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

impl fmt::Display for AllowedTarget {
    /// `scheme://host:port/path`, the port always written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(f, "{}://{}:{}{path}", self.scheme, self.host, self.port)
    }
}

/// Parses an IRI into the URL that would be called, refusing what no policy allows: not an
/// absolute IRI, a scheme other than `http`/`https`, user information, or an encoded `/`,
/// `\` or `.` in the path.
fn parse_target(iri: &str) -> Result<Url, String> {
    oxiri::Iri::parse(iri).map_err(|e| format!("it is not an absolute IRI: {e}"))?;
    let url = Url::parse(iri).map_err(|e| format!("it is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "only http and https are called, not {}:",
            url.scheme()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a target with user information (user@host) is never called".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("it has no host".into());
    }
    let path = url.path().to_ascii_lowercase();
    if ["%2f", "%5c", "%2e"].iter().any(|e| path.contains(e)) {
        return Err("its path has an encoded '/', '\\' or '.'".into());
    }
    Ok(url)
}

/// The targets SERVICE may call; empty: federation is off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServicePolicy {
    targets: Vec<AllowedTarget>,
}

impl ServicePolicy {
    /// Parses allow-list entries ([`AllowedTarget::parse`]). Errors: the first bad entry,
    /// quoted, and what is wrong with it.
    pub fn new<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        let targets = entries
            .iter()
            .map(|e| {
                let e = e.as_ref();
                AllowedTarget::parse(e).map_err(|why| format!("'{e}' cannot be allowed: {why}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { targets })
    }

    /// Whether no target is allowed (federation off).
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The allowed targets, in the order given.
    pub fn targets(&self) -> &[AllowedTarget] {
        &self.targets
    }

    /// The URL to call for the SERVICE IRI `iri`, when the policy allows it. Errors: a
    /// sentence for the client, `SERVICE <iri> refused: …` with the reason.
    pub fn check(&self, iri: &str) -> Result<Url, String> {
        let refused = |why: String| format!("SERVICE <{iri}> refused: {why}");
        if self.is_empty() {
            return Err(refused(
                "federation is off on this server (the operator enables it per target with --allow-service)".into(),
            ));
        }
        let url = parse_target(iri).map_err(refused)?;
        if self.targets.iter().any(|t| t.allows(&url)) {
            Ok(url)
        } else {
            let allowed: Vec<String> = self.targets.iter().map(ToString::to_string).collect();
            Err(refused(format!(
                "it is none of the allowed targets ({}; compared by scheme, host, port and path segments)",
                allowed.join(", ")
            )))
        }
    }
}

/// Checks every SERVICE of `query`, wherever it stands (EXISTS in FILTER, BIND, ORDER BY,
/// aggregates, OPTIONAL conditions, sub-queries). Errors: the first refused target, or a
/// SERVICE named by a variable (it could not be checked before evaluation).
pub fn check_query(query: &Query, policy: &ServicePolicy) -> Result<(), String> {
    check_pattern(query_pattern(query), policy)
}

/// Checks every SERVICE in the WHERE clauses of `update`, as [`check_query`] does.
pub fn check_update(update: &Update, policy: &ServicePolicy) -> Result<(), String> {
    update_patterns(update).try_for_each(|p| check_pattern(p, policy))
}

/// Whether `query` has a SERVICE anywhere (its evaluation may wait on another endpoint).
pub fn calls_services(query: &Query) -> bool {
    let mut found = false;
    for_each_pattern(query_pattern(query), &mut |p| {
        found |= matches!(p, GraphPattern::Service { .. });
    });
    found
}

fn check_pattern(pattern: &GraphPattern, policy: &ServicePolicy) -> Result<(), String> {
    let mut first = Ok(());
    for_each_pattern(pattern, &mut |p| {
        if first.is_err() {
            return;
        }
        if let GraphPattern::Service { name, .. } = p {
            first = match name {
                NamedNodePattern::NamedNode(iri) => policy.check(iri.as_str()).map(drop),
                NamedNodePattern::Variable(v) => Err(format!(
                    "SERVICE ?{} refused: a SERVICE target must be an IRI so it can be checked",
                    v.as_str()
                )),
            };
        }
    });
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use spargebra::SparqlParser;

    fn policy(entries: &[&str]) -> ServicePolicy {
        ServicePolicy::new(entries).expect("valid entries")
    }

    #[test]
    fn targets_are_compared_by_scheme_host_port_and_path_segments() {
        // (allowed entry, SERVICE IRI, allowed?)
        let table: &[(&str, &str, bool)] = &[
            (
                "http://127.0.0.1:8000/",
                "http://127.0.0.1:8000/sparql",
                true,
            ),
            (
                "http://127.0.0.1:8000/",
                "http://127.0.0.1:8001/sparql",
                false,
            ),
            (
                "http://127.0.0.1:8000/",
                "https://127.0.0.1:8000/sparql",
                false,
            ),
            (
                "http://127.0.0.1:8000/",
                "http://127.0.0.2:8000/sparql",
                false,
            ),
            // The userinfo trick, with and without the trailing slash on the entry.
            (
                "http://127.0.0.1:8000",
                "http://127.0.0.1:8000@127.0.0.1:9000/",
                false,
            ),
            (
                "http://127.0.0.1:8000/",
                "http://127.0.0.1:8000@127.0.0.1:9000/",
                false,
            ),
            (
                "http://127.0.0.1:8000",
                "http://user@127.0.0.1:8000/",
                false,
            ),
            ("http://127.0.0.1:8000", "http://u:p@127.0.0.1:8000/", false),
            ("http://127.0.0.1:8000", "http://127.0.0.1:8000/", true),
            ("http://127.0.0.1:8000", "http://127.0.0.1:80000/", false),
            (
                "http://127.0.0.1:8000",
                "http://127.0.0.1:8000.evil/",
                false,
            ),
            // Hosts: case-insensitive, normalised the way the client will connect.
            (
                "http://Example.ORG/sparql",
                "http://example.org/sparql",
                true,
            ),
            (
                "http://example.org/sparql",
                "HTTP://EXAMPLE.ORG/sparql",
                true,
            ),
            (
                "http://example.org/sparql",
                "http://example.org.evil.com/sparql",
                false,
            ),
            (
                "http://example.org/sparql",
                "http://evil.com/http://example.org/sparql",
                false,
            ),
            ("http://127.0.0.1:8000/", "http://2130706433:8000/", true),
            ("http://[::1]:8000/", "http://[0:0::1]:8000/x", true),
            ("http://[::1]:8000/", "http://[::2]:8000/x", false),
            // Default ports made explicit.
            (
                "http://example.org/sparql",
                "http://example.org:80/sparql",
                true,
            ),
            (
                "http://example.org:80/sparql",
                "http://example.org/sparql",
                true,
            ),
            (
                "http://example.org/sparql",
                "http://example.org:8080/sparql",
                false,
            ),
            (
                "https://query.wikidata.org/sparql",
                "https://query.wikidata.org:443/sparql",
                true,
            ),
            (
                "https://query.wikidata.org/sparql",
                "http://query.wikidata.org/sparql",
                false,
            ),
            (
                "https://query.wikidata.org/sparql",
                "http://query.wikidata.org:443/sparql",
                false,
            ),
            // Paths: prefixes on segment boundaries, after dot segments are resolved.
            (
                "http://example.org/sparql",
                "http://example.org/sparql/x",
                true,
            ),
            (
                "http://example.org/sparql",
                "http://example.org/sparqlx",
                false,
            ),
            ("http://example.org/sparql", "http://example.org/", false),
            (
                "http://example.org/sparql",
                "http://example.org/sparql?query=x",
                true,
            ),
            (
                "http://example.org/sparql/",
                "http://example.org/sparql",
                true,
            ),
            (
                "http://example.org/sparql/",
                "http://example.org/sparql/x",
                true,
            ),
            (
                "http://example.org/sparql/",
                "http://example.org/sparqlx",
                false,
            ),
            (
                "http://example.org/sparql",
                "http://example.org/sparql/../admin",
                false,
            ),
            (
                "http://example.org/sparql",
                "http://example.org/sparql/%2e%2e/admin",
                false,
            ),
            (
                "http://example.org/sparql",
                "http://example.org/sparql/..%2fadmin",
                false,
            ),
            (
                "http://example.org/sparql",
                "http://example.org/sparql/a%5Cb",
                false,
            ),
            (
                "http://example.org/sparql",
                "http://example.org/SPARQL",
                false,
            ),
            // Only http and https.
            ("http://example.org/", "ftp://example.org/", false),
            ("http://example.org/", "file:///etc/passwd", false),
        ];
        for (entry, target, allowed) in table {
            let got = policy(&[*entry]).check(target);
            assert_eq!(got.is_ok(), *allowed, "{entry} vs {target}: {got:?}");
            if let Err(message) = got {
                assert!(message.starts_with(&format!("SERVICE <{target}> refused: ")));
            }
        }
    }

    #[test]
    fn bad_entries_are_refused_with_a_reason() {
        let table: &[(&str, &str)] = &[
            ("ftp://example.org/", "only http and https"),
            ("http://u:p@example.org/", "user information"),
            ("http://example.org@127.0.0.1/", "user information"),
            ("not an iri", "not an absolute IRI"),
            ("/relative/path", "not an absolute IRI"),
            ("http://example.org/sparql?x=1", "no query or fragment"),
            ("http://example.org/sparql#f", "no query or fragment"),
            ("http://example.org/a%2Fb", "encoded"),
        ];
        for (entry, reason) in table {
            let error = ServicePolicy::new(&[entry]).expect_err(entry);
            assert!(
                error.contains(entry) && error.contains(reason),
                "{entry}: {error}"
            );
        }
        let ok = policy(&["https://Query.Wikidata.org/sparql", "http://127.0.0.1:8000"]);
        let shown: Vec<String> = ok.targets().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "https://query.wikidata.org:443/sparql",
                "http://127.0.0.1:8000/"
            ]
        );
    }

    fn check(q: &str, allowed: &[&str]) -> Result<(), String> {
        let query = SparqlParser::new().parse_query(q).expect("parses");
        check_query(&query, &policy(allowed))
    }

    #[test]
    fn services_are_found_wherever_they_hide() {
        let evil = "SERVICE <http://evil/> { ?s ?p ?o }";
        assert!(check("SELECT * { ?s ?p ?o }", &[]).is_ok());
        for q in [
            format!("SELECT * {{ {evil} }}"),
            format!("SELECT * {{ ?a ?b ?c OPTIONAL {{ {evil} }} }}"),
            format!("SELECT * {{ ?a ?b ?c FILTER EXISTS {{ {evil} }} }}"),
            format!("SELECT * {{ ?a ?b ?c }} ORDER BY (EXISTS {{ {evil} }})"),
            format!("SELECT (COUNT(EXISTS {{ {evil} }}) AS ?n) {{ ?a ?b ?c }}"),
            format!("SELECT * {{ {{ SELECT ?a {{ ?a ?b ?c }} ORDER BY (EXISTS {{ {evil} }}) }} }}"),
            format!("SELECT * {{ ?a ?b ?c BIND(EXISTS {{ {evil} }} AS ?e) }}"),
            format!("SELECT * {{ SERVICE <http://good/sparql> {{ {evil} }} }}"),
        ] {
            let error = check(&q, &["http://good/"]).expect_err(&q);
            assert!(error.contains("<http://evil/> refused"), "{q}: {error}");
        }
        assert!(check(
            "SELECT * { SERVICE <http://good/sparql> { ?s ?p ?o } }",
            &["http://good/"]
        )
        .is_ok());
        let variable = check("SELECT * { SERVICE ?x { ?s ?p ?o } }", &["http://good/"]);
        assert!(variable.is_err_and(|e| e.contains("must be an IRI")));
    }

    #[test]
    fn updates_are_checked_in_every_where_clause() {
        let update = SparqlParser::new()
            .parse_update(
                "INSERT DATA { <http://a> <http://b> <http://c> } ; \
                 DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://evil/> {} } }",
            )
            .expect("parses");
        let error = check_update(&update, &policy(&["http://good/"])).expect_err("refused");
        assert!(error.contains("<http://evil/> refused"), "{error}");
    }
}
