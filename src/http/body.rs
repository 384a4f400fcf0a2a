//! Request bodies, bounded as they are read: the size limit (`--max-body`) applies to the
//! bytes the handler will see, after `Content-Encoding: gzip` is undone, and decompression
//! runs in steps of at most a few tens of kilobytes, so a small gzip bomb is refused at the
//! limit instead of first filling memory. Bodies are only read once the request has passed
//! the checks that need no body (the update token of a write).

use crate::sparql::HttpError;
use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use std::io::Write;

/// The largest ratio of decompressed to compressed bytes accepted once the body has grown
/// past [`RATIO_FLOOR`]: text RDF compresses about 10× and SPARQL less, so 100× leaves room
/// for honest bodies while a bomb (1,000× and more) is refused early.
pub const MAX_EXPANSION: usize = 100;
/// Below this many decompressed bytes the expansion ratio is not checked.
pub const RATIO_FLOOR: usize = 1024 * 1024;

/// Compressed bytes fed to the decoder per step.
const FEED_STEP: usize = 1024;

/// A `Vec` that refuses to grow past `limit`.
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "over the limit",
            ));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn too_large(limit: usize, decompressed: bool) -> HttpError {
    let mut e = HttpError::too_large(limit);
    if decompressed {
        e.message.push_str(" once decompressed");
    }
    e
}

/// Reads the whole body of `req` from `payload`, undoing `Content-Encoding: gzip`.
///
/// Errors: 413 past `limit` bytes (sent or decompressed) or past [`MAX_EXPANSION`]; 415 for
/// another content coding; 400 for a body that is not valid gzip.
pub async fn read(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, HttpError> {
    let coding = req
        .headers()
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
        .unwrap_or_default();
    let gzip = match coding.as_str() {
        "" | "identity" => false,
        "gzip" | "x-gzip" => true,
        other => {
            return Err(HttpError {
                status: 415,
                message: format!(
                    "unsupported Content-Encoding '{other}'; send the body as is or gzip-compressed"
                ),
            })
        }
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit, false));
    }
    let read_error = |e: actix_web::error::PayloadError| {
        HttpError::bad_request(format!("the request body could not be read: {e}"))
    };
    if !gzip {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(read_error)?;
            if body.len() + chunk.len() > limit {
                return Err(too_large(limit, false));
            }
            body.extend_from_slice(&chunk);
        }
        return Ok(body.freeze());
    }
    let mut decoder = flate2::write::GzDecoder::new(Bounded {
        bytes: Vec::new(),
        limit,
    });
    let mut sent = 0usize;
    let mut fed = 0usize;
    let inflate_error = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            too_large(limit, true)
        } else {
            HttpError::bad_request(format!("the gzip-encoded body does not decompress: {e}"))
        }
    };
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(read_error)?;
        sent += chunk.len();
        if sent > limit {
            return Err(too_large(limit, false));
        }
        // Feed in small steps, and compare with the bytes fed so far (not the whole chunk), so
        // one large chunk cannot expand far past the checks: DEFLATE expands at most about
        // 1,032-fold, so one step adds at most about 1 MiB.
        for piece in chunk.chunks(FEED_STEP) {
            fed += piece.len();
            decoder.write_all(piece).map_err(inflate_error)?;
            let out = decoder.get_ref().bytes.len();
            if out > RATIO_FLOOR && out > MAX_EXPANSION * fed {
                return Err(HttpError {
                    status: 413,
                    message: format!(
                        "the gzip-encoded body expands more than {MAX_EXPANSION}-fold; send it uncompressed or in parts"
                    ),
                });
            }
        }
    }
    let out = decoder.finish().map_err(inflate_error)?;
    Ok(web::Bytes::from(out.bytes))
}
