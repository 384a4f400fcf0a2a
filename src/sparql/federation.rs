//! Federated query: the HTTP calls behind `SERVICE`, made only to targets the
//! [`ServicePolicy`] allows.
//!
//! [`Federation`] is built once at start-up: the policy and one HTTP client (rustls with the
//! compiled-in webpki roots, plus the operator's `--service-ca` certificates; redirects
//! never followed; no proxy). Each evaluation gets a [`ServiceCaller`], Oxigraph's default
//! service handler, bound to the evaluation's deadline. Every SERVICE call passes through it:
//! it checks the target against the policy before any connection, so a SERVICE is refused
//! wherever it stands in a query or update; it gives the call the smaller of
//! [`SERVICE_CALL_LIMIT`] and the time the evaluation has left; it reads at most
//! [`SERVICE_BODY_LIMIT`] bytes of answer; and a `3xx` answer is an error naming its
//! `Location`, never a second request.

use super::service::ServicePolicy;
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use oxigraph::sparql::{DefaultServiceHandler, QuerySolutionIter};
use spargebra::algebra::GraphPattern;
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest one SERVICE call may take (connection, request and the whole answer), within
/// the time left to its query.
pub const SERVICE_CALL_LIMIT: Duration = Duration::from_secs(10);

/// The most bytes of answer read from one SERVICE call (64 MiB); a longer answer is an error.
pub const SERVICE_BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// Why a SERVICE call gave no solutions. [`super::evaluate`] maps each to a status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// The policy refuses the target; no connection was made (400).
    #[error("{0}")]
    Refused(String),
    /// The target could not be reached, or answered an error, a redirect or something that
    /// is not SPARQL results (502).
    #[error("{0}")]
    Failed(String),
    /// The target did not answer within [`SERVICE_CALL_LIMIT`] (504).
    #[error("{0}")]
    TooSlow(String),
    /// The query's own time limit ran out during the call (the query's 503).
    #[error("the query's time limit ran out during SERVICE <{0}>")]
    QueryTimeLimit(String),
}

/// The SERVICE policy and the client that calls allowed targets; cheap to clone.
#[derive(Debug, Clone)]
pub struct Federation {
    policy: Arc<ServicePolicy>,
    /// `None` when the policy is empty: nothing may be called.
    client: Option<reqwest::blocking::Client>,
    call_limit: Duration,
}

impl Default for Federation {
    fn default() -> Self {
        Self::off()
    }
}

impl Federation {
    /// Federation off: every SERVICE is refused.
    pub fn off() -> Self {
        Self {
            policy: Arc::new(ServicePolicy::default()),
            client: None,
            call_limit: SERVICE_CALL_LIMIT,
        }
    }

    /// Calls the targets `policy` allows; `extra_roots` is a PEM bundle of certificates
    /// trusted besides the webpki roots (`--service-ca`). Builds the client here (do it off
    /// any async runtime). Errors: a PEM without certificates or with a bad one, or a client
    /// that cannot be built; each a sentence.
    pub fn new(policy: ServicePolicy, extra_roots: Option<&[u8]>) -> Result<Self, String> {
        let roots = match extra_roots {
            Some(pem) => {
                let roots = reqwest::Certificate::from_pem_bundle(pem)
                    .map_err(|e| format!("the CA file is not PEM: {}", chain(&e)))?;
                if roots.is_empty() {
                    return Err("the CA file holds no PEM certificate".into());
                }
                roots
            }
            None => Vec::new(),
        };
        let client = if policy.is_empty() {
            None
        } else {
            let builder = reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .user_agent(concat!("autokg/", env!("CARGO_PKG_VERSION")))
                .timeout(SERVICE_CALL_LIMIT);
            let builder = roots
                .into_iter()
                .fold(builder, |b, root| b.add_root_certificate(root));
            Some(
                builder
                    .build()
                    .map_err(|e| format!("the SERVICE client cannot be built: {}", chain(&e)))?,
            )
        };
        Ok(Self {
            policy: Arc::new(policy),
            client,
            call_limit: SERVICE_CALL_LIMIT,
        })
    }

    /// The same federation with another per-call limit than [`SERVICE_CALL_LIMIT`] (tests).
    pub fn with_call_limit(mut self, limit: Duration) -> Self {
        self.call_limit = limit;
        self
    }

    /// The policy.
    pub fn policy(&self) -> &ServicePolicy {
        &self.policy
    }

    /// Whether any target is allowed.
    pub fn is_enabled(&self) -> bool {
        !self.policy.is_empty()
    }

    /// The service handler of one evaluation that must end by `deadline`.
    pub fn caller(&self, deadline: Instant) -> ServiceCaller {
        ServiceCaller {
            federation: self.clone(),
            deadline,
        }
    }
}

/// Oxigraph's default SERVICE handler for one evaluation: the policy, checked on every call,
/// and the calls themselves, each cut at the smaller of the per-call limit and the time left.
#[derive(Debug, Clone)]
pub struct ServiceCaller {
    federation: Federation,
    deadline: Instant,
}

impl ServiceCaller {
    /// The policy this caller applies.
    pub fn policy(&self) -> &ServicePolicy {
        &self.federation.policy
    }
}

impl DefaultServiceHandler for ServiceCaller {
    type Error = ServiceError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &GraphPattern,
        _base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, ServiceError> {
        let name = service_name.as_str();
        let url = self.policy().check(name).map_err(ServiceError::Refused)?;
        let Some(client) = &self.federation.client else {
            return Err(ServiceError::Refused(format!(
                "SERVICE <{name}> refused: federation is off on this server"
            )));
        };
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ServiceError::QueryTimeLimit(name.into()));
        }
        let limit = left.min(self.federation.call_limit);
        let cut = |what: String| {
            if limit < self.federation.call_limit {
                ServiceError::QueryTimeLimit(name.into())
            } else {
                ServiceError::TooSlow(format!(
                    "SERVICE <{name}> {what} within {}, the per-SERVICE limit",
                    crate::algorithms::deadline::seconds(limit)
                ))
            }
        };
        let failed = |what: String| ServiceError::Failed(format!("SERVICE <{name}> {what}"));
        let response = client
            .post(url)
            .timeout(limit)
            .header(
                "Accept",
                "application/sparql-results+json, application/sparql-results+xml;q=0.9",
            )
            .form(&[("query", format!("SELECT * WHERE {{ {pattern} }}"))])
            .send()
            .map_err(|e| {
                if e.is_timeout() {
                    cut("did not answer".into())
                } else {
                    failed(format!("could not be called: {}", chain(&e)))
                }
            })?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get("location")
                .map_or("(none)".into(), |l| {
                    String::from_utf8_lossy(l.as_bytes()).into_owned()
                });
            return Err(failed(format!(
                "answered {status} to Location <{location}>; redirects are not followed: name the endpoint itself"
            )));
        }
        if !status.is_success() {
            return Err(failed(format!("answered {status}")));
        }
        let format = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| QueryResultsFormat::from_media_type(v.split(';').next()?.trim()))
            .filter(|f| *f == QueryResultsFormat::Xml)
            .unwrap_or(QueryResultsFormat::Json);
        let mut body = Vec::new();
        response
            .take(SERVICE_BODY_LIMIT + 1)
            .read_to_end(&mut body)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::TimedOut || is_timeout(&e) {
                    cut("did not finish its answer".into())
                } else {
                    failed(format!("broke off its answer: {}", chain(&e)))
                }
            })?;
        if body.len() as u64 > SERVICE_BODY_LIMIT {
            return Err(failed(format!(
                "answered more than {} MiB",
                SERVICE_BODY_LIMIT / 1024 / 1024
            )));
        }
        match QueryResultsParser::from_format(format)
            .for_reader(std::io::Cursor::new(body))
            .map_err(|e| {
                failed(format!(
                    "answered something that is not SPARQL results: {e}"
                ))
            })? {
            ReaderQueryResultsParserOutput::Solutions(s) => Ok(s.into()),
            ReaderQueryResultsParserOutput::Boolean(_) => {
                Err(failed("answered a boolean, not solutions".into()))
            }
        }
    }
}

/// Whether an I/O error wraps reqwest's timeout.
fn is_timeout(e: &std::io::Error) -> bool {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
        .is_some_and(reqwest::Error::is_timeout)
}

/// An error and its sources, `a: b: c` (reqwest's own message hides the TLS or socket cause).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
