//! The one streaming body of every evaluated response (SPARQL results, Graph Store reads,
//! exports): work runs on a thread of the evaluation pool and writes to a [`ChannelSink`]; the status line
//! waits for its first decision (an error, a complete body, or the start of a stream).
//! Also the plain-text error body of `/sparql` and `/store`.

use crate::sparql::evaluate::{Head, ResponseSink};
use crate::sparql::HttpError;
use actix_web::http::header;
use actix_web::HttpResponse;

/// Turns a protocol error into a plain-text response (`/sparql`, `/store`): the status from
/// the one mapping, `Retry-After: 1` with a 503.
pub fn error_response(e: &HttpError) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(e.status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    response.content_type("text/plain; charset=utf-8");
    if e.status == 503 {
        response.insert_header((header::RETRY_AFTER, "1"));
    }
    response.body(format!("{}\n", e.message))
}

/// A [`ResponseSink`] feeding an actix response from a blocking thread.
pub struct ChannelSink {
    head: Option<tokio::sync::oneshot::Sender<Result<Head, HttpError>>>,
    body: tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>,
}

impl ResponseSink for ChannelSink {
    fn head(&mut self, head: Result<Head, HttpError>) {
        if let Some(tx) = self.head.take() {
            let _ = tx.send(head);
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
    };
    drop(pool.spawn(move || work(sink)));
    match head_rx.await {
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
