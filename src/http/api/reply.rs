//! Wire rules of every `/api` read: JSON or JSON-LD by `Accept`, `ETag` from the store
//! generation with `If-None-Match` → 304 (RFC 9110 weak comparison), `Cache-Control`.
//! Errors are [`crate::http::problem::Problem`]s, whatever `If-None-Match` says: a
//! precondition only turns what would be a 2xx into a 304 (RFC 9110 §13.2.1), so a read is
//! answered 304 before its work only when the same request was answered 200 at the same
//! store generation ([`Answered`]), else after its work succeeded.

use super::jsonld::{self, Context};
use crate::http::problem::Problem;
use crate::http::AppState;
use actix_web::http::header::{self, EntityTag, Header, IfNoneMatch};
use actix_web::{HttpRequest, HttpResponse};
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

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

/// The most requests [`Answered`] remembers per generation; past it, it starts again.
const ANSWERED_CAPACITY: usize = 4096;

/// The reads answered 200 at the store's latest generation (by path, query string and
/// variant): the ones whose 304 may skip the work, because at the same generation the same
/// request is answered the same way.
#[derive(Debug, Default)]
pub struct Answered(Mutex<(u64, HashSet<String>)>);

impl Answered {
    /// Whether `key` was answered 200 at `generation`.
    fn knows(&self, generation: u64, key: &str) -> bool {
        let memo = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        memo.0 == generation && memo.1.contains(key)
    }

    /// Remembers that `key` was answered 200 at `generation` (forgetting older generations).
    fn remember(&self, generation: u64, key: &str) {
        let mut memo = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if generation > memo.0 {
            *memo = (generation, HashSet::new());
        }
        if generation == memo.0 {
            if memo.1.len() >= ANSWERED_CAPACITY {
                memo.1.clear();
            }
            memo.1.insert(key.to_owned());
        }
    }
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
    generation: u64,
    key: String,
    answered: std::sync::Arc<Answered>,
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
        let suffix = match variant {
            Variant::Json => "j",
            Variant::JsonLd => "ld",
        };
        let generation = app.store.generation();
        let tag = format!("{}-{generation}-{suffix}", boot());
        let fresh = match IfNoneMatch::parse(req) {
            Ok(IfNoneMatch::Any) => true,
            Ok(IfNoneMatch::Items(tags)) => {
                let current = EntityTag::new_strong(tag.clone());
                tags.iter().any(|t| t.weak_eq(&current))
            }
            Err(_) => false,
        };
        let etag = EntityTag::new_strong(tag).to_string();
        Self {
            variant,
            etag,
            fresh,
            cache_control: if app.config.update_token.is_none() {
                CACHE_READ_ONLY
            } else {
                CACHE_WRITABLE
            },
            generation,
            key: format!("{}?{} {suffix}", req.path(), req.query_string()),
            answered: app.answered.clone(),
        }
    }

    /// 304 before any work, when the client's copy is current and this very request was
    /// answered 200 at this generation (so it would be again); `None` means do the work and
    /// [`Self::send`] decides.
    pub fn not_modified(&self) -> Option<HttpResponse> {
        (self.fresh && self.answered.knows(self.generation, &self.key))
            .then(|| self.not_modified_response())
    }

    fn not_modified_response(&self) -> HttpResponse {
        HttpResponse::NotModified()
            .insert_header((header::ETAG, self.etag.as_str()))
            .insert_header((header::CACHE_CONTROL, self.cache_control))
            .insert_header((header::VARY, "Accept"))
            .finish()
    }

    /// The answer to a read whose work succeeded: 304 when the client's copy is current,
    /// else 200 with `body` as JSON, or as JSON-LD with the `@context` of `context`.
    pub fn send<T: jsonld::LinkedData>(
        &self,
        context: Context,
        body: &T,
    ) -> Result<HttpResponse, Problem> {
        self.answered.remember(self.generation, &self.key);
        if self.fresh {
            return Ok(self.not_modified_response());
        }
        let (content_type, bytes) = match self.variant {
            Variant::Json => (JSON, serde_json::to_vec(body)),
            Variant::JsonLd => (JSON_LD, jsonld::with_context(context, body)),
        };
        let bytes = bytes.map_err(|e| Problem::internal(format!("encoding the answer: {e}")))?;
        Ok(HttpResponse::Ok()
            .content_type(content_type)
            .insert_header((header::ETAG, self.etag.as_str()))
            .insert_header((header::CACHE_CONTROL, self.cache_control))
            .insert_header((header::VARY, "Accept"))
            .body(bytes))
    }
}

/// The bytes that [`path_segment`] percent-encodes: everything but RFC 3986's unreserved
/// characters and the sub-delimiters, `:` and `@` that a path segment may hold.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// `s` percent-encoded for one path segment (an id such as `synthetic/firm-1` keeps its
/// slash inside the segment).
pub fn path_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
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
