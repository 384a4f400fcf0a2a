//! `/sparql`: the SPARQL 1.1 Protocol endpoint (queries, updates, service description).

use super::stream::{error_response, plain, run_here, stream_blocking, TypedSink};
use super::AppState;
use crate::sparql::cancel;
use crate::sparql::evaluate::{self, Head, Limits, ResponseSink};
use crate::sparql::negotiate::negotiate;
use crate::sparql::protocol::parse_request;
use crate::sparql::query_cache::{self, ParsedQuery};
use crate::sparql::watchdog::{Watch, Watchdog};
use crate::sparql::{description, HttpError, Operation, QueryRequest, UpdateRequest, GRAPH_TYPES};
use crate::store::KgStore;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use oxigraph::model::NamedNode;
use oxigraph::sparql::CancellationToken;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn accept(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
}

/// GET and POST on `/sparql`.
pub async fn sparql(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    dispatch(&req, payload, state)
        .await
        .unwrap_or_else(|e| error_response(&e))
}

async fn dispatch(
    req: &HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let direct_update = content_type.is_some_and(|c| {
        c.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/sparql-update")
    });
    if direct_update {
        // The token first: an anonymous update is refused before its body is read.
        state.authorize_write(req.headers().get(header::AUTHORIZATION))?;
    }
    let body = if req.method() == actix_web::http::Method::POST {
        super::body::read(req, payload, state.config.max_body).await?
    } else {
        web::Bytes::new()
    };
    let base = Some(format!("{}/sparql", super::public_base(req, &state)));
    match parse_request(
        req.method().as_str(),
        req.query_string(),
        content_type,
        &body,
    )? {
        Operation::Query(mut q) => {
            q.base_iri = base;
            query(req, q, state).await
        }
        Operation::Update(mut u) => {
            u.base_iri = base;
            update(req, u, state).await
        }
        Operation::ServiceDescription => service_description(req, &state),
    }
}

/// The methods `/sparql` answers (the `Allow` of its 405s).
pub const ALLOW: &str = "GET, HEAD, POST";

/// Registers an evaluation's time limit with the [`Watchdog`]: the token it cancels at the
/// deadline, the deadline (which also bounds the evaluation's SERVICE calls), and the watch
/// to drop when the evaluation ends.
fn arm_timer(limit: Duration) -> (CancellationToken, Instant, Watch) {
    let deadline = Instant::now() + limit;
    let token = CancellationToken::new();
    let watch = Watchdog::global().watch(deadline, token.clone());
    (token, deadline, watch)
}

async fn query(
    req: &HttpRequest,
    request: QueryRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    let hash = crate::vocab::hex(&Sha256::digest(request.query.as_bytes())[..8]);
    tracing::Span::current().record("query_hash", hash.as_str());
    let limit = state.time_limit(request.timeout);
    let (token, deadline, watch) = arm_timer(limit);
    let mut scores = None;
    if crate::analytics::mentions_functions(&request.query) {
        // The akf: functions score nodes of the supply-chain projection of this generation;
        // building it and computing a measure count against the query's time limit.
        let shared = state.clone();
        let scores_deadline = crate::algorithms::deadline::Deadline::after(limit);
        let building = scores_deadline.clone();
        let snapshot = web::block(move || shared.scores.get_until(&shared.store, &building))
            .await
            .map_err(internal)??;
        scores = Some((snapshot, scores_deadline));
    }
    let functions = scores.is_some();
    let generation = state.store.generation();
    let cached = state
        .queries
        .get(&request.query, request.base_iri.as_deref());
    let job = Evaluation {
        request,
        token,
        scores,
        services: state.config.federation.caller(deadline),
        accepted: accept(req).map(str::to_owned),
        limits: Limits {
            timeout: limit,
            max_rows: state.config.max_rows,
        },
        generation,
        start: Instant::now(),
    };
    let permit = state.permit().await?;
    let mut response = match cached {
        // A query whose last run on this data took microseconds runs here: a trip to the
        // pool would cost more than the evaluation.
        Some(parsed) if !functions && job.whole_store() && parsed.is_quick_in(generation) => {
            run_here(HttpResponse::Ok(), plain, |sink| {
                job.run(&state, Ok(parsed), sink, Where::InPlace);
            })
        }
        cached => {
            let shared = state.clone();
            stream_blocking(&state.pool, HttpResponse::Ok(), plain, move |sink| {
                let parsed = match cached {
                    Some(parsed) => Ok(parsed),
                    None => shared.queries.get_or_parse(
                        &job.request.query,
                        job.request.base_iri.as_deref(),
                        || evaluate::parse_checked_query(&job.request, job.services.policy()),
                    ),
                };
                job.run(&shared, parsed, sink, Where::Pool);
                drop(watch);
                drop(permit);
            })
            .await
        }
    };
    response
        .headers_mut()
        .insert(header::VARY, header::HeaderValue::from_static("Accept"));
    Ok(response)
}

/// Where an evaluation runs, which decides how its run is judged for the quick path.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Where {
    /// On the HTTP worker that received it (the quick path): judged on wall time alone,
    /// as it already was quick on this data.
    InPlace,
    /// On the evaluation pool: judged on the thread's CPU time and on wall time.
    Pool,
}

/// One query's evaluation, wherever it runs.
struct Evaluation {
    request: QueryRequest,
    token: CancellationToken,
    scores: Option<(
        Arc<crate::analytics::ScoreSnapshot>,
        crate::algorithms::deadline::Deadline,
    )>,
    services: crate::sparql::federation::ServiceCaller,
    accepted: Option<String>,
    limits: Limits,
    generation: u64,
    start: Instant,
}

impl Evaluation {
    /// Whether the query runs on the store's own dataset (no `default-graph-uri` or
    /// `named-graph-uri`): only then is its run timed for the quick path.
    fn whole_store(&self) -> bool {
        self.request.default_graphs.is_empty() && self.request.named_graphs.is_empty()
    }

    /// Negotiates, evaluates and writes the answer of `parsed` to `sink`; records whether
    /// the run was quick ([`ParsedQuery::record_run`]) and the metrics.
    fn run(
        self,
        state: &AppState,
        parsed: Result<Arc<ParsedQuery>, HttpError>,
        mut sink: impl TypedSink,
        place: Where,
    ) {
        let metrics = &state.metrics;
        metrics.in_flight.inc();
        let whole_store = self.whole_store();
        let ready = parsed.and_then(|parsed| {
            let (format, content_type) = evaluate::negotiate_results(
                parsed.form,
                self.accepted.as_deref(),
                self.request.format_override.as_ref(),
            )?;
            let base = if parsed.geosparql {
                KgStore::evaluator()
            } else {
                KgStore::plain_evaluator()
            };
            let mut evaluator = cancel::with_liveness(base, self.token);
            if let Some((scores, deadline)) = self.scores {
                evaluator = crate::analytics::with_functions(evaluator, scores, deadline);
            }
            let query = parsed.query.clone();
            let prepared = evaluate::bind_query(evaluator, query, &self.request, self.services);
            Ok((parsed, prepared, format, content_type))
        });
        match ready {
            Ok((parsed, prepared, format, content_type)) => {
                sink.set_content_type(content_type);
                let began = Instant::now();
                // The thread's CPU clock is a system call (about 0.35 µs here), so it is
                // read only where a run is judged on it.
                let cpu_began = (place == Where::Pool).then(cpu_time::ThreadTime::now);
                let mut counted = TimeoutCounter {
                    sink,
                    metrics,
                    whole: false,
                };
                evaluate::run_query(&state.store, prepared, format, self.limits, &mut counted);
                // Timed only on the whole store: other datasets cost otherwise, and never
                // take the quick path.
                if whole_store {
                    let quick = query_cache::is_quick_run(
                        counted.whole,
                        began.elapsed(),
                        cpu_began.map(|t| t.elapsed()),
                    );
                    parsed.record_run(self.generation, quick);
                }
            }
            Err(e) => sink.head(Err(e)),
        }
        metrics
            .query_seconds
            .observe(self.start.elapsed().as_secs_f64());
        metrics.in_flight.dec();
    }
}

/// Counts the timeouts that reach the client as 503s, and notes whether the answer went out
/// whole in one chunk.
struct TimeoutCounter<'a, S> {
    sink: S,
    metrics: &'a super::metrics::Metrics,
    whole: bool,
}

impl<S: ResponseSink> ResponseSink for TimeoutCounter<'_, S> {
    fn head(&mut self, head: Result<Head, HttpError>) {
        if matches!(&head, Err(e) if e.status == 503) {
            self.metrics.timeouts.inc();
        }
        self.whole = matches!(&head, Ok(Head::Complete(_)));
        self.sink.head(head);
    }

    fn chunk(&mut self, chunk: Result<bytes::Bytes, std::io::Error>) -> bool {
        self.sink.chunk(chunk)
    }

    fn head_sent(&self) -> bool {
        self.sink.head_sent()
    }
}

async fn update(
    req: &HttpRequest,
    request: UpdateRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    state.authorize_write(req.headers().get(header::AUTHORIZATION))?;
    let limit = state.time_limit(request.timeout);
    let (token, deadline, timer) = arm_timer(limit);
    let evaluator = cancel::with_liveness(KgStore::evaluator(), token);
    let services = state.config.federation.caller(deadline);
    let prepared = state
        .pool
        .run(move || evaluate::prepare_update(evaluator, &request, services))
        .await??;
    let permit = state.permit().await?;
    let shared = state.clone();
    // The same limit for the writing itself: the wait for the writer, the changes and the
    // entailment upkeep, before the commit.
    let write_deadline = crate::algorithms::Deadline::at_instant(deadline, limit);
    let result = state
        .pool
        .run(move || {
            shared.metrics.in_flight.inc();
            // A cancelled update unwinds out of its uncommitted transaction: nothing applied.
            let r = cancel::catch(|| shared.store.update_until(prepared, &write_deadline))
                .unwrap_or(Err(crate::error::Error::Timeout(limit)));
            shared.metrics.in_flight.dec();
            drop(permit);
            r
        })
        .await;
    drop(timer);
    match result? {
        Ok(()) => Ok(HttpResponse::NoContent().finish()),
        Err(crate::error::Error::Timeout(_)) => {
            state.metrics.timeouts.inc();
            Err(HttpError::update_timeout(limit))
        }
        Err(e) => Err(HttpError::from(e)),
    }
}

/// A worker thread that failed.
fn internal(e: actix_web::error::BlockingError) -> HttpError {
    HttpError::internal(e.to_string())
}

fn service_description(req: &HttpRequest, state: &AppState) -> Result<HttpResponse, HttpError> {
    let not_acceptable = || HttpError::not_acceptable(GRAPH_TYPES);
    let media = negotiate(accept(req), GRAPH_TYPES).ok_or_else(not_acceptable)?;
    let format = evaluate::rdf_format(media).ok_or_else(not_acceptable)?;
    let endpoint = NamedNode::new_unchecked(format!("{}/sparql", super::public_base(req, state)));
    let triples = description::service_description(
        &endpoint,
        state.config.federation.is_enabled(),
        state.config.update_token.is_some(),
    );
    let mut serializer = oxigraph::io::RdfSerializer::from_format(format).for_writer(Vec::new());
    let io = |e: std::io::Error| HttpError::internal(e.to_string());
    for t in &triples {
        serializer.serialize_triple(t.as_ref()).map_err(io)?;
    }
    let body = serializer.finish().map_err(io)?;
    Ok(HttpResponse::Ok()
        .content_type(crate::sparql::negotiate::content_type_value(media))
        .insert_header((header::VARY, "Accept"))
        .body(body))
}
