//! Wire rules shared by every `/api` route: JSON or JSON-LD by `Accept`, `ETag` from the
//! store generation with `If-None-Match` → 304, `Cache-Control`, and errors as RFC 9457
//! `application/problem+json`. The one place where results and errors become HTTP.

use super::jsonld::{self, Context};
use crate::catalog::{EntityRef, Labels, Rejection, RejectionKind};
use crate::error::Error;
use crate::server::AppState;
use crate::sparql::HttpError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;
use std::sync::OnceLock;
use utoipa::ToSchema;

/// Media type of JSON answers.
pub const JSON: &str = "application/json";
/// Media type of JSON-LD answers.
pub const JSON_LD: &str = "application/ld+json";
/// Media type of errors.
pub const PROBLEM: &str = "application/problem+json";

/// `Cache-Control` of reads when the server cannot change its data (no update token).
const CACHE_READ_ONLY: &str = "public, max-age=60";
/// `Cache-Control` of reads when writes may change the data: revalidate with the ETag.
const CACHE_WRITABLE: &str = "public, no-cache";

/// Tells one server process from another in ETags: generations restart at 1 on every open.
fn boot() -> &'static str {
    static BOOT: OnceLock<String> = OnceLock::new();
    BOOT.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{:x}", (nanos as u64) ^ u64::from(std::process::id()))
    })
}

/// How the answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Plain JSON.
    Json,
    /// JSON-LD: the same document with a `@context`.
    JsonLd,
}

/// The caching and format decisions for one read, made before any work.
#[derive(Debug)]
pub struct Reply {
    variant: Variant,
    etag: String,
    fresh: bool,
    cache_control: &'static str,
}

impl Reply {
    /// Reads `Accept` and `If-None-Match` against the store's current generation.
    pub fn new(req: &HttpRequest, app: &AppState) -> Self {
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok());
        let variant = match crate::sparql::negotiate::negotiate(accept, &[JSON, JSON_LD]) {
            Some(JSON_LD) => Variant::JsonLd,
            _ => Variant::Json,
        };
        let etag = format!(
            "\"{}-{}-{}\"",
            boot(),
            app.store.generation(),
            match variant {
                Variant::Json => "j",
                Variant::JsonLd => "ld",
            }
        );
        let fresh = req
            .headers()
            .get_all(header::IF_NONE_MATCH)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag);
        Self {
            variant,
            etag,
            fresh,
            cache_control: if app.config.update_token.is_none() {
                CACHE_READ_ONLY
            } else {
                CACHE_WRITABLE
            },
        }
    }

    /// 304 when the client's copy is current.
    pub fn not_modified(&self) -> Option<HttpResponse> {
        self.fresh.then(|| {
            HttpResponse::NotModified()
                .insert_header((header::ETAG, self.etag.as_str()))
                .insert_header((header::CACHE_CONTROL, self.cache_control))
                .insert_header((header::VARY, "Accept"))
                .finish()
        })
    }

    /// 200 with `body` as JSON, or as JSON-LD with the `@context` of `context`.
    pub fn send<T: Serialize>(&self, context: Context, body: &T) -> Result<HttpResponse, ApiError> {
        let (content_type, bytes) = match self.variant {
            Variant::Json => (JSON, serde_json::to_vec(body)),
            Variant::JsonLd => (JSON_LD, jsonld::with_context(context, body)),
        };
        let bytes = bytes.map_err(|e| ApiError::internal(format!("encoding the answer: {e}")))?;
        Ok(HttpResponse::Ok()
            .content_type(content_type)
            .insert_header((header::ETAG, self.etag.as_str()))
            .insert_header((header::CACHE_CONTROL, self.cache_control))
            .insert_header((header::VARY, "Accept"))
            .body(bytes))
    }
}

/// `s` percent-encoded for one path segment (an id such as `synthetic/firm-1` keeps its
/// slash inside the segment).
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:@!$&'()*+,;=".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

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

/// An error, as RFC 9457 problem details (`application/problem+json`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: String,
    /// The status's reason phrase.
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
}

/// A refused request: its status, the explanation and any suggestions.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    suggestions: Vec<EntityRef>,
}

impl ApiError {
    /// 400 with an explanation.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 500 with an explanation.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }

    /// 405 for a method the route does not offer.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed here; the JSON API answers GET and HEAD"),
        )
    }

    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            suggestions: Vec::new(),
        }
    }

    /// Adds suggestions (an unknown entity's closest ids).
    pub fn with_suggestions(mut self, suggestions: Vec<EntityRef>) -> Self {
        self.suggestions = suggestions;
        self
    }

    /// The explanation.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.detail)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let status = match &e {
            Error::InvalidInput(_)
            | Error::NotFound(_)
            | Error::SparqlSyntax(_)
            | Error::UnknownFormat(_)
            | Error::Syntax { .. } => StatusCode::BAD_REQUEST,
            Error::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Evaluation(_) | Error::Storage(_) | Error::Io { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        Self::new(status, e.to_string())
    }
}

impl From<HttpError> for ApiError {
    fn from(e: HttpError) -> Self {
        Self::new(
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            e.message,
        )
    }
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        let status = match r.kind {
            RejectionKind::UnknownEntity => StatusCode::NOT_FOUND,
            RejectionKind::BadParameter => StatusCode::BAD_REQUEST,
        };
        Self::new(status, r.detail).with_suggestions(r.suggestions)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(format!("the lookup thread failed: {e}"))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let problem = Problem {
            kind: "about:blank".into(),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            suggestions: self
                .suggestions
                .iter()
                .map(|s| Suggestion {
                    href: format!("/api/entities/{}", path_segment(&s.id)),
                    id: s.id.clone(),
                    label: s.label.clone(),
                })
                .collect(),
        };
        let mut response = HttpResponse::build(self.status);
        response
            .content_type(PROBLEM)
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.insert_header((header::ALLOW, HeaderValue::from_static("GET, HEAD")));
        }
        match serde_json::to_vec(&problem) {
            Ok(body) => response.body(body),
            Err(_) => response.body(self.detail.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::path_segment;

    #[test]
    fn ids_are_encoded_as_one_path_segment() {
        assert_eq!(path_segment("seres"), "seres");
        assert_eq!(path_segment("synthetic/firm-1"), "synthetic%2Ffirm-1");
        assert_eq!(path_segment("ak:partnerOf"), "ak:partnerOf");
        assert_eq!(path_segment("问界"), "%E9%97%AE%E7%95%8C");
    }
}
