//! HTTP content negotiation: picks the best offered media type for an `Accept` header,
//! honouring q-values, wildcards (`*/*`, `type/*`) and specificity (RFC 9110 §12.5.1).

/// One media range of an `Accept` header.
#[derive(Debug, Clone, PartialEq)]
struct Range {
    kind: String,
    subtype: String,
    q: f32,
    /// 3 for `type/subtype`, 2 for `type/*`, 1 for `*/*`: the more specific range wins.
    specificity: u8,
}

fn parse(accept: &str) -> Vec<Range> {
    accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let media = pieces.next()?.trim().to_ascii_lowercase();
            let (kind, subtype) = media.split_once('/')?;
            let mut q = 1.0f32;
            for param in pieces {
                if let Some((k, v)) = param.split_once('=') {
                    if k.trim().eq_ignore_ascii_case("q") {
                        q = v
                            .trim()
                            .parse()
                            .ok()
                            .filter(|q: &f32| (0.0..=1.0).contains(q))?;
                    }
                }
            }
            let specificity = match (kind, subtype) {
                ("*", "*") => 1,
                (_, "*") => 2,
                _ => 3,
            };
            Some(Range {
                kind: kind.trim().to_owned(),
                subtype: subtype.trim().to_owned(),
                q,
                specificity,
            })
        })
        .collect()
}

/// The q-value the header gives `offer` (its most specific matching range), or `None` when
/// no range matches.
fn quality(ranges: &[Range], offer: &str) -> Option<f32> {
    let (kind, subtype) = offer.split_once('/')?;
    ranges
        .iter()
        .filter(|r| (r.kind == "*" || r.kind == kind) && (r.subtype == "*" || r.subtype == subtype))
        .max_by_key(|r| r.specificity)
        .map(|r| r.q)
}

/// Picks the offer the client prefers: highest q, then the server's order. A missing or
/// empty header accepts the first offer. `None` means nothing acceptable (answer 406).
pub fn negotiate<'a>(accept: Option<&str>, offers: &[&'a str]) -> Option<&'a str> {
    let accept = accept.map(str::trim).filter(|a| !a.is_empty());
    let Some(accept) = accept else {
        return offers.first().copied();
    };
    let ranges = parse(accept);
    let mut best: Option<(&str, f32)> = None;
    for offer in offers {
        if let Some(q) = quality(&ranges, offer) {
            if q > 0.0 && best.is_none_or(|(_, bq)| q > bq) {
                best = Some((offer, q));
            }
        }
    }
    best.map(|(o, _)| o)
}

/// A result syntax named by a `format`, `output` or `results` request parameter, as
/// SPARQLWrapper, Fuseki and Virtuoso send them; it overrides the `Accept` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultsOverride {
    /// `json`: SPARQL Results JSON for SELECT and ASK, JSON-LD for graphs.
    Json,
    /// `xml`: SPARQL Results XML for SELECT and ASK, RDF/XML for graphs.
    Xml,
    /// `csv`: SPARQL Results CSV (SELECT and ASK only).
    Csv,
    /// `tsv`: SPARQL Results TSV (SELECT and ASK only).
    Tsv,
    /// `turtle`: Turtle (graphs only).
    Turtle,
    /// `ntriples`: N-Triples (graphs only).
    NTriples,
    /// `jsonld`: JSON-LD (graphs only).
    JsonLd,
    /// `rdfxml`: RDF/XML (graphs only).
    RdfXml,
}

/// A [`ResultsOverride`] with the request parameter that named it, as sent, so that a
/// refusal can quote the request rather than the enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatOverride {
    /// The syntax named.
    pub syntax: ResultsOverride,
    /// The parameter that named it first: `format`, `output` or `results`.
    pub parameter: &'static str,
    /// Its value as sent (`csv`, `text/csv`, ...).
    pub value: String,
}

impl ResultsOverride {
    /// The names understood, in the order error messages list them.
    pub const NAMES: &'static [&'static str] = &[
        "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld", "rdfxml",
    ];

    /// Reads a parameter value: one of [`Self::NAMES`] in any case, or the media type of one
    /// of them (`application/sparql-results+json`, `text/turtle`, ...).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "json" | "application/sparql-results+json" | "application/json" => Self::Json,
            "xml" | "application/sparql-results+xml" | "application/xml" => Self::Xml,
            "csv" | "text/csv" => Self::Csv,
            "tsv" | "text/tab-separated-values" => Self::Tsv,
            "turtle" | "ttl" | "text/turtle" => Self::Turtle,
            "ntriples" | "nt" | "n-triples" | "application/n-triples" => Self::NTriples,
            "jsonld" | "json-ld" | "application/ld+json" => Self::JsonLd,
            "rdfxml" | "rdf/xml" | "application/rdf+xml" => Self::RdfXml,
            _ => return None,
        })
    }

    /// The media type this names for a query form (`graph` for CONSTRUCT and DESCRIBE),
    /// or `None` when the syntax cannot carry that form (CSV for a graph, Turtle for a
    /// SELECT).
    pub fn media_type(self, graph: bool) -> Option<&'static str> {
        match (self, graph) {
            (Self::Json, false) => Some("application/sparql-results+json"),
            (Self::Xml, false) => Some("application/sparql-results+xml"),
            (Self::Csv, false) => Some("text/csv"),
            (Self::Tsv, false) => Some("text/tab-separated-values"),
            (Self::Json | Self::JsonLd, true) => Some("application/ld+json"),
            (Self::Xml | Self::RdfXml, true) => Some("application/rdf+xml"),
            (Self::Turtle, true) => Some("text/turtle"),
            (Self::NTriples, true) => Some("application/n-triples"),
            _ => None,
        }
    }
}

/// The `Content-Type` value of an answer in `media`: textual syntaxes get `charset=utf-8`
/// (RFC 9110 §8.3.1; without it HTTP clients such as python-requests decode `text/*` as
/// Latin-1). Every syntax autokg writes is UTF-8.
pub fn content_type_value(media: &'static str) -> &'static str {
    match media {
        "text/turtle" => "text/turtle; charset=utf-8",
        "text/csv" => "text/csv; charset=utf-8",
        "text/tab-separated-values" => "text/tab-separated-values; charset=utf-8",
        "application/n-triples" => "application/n-triples; charset=utf-8",
        "application/n-quads" => "application/n-quads; charset=utf-8",
        "application/trig" => "application/trig; charset=utf-8",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::negotiate;

    const OFFERS: &[&str] = &[
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
    ];

    fn check(accept: Option<&str>, expected: Option<&str>) {
        assert_eq!(negotiate(accept, OFFERS), expected, "Accept: {accept:?}");
    }

    #[test]
    fn q_values_wildcards_and_specificity() {
        check(None, Some("application/sparql-results+json"));
        check(Some("text/csv"), Some("text/csv"));
        check(
            Some("text/csv;q=0.5, application/sparql-results+xml"),
            Some("application/sparql-results+xml"),
        );
        check(Some("*/*"), Some("application/sparql-results+json"));
        check(Some("text/*"), Some("text/csv"));
        // The specific range's q=0 excludes JSON even though */* accepts everything.
        check(
            Some("application/sparql-results+json;q=0, */*;q=0.1"),
            Some("application/sparql-results+xml"),
        );
        check(Some("image/png"), None);
        check(Some("text/csv;q=0"), None);
        check(Some("TEXT/CSV"), Some("text/csv"));
        check(
            Some("text/html, */*;q=0.8"),
            Some("application/sparql-results+json"),
        );
    }
}
