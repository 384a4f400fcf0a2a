//! SPARQL 1.1 Protocol parameters: which operation a request carries, its dataset
//! (`default-graph-uri`, `named-graph-uri`, `using-…`) and its time limit, with 4xx errors
//! that say what is wrong.

use crate::algorithms::deadline::{positive_seconds, seconds};
use oxigraph::model::NamedNode;
use std::time::Duration;

/// An HTTP error without HTTP types: status code and a message for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    /// The status code.
    pub status: u16,
    /// Plain-text explanation.
    pub message: String,
}

impl HttpError {
    /// 400: the request is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            message: message.into(),
        }
    }
    /// 401: a write without the right token.
    pub fn unauthorized() -> Self {
        Self {
            status: 401,
            message: "this write needs the update token: send `Authorization: Bearer <token>`"
                .into(),
        }
    }
    /// 403: the server was started without an update token.
    pub fn read_only() -> Self {
        Self {
            status: 403,
            message: "the server is read-only: start it with --update-token (or AUTOKG_UPDATE_TOKEN) to allow writes".into(),
        }
    }
    /// 404: the thing named does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: 404,
            message: message.into(),
        }
    }
    /// 405: the method is not allowed on this route.
    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self {
            status: 405,
            message: message.into(),
        }
    }
    /// 406: no acceptable representation.
    pub fn not_acceptable(offers: &[&str]) -> Self {
        Self {
            status: 406,
            message: format!(
                "no acceptable media type; this resource is available as: {}",
                offers.join(", ")
            ),
        }
    }
    /// 413: the request body is too large.
    pub fn too_large(limit: usize) -> Self {
        Self {
            status: 413,
            message: format!("the request body is larger than the server's limit of {limit} bytes"),
        }
    }
    /// 415: the request's content type is not understood.
    pub fn unsupported_media_type(got: &str, expected: &str) -> Self {
        Self {
            status: 415,
            message: format!("unsupported Content-Type '{got}'; expected {expected}"),
        }
    }
    /// 500: something broke on the server.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            status: 500,
            message: message.into(),
        }
    }
    /// 502: a remote endpoint (a SERVICE target) failed or answered something unusable.
    pub fn bad_gateway(message: impl Into<String>) -> Self {
        Self {
            status: 502,
            message: message.into(),
        }
    }
    /// 504: a remote endpoint (a SERVICE target) did not answer in time.
    pub fn gateway_timeout(message: impl Into<String>) -> Self {
        Self {
            status: 504,
            message: message.into(),
        }
    }
    /// 503: the query ran over its time limit.
    pub fn timeout(limit: Duration) -> Self {
        Self {
            status: 503,
            message: format!(
                "the query ran over its time limit of {} and was cancelled; narrow it or add LIMIT",
                seconds(limit)
            ),
        }
    }
    /// 503: the update ran over its time limit; nothing of it was applied.
    pub fn update_timeout(limit: Duration) -> Self {
        Self {
            status: 503,
            message: format!(
                "the update ran over its time limit of {} and was cancelled; nothing of it was applied",
                seconds(limit)
            ),
        }
    }
    /// 503: too many evaluations at once.
    pub fn overloaded() -> Self {
        Self {
            status: 503,
            message: "the server is busy with other queries; retry in a moment".into(),
        }
    }
}

impl From<crate::error::Error> for HttpError {
    /// The status comes from [`crate::error::Error::status`], the one mapping; a timeout
    /// keeps its own message (the limit and what to do about it).
    fn from(e: crate::error::Error) -> Self {
        match &e {
            crate::error::Error::Timeout(d) => Self::timeout(*d),
            e => Self {
                status: e.status(),
                message: e.to_string(),
            },
        }
    }
}

/// A query and its protocol parameters.
#[derive(Debug, Clone, Default)]
pub struct QueryRequest {
    /// The query text.
    pub query: String,
    /// `default-graph-uri` values (override the query's FROM when any is given).
    pub default_graphs: Vec<NamedNode>,
    /// `named-graph-uri` values (override the query's FROM NAMED when any is given).
    pub named_graphs: Vec<NamedNode>,
    /// `timeout` in seconds, lowered to the server's maximum.
    pub timeout: Option<Duration>,
    /// The base IRI of relative IRIs in the query: the endpoint's IRI (set by the HTTP edge,
    /// see [`super::description::endpoint_iri`]); `None` leaves relative IRIs an error.
    pub base_iri: Option<String>,
    /// The result syntax named by a `format`, `output` or `results` parameter, which
    /// overrides `Accept` (see [`super::negotiate::ResultsOverride`]).
    pub format_override: Option<super::negotiate::FormatOverride>,
}

/// An update and its protocol parameters.
#[derive(Debug, Clone, Default)]
pub struct UpdateRequest {
    /// The update text.
    pub update: String,
    /// `using-graph-uri` values.
    pub using_graphs: Vec<NamedNode>,
    /// `using-named-graph-uri` values.
    pub using_named_graphs: Vec<NamedNode>,
    /// `timeout` in seconds.
    pub timeout: Option<Duration>,
    /// The base IRI of relative IRIs in the update, as for [`QueryRequest::base_iri`].
    pub base_iri: Option<String>,
}

/// What a `/sparql` request asks for.
#[derive(Debug, Clone)]
pub enum Operation {
    /// Evaluate a query.
    Query(QueryRequest),
    /// Apply an update.
    Update(UpdateRequest),
    /// Describe the service (GET without parameters).
    ServiceDescription,
}

/// The parameters of a request, with their repetitions kept.
#[derive(Debug, Default)]
struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes `application/x-www-form-urlencoded` bytes (a URL query or a form body).
    /// Unlike a lossy decoder, a name or value that is not UTF-8 once percent-decoded
    /// (`%FF`, `caf%E9`, raw Latin-1 bytes) is a 400 naming the parameter and the byte
    /// offset, so nothing runs on text the client did not send.
    fn parse(encoded: &[u8], what: &str) -> Result<Self, HttpError> {
        let mut out = Vec::new();
        let mut offset = 0;
        for pair in encoded.split(|b| *b == b'&') {
            let start = offset;
            offset += pair.len() + 1;
            if pair.is_empty() {
                continue;
            }
            let (name, value) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let decode = |bytes: &[u8]| {
                let plus: Vec<u8> = bytes
                    .iter()
                    .map(|b| if *b == b'+' { b' ' } else { *b })
                    .collect();
                percent_encoding::percent_decode(&plus)
                    .decode_utf8()
                    .map(std::borrow::Cow::into_owned)
            };
            let shown = String::from_utf8_lossy(&name[..name.len().min(40)]).into_owned();
            let name = decode(name).map_err(|_| {
                HttpError::bad_request(format!(
                    "a parameter name in the {what} at byte {start} is not UTF-8 once percent-decoded"
                ))
            })?;
            let value = decode(value).map_err(|_| {
                HttpError::bad_request(format!(
                    "the value of the parameter '{shown}' in the {what} (at byte {start}) is not UTF-8 once percent-decoded; percent-encode text as UTF-8"
                ))
            })?;
            out.push((name, value));
        }
        Ok(Self(out))
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// At most one value; two or more is a 400.
    fn at_most_once<'a>(&'a self, name: &'a str) -> Result<Option<&'a str>, HttpError> {
        let mut values = self.all(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(HttpError::bad_request(format!(
                "the parameter '{name}' must be given exactly once"
            )));
        }
        Ok(first)
    }

    fn graphs(&self, name: &str) -> Result<Vec<NamedNode>, HttpError> {
        self.all(name)
            .map(|iri| {
                NamedNode::new(iri).map_err(|e| {
                    HttpError::bad_request(format!("{name} '{iri}' is not an absolute IRI: {e}"))
                })
            })
            .collect()
    }

    fn timeout(&self) -> Result<Option<Duration>, HttpError> {
        self.at_most_once("timeout")?
            .map(|t| {
                t.parse::<f64>()
                    .ok()
                    .and_then(positive_seconds)
                    .ok_or_else(|| {
                        HttpError::bad_request(format!(
                            "timeout '{t}' is not a positive number of seconds"
                        ))
                    })
            })
            .transpose()
    }

    /// The `format`, `output` and `results` parameters (SPARQLWrapper, Fuseki, Virtuoso):
    /// all given must name the same syntax; an unknown name is a 400 listing the known ones.
    fn format_override(&self) -> Result<Option<super::negotiate::FormatOverride>, HttpError> {
        let mut chosen: Option<super::negotiate::FormatOverride> = None;
        for parameter in ["format", "output", "results"] {
            for value in self.all(parameter) {
                let o = super::negotiate::ResultsOverride::from_name(value).ok_or_else(|| {
                    HttpError::bad_request(format!(
                        "unknown {parameter} '{value}'; known: {}",
                        super::negotiate::ResultsOverride::NAMES.join(", ")
                    ))
                })?;
                match &chosen {
                    Some(c) if c.syntax != o => {
                        return Err(HttpError::bad_request(
                            "the format, output and results parameters name different syntaxes",
                        ))
                    }
                    Some(_) => {}
                    None => {
                        chosen = Some(super::negotiate::FormatOverride {
                            syntax: o,
                            parameter,
                            value: value.to_owned(),
                        });
                    }
                }
            }
        }
        Ok(chosen)
    }

    fn extend(&mut self, other: Params) {
        self.0.extend(other.0);
    }
}

/// Checks that every name and value of a URL query string (or form body) is UTF-8 once
/// percent-decoded, and that the percent-decoded `path` is too. Errors: 400 naming the
/// parameter (or the path) and where. Run on every request before routing, so no handler's
/// decoder can substitute U+FFFD for what the client sent.
pub fn check_utf8(path: &str, query_string: &str) -> Result<(), HttpError> {
    if percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .is_err()
    {
        return Err(HttpError::bad_request(
            "the request path is not UTF-8 once percent-decoded; percent-encode ids as UTF-8",
        ));
    }
    Params::parse(query_string.as_bytes(), "URL query").map(drop)
}

fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Decodes a `/sparql` request: `method` is `GET` or `POST`, `query_string` the raw URL
/// query, `content_type` the request's header, `body` its bytes.
pub fn parse_request(
    method: &str,
    query_string: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Operation, HttpError> {
    let mut params = Params::parse(query_string.as_bytes(), "URL query")?;
    let text = |body: &[u8], what: &str| {
        String::from_utf8(body.to_vec())
            .map_err(|_| HttpError::bad_request(format!("the {what} is not valid UTF-8")))
    };
    let (query, update) = match method {
        "GET" | "HEAD" => {
            // Without a query (a client's `format=` alone may be there): the description.
            let only_format = params
                .0
                .iter()
                .all(|(k, _)| matches!(k.as_str(), "format" | "output" | "results"));
            if only_format {
                return Ok(Operation::ServiceDescription);
            }
            if params.all("update").next().is_some() {
                return Err(HttpError::method_not_allowed(
                    "updates must be sent with POST",
                ));
            }
            (params.at_most_once("query")?.map(str::to_owned), None)
        }
        "POST" => {
            let ct = content_type.map(media_type).unwrap_or_default();
            match ct.as_str() {
                "application/x-www-form-urlencoded" => {
                    params.extend(Params::parse(body, "form body")?);
                    (
                        params.at_most_once("query")?.map(str::to_owned),
                        params.at_most_once("update")?.map(str::to_owned),
                    )
                }
                "application/sparql-query" => {
                    if params.all("query").next().is_some() {
                        return Err(HttpError::bad_request("the query is in the body: do not also give a 'query' parameter"));
                    }
                    (Some(text(body, "query")?), None)
                }
                "application/sparql-update" => (None, Some(text(body, "update")?)),
                "" => {
                    return Err(HttpError::unsupported_media_type(
                        "(none)",
                        "application/sparql-query, application/sparql-update or application/x-www-form-urlencoded",
                    ))
                }
                other => {
                    return Err(HttpError::unsupported_media_type(
                        other,
                        "application/sparql-query, application/sparql-update or application/x-www-form-urlencoded",
                    ))
                }
            }
        }
        other => {
            return Err(HttpError::method_not_allowed(format!(
                "{other} is not allowed on /sparql; use GET or POST"
            )))
        }
    };
    match (query, update) {
        (Some(_), Some(_)) => Err(HttpError::bad_request(
            "a request carries either 'query' or 'update', not both",
        )),
        (Some(query), None) => Ok(Operation::Query(QueryRequest {
            query,
            default_graphs: params.graphs("default-graph-uri")?,
            named_graphs: params.graphs("named-graph-uri")?,
            timeout: params.timeout()?,
            base_iri: None,
            format_override: params.format_override()?,
        })),
        (None, Some(update)) => Ok(Operation::Update(UpdateRequest {
            update,
            using_graphs: params.graphs("using-graph-uri")?,
            using_named_graphs: params.graphs("using-named-graph-uri")?,
            timeout: params.timeout()?,
            base_iri: None,
        })),
        (None, None) => Err(HttpError::bad_request("missing the 'query' parameter")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(op: Result<Operation, HttpError>) -> QueryRequest {
        match op {
            Ok(Operation::Query(q)) => q,
            other => panic!("not a query: {other:?}"),
        }
    }

    #[test]
    fn time_limits_are_named_as_given_never_rounded_to_zero() {
        for (secs, text) in [
            (0.001, "0.001 s"),
            (0.25, "0.25 s"),
            (5.0, "5 s"),
            (30.0, "30 s"),
            // as_secs_f64 would add the float noise of secs + nanos: 1.1400000000000001.
            (1.14, "1.14 s"),
            (1.36, "1.36 s"),
            (1e-9, "0.000000001 s"),
            (1e6, "1000000 s"),
        ] {
            let limit = Duration::from_secs_f64(secs);
            assert_eq!(seconds(limit), text);
            let m = HttpError::timeout(limit).message;
            assert!(
                m.contains(&format!("the query ran over its time limit of {text}")),
                "{m}"
            );
            let m = HttpError::update_timeout(limit).message;
            assert!(
                m.contains(&format!("the update ran over its time limit of {text}")),
                "{m}"
            );
        }
    }

    #[test]
    fn a_time_limit_must_hold_at_least_a_nanosecond_and_fit_a_duration() {
        assert_eq!(positive_seconds(0.5), Some(Duration::from_millis(500)));
        assert_eq!(positive_seconds(1e-9), Some(Duration::from_nanos(1)));
        for refused in [
            0.0,
            -1.0,
            1e-10,
            4e-10,
            f64::NAN,
            f64::INFINITY,
            1e20,
            1e300,
        ] {
            assert_eq!(positive_seconds(refused), None, "{refused}");
        }
        let r = parse_request("GET", "query=ASK%7B%7D&timeout=1e-10", None, b"");
        assert!(matches!(r, Err(HttpError { status: 400, .. })), "{r:?}");
    }

    #[test]
    fn get_post_form_and_direct_post_all_carry_a_query() {
        let q = query(parse_request(
            "GET",
            "query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fe%2Fg",
            None,
            b"",
        ));
        assert_eq!(q.query, "ASK{}");
        assert_eq!(q.default_graphs[0].as_str(), "http://e/g");
        let q = query(parse_request(
            "POST",
            "",
            Some("application/x-www-form-urlencoded"),
            b"query=ASK+%7B%7D&timeout=2",
        ));
        assert_eq!(q.query, "ASK {}");
        assert_eq!(q.timeout, Some(Duration::from_secs(2)));
        let q = query(parse_request(
            "POST",
            "named-graph-uri=http://e/n",
            Some("application/sparql-query; charset=utf-8"),
            b"ASK {}",
        ));
        assert_eq!(q.named_graphs.len(), 1);
    }

    #[test]
    fn protocol_violations_get_the_right_status() {
        let status = |r: Result<Operation, HttpError>| r.err().map(|e| e.status);
        assert_eq!(
            status(parse_request("GET", "query=a&query=b", None, b"")),
            Some(400)
        );
        assert_eq!(
            status(parse_request("GET", "default-graph-uri=rel", None, b"")),
            Some(400)
        );
        assert_eq!(
            status(parse_request(
                "GET",
                "query=a&default-graph-uri=relative",
                None,
                b""
            )),
            Some(400)
        );
        assert_eq!(
            status(parse_request("POST", "", Some("text/plain"), b"ASK {}")),
            Some(415)
        );
        assert_eq!(
            status(parse_request("POST", "", None, b"ASK {}")),
            Some(415)
        );
        assert_eq!(
            status(parse_request("GET", "update=x", None, b"")),
            Some(405)
        );
        assert_eq!(status(parse_request("PUT", "", None, b"")), Some(405));
        assert_eq!(
            status(parse_request("GET", "query=a&timeout=-1", None, b"")),
            Some(400)
        );
        assert!(matches!(
            parse_request("GET", "", None, b""),
            Ok(Operation::ServiceDescription)
        ));
    }

    #[test]
    fn format_parameters_are_read_and_checked() {
        use super::super::negotiate::ResultsOverride;
        let q = query(parse_request(
            "GET",
            "query=ASK%7B%7D&output=XML",
            None,
            b"",
        ));
        assert_eq!(
            q.format_override.map(|o| (o.syntax, o.parameter, o.value)),
            Some((ResultsOverride::Xml, "output", "XML".to_owned()))
        );
        let q = query(parse_request(
            "GET",
            "query=ASK%7B%7D&format=json&results=application%2Fsparql-results%2Bjson",
            None,
            b"",
        ));
        assert_eq!(
            q.format_override.map(|o| o.syntax),
            Some(ResultsOverride::Json)
        );
        let e = parse_request("GET", "query=ASK%7B%7D&format=json&output=csv", None, b"");
        assert_eq!(e.err().map(|e| e.status), Some(400));
        let e = parse_request("GET", "query=ASK%7B%7D&format=yaml", None, b"");
        assert!(e.is_err_and(|e| e.message.contains("yaml") && e.message.contains("rdfxml")));
        // A client's format parameter alone still gets the service description.
        assert!(matches!(
            parse_request("GET", "format=json", None, b""),
            Ok(Operation::ServiceDescription)
        ));
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_naming_the_parameter() {
        let refused = |r: Result<Operation, HttpError>| match r {
            Err(e) => (e.status, e.message),
            Ok(op) => panic!("accepted: {op:?}"),
        };
        let (status, message) = refused(parse_request("GET", "query=caf%E9", None, b""));
        assert_eq!(status, 400);
        assert!(message.contains("'query'"), "{message}");
        let (_, message) = refused(parse_request(
            "GET",
            "query=ASK%7B%7D&timeout=%FF",
            None,
            b"",
        ));
        assert!(message.contains("'timeout'"), "{message}");
        let form = Some("application/x-www-form-urlencoded");
        let (_, message) = refused(parse_request(
            "POST",
            "",
            form,
            b"update=INSERT DATA { <a> <b> \"caf\xE9\" }",
        ));
        assert!(
            message.contains("'update'") && message.contains("form body"),
            "{message}"
        );
        let (status, _) = refused(parse_request(
            "POST",
            "",
            Some("application/sparql-update"),
            b"INSERT DATA { <a> <b> \"\xE9\" }",
        ));
        assert_eq!(status, 400);
        // UTF-8, percent-encoded or raw, passes.
        let q = query(parse_request(
            "GET",
            "query=%E9%97%AE%E7%95%8C+x",
            None,
            b"",
        ));
        assert_eq!(q.query, "问界 x");
    }
}
