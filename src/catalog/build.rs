//! Building the catalog's [`Index`] from the store: one pass over the asserted quads into
//! nodes, then the class hierarchy, relations (statement nodes and undocumented direct
//! edges), observations by subject, firms with the places they are in, and search keys.

use super::search::fold;
use super::{
    ak, id_of, Index, Node, Places, Rel, SearchKey, GEO_GEOMETRY, OWL_SYMMETRIC, RDFS, RDF_TYPE,
    SKOS_ALT_LABEL,
};
use crate::error::Result;
use crate::store::KgStore;
use crate::vocab::{GRAPH_INFERRED, GRAPH_ONTOLOGY};
use oxigraph::model::{GraphName, NamedOrBlankNode, Term};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

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
}

/// Nodes as read from the store, by IRI; [`Builder::finish`] links them into an [`Index`].
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
