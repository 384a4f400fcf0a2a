//! Which terms a result syntax can carry. Oxigraph's XML writers (SPARQL Results XML,
//! RDF/XML) write whatever they are given, so autokg checks each solution or triple before
//! it is written: XML 1.0 cannot hold U+0000–U+001F other than tab, LF and CR, nor U+FFFE and
//! U+FFFF, even as character references (XML 1.0 §2.2), and RDF/XML can only write a
//! predicate whose IRI splits into a namespace and a non-empty XML name (RDF 1.1 XML Syntax
//! §2.5). A refusal is an [`HttpError`] with status 406 naming the term and the syntaxes that
//! can carry it.

use super::HttpError;
use oxigraph::model::{NamedNodeRef, Term, TermRef, TripleRef};
use oxigraph::sparql::QuerySolution;

/// The first character of `text` that XML 1.0 cannot carry, if any.
pub fn xml_forbidden_char(text: &str) -> Option<char> {
    text.chars().find(|c| {
        matches!(*c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
    })
}

fn term_forbidden_char(term: TermRef<'_>) -> Option<char> {
    match term {
        TermRef::Literal(l) => xml_forbidden_char(l.value()),
        TermRef::NamedNode(n) => xml_forbidden_char(n.as_str()),
        TermRef::BlankNode(b) => xml_forbidden_char(b.as_str()),
    }
}

fn forbidden(what: String, c: char, instead: &str) -> HttpError {
    HttpError {
        status: 406,
        message: format!(
            "{what} holds the control character U+{:04X}, which XML 1.0 cannot carry; ask for {instead} instead",
            u32::from(c)
        ),
    }
}

/// Checks that solution number `n` (from 1) can be written as SPARQL Results XML.
pub fn check_xml_solution(solution: &QuerySolution, n: u64) -> Result<(), HttpError> {
    for (variable, term) in solution.iter() {
        if let Some(c) = term_forbidden_char(Term::as_ref(term)) {
            return Err(forbidden(
                format!("solution {n} (variable ?{})", variable.as_str()),
                c,
                "application/sparql-results+json, text/csv or text/tab-separated-values",
            ));
        }
    }
    Ok(())
}

/// The local name RDF/XML would write for `predicate`: the longest suffix that is an XML
/// name (after the last character that cannot be in one, starting at the first character
/// that can start one), as Oxigraph's RDF/XML writer splits it. Empty when there is none.
pub fn rdf_xml_local_name(predicate: &str) -> &str {
    let is_start = |c: char| {
        matches!(c,
            'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
            | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
            | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
            | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}')
    };
    let is_name = |c: char| {
        is_start(c)
            || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
    };
    let tail_start = predicate
        .char_indices()
        .rev()
        .find(|(_, c)| !is_name(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let tail = &predicate[tail_start..];
    tail.find(is_start).map_or("", |i| &tail[i..])
}

fn check_predicate(predicate: NamedNodeRef<'_>, n: u64) -> Result<(), HttpError> {
    let iri = predicate.as_str();
    let local = rdf_xml_local_name(iri);
    if local.is_empty()
        || iri.len() == local.len()
        || iri.starts_with("http://www.w3.org/2000/xmlns/")
    {
        return Err(HttpError {
            status: 406,
            message: format!(
                "triple {n} has the predicate <{iri}>, which RDF/XML cannot write (it does not end with an XML name); ask for text/turtle, application/n-triples or application/ld+json instead"
            ),
        });
    }
    Ok(())
}

/// Checks that triple number `n` (from 1) can be written as RDF/XML: its predicate splits
/// into a namespace and an XML name, and no term holds a character XML cannot carry.
pub fn check_rdf_xml_triple(triple: TripleRef<'_>, n: u64) -> Result<(), HttpError> {
    check_predicate(triple.predicate, n)?;
    for term in [
        TermRef::from(triple.subject),
        TermRef::from(triple.predicate),
        triple.object,
    ] {
        if let Some(c) = term_forbidden_char(term) {
            return Err(forbidden(
                format!("triple {n}"),
                c,
                "text/turtle, application/n-triples or application/ld+json",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names_follow_the_writers_split() {
        assert_eq!(rdf_xml_local_name("http://schema.org/Person"), "Person");
        assert_eq!(rdf_xml_local_name("http://e/123"), "");
        assert_eq!(rdf_xml_local_name("http://e/1a"), "a");
        assert_eq!(rdf_xml_local_name("urn:isbn:foo"), "foo");
        assert_eq!(rdf_xml_local_name("http://e/"), "");
        assert_eq!(
            rdf_xml_local_name("https://w3id.org/autokg/ontology#supplies"),
            "supplies"
        );
    }

    #[test]
    fn xml_refuses_c0_controls_but_not_tab_lf_cr() {
        assert_eq!(xml_forbidden_char("a\u{1}b"), Some('\u{1}'));
        assert_eq!(xml_forbidden_char("a\tb\nc\rd 赛力斯"), None);
        assert_eq!(xml_forbidden_char("\u{FFFF}"), Some('\u{FFFF}'));
    }
}
