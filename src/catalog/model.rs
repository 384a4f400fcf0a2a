//! The catalog's wire types: what its lookups return (entities, relations, observations,
//! firm pages, search hits), serialisable to JSON and described for OpenAPI by utoipa.

use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

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
    #[schema(example = "co-developer")]
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
    /// The RDF terms behind `properties`, same keys and order: not in the JSON (which keeps
    /// only text, numbers and booleans) but in the JSON-LD, whose value objects carry each
    /// literal's exact lexical form, datatype and language tag.
    #[serde(skip)]
    pub property_terms: BTreeMap<String, Vec<oxigraph::model::Term>>,
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
