//! How people name things and how things are described back to them, in one place for the
//! CLI, the JSON API, analytics and exports: entity and vocabulary arguments expanded to IRIs
//! (`seres`, `akid:seres`, `<https://…>`), IRIs compacted with the predeclared prefixes,
//! local names, and which of a node's labels is shown ([`NodeLabels`]).

use crate::error::{Error, Result};
use crate::vocab::{AK, AKID, PREFIXES};
use oxigraph::model::NamedNode;

/// Strips the angle brackets of `<iri>` and surrounding whitespace.
fn unbracket(arg: &str) -> &str {
    let arg = arg.trim();
    arg.strip_prefix('<')
        .and_then(|a| a.strip_suffix('>'))
        .unwrap_or(arg)
}

/// `arg` expanded when it starts with a predeclared prefix (`akid:seres`), kept when it is an
/// absolute IRI (`https://…`, `urn:…`), else `None`.
fn expand_prefixed(arg: &str) -> Option<String> {
    let (prefix, local) = arg.split_once(':')?;
    if let Some((_, ns)) = PREFIXES.iter().find(|(p, _)| *p == prefix) {
        return Some(format!("{ns}{local}"));
    }
    (local.starts_with("//") || prefix == "urn").then(|| arg.to_owned())
}

/// Expands an entity argument to an IRI string: an absolute IRI as is, `prefix:local` with a
/// predeclared prefix (`akid:seres`), anything else as a local name under `akid:`
/// (`seres` → `https://w3id.org/autokg/id/seres`). Not checked; see [`entity_iri`].
pub fn expand_entity(arg: &str) -> String {
    let arg = unbracket(arg);
    expand_prefixed(arg).unwrap_or_else(|| format!("{AKID}{arg}"))
}

/// Expands a vocabulary argument: `partnerOf` (an `ak:` local name), `ak:partnerOf` (any
/// predeclared prefix) or a full IRI.
pub fn expand_term(arg: &str) -> String {
    let arg = unbracket(arg);
    if arg.contains(':') {
        return expand_prefixed(arg).unwrap_or_else(|| arg.to_owned());
    }
    format!("{AK}{arg}")
}

/// [`expand_entity`], checked: errors with [`Error::InvalidInput`] naming the argument when
/// the result is not a valid IRI (spaces, `<`, …).
pub fn entity_iri(arg: &str) -> Result<NamedNode> {
    NamedNode::new(expand_entity(arg)).map_err(|e| {
        Error::InvalidInput(format!(
            "'{}' is neither an IRI nor an akid: local name: {e}",
            arg.trim()
        ))
    })
}

/// An IRI in compact form (`akid:seres`) when a predeclared prefix fits and the rest is a
/// plain local name (no `/` or `#`); else the IRI unchanged.
pub fn compact(iri: &str) -> String {
    for (p, ns) in PREFIXES {
        if let Some(local) = iri.strip_prefix(ns) {
            if !local.is_empty() && !local.contains(['/', '#']) {
                return format!("{p}:{local}");
            }
        }
    }
    iri.to_owned()
}

/// The part of an IRI after its last `#` or `/` (the whole IRI when that is empty).
pub fn local_name(iri: &str) -> &str {
    match iri.rfind(['#', '/']) {
        Some(i) if i + 1 < iri.len() => &iri[i + 1..],
        _ => iri,
    }
}

/// The labels shown for one node, chosen from its `rdfs:label`s by one rule for analytics
/// reports and exports: the English label is an `@en` (or `@en-*`) one over an untagged one
/// and, among several of the same kind, the smallest string (so the choice does not depend
/// on store order); the Chinese label is the smallest `@zh` (or `@zh-*`) one. Other
/// languages are ignored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NodeLabels {
    /// The English (or untagged) label, `true` when it is tagged English.
    english: Option<(bool, String)>,
    chinese: Option<String>,
}

impl NodeLabels {
    /// Takes one label into account: `language` is its tag (`None` when untagged).
    pub fn add(&mut self, value: &str, language: Option<&str>) {
        let lang = language.map(str::to_ascii_lowercase);
        match lang.as_deref() {
            Some(l) if l == "zh" || l.starts_with("zh-") => {
                if self.chinese.as_deref().is_none_or(|z| value < z) {
                    self.chinese = Some(value.to_owned());
                }
            }
            Some(l) if l == "en" || l.starts_with("en-") => {
                let better = match &self.english {
                    None | Some((false, _)) => true,
                    Some((true, old)) => value < old.as_str(),
                };
                if better {
                    self.english = Some((true, value.to_owned()));
                }
            }
            None => {
                let better = match &self.english {
                    None => true,
                    Some((false, old)) => value < old.as_str(),
                    Some((true, _)) => false,
                };
                if better {
                    self.english = Some((false, value.to_owned()));
                }
            }
            Some(_) => {}
        }
    }

    /// The English label (else the untagged one), if any.
    pub fn english(&self) -> Option<&str> {
        self.english.as_ref().map(|(_, s)| s.as_str())
    }

    /// The Chinese label, if any.
    pub fn chinese(&self) -> Option<&str> {
        self.chinese.as_deref()
    }

    /// The English (else untagged) and the Chinese label.
    pub fn into_parts(self) -> (Option<String>, Option<String>) {
        (self.english.map(|(_, s)| s), self.chinese)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_arguments_expand_the_same_way_everywhere() {
        let seres = format!("{AKID}seres");
        for arg in [
            "seres",
            " akid:seres ",
            "<https://w3id.org/autokg/id/seres>",
            &seres,
        ] {
            assert_eq!(expand_entity(arg), seres, "{arg}");
            assert_eq!(entity_iri(arg).expect(arg).as_str(), seres);
        }
        assert_eq!(expand_entity("urn:x:1"), "urn:x:1");
        assert_eq!(
            expand_entity("synthetic/firm-1"),
            format!("{AKID}synthetic/firm-1")
        );
        assert!(entity_iri("has space").is_err());
    }

    #[test]
    fn english_wins_over_untagged_and_the_smallest_wins() {
        let mut l = NodeLabels::default();
        l.add("Zed", None);
        assert_eq!(l.english(), Some("Zed"));
        l.add("Bee", Some("en"));
        l.add("Ant", None);
        l.add("Aa", Some("en-GB"));
        l.add("问界", Some("zh"));
        l.add("东", Some("zh-Hans"));
        l.add("Le", Some("fr"));
        assert_eq!(l.chinese(), Some("东"));
        assert_eq!(
            l.into_parts(),
            (Some("Aa".to_owned()), Some("东".to_owned()))
        );
    }

    #[test]
    fn vocabulary_arguments_default_to_ak() {
        assert_eq!(expand_term("partnerOf"), format!("{AK}partnerOf"));
        assert_eq!(expand_term("ak:partnerOf"), format!("{AK}partnerOf"));
        assert_eq!(
            expand_term("rdfs:label"),
            "http://www.w3.org/2000/01/rdf-schema#label"
        );
        assert_eq!(expand_term("http://e/p"), "http://e/p");
    }

    #[test]
    fn compact_and_local_names() {
        assert_eq!(compact(&format!("{AKID}seres")), "akid:seres");
        assert_eq!(compact(&format!("{AKID}a/b")), format!("{AKID}a/b"));
        assert_eq!(compact("http://e/x"), "http://e/x");
        assert_eq!(local_name("https://w3id.org/autokg/ontology#City"), "City");
        assert_eq!(
            local_name("https://w3id.org/autokg/id/"),
            "https://w3id.org/autokg/id/"
        );
    }
}
