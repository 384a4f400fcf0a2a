//! JSON nesting, counted as bytes stream by: `{` and `[` outside strings. JSON has one string
//! form (`"…"` with `\` escapes), so the count is exact.

use super::{Measure, TooDeep};
use std::io::{self, Read};

/// A running count of open `{` and `[`, fed chunk by chunk.
#[derive(Debug, Clone)]
pub struct JsonNesting {
    limit: usize,
    depth: usize,
    deepest: usize,
    in_string: bool,
    escaped: bool,
    line: usize,
    column: usize,
}

impl JsonNesting {
    /// A counter that fails past `limit` open brackets.
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            depth: 0,
            deepest: 0,
            in_string: false,
            escaped: false,
            line: 1,
            column: 0,
        }
    }

    /// The most brackets open at once so far.
    pub fn deepest(&self) -> usize {
        self.deepest
    }

    /// Reads the next bytes; the error names the bracket past the limit.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), TooDeep> {
        for &b in bytes {
            if b == b'\n' {
                self.line += 1;
                self.column = 0;
            } else if (b & 0xC0) != 0x80 {
                self.column += 1;
            }
            if self.in_string {
                match (self.escaped, b) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    self.depth += 1;
                    self.deepest = self.deepest.max(self.depth);
                    if self.depth > self.limit {
                        return Err(TooDeep {
                            measure: Measure::Json,
                            limit: self.limit,
                            line: self.line,
                            column: self.column,
                        });
                    }
                }
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Checks a whole JSON text; returns its deepest nesting.
pub fn check(text: &[u8], limit: usize) -> Result<usize, TooDeep> {
    let mut nesting = JsonNesting::new(limit);
    nesting.feed(text)?;
    Ok(nesting.deepest())
}

/// A reader that passes bytes through while counting their JSON nesting; past the limit it
/// fails with an [`io::ErrorKind::InvalidData`] error wrapping the [`TooDeep`].
pub struct NestingReader<R> {
    inner: R,
    nesting: JsonNesting,
}

impl<R: Read> NestingReader<R> {
    /// Wraps `inner`, failing past `limit` open brackets.
    pub fn new(inner: R, limit: usize) -> Self {
        Self {
            inner,
            nesting: JsonNesting::new(limit),
        }
    }
}

impl<R: Read> Read for NestingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.nesting
            .feed(&buf[..n])
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_and_escaped_quotes_do_not_count() {
        assert_eq!(check(br#"{"a": [1, {"b": "[[{{\"[["}]}"#, 10), Ok(3));
        assert_eq!(check(br#"["\\", [[]]]"#, 10), Ok(3));
    }

    #[test]
    fn the_first_bracket_past_the_limit_is_named() {
        let text = "{\"a\":\n  [[[1]]]}";
        let e = check(text.as_bytes(), 3).expect_err("4 deep");
        assert_eq!((e.line, e.column, e.limit), (2, 5, 3));
        assert_eq!(check(text.as_bytes(), 4), Ok(4));
    }

    #[test]
    fn the_reader_fails_with_the_limit_inside_an_io_error() {
        let deep = format!("{}{}", "[".repeat(50), "]".repeat(50));
        let mut out = Vec::new();
        let e = NestingReader::new(deep.as_bytes(), 20)
            .read_to_end(&mut out)
            .expect_err("too deep");
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let inner = e.get_ref().and_then(|e| e.downcast_ref::<TooDeep>());
        assert_eq!(inner.map(|t| t.limit), Some(20));
        let mut out = Vec::new();
        NestingReader::new(deep.as_bytes(), 50)
            .read_to_end(&mut out)
            .expect("within the limit");
        assert_eq!(out.len(), 100);
    }
}
