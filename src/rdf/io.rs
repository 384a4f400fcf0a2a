//! Reading RDF files: format from the file name or a format name, gzip, and parse errors
//! that name the file, line and column. JSON-LD passes the nesting check of
//! [`crate::nesting`] as it is read (its parser recurses into nested objects; the other
//! parsers keep explicit stacks and need no bound).

use crate::error::{Error, Result};
use crate::nesting::{check_json, NestingReader, TooDeep, JSON_LD_BRACKETS};
use oxigraph::io::{RdfFormat, RdfParseError, RdfParser, RdfSyntaxError};
use oxigraph::model::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term};
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Format names accepted by `--format`, with the format each means.
pub const FORMAT_NAMES: &[(&str, RdfFormat)] = &[
    ("turtle", RdfFormat::Turtle),
    ("ttl", RdfFormat::Turtle),
    ("ntriples", RdfFormat::NTriples),
    ("nt", RdfFormat::NTriples),
    ("nquads", RdfFormat::NQuads),
    ("nq", RdfFormat::NQuads),
    ("trig", RdfFormat::TriG),
    ("rdfxml", RdfFormat::RdfXml),
    ("rdf", RdfFormat::RdfXml),
    (
        "jsonld",
        RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        },
    ),
];

/// Parses a format name such as `turtle` or `nq`, or a media type.
pub fn format_from_name(name: &str) -> Result<RdfFormat> {
    let lower = name.to_ascii_lowercase();
    FORMAT_NAMES
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|(_, f)| *f)
        .or_else(|| RdfFormat::from_media_type(name))
        .ok_or_else(|| {
            Error::UnknownFormat(format!(
                "unknown RDF format '{name}'; known: {}",
                FORMAT_NAMES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// An RDF file to read, with its format and compression decided.
#[derive(Debug, Clone)]
pub struct RdfSource {
    /// Where it is.
    pub path: PathBuf,
    /// Its syntax.
    pub format: RdfFormat,
    /// Whether it is gzip-compressed (`.gz`).
    pub gzip: bool,
    /// Its blank nodes' own scope: every parse of this source names them alike, and no
    /// other source (or other run) shares them.
    pub blanks: BlankScope,
}

/// The blank nodes of one document: a label maps to the same node throughout the document
/// (and on every re-read of it), and to a node no other document has (RDF 1.1 Semantics:
/// blank nodes are local to the graph they appear in). The node is a 128-bit hash of a
/// random per-document salt and the label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlankScope(u128);

impl Default for BlankScope {
    fn default() -> Self {
        Self::new()
    }
}

impl BlankScope {
    /// A new scope, unlike any other.
    pub fn new() -> Self {
        // Oxigraph's fresh blank nodes are random 128-bit numbers in hex.
        let random = BlankNode::default();
        Self(
            u128::from_str_radix(random.as_str(), 16).unwrap_or_else(|_| {
                let mut h = DefaultHasher::new();
                random.as_str().hash(&mut h);
                u128::from(h.finish())
            }),
        )
    }

    fn node(&self, b: &BlankNode) -> BlankNode {
        let half = |part: u8| {
            let mut h = DefaultHasher::new();
            (self.0, b.as_str(), part).hash(&mut h);
            h.finish()
        };
        BlankNode::new_from_unique_id((u128::from(half(0)) << 64) | u128::from(half(1)))
    }

    /// The quad with its blank nodes (subject, object, graph) in this scope.
    pub fn apply(&self, mut q: Quad) -> Quad {
        if let NamedOrBlankNode::BlankNode(b) = &q.subject {
            q.subject = self.node(b).into();
        }
        if let Term::BlankNode(b) = &q.object {
            q.object = self.node(b).into();
        }
        if let GraphName::BlankNode(b) = &q.graph_name {
            q.graph_name = self.node(b).into();
        }
        q
    }
}

impl RdfSource {
    /// Decides the format from `format` if given, else from the file name
    /// (`data.ttl`, `dump.nq.gz`, ...).
    pub fn new(path: &Path, format: Option<&str>) -> Result<Self> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let gzip = name.ends_with(".gz");
        let stem = name.strip_suffix(".gz").unwrap_or(&name);
        let format = match format {
            Some(f) => format_from_name(f)?,
            None => stem
                .rsplit_once('.')
                .and_then(|(_, ext)| RdfFormat::from_extension(ext))
                .ok_or_else(|| {
                    Error::UnknownFormat(format!(
                        "{}: cannot tell the RDF format from the file name; name it with --format",
                        path.display()
                    ))
                })?,
        };
        Ok(Self {
            path: path.to_owned(),
            format,
            gzip,
            blanks: BlankScope::new(),
        })
    }

    /// Opens the file and parses it lazily; triples go into `graph`, blank nodes into the
    /// source's own scope ([`BlankScope`]).
    pub fn quads(&self, graph: GraphName) -> Result<impl Iterator<Item = Result<Quad>>> {
        let file = File::open(&self.path).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?;
        let mut reader: Box<dyn Read + Send> = if self.gzip {
            Box::new(Bounded {
                inner: flate2::read::MultiGzDecoder::new(BufReader::new(file)),
                left: max_gunzip(),
                limit: max_gunzip(),
            })
        } else {
            Box::new(BufReader::with_capacity(1 << 16, file))
        };
        reader = Box::new(skip_bom(reader).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?);
        if is_json_ld(self.format) {
            reader = Box::new(NestingReader::new(reader, JSON_LD_BRACKETS));
        }
        let label = self.path.display().to_string();
        let path = self.path.clone();
        let parser = RdfParser::from_format(self.format).with_default_graph(graph);
        let blanks = self.blanks;
        Ok(parser.for_reader(reader).map(move |r| {
            r.map(|q| blanks.apply(q))
                .map_err(|e| parse_error(&label, &path, e))
        }))
    }
}

/// The default of [`max_gunzip`]: 8 GiB, some fifty times the N-Quads of the 1.1M-quad
/// benchmark store.
pub const DEFAULT_MAX_GUNZIP: u64 = 8 << 30;

/// The most bytes a `.gz` file may decompress to: `AUTOKG_MAX_GUNZIP` (bytes) when set to a
/// number, else [`DEFAULT_MAX_GUNZIP`]. Past it, the load stops with an error naming the
/// file and the limit, and nothing of it is committed (a load lands whole or not at all).
pub fn max_gunzip() -> u64 {
    std::env::var("AUTOKG_MAX_GUNZIP")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_MAX_GUNZIP)
}

/// A reader that fails once it has given `limit` bytes.
struct Bounded<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!(
                "decompresses to more than {} bytes, the limit for .gz files (raise it with AUTOKG_MAX_GUNZIP=BYTES)",
                    self.limit
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Parses RDF text held in memory (embedded files, request bodies), its blank nodes in a
/// scope of their own ([`BlankScope`]: two texts never share one). JSON-LD nested past
/// [`JSON_LD_BRACKETS`] yields one [`Error::InvalidInput`] naming the place.
pub fn parse_text<'a>(
    label: &str,
    text: &'a [u8],
    format: RdfFormat,
    graph: GraphName,
) -> Box<dyn Iterator<Item = Result<Quad>> + Send + 'a> {
    parse_text_with_base(label, text, format, graph, None)
}

/// The UTF-8 byte-order mark, which some editors write at the start of a text file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// [`parse_text`] with `base` (an absolute IRI) as the base of relative IRIs. A leading
/// UTF-8 byte-order mark is skipped in every syntax (Turtle, N-Triples and N-Quads parsers
/// refuse it otherwise).
pub fn parse_text_with_base<'a>(
    label: &str,
    text: &'a [u8],
    format: RdfFormat,
    graph: GraphName,
    base: Option<&str>,
) -> Box<dyn Iterator<Item = Result<Quad>> + Send + 'a> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let label = label.to_owned();
    if is_json_ld(format) {
        if let Err(e) = check_json(text, JSON_LD_BRACKETS) {
            return Box::new(std::iter::once(Err(nesting_error(&label, &e))));
        }
    }
    let blanks = BlankScope::new();
    Box::new(
        base.map_or_else(
            || RdfParser::from_format(format),
            |b| {
                RdfParser::from_format(format)
                    .with_base_iri(b)
                    .unwrap_or_else(|_| RdfParser::from_format(format))
            },
        )
        .with_default_graph(graph)
        .for_slice(text)
        .map(move |r| {
            r.map(|q| blanks.apply(q))
                .map_err(|e| syntax_error(&label, e))
        }),
    )
}

/// Reads the first bytes of `reader` and drops them when they are a UTF-8 byte-order mark;
/// otherwise they are given back in front of the rest.
fn skip_bom(mut reader: Box<dyn Read + Send>) -> std::io::Result<impl Read + Send> {
    let mut head = [0u8; 3];
    let mut filled = 0;
    while filled < head.len() {
        match reader.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let kept = if &head[..filled] == BOM {
        Vec::new()
    } else {
        head[..filled].to_vec()
    };
    Ok(std::io::Cursor::new(kept).chain(reader))
}

fn is_json_ld(format: RdfFormat) -> bool {
    matches!(format, RdfFormat::JsonLd { .. })
}

fn nesting_error(label: &str, e: &TooDeep) -> Error {
    Error::InvalidInput(format!("{label}: {e}"))
}

fn syntax_error(label: &str, e: RdfSyntaxError) -> Error {
    let (line, column) = e
        .location()
        .map_or((0, 0), |l| (l.start.line + 1, l.start.column + 1));
    Error::Syntax {
        file: label.to_owned(),
        line,
        column,
        message: e.to_string(),
    }
}

fn parse_error(label: &str, path: &Path, e: RdfParseError) -> Error {
    match e {
        RdfParseError::Syntax(e) => syntax_error(label, e),
        RdfParseError::Io(source) if source.kind() == std::io::ErrorKind::FileTooLarge => {
            Error::InvalidInput(format!("{}: {source}", path.display()))
        }
        RdfParseError::Io(source) => {
            match source.get_ref().and_then(|e| e.downcast_ref::<TooDeep>()) {
                Some(too_deep) => nesting_error(label, too_deep),
                None => Error::Io {
                    path: path.to_owned(),
                    source,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_objects(n: usize) -> String {
        format!(
            "{{\"@id\": \"http://e/s\", {} \"@value\": 1 {}}}",
            "\"http://e/p\": {".repeat(n - 1),
            "}".repeat(n - 1)
        )
    }

    #[test]
    fn json_ld_is_parsed_up_to_its_nesting_limit_and_refused_past_it() {
        let json_ld = RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        };
        let parse = |n: usize| {
            let text = nested_objects(n);
            // On a 2 MiB thread, like a default tokio blocking thread: within the limit,
            // JSON-LD never needs the large stacks.
            std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || {
                    parse_text("body", text.as_bytes(), json_ld, GraphName::DefaultGraph)
                        .collect::<Result<Vec<_>>>()
                        .map(|q| q.len())
                })
                .expect("thread")
                .join()
                .expect("no overflow")
        };
        assert_eq!(parse(JSON_LD_BRACKETS).ok(), Some(JSON_LD_BRACKETS - 1));
        let e = parse(100_000).expect_err("too deep");
        assert!(
            matches!(&e, Error::InvalidInput(m) if m.starts_with("body: nesting limit")),
            "{e}"
        );
        assert_eq!(e.status(), 400);
    }
}
