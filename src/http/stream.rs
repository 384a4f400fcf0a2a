//! The one streaming body of every evaluated response (SPARQL results, Graph Store reads,
//! exports): work runs on a thread of the evaluation pool and writes to a [`ChannelSink`]; the status line
//! waits for its first decision (an error, a complete body, or the start of a stream).
//! Also the plain-text error body of `/sparql` and `/store`.

use crate::sparql::evaluate::{Head, ResponseSink};
use crate::sparql::HttpError;
use actix_web::http::header;
use actix_web::HttpResponse;

/// The `WWW-Authenticate` challenge every 401 carries (RFC 9110 §11.6.1, §15.5.2): writes
/// take the update token as a Bearer token (RFC 6750 §3).
pub const BEARER_CHALLENGE: &str = "Bearer realm=\"autokg\"";

/// Turns a protocol error into a plain-text response (`/sparql`, `/store`): the status from
/// the one mapping, `Retry-After: 1` with a 503, the Bearer challenge with a 401.
pub fn error_response(e: &HttpError) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(e.status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    response.content_type("text/plain; charset=utf-8");
    if e.status == 503 {
        response.insert_header((header::RETRY_AFTER, "1"));
    }
    if e.status == 401 {
        response.insert_header((header::WWW_AUTHENTICATE, BEARER_CHALLENGE));
    }
    response.body(format!("{}\n", e.message))
}

/// The status decision of a [`ChannelSink`], with the media type chosen on the thread.
type HeadMessage = (Result<Head, HttpError>, Option<&'static str>);

/// A [`ResponseSink`] feeding an actix response from a blocking thread.
pub struct ChannelSink {
    head: Option<tokio::sync::oneshot::Sender<HeadMessage>>,
    body: tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>,
    content_type: Option<&'static str>,
}

/// A sink whose 200 takes its media type (with `charset=utf-8` for textual syntaxes) from
/// the work, as a query's result syntax is known only once the query is parsed.
pub trait TypedSink: ResponseSink {
    /// Sets the media type of the 200; call it before the head.
    fn set_content_type(&mut self, media_type: &'static str);
}

impl TypedSink for ChannelSink {
    fn set_content_type(&mut self, media_type: &'static str) {
        self.content_type = Some(media_type);
    }
}

impl<T: TypedSink> TypedSink for &mut T {
    fn set_content_type(&mut self, media_type: &'static str) {
        (**self).set_content_type(media_type);
    }
}

/// The most a response run in place ([`run_here`]) may hold in memory: past it the work is
/// stopped and the client asked to retry (the retry goes through the pool, which streams).
pub const COLLECT_LIMIT: usize = 1 << 20;

/// A [`ResponseSink`] that keeps the whole response, for work run where it is asked for
/// ([`run_here`]), up to [`COLLECT_LIMIT`] bytes of body.
#[derive(Default)]
pub struct CollectSink {
    head: Option<Result<Head, HttpError>>,
    chunks: Vec<Result<bytes::Bytes, std::io::Error>>,
    content_type: Option<&'static str>,
    held: usize,
    overflowed: bool,
}

impl ResponseSink for CollectSink {
    fn head(&mut self, head: Result<Head, HttpError>) {
        if self.head.is_none() {
            self.head = Some(head);
        }
    }

    fn chunk(&mut self, chunk: Result<bytes::Bytes, std::io::Error>) -> bool {
        self.held += chunk.as_ref().map_or(0, bytes::Bytes::len);
        if self.held > COLLECT_LIMIT {
            // Stops the work as a client that left would; `run_here` answers 503.
            self.overflowed = true;
            self.chunks.clear();
            return false;
        }
        self.chunks.push(chunk);
        true
    }

    fn head_sent(&self) -> bool {
        self.head.is_some()
    }
}

impl TypedSink for CollectSink {
    fn set_content_type(&mut self, media_type: &'static str) {
        self.content_type = Some(media_type);
    }
}

/// Runs `work` on the calling thread and answers with what it wrote, as
/// [`stream_blocking`] would. Only for work known to take microseconds and a default stack:
/// it holds the async worker (and every connection on it) while it runs.
pub fn run_here(
    mut response: actix_web::HttpResponseBuilder,
    render: impl FnOnce(HttpError) -> HttpResponse,
    work: impl FnOnce(&mut CollectSink),
) -> HttpResponse {
    let mut sink = CollectSink::default();
    work(&mut sink);
    if sink.overflowed {
        let mut busy = render(HttpError {
            status: 503,
            message: "the answer outgrew what this server answers in place (it was small when \
                      last asked); retry, and it is streamed"
                .into(),
        });
        busy.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        return busy;
    }
    if let (Some(Ok(_)), Some(m)) = (&sink.head, sink.content_type) {
        response.content_type(crate::sparql::negotiate::content_type_value(m));
    }
    match sink.head {
        Some(Ok(Head::Complete(body))) => response.body(body),
        Some(Ok(Head::Streaming)) => response.streaming(futures_util::stream::iter(sink.chunks)),
        Some(Err(e)) => render(e),
        None => render(HttpError::internal(
            "the evaluation ended without an answer",
        )),
    }
}

impl ResponseSink for ChannelSink {
    fn head(&mut self, head: Result<Head, HttpError>) {
        if let Some(tx) = self.head.take() {
            let _ = tx.send((head, self.content_type));
        }
    }

    fn chunk(&mut self, chunk: Result<bytes::Bytes, std::io::Error>) -> bool {
        self.body.blocking_send(chunk).is_ok()
    }

    fn head_sent(&self) -> bool {
        self.head.is_none()
    }
}

/// Runs `work` on a thread of `pool` and answers with what it writes to its sink: an error
/// status (rendered by `render`: plain text for `/sparql` and `/store`, a problem for the
/// export routes), a complete body, or a stream. `response` is the 200's builder (content
/// type and any headers of the route).
pub async fn stream_blocking(
    pool: &super::pool::EvalPool,
    mut response: actix_web::HttpResponseBuilder,
    render: impl FnOnce(HttpError) -> HttpResponse,
    work: impl FnOnce(ChannelSink) + Send + 'static,
) -> HttpResponse {
    let (head_tx, head_rx) = tokio::sync::oneshot::channel();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let sink = ChannelSink {
        head: Some(head_tx),
        body: tx,
        content_type: None,
    };
    drop(pool.spawn(move || work(sink)));
    let head = head_rx.await.map(|(head, media_type)| {
        if let (Ok(_), Some(m)) = (&head, media_type) {
            response.content_type(crate::sparql::negotiate::content_type_value(m));
        }
        head
    });
    match head {
        Ok(Ok(Head::Complete(body))) => response.body(body),
        Ok(Ok(Head::Streaming)) => {
            let body = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|chunk| (chunk, rx))
            });
            response.streaming(body)
        }
        Ok(Err(e)) => render(e),
        Err(_) => render(HttpError::internal(
            "the evaluation ended without an answer",
        )),
    }
}

/// The plain-text renderer of [`stream_blocking`].
pub fn plain(e: HttpError) -> HttpResponse {
    error_response(&e)
}

/// The 200 builder of a negotiated SPARQL or Graph Store answer: its media type (with
/// `charset=utf-8` for textual syntaxes,
/// [`crate::sparql::negotiate::content_type_value`]) and `Vary: Accept`.
pub fn negotiated(content_type: &'static str) -> actix_web::HttpResponseBuilder {
    let mut ok = HttpResponse::Ok();
    ok.content_type(crate::sparql::negotiate::content_type_value(content_type))
        .insert_header((header::VARY, "Accept"));
    ok
}
