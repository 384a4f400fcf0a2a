//! Graphviz DOT writer: every ID and attribute value a quoted string with `\`, `"` and
//! line breaks escaped, UTF-8 Chinese labels as they are, nodes filled with their type's
//! colour.
//!
//! Node IDs are the full IRIs. The drawn `label` is the English label with the Chinese one
//! on a second line; `label_zh`, `type`, `city`, `province` and the scores are attributes
//! too (Graphviz keeps attributes it does not know), and `tooltip` repeats the IRI. Edges
//! carry `label` (the relations' local names), `relation`, `weight` and `sourceParagraph`.

use super::model::ExportGraph;
use super::{hex_colour, number, type_colour};
use std::io::{self, BufWriter, Write};

/// Writes `graph` as DOT (`digraph` when directed, `graph` otherwise).
pub fn write(graph: &ExportGraph, out: impl Write) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, out);
    let (keyword, arrow) = if graph.directed {
        ("digraph", "->")
    } else {
        ("graph", "--")
    };
    write!(w, "{keyword} ")?;
    quoted(&mut w, &graph.name)?;
    w.write_all(b" {\n  graph [charset=\"UTF-8\"];\n  node [style=filled];\n")?;
    for node in &graph.nodes {
        w.write_all(b"  ")?;
        quoted(&mut w, &node.id)?;
        w.write_all(b" [label=")?;
        let mut drawn = node.label().to_owned();
        if let (Some(_), Some(zh)) = (&node.label_en, &node.label_zh) {
            drawn.push('\n');
            drawn.push_str(zh);
        }
        quoted(&mut w, &drawn)?;
        let texts = [
            ("label_zh", node.label_zh.as_deref()),
            ("type", node.kind.as_deref()),
            ("city", node.city.as_deref()),
            ("province", node.province.as_deref()),
            ("tooltip", Some(node.id.as_str())),
        ];
        for (name, value) in texts {
            if let Some(v) = value {
                attribute(&mut w, name, v)?;
            }
        }
        attribute(
            &mut w,
            "fillcolor",
            &hex_colour(type_colour(node.kind.as_deref())),
        )?;
        for (m, score) in graph.measures.iter().zip(&node.scores) {
            if let Some(s) = score {
                attribute(&mut w, m.name(), &s.to_string())?;
            }
        }
        w.write_all(b"];\n")?;
    }
    for edge in &graph.edges {
        w.write_all(b"  ")?;
        quoted(&mut w, &graph.nodes[edge.source as usize].id)?;
        write!(w, " {arrow} ")?;
        quoted(&mut w, &graph.nodes[edge.target as usize].id)?;
        w.write_all(b" [weight=")?;
        quoted(&mut w, &number(edge.weight))?;
        if !edge.relations.is_empty() {
            attribute(&mut w, "label", &edge.label())?;
            attribute(&mut w, "relation", &edge.relation_text())?;
        }
        if !edge.paragraphs.is_empty() {
            attribute(&mut w, "sourceParagraph", &edge.paragraph_text())?;
        }
        w.write_all(b"];\n")?;
    }
    w.write_all(b"}\n")?;
    w.flush()
}

fn attribute(w: &mut impl Write, name: &str, value: &str) -> io::Result<()> {
    w.write_all(b", ")?;
    quoted(w, name)?;
    w.write_all(b"=")?;
    quoted(w, value)
}

/// Writes `s` as a DOT quoted string: `\` → `\\`, `"` → `\"`, a line break (LF, CRLF or CR)
/// → `\n`, other control characters → U+FFFD.
pub(crate) fn quoted(w: &mut impl Write, s: &str) -> io::Result<()> {
    w.write_all(b"\"")?;
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let replacement: Option<&str> = match c {
            '\\' => Some("\\\\"),
            '"' => Some("\\\""),
            '\n' => Some("\\n"),
            '\r' => {
                if matches!(chars.peek(), Some((_, '\n'))) {
                    Some("")
                } else {
                    Some("\\n")
                }
            }
            '\t' => None,
            c if (c as u32) < 0x20 || c == '\u{7f}' => Some("\u{FFFD}"),
            _ => None,
        };
        if let Some(r) = replacement {
            w.write_all(&s.as_bytes()[start..i])?;
            w.write_all(r.as_bytes())?;
            start = i + c.len_utf8();
        }
    }
    w.write_all(&s.as_bytes()[start..])?;
    w.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting() {
        let q = |s: &str| {
            let mut out = Vec::new();
            super::quoted(&mut out, s).expect("writes to a Vec");
            String::from_utf8(out).expect("UTF-8")
        };
        assert_eq!(q(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(q("x\r\ny\rz\n"), r#""x\ny\nz\n""#);
        assert_eq!(q("赛力斯\u{1}"), "\"赛力斯\u{FFFD}\"");
        assert_eq!(q("end\\"), r#""end\\""#);
    }
}
