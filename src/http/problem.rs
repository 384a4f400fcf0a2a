//! RFC 9457 problem details (`application/problem+json`): the one error body of `/api` and the
//! export routes, built from the one [`Error::status`] mapping. `/sparql` and `/store` answer
//! the same statuses as plain text ([`super::stream::error_response`]), which SPARQL clients
//! expect.

use crate::catalog::{EntityRef, Labels, Rejection};
use crate::error::Error;
use crate::export::model::ExportError;
use crate::sparql::HttpError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

/// Media type of problems.
pub const PROBLEM: &str = "application/problem+json";
/// Where the problem types with extension members live (`{PROBLEM_BASE}unknown-format`,
/// `{PROBLEM_BASE}neighbourhood-too-large`); every other problem is `about:blank`, whose
/// meaning is its status.
pub const PROBLEM_BASE: &str = "https://w3id.org/autokg/problem/";

/// An entity suggested in a 404 or 400.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Suggestion {
    /// Its id.
    #[schema(example = "seres")]
    pub id: String,
    /// Its labels.
    #[schema(example = json!({"en": "Seres", "zh": "赛力斯"}))]
    pub label: Labels,
    /// Where to look it up.
    #[schema(example = "/api/entities/seres")]
    pub href: String,
}

/// A refused request: the error handlers return (an actix [`ResponseError`]) around its
/// [`ProblemDetails`], boxed so that results stay small.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem(Box<ProblemDetails>);

/// RFC 9457 problem details, the body clients read (named `Problem` in the OpenAPI document).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Problem)]
pub struct ProblemDetails {
    /// `about:blank` (the status says what kind of problem it is), or a type under
    /// `https://w3id.org/autokg/problem/` for problems with extension members.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: String,
    /// The status's reason phrase, or the problem type's title.
    #[schema(example = "Not Found")]
    pub title: String,
    /// The HTTP status.
    #[schema(example = 404)]
    pub status: u16,
    /// What is wrong and how to put it right.
    #[schema(example = "no entity has the id 'sers'; did you mean 'seres'?")]
    pub detail: String,
    /// The closest existing entities, when an id was not found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// The format names this route knows (type `unknown-format`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_formats: Option<Vec<String>>,
    /// How many nodes the request would have produced (type `neighbourhood-too-large`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// The limit it passed (type `neighbourhood-too-large`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// The methods the route offers, sent as `Allow` with a 405.
    #[serde(skip)]
    allow: Option<&'static str>,
}

impl Problem {
    /// A problem of type `about:blank` with `status` and `detail`.
    pub fn new(status: u16, detail: impl Into<String>) -> Self {
        let title = StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        Self(Box::new(ProblemDetails {
            kind: "about:blank".into(),
            title: title.into(),
            status,
            detail: detail.into(),
            suggestions: Vec::new(),
            known_formats: None,
            count: None,
            limit: None,
            allow: None,
        }))
    }

    /// The body.
    pub fn details(&self) -> &ProblemDetails {
        &self.0
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    fn typed(mut self, slug: &str, title: &str) -> Self {
        self.0.kind = format!("{PROBLEM_BASE}{slug}");
        self.0.title = title.into();
        self
    }

    /// 400 with an explanation.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(400, detail)
    }

    /// 500 with an explanation.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(500, detail)
    }

    /// 405 for a method the route does not offer; `allow` lists the ones it does.
    pub fn method_not_allowed(method: &str, allow: &'static str) -> Self {
        let mut p = Self::new(
            405,
            format!("{method} is not allowed here; this route answers {allow}"),
        );
        p.0.allow = Some(allow);
        p
    }

    /// 400 for a format name that is not one of `known`, listing them.
    pub fn unknown_format(name: &str, known: &[&str]) -> Self {
        let mut p = Self::new(
            400,
            format!("unknown format '{name}'; known: {}", known.join(", ")),
        )
        .typed("unknown-format", "Unknown format");
        p.0.known_formats = Some(known.iter().map(|k| (*k).to_owned()).collect());
        p
    }

    /// Adds suggestions (an unknown entity's closest ids).
    pub fn with_suggestions(mut self, suggestions: Vec<EntityRef>) -> Self {
        self.0.suggestions = suggestions
            .into_iter()
            .map(|s| Suggestion {
                href: format!("/api/entities/{}", super::api::reply::path_segment(&s.id)),
                id: s.id,
                label: s.label,
            })
            .collect();
        self
    }

    /// The explanation.
    pub fn detail(&self) -> &str {
        &self.0.detail
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.status, self.0.detail)
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Self {
        Self::from(HttpError::from(e))
    }
}

impl From<HttpError> for Problem {
    fn from(e: HttpError) -> Self {
        Self::new(e.status, e.message)
    }
}

impl From<Rejection> for Problem {
    fn from(r: Rejection) -> Self {
        Self::from(r.error).with_suggestions(r.suggestions)
    }
}

impl From<ExportError> for Problem {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::TooLarge { count, limit, .. } => {
                let mut p = Self::new(400, e.to_string())
                    .typed("neighbourhood-too-large", "Neighbourhood too large");
                p.0.count = Some(count);
                p.0.limit = Some(limit);
                p
            }
            ExportError::Kg(e) => e.into(),
        }
    }
}

impl From<actix_web::error::BlockingError> for Problem {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(format!("the worker thread failed: {e}"))
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response
            .content_type(PROBLEM)
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if self.0.status == 503 {
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        if self.0.status == 401 {
            response.insert_header((header::WWW_AUTHENTICATE, super::stream::BEARER_CHALLENGE));
        }
        if let Some(allow) = self.0.allow {
            response.insert_header((header::ALLOW, HeaderValue::from_static(allow)));
        }
        match serde_json::to_vec(&self.0) {
            Ok(body) => response.body(body),
            Err(_) => response.body(self.0.detail.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Every [`Error`] variant, one of each.
    fn every_variant() -> Vec<Error> {
        vec![
            Error::Io {
                path: "x".into(),
                source: std::io::Error::other("disk"),
            },
            Error::Syntax {
                file: "f.ttl".into(),
                line: 3,
                column: 7,
                message: "bad".into(),
            },
            Error::UnknownFormat("svg".into()),
            Error::SparqlSyntax("SELEC".into()),
            Error::Evaluation("failed".into()),
            Error::Timeout(Duration::from_secs(2)),
            Error::InvalidInput("bad".into()),
            Error::NotFound("no such entity".into()),
            Error::Storage(oxigraph::store::StorageError::Io(std::io::Error::other(
                "disk",
            ))),
        ]
    }

    /// The one mapping on both wire forms: the plain text of `/sparql` and `/store` and the
    /// problem of `/api` and the export routes carry [`Error::status`], with `Retry-After`
    /// on a 503.
    #[test]
    fn each_error_gets_one_status_on_every_route_family() {
        for i in 0..every_variant().len() {
            let (e, e2) = (every_variant().remove(i), every_variant().remove(i));
            let status = e.status();
            let text = e.to_string();
            let plain = super::super::stream::error_response(&HttpError::from(e));
            assert_eq!(plain.status().as_u16(), status, "{text}: /sparql, /store");
            assert!(plain
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"text/plain")));
            let problem = Problem::from(e2);
            assert_eq!(problem.status(), status, "{text}: /api and exports");
            let response = problem.error_response();
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(
                response
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .map(|v| v.as_bytes()),
                Some(PROBLEM.as_bytes())
            );
            assert_eq!(
                response.headers().contains_key(header::RETRY_AFTER),
                status == 503,
                "{text}"
            );
            assert_eq!(
                plain.headers().contains_key(header::RETRY_AFTER),
                status == 503,
                "{text}"
            );
        }
    }

    #[test]
    fn problems_with_extensions_have_a_type_and_the_rest_are_about_blank() {
        let p = Problem::unknown_format("svg", &["graphml", "gexf"]);
        assert_eq!(p.details().kind, format!("{PROBLEM_BASE}unknown-format"));
        let body: serde_json::Value = serde_json::to_value(p.details()).expect("JSON");
        assert_eq!(body["knownFormats"], serde_json::json!(["graphml", "gexf"]));
        assert!(body.get("count").is_none() && body.get("suggestions").is_none());
        let p = Problem::from(Error::NotFound("x".into()));
        assert_eq!(
            (p.details().kind.as_str(), p.details().title.as_str()),
            ("about:blank", "Not Found")
        );
        let p = Problem::method_not_allowed("PUT", "GET, HEAD");
        let r = p.error_response();
        assert_eq!(r.status().as_u16(), 405);
        assert_eq!(
            r.headers().get(header::ALLOW).map(|v| v.as_bytes()),
            Some(&b"GET, HEAD"[..])
        );
    }
}
