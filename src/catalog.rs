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

use crate::describe::{compact, expand_entity, expand_term};
use crate::error::{Error, Result};
use crate::store::KgStore;
use crate::vocab::{AK, AKID, GRAPH_INFERRED, GRAPH_ONTOLOGY};
use oxigraph::model::{GraphName, NamedOrBlankNode, Term};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const SKOS_ALT_LABEL: &str = "http://www.w3.org/2004/02/skos/core#altLabel";
const PROV_DERIVED: &str = "http://www.w3.org/ns/prov#wasDerivedFrom";
const OWL_SYMMETRIC: &str = "http://www.w3.org/2002/07/owl#SymmetricProperty";
const GEO_GEOMETRY: &str = "http://www.opengis.net/ont/geosparql#Geometry";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

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

// ---------------------------------------------------------------------------------------
// What lookups return
// ---------------------------------------------------------------------------------------

/// Texts by language tag (`en`, `zh`; `@none` for an untagged one): a JSON-LD language map.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(example = json!({"en": "Seres", "zh": "赛力斯"}))]
pub struct Labels(pub BTreeMap<String, String>);

/// Another entity, as a relation or an observation refers to it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EntityRef {
    /// The id to look it up with: the `akid:` local name, else a compact or full IRI.
    #[schema(example = "huawei")]
    pub id: String,
    /// Its `rdfs:label`s by language.
    #[schema(example = json!({"en": "Huawei", "zh": "华为"}))]
    pub label: Labels,
}

/// A reference to a resource from a property value: `{"id": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Link {
    /// The resource's id (`akid:` local name, else a compact or full IRI).
    #[schema(example = "source-china-auto-geography-2025")]
    pub id: String,
}

/// A JSON number, integral when the value is (`2`, not `2.0`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(value_type = f64)]
pub struct Num(pub serde_json::Number);

/// A property value: a resource, text (dates as written), a number or a boolean.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PropertyValue {
    /// A resource (an IRI).
    Resource(Link),
    /// A string or a date.
    Text(String),
    /// An xsd:integer, xsd:decimal or xsd:double.
    Number(Num),
    /// An xsd:boolean.
    Boolean(bool),
}

/// One relation of an entity, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Relation {
    /// The `ak:Relationship` statement node's id; absent for a direct edge that no statement
    /// node documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "rel-huawei-partnerOf-seres")]
    pub statement: Option<String>,
    /// The relation property, compact (`ak:partnerOf`).
    #[schema(example = "ak:partnerOf")]
    pub relation: String,
    /// The statement's subject.
    pub subject: EntityRef,
    /// The statement's object.
    pub object: EntityRef,
    /// Whether the relation reads the same both ways (`owl:SymmetricProperty`).
    pub symmetric: bool,
    /// `ak:since`, as written (a date or a year).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// `ak:until`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// `ak:role`: the part the subject plays.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "technology partner")]
    pub role: Option<String>,
    /// `ak:product`: what is supplied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// `ak:Stated` or `ak:Inferred`: whether the source says it or only implies it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ak:Stated")]
    pub assertion: Option<String>,
    /// The source document's id (`prov:wasDerivedFrom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "source-china-auto-geography-2025")]
    pub source: Option<String>,
    /// The source's paragraphs (`ak:sourceParagraph`).
    #[schema(example = json!([2]))]
    pub paragraphs: Vec<i64>,
    /// The statement's English `rdfs:comment`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A figure (`ak:Observation`) for one subject, measure and period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    /// The observation's id.
    #[schema(example = "obs-chongqing-vehicle-output-2025")]
    pub id: String,
    /// Its labels.
    #[schema(example = json!({"en": "Chongqing vehicle output, 2025", "zh": "重庆汽车产量（2025年）"}))]
    pub label: Labels,
    /// What the figure is about.
    pub subject: EntityRef,
    /// The measure, compact (`ak:VehicleOutput`).
    #[schema(example = "ak:VehicleOutput")]
    pub measure: String,
    /// The value: whole vehicles for counts, a fraction for shares and rates, an integer for
    /// ranks.
    #[schema(value_type = Option<f64>, example = 2788000)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Number>,
    /// First day of the period (xsd:date).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2025-01-01")]
    pub period_start: Option<String>,
    /// Last day of the period (xsd:date).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2025-12-31")]
    pub period_end: Option<String>,
    /// Year-on-year growth as a fraction (+9.7% is 0.097).
    #[schema(value_type = Option<f64>, example = 0.097)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yoy_growth: Option<serde_json::Number>,
    /// The source's hedge on the value (`ak:About`, `ak:MoreThan`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ak:About")]
    pub approximation: Option<String>,
    /// Who reported the figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<EntityRef>,
    /// `ak:Stated` or `ak:Inferred`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion: Option<String>,
    /// The source document's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "source-china-auto-geography-2025")]
    pub source: Option<String>,
    /// The source's paragraphs.
    #[schema(example = json!([2]))]
    pub paragraphs: Vec<i64>,
}

/// Everything the graph says about one entity.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Entity {
    /// The id (`akid:` local name, else a compact or full IRI).
    #[schema(example = "seres")]
    pub id: String,
    /// The full IRI.
    #[schema(example = "https://w3id.org/autokg/id/seres")]
    pub iri: String,
    /// Its asserted classes, compact (`ak:Automaker`).
    #[schema(example = json!(["ak:Automaker"]))]
    pub types: Vec<String>,
    /// `rdfs:label` by language.
    #[schema(example = json!({"en": "Seres", "zh": "赛力斯"}))]
    pub label: Labels,
    /// `skos:altLabel`s by language.
    #[schema(example = json!({"en": ["Seres Group"], "zh": ["赛力斯集团"]}))]
    pub alt_label: BTreeMap<String, Vec<String>>,
    /// `rdfs:comment` by language.
    pub comment: Labels,
    /// Every other property, by compact IRI (`ak:sourceParagraph`, `schema:sameAs`, ...).
    #[schema(example = json!({"ak:sourceParagraph": [2], "prov:wasDerivedFrom": [{"id": "source-china-auto-geography-2025"}]}))]
    pub properties: BTreeMap<String, Vec<PropertyValue>>,
    /// Relations whose subject it is.
    pub outgoing: Vec<Relation>,
    /// Relations whose object it is.
    pub incoming: Vec<Relation>,
    /// Figures about it.
    pub observations: Vec<Observation>,
}

/// A firm in the `firms` listing.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Firm {
    /// The id.
    #[schema(example = "byd")]
    pub id: String,
    /// The full IRI.
    #[schema(example = "https://w3id.org/autokg/id/byd")]
    pub iri: String,
    /// `rdfs:label` by language.
    #[schema(example = json!({"en": "BYD", "zh": "比亚迪"}))]
    pub label: Labels,
    /// Its asserted classes, compact.
    #[schema(example = json!(["ak:Automaker"]))]
    pub types: Vec<String>,
    /// Where it is headquartered (`ak:headquarteredIn`).
    pub headquartered_in: Vec<EntityRef>,
    /// Where it produces (`ak:producesIn`).
    pub produces_in: Vec<EntityRef>,
}

/// One page of firms.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FirmPage {
    /// The firms of this page, sorted by IRI.
    pub items: Vec<Firm>,
    /// How many firms match the filters, over all pages.
    pub total: usize,
    /// The page size used.
    pub limit: usize,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Which relations of an entity to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Relations whose subject it is (symmetric ones either way).
    Out,
    /// Relations whose object it is (symmetric ones either way).
    In,
    /// Both.
    #[default]
    Both,
}

/// The relations of one entity.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntityRelations {
    /// The entity's id.
    #[schema(example = "seres")]
    pub id: String,
    /// Its labels.
    pub label: Labels,
    /// The direction asked for.
    pub direction: Direction,
    /// The relation asked for, compact, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation_type: Option<String>,
    /// Relations whose subject it is.
    pub outgoing: Vec<Relation>,
    /// Relations whose object it is.
    pub incoming: Vec<Relation>,
}

/// Observations matching the filters.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ObservationList {
    /// The observations, by subject, measure, period and id.
    pub items: Vec<Observation>,
    /// How many there are.
    pub total: usize,
}

/// How a search hit matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    /// The whole label (case-insensitive).
    Exact,
    /// The label starts with the query.
    Prefix,
    /// The label contains the query.
    Substring,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    /// The id.
    #[schema(example = "aito")]
    pub id: String,
    /// Its labels.
    #[schema(example = json!({"en": "AITO", "zh": "问界"}))]
    pub label: Labels,
    /// Its asserted classes, compact.
    #[schema(example = json!(["ak:Brand"]))]
    pub types: Vec<String>,
    /// How it matched.
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    /// The label, alternative label or id that matched.
    #[schema(example = "问界")]
    pub matched: String,
}

/// Search results, best first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SearchResults {
    /// The query as given.
    #[schema(example = "问界")]
    pub query: String,
    /// Hits: exact before prefix before substring; labels before alternative labels.
    pub items: Vec<SearchHit>,
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

/// Filters of [`Index::firms`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FirmFilter {
    /// A class: `Automaker`, `ak:Automaker` or an IRI (subclasses included).
    pub class: Option<String>,
    /// A place the firm is headquartered or produces in.
    pub city: Option<String>,
    /// A place the firm's places are in (`ak:locatedIn`, transitively).
    pub province: Option<String>,
    /// An economic region its places belong to (`ak:partOfRegion`).
    pub region: Option<String>,
}

/// Filters of [`Index::observations`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObservationFilter {
    /// The entity the figures are about.
    pub subject: Option<String>,
    /// The measure: `VehicleOutput`, `ak:VehicleOutput` or an IRI.
    pub measure: Option<String>,
    /// Periods starting on or after this date (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Periods ending on or before this date (`YYYY-MM-DD`).
    pub to: Option<String>,
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

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

fn literal_text(t: &Term) -> Option<String> {
    match t {
        Term::Literal(l) => Some(l.value().to_owned()),
        Term::NamedNode(n) => Some(compact(n.as_str())),
        Term::BlankNode(b) => Some(b.to_string()),
    }
}

fn number(t: &Term) -> Option<serde_json::Number> {
    let Term::Literal(l) = t else { return None };
    let v = l.value().trim();
    if let Ok(i) = v.parse::<i64>() {
        return Some(i.into());
    }
    let x = v.parse::<f64>().ok()?;
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        return Some((x as i64).into());
    }
    serde_json::Number::from_f64(x)
}

fn property_value(t: &Term) -> PropertyValue {
    match t {
        Term::NamedNode(n) => PropertyValue::Resource(Link {
            id: id_of(n.as_str()),
        }),
        Term::BlankNode(b) => PropertyValue::Resource(Link { id: b.to_string() }),
        Term::Literal(l) => {
            let dt = l.datatype().as_str();
            let local = dt.strip_prefix(XSD).unwrap_or("");
            let numeric = matches!(
                local,
                "integer"
                    | "decimal"
                    | "double"
                    | "float"
                    | "int"
                    | "long"
                    | "short"
                    | "nonNegativeInteger"
                    | "positiveInteger"
                    | "negativeInteger"
                    | "nonPositiveInteger"
                    | "unsignedInt"
                    | "unsignedLong"
            );
            if numeric {
                if let Some(n) = number(t) {
                    return PropertyValue::Number(Num(n));
                }
            }
            if local == "boolean" {
                if let Ok(b) = l.value().parse::<bool>() {
                    return PropertyValue::Boolean(b);
                }
            }
            PropertyValue::Text(l.value().to_owned())
        }
    }
}

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

/// Edit distance (Levenshtein) on characters.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

/// A `YYYY-MM-DD` date, checked.
fn parse_date(name: &str, s: &str) -> Result<String, Rejection> {
    let bad = || {
        Rejection::bad(format!(
            "{name}='{s}' is not a date; write YYYY-MM-DD, such as 2025-01-01"
        ))
    };
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return Err(bad());
    }
    let year: u32 = y.parse().map_err(|_| bad())?;
    let (m, d): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(1..=days).contains(&d) {
        return Err(bad());
    }
    Ok(s.to_owned())
}

impl Index {
    /// Reads the store's asserted quads (every graph but the inferred one) into an index.
    pub fn build(store: &KgStore) -> Result<Self> {
        let generation = store.generation();
        let mut b = Builder::default();
        for q in store.quads() {
            let q = q?;
            if let GraphName::NamedNode(g) = &q.graph_name {
                if g.as_str() == GRAPH_INFERRED {
                    continue;
                }
            }
            let NamedOrBlankNode::NamedNode(s) = &q.subject else {
                continue;
            };
            let in_ontology =
                matches!(&q.graph_name, GraphName::NamedNode(g) if g.as_str() == GRAPH_ONTOLOGY);
            let i = b.node(s.as_str());
            let node = &mut b.nodes[i];
            node.vocabulary |= in_ontology;
            let p = q.predicate.as_str();
            let lit = |t: &Term| match t {
                Term::Literal(l) => {
                    Some((l.language().unwrap_or("").to_owned(), l.value().to_owned()))
                }
                _ => None,
            };
            match p {
                RDF_TYPE => {
                    if let Term::NamedNode(t) = &q.object {
                        node.types.push(t.as_str().to_owned());
                    }
                }
                _ if p.strip_prefix(RDFS) == Some("label") => {
                    if let Some(l) = lit(&q.object) {
                        node.labels.push(l);
                    }
                }
                _ if p.strip_prefix(RDFS) == Some("comment") => {
                    if let Some(l) = lit(&q.object) {
                        node.comments.push(l);
                    }
                }
                SKOS_ALT_LABEL => {
                    if let Some(l) = lit(&q.object) {
                        node.alt_labels.push(l);
                    }
                }
                _ => node.props.push((p.to_owned(), q.object)),
            }
        }
        Ok(b.finish(generation))
    }

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

    fn relation(&self, r: usize) -> Relation {
        let rel = &self.relations[r];
        let mut out = Relation {
            statement: rel.statement.map(|s| self.nodes[s].id.clone()),
            relation: compact(&rel.predicate),
            subject: self.entity_ref(rel.subject),
            object: self.entity_ref(rel.object),
            symmetric: self.symmetric.contains(&rel.predicate),
            since: None,
            until: None,
            role: None,
            product: None,
            assertion: None,
            source: None,
            paragraphs: Vec::new(),
            note: None,
        };
        if let Some(s) = rel.statement {
            out.since = self.first_text(s, &ak("since"));
            out.until = self.first_text(s, &ak("until"));
            out.role = self.first_text(s, &ak("role"));
            out.product = self.first_text(s, &ak("product"));
            out.assertion = self.first_compact(s, &ak("assertion"));
            out.source = self.first_id(s, PROV_DERIVED);
            out.paragraphs = self.paragraphs(s);
            out.note = self.english(&self.nodes[s].comments);
        }
        out
    }

    fn observation(&self, o: usize) -> Observation {
        Observation {
            id: self.nodes[o].id.clone(),
            label: lang_map(&self.nodes[o].labels),
            subject: self
                .prop_node(o, &ak("subject"))
                .first()
                .map(|&s| self.entity_ref(s))
                .unwrap_or_else(|| EntityRef {
                    id: String::new(),
                    label: Labels::default(),
                }),
            measure: self.first_compact(o, &ak("measure")).unwrap_or_default(),
            value: self.prop(o, &ak("value")).find_map(number),
            period_start: self.first_text(o, &ak("periodStart")),
            period_end: self.first_text(o, &ak("periodEnd")),
            yoy_growth: self.prop(o, &ak("yoyGrowth")).find_map(number),
            approximation: self.first_compact(o, &ak("approximation")),
            reported_by: self
                .prop_node(o, &ak("reportedBy"))
                .first()
                .map(|&r| self.entity_ref(r)),
            assertion: self.first_compact(o, &ak("assertion")),
            source: self.first_id(o, PROV_DERIVED),
            paragraphs: self.paragraphs(o),
        }
    }

    /// Finds an entity argument; an unknown one is refused as not found, with the closest ids.
    fn find(&self, arg: &str, what: &str) -> Result<usize, Rejection> {
        if let Some(&i) = self.by_iri.get(&expand_entity(arg)) {
            return Ok(i);
        }
        let suggestions = self.suggest(arg);
        let hint = match suggestions.first() {
            Some(s) => format!("; did you mean '{}'?", s.id),
            None => "; try /api/search?q=... to find its id".to_owned(),
        };
        Err(Rejection {
            error: Error::NotFound(format!("no {what} has the id '{arg}'{hint}")),
            suggestions,
        })
    }

    /// The entities whose id or labels are closest to `wanted` (edit distance, then shared
    /// prefix), at most [`SUGGESTIONS`].
    pub fn suggest(&self, wanted: &str) -> Vec<EntityRef> {
        let wanted = fold(id_of(&expand_entity(wanted)).as_str());
        let w: Vec<char> = wanted.chars().collect();
        if w.is_empty() {
            return Vec::new();
        }
        let allowed = (w.len() / 3).max(2);
        let mut best: HashMap<usize, (usize, usize)> = HashMap::new();
        let mut key_chars = Vec::new();
        for key in &self.keys {
            key_chars.clear();
            key_chars.extend(key.folded.chars());
            let shared = w.iter().zip(&key_chars).take_while(|(a, b)| a == b).count();
            let prefix_match = shared >= 3 && (shared == w.len() || shared == key_chars.len());
            if key_chars.len().abs_diff(w.len()) > allowed && !prefix_match {
                continue;
            }
            let mut d = edit_distance(&w, &key_chars);
            if prefix_match {
                d = d.min(1);
            }
            if d > allowed {
                continue;
            }
            let score = (d, usize::MAX - shared);
            best.entry(key.node)
                .and_modify(|s| *s = (*s).min(score))
                .or_insert(score);
        }
        let mut ranked: Vec<(usize, usize, usize)> =
            best.into_iter().map(|(n, (d, s))| (d, s, n)).collect();
        ranked
            .sort_by(|a, b| (a.0, a.1, &self.nodes[a.2].id).cmp(&(b.0, b.1, &self.nodes[b.2].id)));
        ranked
            .into_iter()
            .take(SUGGESTIONS)
            .map(|(_, _, n)| self.entity_ref(n))
            .collect()
    }

    /// Whether an entity argument names something in the index.
    pub fn knows(&self, arg: &str) -> bool {
        self.by_iri.contains_key(&expand_entity(arg))
    }

    /// Everything about one entity. Unknown: [`Error::NotFound`].
    pub fn entity(&self, arg: &str) -> Result<Entity, Rejection> {
        let i = self.find(arg, "entity")?;
        let node = &self.nodes[i];
        let mut alt_label: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (lang, v) in &node.alt_labels {
            let key = if lang.is_empty() { "@none" } else { lang };
            alt_label.entry(key.to_owned()).or_default().push(v.clone());
        }
        for v in alt_label.values_mut() {
            v.sort();
            v.dedup();
        }
        let mut properties: BTreeMap<String, Vec<PropertyValue>> = BTreeMap::new();
        for (p, o) in &node.props {
            properties
                .entry(compact(p))
                .or_default()
                .push(property_value(o));
        }
        Ok(Entity {
            id: node.id.clone(),
            iri: node.iri.clone(),
            types: self.types(i),
            label: lang_map(&node.labels),
            alt_label,
            comment: lang_map(&node.comments),
            properties,
            outgoing: self.outgoing[i].iter().map(|&r| self.relation(r)).collect(),
            incoming: self.incoming[i].iter().map(|&r| self.relation(r)).collect(),
            observations: self
                .observations_of
                .get(&i)
                .into_iter()
                .flatten()
                .map(|&o| self.observation(o))
                .collect(),
        })
    }

    /// The relations of an entity (any entity, not only firms), optionally of one relation
    /// property and one direction. A symmetric relation counts in both directions.
    pub fn relations(
        &self,
        arg: &str,
        relation: Option<&str>,
        direction: Direction,
    ) -> Result<EntityRelations, Rejection> {
        let i = self.find(arg, "entity")?;
        let wanted = match relation.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => {
                let iri = expand_term(r);
                if !self.relation_properties.contains(&iri) {
                    return Err(Rejection::bad(format!(
                        "type='{r}' is not a relation; known: {}",
                        self.relation_properties
                            .iter()
                            .map(|p| compact(p))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                Some(iri)
            }
            None => None,
        };
        let keep = |r: &usize, out: bool| {
            let rel = &self.relations[*r];
            let direction_ok = match direction {
                Direction::Both => true,
                Direction::Out => out || self.symmetric.contains(&rel.predicate),
                Direction::In => !out || self.symmetric.contains(&rel.predicate),
            };
            direction_ok && wanted.as_ref().is_none_or(|w| *w == rel.predicate)
        };
        Ok(EntityRelations {
            id: self.nodes[i].id.clone(),
            label: lang_map(&self.nodes[i].labels),
            direction,
            relation_type: wanted.as_ref().map(|w| compact(w)),
            outgoing: self.outgoing[i]
                .iter()
                .filter(|r| keep(r, true))
                .map(|&r| self.relation(r))
                .collect(),
            incoming: self.incoming[i]
                .iter()
                .filter(|r| keep(r, false))
                .map(|&r| self.relation(r))
                .collect(),
        })
    }

    /// Firms (instances of `ak:Company` and its subclasses) matching the filters, sorted by
    /// IRI, one page of at most `limit` after `cursor`.
    pub fn firms(
        &self,
        filter: &FirmFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<FirmPage, Rejection> {
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Rejection::bad(format!(
                "limit={limit} is out of range; ask for 1 to {MAX_LIMIT} firms a page"
            )));
        }
        let after = match cursor {
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                Rejection::bad(format!(
                    "cursor='{c}' is not a cursor this API gave out; start again without one"
                ))
            })?),
            None => None,
        };
        let class = match filter
            .class
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) => {
                let iri = expand_term(c);
                if !self.firm_classes.contains(&iri) {
                    return Err(Rejection::bad(format!(
                        "type='{c}' is not a class of firms; known: {}",
                        self.firm_classes
                            .iter()
                            .map(|p| compact(p))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                Some(iri)
            }
            None => None,
        };
        let place = |name: &str, arg: &Option<String>| -> Result<Option<usize>, Rejection> {
            match arg.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
                Some(a) => self.find(a, &format!("place (for {name})")).map(Some),
                None => Ok(None),
            }
        };
        let city = place("city", &filter.city)?;
        let province = place("province", &filter.province)?;
        let region = place("region", &filter.region)?;
        let empty = Places::default();
        let matching: Vec<usize> = self
            .firms
            .iter()
            .copied()
            .filter(|&f| {
                let p = self.places.get(&f).unwrap_or(&empty);
                class.as_ref().is_none_or(|c| self.is_a(f, c))
                    && city.is_none_or(|c| p.direct.contains(&c))
                    && province.is_none_or(|c| p.within.contains(&c))
                    && region.is_none_or(|c| p.regions.contains(&c))
            })
            .collect();
        let start = match &after {
            Some(a) => matching.partition_point(|&f| self.nodes[f].iri.as_str() <= a.as_str()),
            None => 0,
        };
        let page: Vec<usize> = matching.iter().skip(start).take(limit).copied().collect();
        let next_cursor = (start + page.len() < matching.len())
            .then(|| page.last().map(|&f| encode_cursor(&self.nodes[f].iri)))
            .flatten();
        let refs = |f: usize, p: &str| -> Vec<EntityRef> {
            let mut v: Vec<usize> = self.prop_node(f, p);
            v.sort_by(|a, b| self.nodes[*a].id.cmp(&self.nodes[*b].id));
            v.dedup();
            v.into_iter().map(|n| self.entity_ref(n)).collect()
        };
        Ok(FirmPage {
            items: page
                .into_iter()
                .map(|f| Firm {
                    id: self.nodes[f].id.clone(),
                    iri: self.nodes[f].iri.clone(),
                    label: lang_map(&self.nodes[f].labels),
                    types: self.types(f),
                    headquartered_in: refs(f, &ak("headquarteredIn")),
                    produces_in: refs(f, &ak("producesIn")),
                })
                .collect(),
            total: matching.len(),
            limit,
            next_cursor,
        })
    }

    /// Observations matching the filters: a period inside `[from, to]`, a subject, a measure.
    pub fn observations(&self, filter: &ObservationFilter) -> Result<ObservationList, Rejection> {
        let subject = match filter
            .subject
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(self.find(s, "entity (for subject)")?),
            None => None,
        };
        let measure = match filter
            .measure
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            Some(m) => {
                let iri = expand_term(m);
                if !self.measures.contains(&iri) {
                    return Err(Rejection::bad(format!(
                        "measure='{m}' is not a measure of any observation; known: {}",
                        self.measures
                            .iter()
                            .map(|p| compact(p))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                Some(compact(&iri))
            }
            None => None,
        };
        let date = |name: &str, v: &Option<String>| -> Result<Option<String>, Rejection> {
            match v.as_deref() {
                Some(v) => parse_date(name, v).map(Some),
                None => Ok(None),
            }
        };
        let from = date("from", &filter.from)?;
        let to = date("to", &filter.to)?;
        if let (Some(f), Some(t)) = (&from, &to) {
            if f > t {
                return Err(Rejection::bad(format!(
                    "from={f} is after to={t}; swap them"
                )));
            }
        }
        let candidates: Vec<usize> = match subject {
            Some(s) => self.observations_of.get(&s).cloned().unwrap_or_default(),
            None => self.observations.clone(),
        };
        let mut items: Vec<Observation> = candidates
            .into_iter()
            .map(|o| self.observation(o))
            .filter(|o| measure.as_ref().is_none_or(|m| *m == o.measure))
            .filter(|o| {
                from.as_ref().is_none_or(|f| {
                    o.period_start
                        .as_ref()
                        .is_some_and(|s| s.as_str() >= f.as_str())
                })
            })
            .filter(|o| {
                to.as_ref().is_none_or(|t| {
                    o.period_end
                        .as_ref()
                        .is_some_and(|e| e.as_str() <= t.as_str())
                })
            })
            .collect();
        items.sort_by(|a, b| {
            (&a.subject.id, &a.measure, &a.period_start, &a.id).cmp(&(
                &b.subject.id,
                &b.measure,
                &b.period_start,
                &b.id,
            ))
        });
        Ok(ObservationList {
            total: items.len(),
            items,
        })
    }

    /// Entities whose labels, alternative labels (any language) or id match `q`,
    /// case-insensitively: exact, then prefix, then substring; labels before alternative
    /// labels before ids; then shorter keys; then ids. Statement nodes, observations and
    /// geometries are left out.
    pub fn search(&self, q: &str, limit: usize) -> SearchResults {
        let wanted = fold(q);
        let mut best: HashMap<usize, (MatchKind, u8, usize, usize)> = HashMap::new();
        if !wanted.is_empty() {
            for (k, key) in self.keys.iter().enumerate() {
                let kind = if key.folded == wanted {
                    MatchKind::Exact
                } else if key.folded.starts_with(&wanted) {
                    MatchKind::Prefix
                } else if key.folded.contains(&wanted) {
                    MatchKind::Substring
                } else {
                    continue;
                };
                let rank = (kind, key.field, key.folded.chars().count(), k);
                best.entry(key.node)
                    .and_modify(|r| *r = (*r).min(rank))
                    .or_insert(rank);
            }
        }
        let mut ranked: Vec<(usize, (MatchKind, u8, usize, usize))> = best.into_iter().collect();
        ranked.sort_by(|a, b| {
            (a.1 .0, a.1 .1, a.1 .2, &self.nodes[a.0].id).cmp(&(
                b.1 .0,
                b.1 .1,
                b.1 .2,
                &self.nodes[b.0].id,
            ))
        });
        SearchResults {
            query: q.to_owned(),
            items: ranked
                .into_iter()
                .take(limit.min(MAX_SEARCH))
                .map(|(n, (kind, _, _, k))| SearchHit {
                    id: self.nodes[n].id.clone(),
                    label: lang_map(&self.nodes[n].labels),
                    types: self.types(n),
                    match_kind: kind,
                    matched: self.keys[k].text.clone(),
                })
                .collect(),
        }
    }
}

fn encode_cursor(iri: &str) -> String {
    format!("c1{}", crate::vocab::hex(iri.as_bytes()))
}

fn decode_cursor(c: &str) -> Option<String> {
    let hex = c.strip_prefix("c1")?;
    if hex.len() % 2 != 0 || !hex.is_ascii() {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    by_iri: HashMap<String, usize>,
}

impl Builder {
    fn node(&mut self, iri: &str) -> usize {
        if let Some(&i) = self.by_iri.get(iri) {
            return i;
        }
        self.nodes.push(Node {
            iri: iri.to_owned(),
            id: id_of(iri),
            ..Node::default()
        });
        self.by_iri.insert(iri.to_owned(), self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn finish(mut self, generation: u64) -> Index {
        // Class hierarchy from rdfs:subClassOf.
        let sub_class_of = format!("{RDFS}subClassOf");
        let mut parents: HashMap<String, Vec<String>> = HashMap::new();
        for n in &self.nodes {
            for (p, o) in &n.props {
                if *p == sub_class_of {
                    if let Term::NamedNode(o) = o {
                        parents
                            .entry(n.iri.clone())
                            .or_default()
                            .push(o.as_str().to_owned());
                    }
                }
            }
        }
        let mut superclasses: HashMap<String, HashSet<String>> = HashMap::new();
        let mut all_types: HashSet<String> = parents.keys().cloned().collect();
        for n in &self.nodes {
            all_types.extend(n.types.iter().cloned());
        }
        for t in &all_types {
            let mut seen: HashSet<String> = HashSet::new();
            let mut queue = VecDeque::from([t.clone()]);
            while let Some(c) = queue.pop_front() {
                if seen.insert(c.clone()) {
                    for p in parents.get(&c).into_iter().flatten() {
                        queue.push_back(p.clone());
                    }
                }
            }
            superclasses.insert(t.clone(), seen);
        }
        let is_a = |types: &[String], class: &str| {
            types
                .iter()
                .any(|t| superclasses.get(t).is_some_and(|s| s.contains(class)))
        };
        let relation_class = ak("RelationProperty");
        let relation_properties: BTreeSet<String> = self
            .nodes
            .iter()
            .filter(|n| n.types.contains(&relation_class))
            .map(|n| n.iri.clone())
            .collect();
        let symmetric: HashSet<String> = self
            .nodes
            .iter()
            .filter(|n| n.types.iter().any(|t| t == OWL_SYMMETRIC))
            .map(|n| n.iri.clone())
            .collect();

        // Statement nodes.
        let (relationship, observation) = (ak("Relationship"), ak("Observation"));
        let (p_subject, p_predicate, p_object) = (ak("subject"), ak("predicate"), ak("object"));
        let node_of = |n: &Node, p: &str| {
            n.props.iter().find_map(|(q, o)| match o {
                Term::NamedNode(o) if q == p => Some(o.as_str().to_owned()),
                _ => None,
            })
        };
        let mut pending: Vec<(Option<usize>, String, String, String)> = Vec::new();
        let mut documented: HashSet<(String, String, String)> = HashSet::new();
        let mut observation_nodes = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if is_a(&n.types, &relationship) {
                if let (Some(s), Some(p), Some(o)) = (
                    node_of(n, &p_subject),
                    node_of(n, &p_predicate),
                    node_of(n, &p_object),
                ) {
                    documented.insert((s.clone(), p.clone(), o.clone()));
                    if symmetric.contains(&p) {
                        documented.insert((o.clone(), p.clone(), s.clone()));
                    }
                    pending.push((Some(i), s, p, o));
                }
            }
            if is_a(&n.types, &observation) {
                observation_nodes.push(i);
            }
        }
        // Direct edges no statement node documents.
        let mut bare = Vec::new();
        for n in &self.nodes {
            for (p, o) in &n.props {
                if let Term::NamedNode(o) = o {
                    if relation_properties.contains(p) {
                        let key = (n.iri.clone(), p.clone(), o.as_str().to_owned());
                        if !documented.contains(&key) {
                            documented.insert(key.clone());
                            if symmetric.contains(p) {
                                documented.insert((key.2.clone(), key.1.clone(), key.0.clone()));
                            }
                            bare.push((None, key.0, key.1, key.2));
                        }
                    }
                }
            }
        }
        pending.extend(bare);
        let mut relations: Vec<Rel> = pending
            .into_iter()
            .map(|(statement, s, p, o)| Rel {
                statement,
                subject: self.node(&s),
                predicate: p,
                object: self.node(&o),
            })
            .collect();
        relations.sort_by(|a, b| {
            (
                &a.predicate,
                &self.nodes[a.subject].id,
                &self.nodes[a.object].id,
            )
                .cmp(&(
                    &b.predicate,
                    &self.nodes[b.subject].id,
                    &self.nodes[b.object].id,
                ))
        });
        let mut outgoing = vec![Vec::new(); self.nodes.len()];
        let mut incoming = vec![Vec::new(); self.nodes.len()];
        for (r, rel) in relations.iter().enumerate() {
            outgoing[rel.subject].push(r);
            incoming[rel.object].push(r);
        }

        // Observations by subject.
        let mut observations_of: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut measures = BTreeSet::new();
        for &o in &observation_nodes {
            if let Some(m) = node_of(&self.nodes[o], &ak("measure")) {
                measures.insert(m);
            }
            if let Some(s) = node_of(&self.nodes[o], &p_subject) {
                let s = self.node(&s);
                observations_of.entry(s).or_default().push(o);
            }
        }
        outgoing.resize(self.nodes.len(), Vec::new());
        incoming.resize(self.nodes.len(), Vec::new());
        for list in observations_of.values_mut() {
            list.sort_by(|a, b| self.nodes[*a].id.cmp(&self.nodes[*b].id));
        }
        observation_nodes.sort_by(|a, b| self.nodes[*a].iri.cmp(&self.nodes[*b].iri));

        // Firms and where they are.
        let company = ak("Company");
        let firm_classes: BTreeSet<String> = superclasses
            .iter()
            .filter(|(_, sup)| sup.contains(&company))
            .map(|(c, _)| c.clone())
            .collect();
        let mut firms: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| !self.nodes[i].vocabulary && is_a(&self.nodes[i].types, &company))
            .collect();
        firms.sort_by(|a, b| self.nodes[*a].iri.cmp(&self.nodes[*b].iri));
        let targets = |nodes: &[Node], by_iri: &HashMap<String, usize>, i: usize, p: &str| {
            nodes[i]
                .props
                .iter()
                .filter_map(|(q, o)| match o {
                    Term::NamedNode(o) if q == p => by_iri.get(o.as_str()).copied(),
                    _ => None,
                })
                .collect::<Vec<usize>>()
        };
        let (located_in, part_of_region) = (ak("locatedIn"), ak("partOfRegion"));
        let (hq, produces) = (ak("headquarteredIn"), ak("producesIn"));
        let mut places = HashMap::new();
        for &f in &firms {
            let mut p = Places::default();
            for q in [&hq, &produces] {
                p.direct
                    .extend(targets(&self.nodes, &self.by_iri, f, q.as_str()));
            }
            let mut queue: VecDeque<usize> = p.direct.iter().copied().collect();
            while let Some(x) = queue.pop_front() {
                if p.within.insert(x) {
                    queue.extend(targets(&self.nodes, &self.by_iri, x, &located_in));
                }
            }
            let mut queue: VecDeque<usize> = p
                .within
                .iter()
                .flat_map(|&x| targets(&self.nodes, &self.by_iri, x, &part_of_region))
                .collect();
            while let Some(r) = queue.pop_front() {
                if p.regions.insert(r) {
                    queue.extend(targets(&self.nodes, &self.by_iri, r, &part_of_region));
                }
            }
            places.insert(f, p);
        }

        // Search keys: every described entity outside the ontology, except statement
        // nodes, observations and geometries.
        let mut keys = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let hidden = n.vocabulary
                || is_a(&n.types, &relationship)
                || is_a(&n.types, &observation)
                || is_a(&n.types, GEO_GEOMETRY)
                || (n.types.is_empty() && n.labels.is_empty());
            if hidden {
                continue;
            }
            let mut add = |text: &str, field: u8| {
                keys.push(SearchKey {
                    node: i,
                    folded: fold(text),
                    text: text.to_owned(),
                    field,
                })
            };
            for (_, l) in &n.labels {
                add(l, 0);
            }
            for (_, l) in &n.alt_labels {
                add(l, 1);
            }
            add(&n.id, 2);
        }

        Index {
            generation,
            by_iri: self.by_iri,
            nodes: self.nodes,
            relations,
            outgoing,
            incoming,
            observations: observation_nodes,
            observations_of,
            firms,
            places,
            superclasses,
            firm_classes,
            relation_properties,
            symmetric,
            measures,
            keys,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        let d = |a: &str, b: &str| {
            edit_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("sers", "seres"), 1);
        assert_eq!(d("seres", "seres"), 0);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("问界", "问"), 1);
    }

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let iri = "https://w3id.org/autokg/id/byd";
        assert_eq!(decode_cursor(&encode_cursor(iri)).as_deref(), Some(iri));
        assert_eq!(decode_cursor("c1zz"), None);
        assert_eq!(decode_cursor("abc"), None);
        assert_eq!(decode_cursor("c1é"), None);
    }

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

    #[test]
    fn dates_are_checked() {
        assert!(parse_date("from", "2025-01-01").is_ok());
        assert!(parse_date("from", "2024-02-29").is_ok());
        for bad in [
            "2025",
            "2025-13-01",
            "25-01-01",
            "2025-01-1x",
            "",
            "2025-02-29",
            "2025-04-31",
        ] {
            assert!(parse_date("from", bad).is_err(), "{bad}");
        }
    }
}
