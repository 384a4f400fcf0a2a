//! Query evaluation under the protocol's rules: parse with the predeclared prefixes, refuse
//! disallowed SERVICE targets (and hand the rest to [`super::federation`]), set the dataset, and stream results in a negotiated format,
//! computing the first solutions before the status line so that early timeouts and row-cap
//! violations become clean errors instead of truncated 200s.

use super::federation::{ServiceCaller, ServiceError};
use super::negotiate::{negotiate, FormatOverride};
use super::protocol::{HttpError, QueryRequest, UpdateRequest};
use super::query_cache::ParsedQuery;
use super::{service, GRAPH_TYPES, SOLUTION_TYPES};
use crate::store::{KgStore, UpdatePlan};
use crate::vocab::PREFIXES;
use bytes::Bytes;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedOrBlankNode};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{
    PreparedSparqlQuery, QueryEvaluationError, QueryResults, QuerySolutionIter, SparqlEvaluator,
};
use spargebra::{Query, SparqlParser, Update};
use std::io::{self, Write};
use std::time::Duration;

/// How many solutions (or triples) are computed before the status line is sent.
pub const PREFETCH: usize = 1000;
/// Size of the chunks sent to the client.
const CHUNK: usize = 32 * 1024;

/// The shape of a query's answer, known once it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryForm {
    /// SELECT.
    Solutions,
    /// ASK.
    Boolean,
    /// CONSTRUCT and DESCRIBE.
    Graph,
}

/// A negotiated result syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultsFormat {
    /// SPARQL results (JSON, XML, CSV, TSV).
    Results(QueryResultsFormat),
    /// An RDF syntax for graphs.
    Graph(RdfFormat),
}

/// Maps a media type we offer to its syntax.
pub fn rdf_format(media_type: &str) -> Option<RdfFormat> {
    match media_type {
        "application/ld+json" => Some(RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        }),
        other => RdfFormat::from_media_type(other),
    }
}

/// Picks the result syntax for a query form and an `Accept` header; 406 when none fits.
/// A `format` parameter (`overridden`) wins over `Accept`: 400 when it names a syntax that
/// cannot carry the form (CSV for a CONSTRUCT, Turtle for a SELECT).
pub fn negotiate_results(
    form: QueryForm,
    accept: Option<&str>,
    overridden: Option<&FormatOverride>,
) -> Result<(ResultsFormat, &'static str), HttpError> {
    let offers = if form == QueryForm::Graph {
        GRAPH_TYPES
    } else {
        SOLUTION_TYPES
    };
    let chosen = match overridden {
        Some(o) => o
            .syntax
            .media_type(form == QueryForm::Graph)
            .ok_or_else(|| {
                HttpError::bad_request(format!(
                "{}={} names a syntax that cannot carry the results of this query; use one of {}",
                o.parameter,
                o.value,
                offers.join(", ")
            ))
            })?,
        None => negotiate(accept, offers).ok_or_else(|| HttpError::not_acceptable(offers))?,
    };
    let format = match chosen {
        "application/json" => ResultsFormat::Results(QueryResultsFormat::Json),
        "application/xml" => ResultsFormat::Results(QueryResultsFormat::Xml),
        m if form == QueryForm::Graph => {
            ResultsFormat::Graph(rdf_format(m).ok_or_else(|| HttpError::not_acceptable(offers))?)
        }
        m => ResultsFormat::Results(
            QueryResultsFormat::from_media_type(m)
                .ok_or_else(|| HttpError::not_acceptable(offers))?,
        ),
    };
    let content_type = match chosen {
        "application/json" => "application/sparql-results+json",
        "application/xml" => "application/sparql-results+xml",
        other => other,
    };
    Ok((format, content_type))
}

/// A SPARQL parser with the predeclared prefixes (built once: a copy of it per query).
pub(crate) fn parser() -> SparqlParser {
    static PARSER: std::sync::OnceLock<SparqlParser> = std::sync::OnceLock::new();
    PARSER
        .get_or_init(|| {
            PREFIXES
                .iter()
                .fold(SparqlParser::new(), |p, (prefix, iri)| {
                    p.with_prefix(*prefix, *iri)
                        .unwrap_or_else(|_| SparqlParser::new())
                })
        })
        .clone()
}

/// [`parser`] with `base` as the base IRI of relative IRIs (the SPARQL 1.1 Protocol lets the
/// service choose it; autokg uses the endpoint's own IRI). A `BASE` in the text still wins.
fn parser_with_base(base: Option<&str>) -> SparqlParser {
    match base {
        Some(b) => parser().with_base_iri(b).unwrap_or_else(|_| parser()),
        None => parser(),
    }
}

/// The parser entry point of every query from outside: the nesting check of
/// [`crate::nesting`] first (a 400 naming the limit and where), then spargebra with the
/// predeclared prefixes (a 400 with the syntax error). Run it on a thread with
/// [`crate::nesting::STACK_SIZE`].
/// The join width of every group is then checked against [`super::planning`]'s limit (a 400
/// naming it), so no query reaches Oxigraph's planner that it could not plan in time.
pub fn parse_query(text: &str) -> Result<Query, HttpError> {
    parse_query_with_base(text, None)
}

/// [`parse_query`] resolving relative IRIs against `base` (an absolute IRI).
pub fn parse_query_with_base(text: &str, base: Option<&str>) -> Result<Query, HttpError> {
    crate::nesting::check_sparql(text).map_err(|e| HttpError::bad_request(e.to_string()))?;
    let query = parser_with_base(base)
        .parse_query(text)
        .map_err(|e| HttpError::bad_request(format!("SPARQL syntax error: {e}")))?;
    super::planning::check_query(&query).map_err(|e| HttpError::bad_request(e.to_string()))?;
    Ok(query)
}

/// [`parse_query`] for updates.
pub fn parse_update(text: &str) -> Result<Update, HttpError> {
    parse_update_with_base(text, None)
}

/// [`parse_update`] resolving relative IRIs against `base` (an absolute IRI).
pub fn parse_update_with_base(text: &str, base: Option<&str>) -> Result<Update, HttpError> {
    crate::nesting::check_sparql(text).map_err(|e| HttpError::bad_request(e.to_string()))?;
    let update = parser_with_base(base)
        .parse_update(text)
        .map_err(|e| HttpError::bad_request(format!("SPARQL syntax error: {e}")))?;
    super::planning::check_update(&update).map_err(|e| HttpError::bad_request(e.to_string()))?;
    Ok(update)
}

/// The text of `request` parsed ([`parse_query`]) and checked ([`check_parsed_query`]): what
/// [`super::query_cache::QueryCache`] keeps.
pub fn parse_checked_query(
    request: &QueryRequest,
    policy: &service::ServicePolicy,
) -> Result<ParsedQuery, HttpError> {
    let query = parse_query_with_base(&request.query, request.base_iri.as_deref())?;
    let mut parsed = check_parsed_query(query, policy)?;
    parsed.inlinable = crate::nesting::sparql_shape(&request.query).depth
        <= super::query_cache::SHALLOW_DEPTH
        && !service::calls_services(&parsed.query);
    let serialized = parsed.query.to_string();
    parsed.size = serialized.len();
    parsed.geosparql = calls_geosparql(&serialized);
    Ok(parsed)
}

/// Applies the SERVICE policy (400 for a target it refuses) and adds the liveness checks of
/// [`super::cancel::guard_query`].
pub fn check_parsed_query(
    mut query: Query,
    policy: &service::ServicePolicy,
) -> Result<ParsedQuery, HttpError> {
    service::check_query(&query, policy).map_err(HttpError::bad_request)?;
    super::cancel::guard_query(&mut query);
    let form = match &query {
        Query::Select { .. } => QueryForm::Solutions,
        Query::Ask { .. } => QueryForm::Boolean,
        Query::Construct { .. } | Query::Describe { .. } => QueryForm::Graph,
    };
    Ok(ParsedQuery::new(query, form, false))
}

/// Whether `serialized`, a query's serialization, calls one of the GeoSPARQL functions of
/// [`KgStore::evaluator`] (a serialization writes every function IRI in full; a false
/// positive only costs the larger evaluator).
pub fn calls_geosparql(serialized: &str) -> bool {
    spargeo::GEOSPARQL_EXTENSION_FUNCTIONS
        .iter()
        .any(|(name, _)| serialized.contains(name.as_str()))
}

/// Binds a checked query to `evaluator`, which must come from
/// [`super::cancel::with_liveness`], with `services` as its SERVICE handler (it applies the
/// policy again on every call) and the protocol's
/// dataset: the `default-graph-uri`/`named-graph-uri` parameters, else the query's own
/// `FROM`, else the union of all graphs as the default graph.
pub fn bind_query(
    evaluator: SparqlEvaluator,
    query: Query,
    request: &QueryRequest,
    services: ServiceCaller,
) -> PreparedSparqlQuery {
    let mut prepared = evaluator
        .with_default_service_handler(services)
        .for_query(query);
    let dataset = prepared.dataset_mut();
    if !request.default_graphs.is_empty() || !request.named_graphs.is_empty() {
        dataset.set_default_graph(
            request
                .default_graphs
                .iter()
                .cloned()
                .map(GraphName::from)
                .collect(),
        );
        if !request.named_graphs.is_empty() {
            dataset.set_available_named_graphs(
                request
                    .named_graphs
                    .iter()
                    .cloned()
                    .map(NamedOrBlankNode::from)
                    .collect(),
            );
        }
    } else if dataset.is_default_dataset() {
        dataset.set_default_graph_as_union();
    }
    prepared
}

/// Parses an update ([`parse_update`]), applies the SERVICE policy and the `using-…`
/// parameters; `services` becomes the evaluator's SERVICE handler, as in [`prepare_query`].
/// The store runs the plan ([`KgStore::update`]). Errors: 400.
pub fn prepare_update(
    evaluator: SparqlEvaluator,
    request: &UpdateRequest,
    services: ServiceCaller,
) -> Result<UpdatePlan, HttpError> {
    let mut update = parse_update_with_base(&request.update, request.base_iri.as_deref())?;
    service::check_update(&update, services.policy()).map_err(HttpError::bad_request)?;
    super::cancel::guard_update(&mut update);
    if !request.using_graphs.is_empty() || !request.using_named_graphs.is_empty() {
        for op in &mut update.operations {
            if let spargebra::GraphUpdateOperation::DeleteInsert { using, .. } = op {
                if using.is_some() {
                    return Err(HttpError::bad_request(
                        "using-graph-uri/using-named-graph-uri cannot be combined with USING in the update",
                    ));
                }
                *using = Some(spargebra::algebra::QueryDataset {
                    default: request.using_graphs.clone(),
                    named: Some(request.using_named_graphs.clone()),
                });
            }
        }
    }
    Ok(UpdatePlan {
        update,
        evaluator: evaluator.with_default_service_handler(services),
    })
}

/// How a response starts: a complete small body, or a stream of chunks to follow.
#[derive(Debug)]
pub enum Head {
    /// The whole body (it fitted in one chunk): sent with a `Content-Length`.
    Complete(Bytes),
    /// Chunks follow through [`ResponseSink::chunk`].
    Streaming,
}

/// Where a response goes. `head` is called exactly once, before any chunk.
pub trait ResponseSink: Send {
    /// The status decision: the error, or how the body comes.
    fn head(&mut self, head: Result<Head, HttpError>);
    /// One body chunk after `Head::Streaming`; `false` when the client left.
    fn chunk(&mut self, chunk: Result<Bytes, io::Error>) -> bool;
    /// Whether `head` was called.
    fn head_sent(&self) -> bool;

    /// Ends the response with `error`: its status if no head was sent yet, else a broken
    /// chunked body (the client never sees a complete-looking truncated answer).
    fn fail(&mut self, error: HttpError) {
        if self.head_sent() {
            self.chunk(Err(io::Error::other(error.message)));
        } else {
            self.head(Err(error));
        }
    }
}

impl<S: ResponseSink> ResponseSink for &mut S {
    fn head(&mut self, head: Result<Head, HttpError>) {
        (**self).head(head);
    }
    fn chunk(&mut self, chunk: Result<Bytes, io::Error>) -> bool {
        (**self).chunk(chunk)
    }
    fn head_sent(&self) -> bool {
        (**self).head_sent()
    }
}

/// An `io::Write` over a [`ResponseSink`]: a body that fits in one chunk goes out whole
/// (no chunked encoding); a larger one streams in fixed-size chunks. Until the first chunk
/// leaves, an error can still become a clean error status.
pub struct ChunkWriter<S: ResponseSink> {
    sink: S,
    buffer: Vec<u8>,
    streaming: bool,
}

impl<S: ResponseSink> ChunkWriter<S> {
    /// A writer sending to `sink`.
    pub fn new(sink: S) -> Self {
        Self {
            sink,
            buffer: Vec::with_capacity(CHUNK),
            streaming: false,
        }
    }

    fn send_buffer(&mut self) -> io::Result<()> {
        if !self.streaming {
            self.sink.head(Ok(Head::Streaming));
            self.streaming = true;
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        if self.sink.chunk(Ok(chunk)) {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the client closed the connection",
            ))
        }
    }

    /// Ends the body.
    pub fn finish(mut self) {
        if self.streaming {
            if !self.buffer.is_empty() {
                let _ = self.send_buffer();
            }
        } else {
            let body = Bytes::from(std::mem::take(&mut self.buffer));
            self.sink.head(Ok(Head::Complete(body)));
        }
    }

    /// Ends the response with an error: an error status if nothing was sent yet, else a
    /// broken chunked body.
    pub fn fail(mut self, error: HttpError) {
        if self.streaming {
            tracing::warn!(message = %error.message, "result stream ended early");
            self.sink.chunk(Err(io::Error::other(error.message)));
        } else {
            self.sink.head(Err(error));
        }
    }
}

impl<S: ResponseSink> Write for ChunkWriter<S> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    /// The serializers write a few bytes at a time: one copy into the buffer, without the
    /// default method's loop (measured: 19 % of a 100-row JSON answer went to that loop).
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.send_buffer()?;
        }
        Ok(())
    }

    /// Serializers flush when they finish; the body is only sent by `finish`.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Limits of one evaluation.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The time limit, for messages.
    pub timeout: Duration,
    /// The most solutions or triples a result may have.
    pub max_rows: Option<u64>,
}

fn evaluation_error(e: QueryEvaluationError, limits: &Limits) -> HttpError {
    match e {
        QueryEvaluationError::Cancelled => HttpError::timeout(limits.timeout),
        QueryEvaluationError::Dataset(e) => HttpError::internal(format!("storage error: {e}")),
        QueryEvaluationError::Service(e) => match e.downcast_ref::<ServiceError>() {
            Some(ServiceError::Refused(m)) => HttpError::bad_request(m.clone()),
            Some(ServiceError::Failed(m)) => HttpError::bad_gateway(m.clone()),
            Some(ServiceError::TooSlow(m)) => HttpError::gateway_timeout(m.clone()),
            Some(ServiceError::QueryTimeLimit(_)) => HttpError::timeout(limits.timeout),
            None => HttpError::bad_request(format!("SPARQL evaluation error: {e}")),
        },
        e => HttpError::bad_request(format!("SPARQL evaluation error: {e}")),
    }
}

fn too_many(limits: &Limits) -> HttpError {
    HttpError::bad_request(format!(
        "the result has more than {} rows, the server's --max-rows; add LIMIT or narrow the query",
        limits.max_rows.unwrap_or(0)
    ))
}

/// Evaluates `prepared` and writes it to `sink`. The first [`PREFETCH`] solutions are
/// computed before anything is sent, and a result that fits in one chunk is sent whole, so
/// errors there (a timeout, the row cap) become error statuses. Later errors end the body
/// with an error chunk: the client sees a broken transfer, never a silently truncated one.
/// A cancelled evaluation ([`super::cancel`]) unwinds to here and ends the same way with a
/// 503. Runs on a blocking thread.
pub fn run_query(
    store: &KgStore,
    prepared: PreparedSparqlQuery,
    format: ResultsFormat,
    limits: Limits,
    mut sink: impl ResponseSink,
) {
    if super::cancel::catch(|| evaluate_into(store, prepared, format, limits, &mut sink)).is_err() {
        sink.fail(HttpError::timeout(limits.timeout));
    }
}

fn evaluate_into(
    store: &KgStore,
    prepared: PreparedSparqlQuery,
    format: ResultsFormat,
    limits: Limits,
    mut sink: impl ResponseSink,
) {
    let results = match store.execute_raw(prepared) {
        Ok(r) => r,
        Err(e) => return sink.head(Err(evaluation_error(e, &limits))),
    };
    let outcome = match (results, format) {
        (QueryResults::Boolean(b), ResultsFormat::Results(f)) => {
            let mut out = ChunkWriter::new(sink);
            let r = QueryResultsSerializer::from_format(f)
                .serialize_boolean_to_writer(&mut out, b)
                .map(drop)
                .map_err(|e| HttpError::internal(e.to_string()));
            (out, r)
        }
        (QueryResults::Solutions(mut solutions), ResultsFormat::Results(f)) => {
            let mut first = Vec::new();
            for s in solutions.by_ref().take(PREFETCH) {
                match s {
                    Ok(s) => first.push(s),
                    Err(e) => return sink.head(Err(evaluation_error(e, &limits))),
                }
            }
            let mut out = ChunkWriter::new(sink);
            let variables = solutions.variables().to_vec();
            let r = stream_solutions(f, variables, first, solutions, &limits, &mut out);
            (out, r)
        }
        (QueryResults::Graph(mut triples), ResultsFormat::Graph(f)) => {
            let mut first = Vec::new();
            for t in triples.by_ref().take(PREFETCH) {
                match t {
                    Ok(t) => first.push(t),
                    Err(e) => return sink.head(Err(evaluation_error(e, &limits))),
                }
            }
            let mut out = ChunkWriter::new(sink);
            let r = stream_triples(f, first, triples, &limits, &mut out);
            (out, r)
        }
        _ => {
            return sink.head(Err(HttpError::internal(
                "the negotiated format does not fit the query form",
            )))
        }
    };
    match outcome {
        (out, Ok(())) => out.finish(),
        (out, Err(e)) => out.fail(e),
    }
}

fn stream_solutions(
    format: QueryResultsFormat,
    variables: Vec<oxigraph::sparql::Variable>,
    first: Vec<oxigraph::sparql::QuerySolution>,
    rest: QuerySolutionIter<'_>,
    limits: &Limits,
    out: &mut impl Write,
) -> Result<(), HttpError> {
    let io = |e: io::Error| HttpError::internal(e.to_string());
    let solutions = first.into_iter().map(Ok).chain(rest).enumerate();
    let checked = solutions.map(|(i, s)| {
        let n = i as u64 + 1;
        let s = s.map_err(|e| evaluation_error(e, limits))?;
        if limits.max_rows.is_some_and(|m| n > m) {
            return Err(too_many(limits));
        }
        if format == QueryResultsFormat::Xml {
            super::representable::check_xml_solution(&s, n)?;
        }
        Ok(s)
    });
    if format == QueryResultsFormat::Csv {
        // Oxigraph's CSV writer does not quote IRIs: autokg's own (see results.rs).
        let mut writer = super::results::CsvSolutionsWriter::start(out, variables).map_err(io)?;
        for s in checked {
            writer.serialize(&s?).map_err(io)?;
        }
        return writer.finish().map(drop).map_err(io);
    }
    let mut writer = QueryResultsSerializer::from_format(format)
        .serialize_solutions_to_writer(out, variables)
        .map_err(io)?;
    for s in checked {
        writer.serialize(&s?).map_err(io)?;
    }
    writer.finish().map(drop).map_err(io)
}

fn stream_triples(
    format: RdfFormat,
    first: Vec<oxigraph::model::Triple>,
    rest: oxigraph::sparql::QueryTripleIter<'_>,
    limits: &Limits,
    out: &mut impl Write,
) -> Result<(), HttpError> {
    let io = |e: io::Error| HttpError::internal(e.to_string());
    let mut serializer = PREFIXES
        .iter()
        .fold(RdfSerializer::from_format(format), |s, (p, iri)| {
            s.with_prefix(*p, *iri)
                .unwrap_or_else(|_| RdfSerializer::from_format(format))
        })
        .for_writer(out);
    for (i, t) in first.into_iter().map(Ok).chain(rest).enumerate() {
        let n = i as u64 + 1;
        let t = t.map_err(|e| evaluation_error(e, limits))?;
        if limits.max_rows.is_some_and(|m| n > m) {
            return Err(too_many(limits));
        }
        if format == RdfFormat::RdfXml {
            super::representable::check_rdf_xml_triple(t.as_ref(), n)?;
        }
        serializer.serialize_triple(t.as_ref()).map_err(io)?;
    }
    serializer.finish().map(drop).map_err(io)
}
