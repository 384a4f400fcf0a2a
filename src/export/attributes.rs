//! Reading the exported nodes' and edges' attributes from the store: English and Chinese
//! labels, the most specific type, city and province (with their labels), and the source
//! paragraphs of edges, each with a `VALUES` lookup for few nodes or one scan for many.

use super::model::{local_name, ExportEdge, ExportNode, Laps};
use crate::algorithms::{Deadline, NodeId};
use crate::describe::NodeLabels as Labels;
use crate::error::{Error, Result};
use crate::projection::Projection;
use crate::store::KgStore;
use crate::vocab::AK;
use oxigraph::model::{NamedOrBlankNode, Term};
use oxigraph::sparql::QueryResults;
use std::collections::{HashMap, HashSet};

/// Up to this many nodes, attribute queries look them up with a `VALUES` block; above it,
/// they scan the pattern once (see [`for_nodes`]).
const VALUES_LIMIT: usize = 2000;

/// Runs a SELECT under `deadline` and calls `row` with each solution's terms for `vars` (rows
/// missing one are skipped), looking at the deadline every 1,024 rows.
fn for_rows(
    store: &KgStore,
    query: &str,
    vars: &[&str],
    deadline: &Deadline,
    row: impl FnMut(&[&Term]),
) -> Result<()> {
    crate::sparql::cancel::query_until(store, query, deadline, |results| {
        each_row(results, vars, deadline, row)
    })
}

fn each_row(
    results: QueryResults<'static>,
    vars: &[&str],
    deadline: &Deadline,
    mut row: impl FnMut(&[&Term]),
) -> Result<()> {
    let QueryResults::Solutions(solutions) = results else {
        return Ok(());
    };
    let mut every = deadline.every(1024);
    for s in solutions {
        every.check()?;
        let s = s.map_err(|e| Error::Evaluation(e.to_string()))?;
        let mut terms: Vec<&Term> = Vec::with_capacity(vars.len());
        for v in vars {
            match s.get(*v) {
                Some(t) => terms.push(t),
                None => break,
            }
        }
        if terms.len() == vars.len() {
            row(&terms);
        }
    }
    Ok(())
}

/// Runs `template` for the nodes of `index` (IRI → position), calling `row` with the
/// position for rows whose first variable is one of them. `{values}` in the template becomes
/// a `VALUES` block of the IRIs when they are few (index lookups), and nothing when they are
/// many: then the pattern is scanned once and filtered here, which beats joining a large
/// `VALUES` block chunk after chunk.
fn for_nodes(
    store: &KgStore,
    template: &str,
    index: &HashMap<&str, u32>,
    vars: &[&str],
    deadline: &Deadline,
    mut row: impl FnMut(u32, &[&Term]),
) -> Result<()> {
    if index.is_empty() {
        return Ok(());
    }
    let values = if index.len() <= VALUES_LIMIT {
        let mut iris: Vec<&str> = index.keys().copied().collect();
        iris.sort_unstable();
        let list: String = iris.iter().map(|iri| format!("<{iri}> ")).collect();
        format!("VALUES ?{} {{ {list}}}", vars[0])
    } else {
        String::new()
    };
    for_rows(
        store,
        &template.replace("{values}", &values),
        vars,
        deadline,
        |t| {
            if let Some(&i) = iri_of(t[0]).and_then(|n| index.get(n)) {
                row(i, t);
            }
        },
    )
}

fn iri_of(t: &Term) -> Option<&str> {
    match t {
        Term::NamedNode(n) => Some(n.as_str()),
        _ => None,
    }
}

/// IRIs (classes, places) stored once and referred to by number.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, iri: &str) -> u32 {
        if let Some(&i) = self.ids.get(iri) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(iri.to_owned());
        self.ids.insert(iri.to_owned(), i);
        i
    }

    fn get(&self, iri: &str) -> Option<u32> {
        self.ids.get(iri).copied()
    }

    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// Labels, types and places of the exported nodes, by position in the export.
pub(super) struct Attributes {
    /// English (else untagged) and Chinese labels.
    labels: Vec<Labels>,
    /// The most specific type's local name (leaf classes of the class hierarchy first).
    kinds: Vec<Option<String>>,
    /// The city, as a place number.
    city: Vec<Option<u32>>,
    /// The province, as a place number.
    province: Vec<Option<u32>>,
    /// The cities and provinces named.
    places: Interner,
    /// Their labels, by place number.
    place_labels: Vec<Labels>,
}

/// Classes ranked when a node has several most specific types (a joint venture that is
/// also an automaker, a city that is also a province): earlier wins.
const TYPE_RANK: &[&str] = &[
    "JointVenture",
    "Automaker",
    "TechnologyCompany",
    "PartsSupplier",
    "Company",
    "GovernmentBody",
    "Organization",
    "BrandGroup",
    "Brand",
    "City",
    "Province",
    "EconomicRegion",
    "Country",
    "WorldRegion",
    "Place",
];

/// Keeps the smallest IRI in a place slot.
fn keep_smallest(slot: &mut Option<u32>, places: &mut Interner, iri: &str) {
    let better = match *slot {
        None => true,
        Some(old) => iri < places.name(old),
    };
    if better {
        *slot = Some(places.id(iri));
    }
}

impl Attributes {
    /// Reads the attributes of the `selected` nodes of `projection`, in that order.
    pub(super) fn read(
        store: &KgStore,
        projection: &Projection,
        selected: &[NodeId],
        laps: &mut Laps,
        deadline: &Deadline,
    ) -> Result<Self> {
        let n = selected.len();
        let index: HashMap<&str, u32> = selected
            .iter()
            .enumerate()
            .filter_map(|(k, &i)| match projection.node(i) {
                NamedOrBlankNode::NamedNode(iri) => Some((iri.as_str(), k as u32)),
                NamedOrBlankNode::BlankNode(_) => None,
            })
            .collect();
        // Labels and headquarters on one thread, types on the other: each is a scan of its own.
        let (labels_and_cities, typing) = rayon::join(
            || -> Result<_> {
                let mut labels = vec![Labels::default(); n];
                read_labels(store, &index, &mut labels, deadline)?;
                let mut places = Interner::default();
                let mut city: Vec<Option<u32>> = vec![None; n];
                for_nodes(
                    store,
                    &format!(
                        "SELECT ?n ?c WHERE {{ {{values}} ?n <{AK}headquarteredIn> ?c FILTER(isIRI(?c)) }}"
                    ),
                    &index,
                    &["n", "c"],
                    deadline,
                    |i, t| {
                        if let Some(c) = iri_of(t[1]) {
                            keep_smallest(&mut city[i as usize], &mut places, c);
                        }
                    },
                )?;
                Ok((labels, places, city))
            },
            || read_types(store, &index, n, deadline),
        );
        let (labels, mut places, mut city) = labels_and_cities?;
        let (subclass_of, classes, types) = typing?;
        laps.lap("labels, types and headquarters");
        let city_class = classes.get(&format!("{AK}City"));
        let province_class = classes.get(&format!("{AK}Province"));
        let has = |i: usize, class: Option<u32>| class.is_some_and(|c| types[i].contains(&c));
        let mut province: Vec<Option<u32>> = vec![None; n];
        for (&iri, &i) in &index {
            let i = i as usize;
            if has(i, city_class) {
                city[i] = Some(places.id(iri));
            }
            if has(i, province_class) {
                province[i] = Some(places.id(iri));
            }
        }
        // Provinces of the cities: the city itself when it is a province, else where it lies.
        let cities: HashMap<&str, u32> = city
            .iter()
            .flatten()
            .map(|&c| (places.name(c), c))
            .collect();
        let mut city_province: HashMap<u32, String> = HashMap::new();
        for_nodes(
            store,
            &format!(
                "SELECT ?c ?p WHERE {{ {{values}} \
                   {{ ?c a <{AK}Province> BIND(?c AS ?p) }} \
                   UNION {{ ?c <{AK}locatedIn> ?p . ?p a <{AK}Province> }} }}"
            ),
            &cities,
            &["c", "p"],
            deadline,
            |c, t| {
                let (Some(city_iri), Some(p)) = (iri_of(t[0]), iri_of(t[1])) else {
                    return;
                };
                let slot = city_province.entry(c).or_insert_with(|| p.to_owned());
                // The city itself first, then the smallest IRI.
                if p == city_iri || (slot.as_str() != city_iri && p < slot.as_str()) {
                    *slot = p.to_owned();
                }
            },
        )?;
        drop(cities);
        for i in 0..n {
            if province[i].is_none() {
                if let Some(p) = city[i].and_then(|c| city_province.get(&c)) {
                    province[i] = Some(places.id(p));
                }
            }
        }
        laps.lap("provinces");
        // Labels of the places: the node's own when the place is exported, else read.
        let mut place_labels = vec![Labels::default(); places.names.len()];
        let mut missing: HashMap<&str, u32> = HashMap::new();
        for (id, name) in places.names.iter().enumerate() {
            match index.get(name.as_str()) {
                Some(&i) => place_labels[id] = labels[i as usize].clone(),
                None => {
                    missing.insert(name.as_str(), id as u32);
                }
            }
        }
        read_labels(store, &missing, &mut place_labels, deadline)?;
        laps.lap("place labels");
        let superclasses = superclass_ids(&subclass_of, &classes);
        let kinds = types
            .iter()
            .map(|t| most_specific(t, &classes, &superclasses))
            .collect();
        laps.lap("most specific types");
        Ok(Self {
            labels,
            kinds,
            city,
            province,
            places,
            place_labels,
        })
    }

    fn place_label(&self, id: u32) -> String {
        let l = &self.place_labels[id as usize];
        l.english()
            .or(l.chinese())
            .unwrap_or_else(|| local_name(self.places.name(id)))
            .to_owned()
    }

    /// The attributes of the node at position `i`, leaving its labels behind.
    pub(super) fn take_node(&mut self, i: usize, id: String) -> ExportNode {
        let (label_en, label_zh) = std::mem::take(&mut self.labels[i]).into_parts();
        ExportNode {
            label_en,
            label_zh,
            kind: self.kinds[i].take(),
            city: self.city[i].map(|c| self.place_label(c)),
            province: self.province[i].map(|p| self.place_label(p)),
            scores: Vec::new(),
            id,
        }
    }
}

/// The classes of the `n` nodes, of which `index` maps the IRIs to positions, with the
/// direct subclass pairs and the interned class names.
#[allow(clippy::type_complexity)]
fn read_types(
    store: &KgStore,
    index: &HashMap<&str, u32>,
    n: usize,
    deadline: &Deadline,
) -> Result<(HashMap<String, Vec<String>>, Interner, Vec<Vec<u32>>)> {
    let subclass_of = subclass_pairs(store, deadline)?;
    let mut classes = Interner::default();
    let mut types: Vec<Vec<u32>> = vec![Vec::new(); n];
    // Leaf classes first: in a large store most type triples are entailed superclasses
    // (and statement nodes' classes); leaving them out in the query, on encoded terms,
    // saves decoding them. Nodes typed with no leaf class are asked again for all types.
    let mut skipped: Vec<&str> = subclass_of.values().flatten().map(String::as_str).collect();
    skipped.sort_unstable();
    skipped.dedup();
    for_nodes(
        store,
        &types_query(&skipped),
        index,
        &["n", "t"],
        deadline,
        |i, t| add_type(&mut classes, &mut types, i, t),
    )?;
    let untyped: HashMap<&str, u32> = index
        .iter()
        .filter(|(_, &i)| types[i as usize].is_empty())
        .map(|(&iri, &i)| (iri, i))
        .collect();
    for_nodes(
        store,
        &types_query(&[]),
        &untyped,
        &["n", "t"],
        deadline,
        |i, t| add_type(&mut classes, &mut types, i, t),
    )?;
    Ok((subclass_of, classes, types))
}

/// Reads the labels of the IRIs of `index` into `labels` (by position).
fn read_labels(
    store: &KgStore,
    index: &HashMap<&str, u32>,
    labels: &mut [Labels],
    deadline: &Deadline,
) -> Result<()> {
    for_nodes(
        store,
        "SELECT ?n ?l WHERE { {values} ?n rdfs:label ?l FILTER(isLiteral(?l)) }",
        index,
        &["n", "l"],
        deadline,
        |i, t| {
            if let Term::Literal(l) = t[1] {
                labels[i as usize].add(l.value(), l.language());
            }
        },
    )
}

/// Adds the class in a `?n ?t` row to the types of node `i`.
fn add_type(classes: &mut Interner, types: &mut [Vec<u32>], i: u32, t: &[&Term]) {
    if let Some(c) = iri_of(t[1]) {
        let c = classes.id(c);
        let list = &mut types[i as usize];
        if !list.contains(&c) {
            list.push(c);
        }
    }
}

/// The types of nodes, without the classes of statement nodes and provenance records
/// (`ak:Relationship`, `rdf:Statement`, `prov:Entity`: no entity needs them to name its
/// type) and without `skipped`.
fn types_query(skipped: &[&str]) -> String {
    let mut excluded = vec![
        format!("<{AK}Relationship>"),
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement>".to_owned(),
        "<http://www.w3.org/ns/prov#Entity>".to_owned(),
    ];
    excluded.extend(skipped.iter().map(|c| format!("<{c}>")));
    format!(
        "SELECT ?n ?t WHERE {{ {{values}} ?n a ?t FILTER(isIRI(?t) && ?t NOT IN ({})) }}",
        excluded.join(", ")
    )
}

/// `rdfs:subClassOf` between IRIs: class → its direct superclasses.
fn subclass_pairs(store: &KgStore, deadline: &Deadline) -> Result<HashMap<String, Vec<String>>> {
    let mut direct: HashMap<String, Vec<String>> = HashMap::new();
    for_rows(
        store,
        "SELECT DISTINCT ?a ?b WHERE { ?a rdfs:subClassOf ?b FILTER(isIRI(?a) && isIRI(?b) && ?a != ?b) }",
        &["a", "b"],
        deadline,
        |t| {
            if let (Some(a), Some(b)) = (iri_of(t[0]), iri_of(t[1])) {
                direct.entry(a.to_owned()).or_default().push(b.to_owned());
            }
        },
    )?;
    Ok(direct)
}

/// For each class of `classes`, the numbers of its superclasses among them (the transitive
/// closure of `direct`).
fn superclass_ids(direct: &HashMap<String, Vec<String>>, classes: &Interner) -> Vec<HashSet<u32>> {
    classes
        .names
        .iter()
        .map(|class| {
            let mut seen: HashSet<&str> = HashSet::new();
            let mut stack: Vec<&str> = vec![class];
            while let Some(c) = stack.pop() {
                for sup in direct.get(c).into_iter().flatten() {
                    if sup != class && seen.insert(sup) {
                        stack.push(sup);
                    }
                }
            }
            seen.into_iter().filter_map(|s| classes.get(s)).collect()
        })
        .collect()
}

/// The local name of the most specific of `types`: drop every type that is a superclass of
/// another; among what is left prefer [`TYPE_RANK`], then `ak:` classes, then the smallest
/// IRI.
fn most_specific(
    types: &[u32],
    classes: &Interner,
    superclasses: &[HashSet<u32>],
) -> Option<String> {
    types
        .iter()
        .filter(|&&t| {
            !types
                .iter()
                .any(|&other| other != t && superclasses[other as usize].contains(&t))
        })
        .map(|&t| classes.name(t))
        .min_by_key(|t| {
            let rank = if t.starts_with(AK) {
                TYPE_RANK
                    .iter()
                    .position(|r| *r == local_name(t))
                    .unwrap_or(TYPE_RANK.len())
            } else {
                TYPE_RANK.len() + 1
            };
            (rank, *t)
        })
        .map(|t| local_name(t).to_owned())
}

/// Fills each edge's source paragraphs from the statement nodes (`ak:Relationship`) whose
/// subject and object are its two ends, either way round, and whose predicate is one of
/// its relations (any, when the projection names none).
pub(super) fn add_paragraphs(
    store: &KgStore,
    nodes: &[ExportNode],
    edges: &mut [ExportEdge],
    deadline: &Deadline,
) -> Result<()> {
    if edges.is_empty() {
        return Ok(());
    }
    let index: HashMap<&str, u32> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i as u32))
        .collect();
    // (subject, object) node indices → [(predicate, paragraph)]
    let mut found: HashMap<(u32, u32), Vec<(String, i64)>> = HashMap::new();
    let mut add = |t: &[&Term]| {
        let (Some(s), Some(p), Some(o), Term::Literal(n)) =
            (iri_of(t[0]), iri_of(t[1]), iri_of(t[2]), t[3])
        else {
            return;
        };
        let (Some(&s), Some(&o)) = (index.get(s), index.get(o)) else {
            return;
        };
        if let Ok(n) = n.value().trim().parse::<i64>() {
            found.entry((s, o)).or_default().push((p.to_owned(), n));
        }
    };
    // Paragraphs first: few statements carry one, so the join starts small.
    let pattern = format!(
        "?st <{AK}sourceParagraph> ?n ; <{AK}subject> ?s ; <{AK}object> ?o ; <{AK}predicate> ?p ."
    );
    let named = |i: u32| {
        let id = &nodes[i as usize].id;
        (!id.starts_with("_:")).then_some(id.as_str())
    };
    let pairs: Vec<(&str, &str)> = edges
        .iter()
        .filter_map(|e| Some((named(e.source)?, named(e.target)?)))
        .collect();
    if pairs.len() > VALUES_LIMIT / 2 {
        for_rows(
            store,
            &format!("SELECT ?s ?p ?o ?n WHERE {{ {pattern} }}"),
            &["s", "p", "o", "n"],
            deadline,
            &mut add,
        )?;
    } else {
        let values: String = pairs
            .iter()
            .map(|(a, b)| format!("(<{a}> <{b}>) (<{b}> <{a}>) "))
            .collect();
        for_rows(
            store,
            &format!("SELECT ?s ?p ?o ?n WHERE {{ VALUES (?s ?o) {{ {values}}} {pattern} }}"),
            &["s", "p", "o", "n"],
            deadline,
            &mut add,
        )?;
    }
    if found.is_empty() {
        return Ok(());
    }
    for e in edges.iter_mut() {
        let mut paragraphs: Vec<i64> = Vec::new();
        for key in [(e.source, e.target), (e.target, e.source)] {
            for (p, n) in found.get(&key).into_iter().flatten() {
                if e.relations.is_empty() || e.relations.iter().any(|r| r == p) {
                    paragraphs.push(*n);
                }
            }
        }
        paragraphs.sort_unstable();
        paragraphs.dedup();
        e.paragraphs = paragraphs;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_type_prefers_subclasses_then_rank() {
        let ak = |l: &str| format!("{AK}{l}");
        let mut classes = Interner::default();
        let [company, automaker, jv, city, province, thing] = [
            ak("Company"),
            ak("Automaker"),
            ak("JointVenture"),
            ak("City"),
            ak("Province"),
            "http://schema.org/Thing".to_owned(),
        ]
        .map(|c| classes.id(&c));
        let mut sup = vec![HashSet::new(); classes.names.len()];
        sup[automaker as usize].insert(company);
        sup[jv as usize].insert(company);
        let pick = |t: &[u32]| most_specific(t, &classes, &sup);
        assert_eq!(
            pick(&[company, automaker, jv]).as_deref(),
            Some("JointVenture")
        );
        assert_eq!(pick(&[province, city]).as_deref(), Some("City"));
        assert_eq!(pick(&[thing]).as_deref(), Some("Thing"));
        assert_eq!(pick(&[]), None);
    }
}
