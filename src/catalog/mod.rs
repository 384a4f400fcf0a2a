//! The catalog: an in-memory index of entities, their labels, relations (with provenance),
//! observations and firm locations, read from the store and rebuilt when its generation
//! changes. The JSON API's lookups (entity, firms, relations, observations, search,
//! suggestions for unknown ids) read it; it knows nothing of HTTP.
//!
//! The index reads every asserted quad once (the inferred graph is left out, so a rebuild
//! never sees entailments half-written); class membership follows `rdfs:subClassOf` from
//! the ontology, so `type=Company` finds automakers. Relations come from `ak:Relationship`
//! statement nodes, plus direct edges of an `ak:RelationProperty` that no statement node
//! documents (those carry no provenance).
//!
//! Files: [`model`] the wire types, [`build`] reading the store into an [`Index`],
//! [`lookup`] entities, relations, firms and observations, [`search`] search and
//! suggestions; this file the cache, the index's layout and what the others share.

mod build;
mod lookup;
mod model;
mod search;

pub use lookup::{FirmFilter, ObservationFilter};
pub use model::{
    Direction, Entity, EntityRef, EntityRelations, Firm, FirmPage, Labels, Link, MatchKind, Num,
    Observation, ObservationList, PropertyValue, Relation, SearchHit, SearchResults,
};

use crate::describe::compact;
use crate::error::{Error, Result};
use crate::store::KgStore;
use crate::vocab::{AK, AKID};
use oxigraph::model::Term;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::vocab::{
    GEO_GEOMETRY, OWL_SYMMETRIC_PROPERTY as OWL_SYMMETRIC, PROV_WAS_DERIVED_FROM as PROV_DERIVED,
    RDFS, RDF_TYPE, SKOS_ALT_LABEL,
};

/// The most suggestions an unknown id gets.
pub const SUGGESTIONS: usize = 5;
/// The page size of `firms` when none is asked for.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page of `firms`.
pub const MAX_LIMIT: usize = 500;
/// The most hits `search` returns.
pub const MAX_SEARCH: usize = 100;

fn ak(local: &str) -> String {
    format!("{AK}{local}")
}

/// A refused lookup: the error (an id naming no entity is [`Error::NotFound`], a bad
/// parameter [`Error::InvalidInput`]) and the closest ids.
#[derive(Debug)]
pub struct Rejection {
    /// What is wrong, for the person who asked; its status comes from [`Error::status`].
    pub error: Error,
    /// The closest existing entities (by id and label), best first.
    pub suggestions: Vec<EntityRef>,
}

impl Rejection {
    fn bad(detail: impl Into<String>) -> Self {
        Self {
            error: Error::InvalidInput(detail.into()),
            suggestions: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The cache
// ---------------------------------------------------------------------------------------

/// Keeps the [`Index`] of one store current: rebuilt (once, however many ask at the same
/// time) when the store's generation changes. Keep one per store.
#[derive(Debug, Default)]
pub struct Catalog {
    current: Mutex<Option<Arc<Index>>>,
    building: Mutex<()>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// The index, if the one built is for the store's current generation. Never reads the
    /// store, so it may be called on an async worker.
    pub fn ready(&self, store: &KgStore) -> Option<Arc<Index>> {
        let generation = store.generation();
        self.lock()
            .as_ref()
            .filter(|i| i.generation == generation)
            .cloned()
    }

    /// The index for the store's current generation, built if needed. Reads the whole store
    /// when it builds: call it off async workers.
    pub fn index(&self, store: &KgStore) -> Result<Arc<Index>> {
        if let Some(i) = self.ready(store) {
            return Ok(i);
        }
        let _building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = self.ready(store) {
            return Ok(i);
        }
        let started = std::time::Instant::now();
        let index = Arc::new(Index::build(store)?);
        tracing::info!(
            generation = index.generation,
            nodes = index.nodes.len(),
            relations = index.relations.len(),
            seconds = started.elapsed().as_secs_f64(),
            "catalog built"
        );
        *self.lock() = Some(index.clone());
        Ok(index)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<Index>>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

// ---------------------------------------------------------------------------------------
// The index
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Node {
    iri: String,
    id: String,
    types: Vec<String>,
    labels: Vec<(String, String)>,
    alt_labels: Vec<(String, String)>,
    comments: Vec<(String, String)>,
    props: Vec<(String, Term)>,
    /// Described in the ontology graph (a class, property or code-list concept).
    vocabulary: bool,
}

#[derive(Debug)]
struct Rel {
    statement: Option<usize>,
    subject: usize,
    predicate: String,
    object: usize,
}

#[derive(Debug, Default)]
struct Places {
    direct: HashSet<usize>,
    within: HashSet<usize>,
    regions: HashSet<usize>,
}

#[derive(Debug)]
struct SearchKey {
    node: usize,
    /// The key, lower-cased.
    folded: String,
    /// The key as written.
    text: String,
    /// 0 for a label, 1 for an alternative label, 2 for the id.
    field: u8,
}

/// Entities, relations and observations of one store generation, in memory.
#[derive(Debug)]
pub struct Index {
    generation: u64,
    nodes: Vec<Node>,
    by_iri: HashMap<String, usize>,
    relations: Vec<Rel>,
    outgoing: Vec<Vec<usize>>,
    incoming: Vec<Vec<usize>>,
    observations: Vec<usize>,
    observations_of: HashMap<usize, Vec<usize>>,
    firms: Vec<usize>,
    places: HashMap<usize, Places>,
    superclasses: HashMap<String, HashSet<String>>,
    firm_classes: BTreeSet<String>,
    relation_properties: BTreeSet<String>,
    symmetric: HashSet<String>,
    measures: BTreeSet<String>,
    keys: Vec<SearchKey>,
}

/// The id of an IRI: the `akid:` local name, else the compact IRI, else the IRI.
pub fn id_of(iri: &str) -> String {
    if let Some(local) = iri.strip_prefix(AKID) {
        return local.to_owned();
    }
    compact(iri)
}

/// A language map of `(tag, text)` pairs: one text per tag (the least, when several),
/// untagged texts under `@none`.
fn lang_map(values: &[(String, String)]) -> Labels {
    let mut map = BTreeMap::new();
    for (lang, value) in values {
        let key = if lang.is_empty() {
            "@none".to_owned()
        } else {
            lang.clone()
        };
        match map.get(&key) {
            Some(v) if v <= value => {}
            _ => {
                map.insert(key, value.clone());
            }
        }
    }
    Labels(map)
}

/// A term as text: a literal's value, a compact IRI, a blank node's label.
fn literal_text(t: &Term) -> Option<String> {
    match t {
        Term::Literal(l) => Some(l.value().to_owned()),
        Term::NamedNode(n) => Some(compact(n.as_str())),
        Term::BlankNode(b) => Some(b.to_string()),
    }
}

impl Index {
    /// The store generation the index was built from.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn is_a(&self, node: usize, class: &str) -> bool {
        self.nodes[node]
            .types
            .iter()
            .any(|t| t == class || self.superclasses.get(t).is_some_and(|s| s.contains(class)))
    }

    fn prop<'a>(&'a self, node: usize, p: &'a str) -> impl Iterator<Item = &'a Term> + 'a {
        self.nodes[node]
            .props
            .iter()
            .filter(move |(q, _)| q == p)
            .map(|(_, o)| o)
    }

    fn prop_node(&self, node: usize, p: &str) -> Vec<usize> {
        self.prop(node, p)
            .filter_map(|o| match o {
                Term::NamedNode(n) => self.by_iri.get(n.as_str()).copied(),
                _ => None,
            })
            .collect()
    }

    fn first_text(&self, node: usize, p: &str) -> Option<String> {
        self.prop(node, p).next().and_then(literal_text)
    }

    fn first_compact(&self, node: usize, p: &str) -> Option<String> {
        self.prop(node, p).find_map(|o| match o {
            Term::NamedNode(n) => Some(compact(n.as_str())),
            _ => None,
        })
    }

    fn first_id(&self, node: usize, p: &str) -> Option<String> {
        self.prop(node, p).find_map(|o| match o {
            Term::NamedNode(n) => Some(id_of(n.as_str())),
            _ => None,
        })
    }

    fn paragraphs(&self, node: usize) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .prop(node, &ak("sourceParagraph"))
            .filter_map(|o| match o {
                Term::Literal(l) => l.value().trim().parse().ok(),
                _ => None,
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn english(&self, values: &[(String, String)]) -> Option<String> {
        values
            .iter()
            .find(|(l, _)| l == "en" || l.starts_with("en-"))
            .or_else(|| values.iter().find(|(l, _)| l.is_empty()))
            .map(|(_, v)| v.clone())
    }

    fn entity_ref(&self, node: usize) -> EntityRef {
        EntityRef {
            id: self.nodes[node].id.clone(),
            label: lang_map(&self.nodes[node].labels),
        }
    }

    fn types(&self, node: usize) -> Vec<String> {
        let mut t: Vec<String> = self.nodes[node].types.iter().map(|t| compact(t)).collect();
        t.sort();
        t.dedup();
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::{expand_entity, expand_term};

    #[test]
    fn ids_and_terms_expand() {
        assert_eq!(id_of("https://w3id.org/autokg/id/seres"), "seres");
        assert_eq!(id_of(&ak("partnerOf")), "ak:partnerOf");
        assert_eq!(expand_term("partnerOf"), ak("partnerOf"));
        assert_eq!(expand_term("ak:partnerOf"), ak("partnerOf"));
        assert_eq!(expand_entity("seres"), format!("{AKID}seres"));
        assert_eq!(expand_entity("akid:seres"), format!("{AKID}seres"));
        assert_eq!(expand_entity("http://e.org/x"), "http://e.org/x");
    }
}
