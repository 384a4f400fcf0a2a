//! RDFS entailment (subclass, subproperty, domain, range) plus `owl:SymmetricProperty`,
//! computed from a schema closure; knows nothing of the store.
//!
//! The schema (the `rdfs:subClassOf`, `rdfs:subPropertyOf`, `rdfs:domain`, `rdfs:range` and
//! `owl:SymmetricProperty` triples) is small, so its transitive closure is computed once;
//! every data triple then yields its entailments in one pass (rules rdfs2, rdfs3, rdfs5,
//! rdfs7, rdfs9, rdfs11 of RDF 1.1 Semantics, and prp-symp of OWL 2 RL).

use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Triple, TripleRef};
use std::collections::{BTreeSet, HashMap, HashSet};

/// `owl:SymmetricProperty`.
pub const OWL_SYMMETRIC: NamedNodeRef<'_> =
    NamedNodeRef::new_unchecked(crate::vocab::OWL_SYMMETRIC_PROPERTY);

/// The closed schema: for each class and property, all of its strict super-classes/-properties.
#[derive(Debug, Default, Clone)]
pub struct Schema {
    super_classes: HashMap<NamedNode, Vec<NamedNode>>,
    super_properties: HashMap<NamedNode, Vec<NamedNode>>,
    domains: HashMap<NamedNode, Vec<NamedNode>>,
    ranges: HashMap<NamedNode, Vec<NamedNode>>,
    symmetric: HashSet<NamedNode>,
    /// IRIs of the classes an `rdf:type` entailment can name.
    entailed_classes: HashSet<String>,
    /// IRIs of the properties a non-type entailment can use.
    entailed_properties: HashSet<String>,
    /// The inverse of [`Schema::entail`], for [`Schema::sources`].
    inverse: Inverse,
}

/// Which asserted triples can entail a given one: [`Schema::entail`] run backwards, built
/// by entailing one template triple per class and property the schema names.
#[derive(Debug, Default, Clone)]
struct Inverse {
    /// Class `C` → the classes whose instances are entailed to be `C`s.
    classes: HashMap<NamedNode, Vec<NamedNode>>,
    /// Class `C` → the properties whose subjects are entailed to be `C`s.
    subject_types: HashMap<NamedNode, Vec<NamedNode>>,
    /// Class `C` → the properties whose objects are entailed to be `C`s.
    object_types: HashMap<NamedNode, Vec<NamedNode>>,
    /// Property `q` → the properties `p` such that `s p o` entails `s q o`.
    forward: HashMap<NamedNode, Vec<NamedNode>>,
    /// Property `q` → the properties `p` such that `s p o` entails `o q s`.
    reverse: HashMap<NamedNode, Vec<NamedNode>>,
}

/// A triple pattern some asserted triples of which may entail a given triple (`None` is a
/// free position); [`Schema::sources`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePattern {
    /// The subject, when fixed.
    pub subject: Option<NamedOrBlankNode>,
    /// The predicate.
    pub predicate: NamedNode,
    /// The object, when fixed.
    pub object: Option<Term>,
}

/// Whether a triple changes the schema (so entailments must be recomputed from scratch).
pub fn is_schema_triple(t: TripleRef<'_>) -> bool {
    t.predicate == rdfs::SUB_CLASS_OF
        || t.predicate == rdfs::SUB_PROPERTY_OF
        || t.predicate == rdfs::DOMAIN
        || t.predicate == rdfs::RANGE
        || (t.predicate == rdf::TYPE && t.object == OWL_SYMMETRIC.into())
}

fn push(map: &mut HashMap<NamedNode, Vec<NamedNode>>, key: &NamedNode, value: &NamedNode) {
    let values = map.entry(key.clone()).or_default();
    if !values.contains(value) {
        values.push(value.clone());
    }
}

fn closure(direct: &HashMap<NamedNode, Vec<NamedNode>>) -> HashMap<NamedNode, Vec<NamedNode>> {
    direct
        .keys()
        .map(|start| {
            let mut seen = BTreeSet::new();
            let mut stack = direct[start].clone();
            while let Some(n) = stack.pop() {
                if &n != start && seen.insert(n.clone()) {
                    if let Some(next) = direct.get(&n) {
                        stack.extend(next.iter().cloned());
                    }
                }
            }
            (start.clone(), seen.into_iter().collect())
        })
        .collect()
}

impl Schema {
    /// Builds the closed schema from every triple of the store (only schema triples matter).
    pub fn from_triples<'a>(triples: impl IntoIterator<Item = TripleRef<'a>>) -> Self {
        let mut sub_class: HashMap<NamedNode, Vec<NamedNode>> = HashMap::new();
        let mut sub_prop: HashMap<NamedNode, Vec<NamedNode>> = HashMap::new();
        let mut domains: HashMap<NamedNode, Vec<NamedNode>> = HashMap::new();
        let mut ranges: HashMap<NamedNode, Vec<NamedNode>> = HashMap::new();
        let mut symmetric = HashSet::new();
        for t in triples {
            let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) =
                (t.subject.into_owned(), t.object.into_owned())
            else {
                continue;
            };
            let map = match t.predicate {
                p if p == rdfs::SUB_CLASS_OF => &mut sub_class,
                p if p == rdfs::SUB_PROPERTY_OF => &mut sub_prop,
                p if p == rdfs::DOMAIN => &mut domains,
                p if p == rdfs::RANGE => &mut ranges,
                p if p == rdf::TYPE && o.as_ref() == OWL_SYMMETRIC => {
                    symmetric.insert(s);
                    continue;
                }
                _ => continue,
            };
            map.entry(s).or_default().push(o);
        }
        let super_classes = closure(&sub_class);
        let super_properties = closure(&sub_prop);
        let mut schema = Self {
            super_classes,
            super_properties,
            domains: HashMap::new(),
            ranges: HashMap::new(),
            symmetric,
            ..Self::default()
        };
        // Close domains and ranges over super-classes once, so entailment is one lookup.
        schema.domains = schema.close_classes(domains);
        schema.ranges = schema.close_classes(ranges);
        schema.entailed_classes = [&schema.super_classes, &schema.domains, &schema.ranges]
            .into_iter()
            .flat_map(|m| m.values().flatten())
            .map(|c| c.as_str().to_owned())
            .collect();
        schema.entailed_properties = schema
            .super_properties
            .values()
            .flatten()
            .chain(&schema.symmetric)
            .map(|p| p.as_str().to_owned())
            .chain([rdfs::SUB_CLASS_OF, rdfs::SUB_PROPERTY_OF].map(|p| p.as_str().to_owned()))
            .collect();
        schema.inverse = schema.invert();
        schema
    }

    /// Runs [`Schema::entail`] on one template triple per property and class the schema
    /// names, and records which entailments each yields.
    fn invert(&self) -> Inverse {
        let s = NamedNode::new_unchecked("urn:autokg:template:subject");
        let o = NamedNode::new_unchecked("urn:autokg:template:object");
        let (s_node, o_node) = (NamedOrBlankNode::from(s.clone()), Term::from(o.clone()));
        let mut inverse = Inverse::default();
        let properties: BTreeSet<&NamedNode> = self
            .super_properties
            .keys()
            .chain(self.domains.keys())
            .chain(self.ranges.keys())
            .chain(&self.symmetric)
            .collect();
        for p in properties {
            self.entail(TripleRef::new(&s, p, &o), &mut |e| match (
                e.predicate.as_ref() == rdf::TYPE,
                &e.object,
            ) {
                (true, Term::NamedNode(class)) if e.subject == s_node => {
                    push(&mut inverse.subject_types, class, p);
                }
                (true, Term::NamedNode(class)) => push(&mut inverse.object_types, class, p),
                (false, _) if e.subject == s_node && e.object == o_node => {
                    push(&mut inverse.forward, &e.predicate, p);
                }
                (false, _) => push(&mut inverse.reverse, &e.predicate, p),
                _ => {}
            });
        }
        for (sub, supers) in &self.super_classes {
            for sup in supers {
                push(&mut inverse.classes, sup, sub);
            }
        }
        inverse
    }

    /// The patterns whose asserted matches may entail `t` under this schema (every triple
    /// that entails `t` matches one; a match need not entail it, so callers check with
    /// [`Schema::entail`]). Empty for a triple nothing entails.
    pub fn sources(&self, t: TripleRef<'_>) -> Vec<SourcePattern> {
        let subject = t.subject.into_owned();
        let object = t.object.into_owned();
        let pattern = |s: Option<NamedOrBlankNode>, p: &NamedNode, o: Option<Term>| SourcePattern {
            subject: s,
            predicate: p.clone(),
            object: o,
        };
        let mut out = Vec::new();
        let inv = &self.inverse;
        if t.predicate == rdf::TYPE {
            let Term::NamedNode(class) = &object else {
                return out;
            };
            let rdf_type = rdf::TYPE.into_owned();
            for c in inv.classes.get(class).into_iter().flatten() {
                out.push(pattern(
                    Some(subject.clone()),
                    &rdf_type,
                    Some(c.clone().into()),
                ));
            }
            for p in inv.subject_types.get(class).into_iter().flatten() {
                out.push(pattern(Some(subject.clone()), p, None));
            }
            for p in inv.object_types.get(class).into_iter().flatten() {
                out.push(pattern(None, p, Some(subject.clone().into())));
            }
            return out;
        }
        let predicate = t.predicate.into_owned();
        for p in inv.forward.get(&predicate).into_iter().flatten() {
            out.push(pattern(Some(subject.clone()), p, Some(object.clone())));
        }
        let reverse_subject = match &object {
            Term::NamedNode(n) => NamedOrBlankNode::from(n.clone()),
            Term::BlankNode(b) => NamedOrBlankNode::from(b.clone()),
            _ => return out,
        };
        for p in inv.reverse.get(&predicate).into_iter().flatten() {
            out.push(pattern(
                Some(reverse_subject.clone()),
                p,
                Some(subject.clone().into()),
            ));
        }
        out
    }

    fn close_classes(
        &self,
        map: HashMap<NamedNode, Vec<NamedNode>>,
    ) -> HashMap<NamedNode, Vec<NamedNode>> {
        map.into_iter()
            .map(|(p, classes)| {
                let mut all: BTreeSet<NamedNode> = BTreeSet::new();
                for c in classes {
                    all.extend(self.supers_of_class(&c).iter().cloned());
                    all.insert(c);
                }
                (p, all.into_iter().collect())
            })
            .collect()
    }

    fn supers_of_class(&self, class: &NamedNode) -> &[NamedNode] {
        self.super_classes.get(class).map_or(&[], Vec::as_slice)
    }

    /// Whether `t` entails anything under this schema (a cheap pre-check for loads).
    pub fn entails_anything(&self, t: TripleRef<'_>) -> bool {
        if t.predicate == rdf::TYPE {
            return match t.object {
                oxigraph::model::TermRef::NamedNode(c) => {
                    self.super_classes.contains_key(&c.into_owned())
                }
                _ => false,
            };
        }
        let p = t.predicate.into_owned();
        self.super_properties.contains_key(&p)
            || self.domains.contains_key(&p)
            || self.ranges.contains_key(&p)
            || self.symmetric.contains(&p)
    }

    /// Whether some triple could entail `t` under this schema: a cheap test that lets a load
    /// remember only those of its triples an entailment might repeat.
    pub fn may_be_entailed(&self, t: TripleRef<'_>) -> bool {
        if t.predicate == rdf::TYPE {
            return match t.object {
                oxigraph::model::TermRef::NamedNode(c) => {
                    self.entailed_classes.contains(c.as_str())
                }
                _ => false,
            };
        }
        self.entailed_properties.contains(t.predicate.as_str())
    }

    /// The triples of the closure itself (transitive `rdfs:subClassOf`/`rdfs:subPropertyOf`).
    pub fn closure_triples(&self) -> Vec<Triple> {
        let mut out = Vec::new();
        for (map, p) in [
            (&self.super_classes, rdfs::SUB_CLASS_OF),
            (&self.super_properties, rdfs::SUB_PROPERTY_OF),
        ] {
            for (sub, supers) in map {
                for sup in supers {
                    out.push(Triple::new(sub.clone(), p, sup.clone()));
                }
            }
        }
        out
    }

    /// Calls `emit` with every triple entailed by `t` under this schema (possibly including
    /// triples that are also asserted; the caller removes those).
    pub fn entail(&self, t: TripleRef<'_>, emit: &mut impl FnMut(Triple)) {
        let subject = t.subject.into_owned();
        let object = t.object.into_owned();
        let predicate = t.predicate.into_owned();
        if predicate.as_ref() == rdf::TYPE {
            if let Term::NamedNode(class) = &object {
                for sup in self.supers_of_class(class) {
                    emit(Triple::new(subject.clone(), rdf::TYPE, sup.clone()));
                }
            }
            return;
        }
        let mut props = vec![predicate.clone()];
        if let Some(supers) = self.super_properties.get(&predicate) {
            props.extend(supers.iter().cloned());
        }
        let reverse_subject = match &object {
            Term::NamedNode(n) => Some(NamedOrBlankNode::from(n.clone())),
            Term::BlankNode(b) => Some(NamedOrBlankNode::from(b.clone())),
            _ => None,
        };
        // `p ⊑ q` and `q` symmetric entail the reverse edge for `q` and its super-properties
        // only: a sub-property of a symmetric property is not itself symmetric.
        let reversed: BTreeSet<&NamedNode> = props
            .iter()
            .filter(|p| self.symmetric.contains(*p))
            .flat_map(|p| {
                std::iter::once(p).chain(self.super_properties.get(p).into_iter().flatten())
            })
            .collect();
        let is_source = |s: &NamedOrBlankNode, p: &NamedNode, o: &Term| {
            s == &subject && p == &predicate && o == &object
        };
        for p in &props {
            if p != &predicate {
                emit(Triple::new(subject.clone(), p.clone(), object.clone()));
            }
            self.type_ends(&subject, p, &object, emit);
        }
        if let Some(rs) = &reverse_subject {
            let reverse_object = Term::from(subject.clone());
            for p in reversed {
                // A symmetric self-loop reverses onto itself, which it does not entail.
                if !is_source(rs, p, &reverse_object) {
                    emit(Triple::new(rs.clone(), p.clone(), reverse_object.clone()));
                }
                self.type_ends(rs, p, &reverse_object, emit);
            }
        }
    }

    fn type_ends(
        &self,
        subject: &NamedOrBlankNode,
        p: &NamedNode,
        object: &Term,
        emit: &mut impl FnMut(Triple),
    ) {
        for class in self.domains.get(p).into_iter().flatten() {
            emit(Triple::new(subject.clone(), rdf::TYPE, class.clone()));
        }
        if let Term::Literal(_) = object {
            return;
        }
        let object_node = match object {
            Term::NamedNode(n) => NamedOrBlankNode::from(n.clone()),
            Term::BlankNode(b) => NamedOrBlankNode::from(b.clone()),
            _ => return,
        };
        for class in self.ranges.get(p).into_iter().flatten() {
            emit(Triple::new(object_node.clone(), rdf::TYPE, class.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nn(s: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("http://e/{s}"))
    }

    fn entailed(schema: &[Triple], data: Triple) -> BTreeSet<String> {
        let schema = Schema::from_triples(schema.iter().map(Triple::as_ref));
        let mut out = BTreeSet::new();
        schema.entail(data.as_ref(), &mut |t| {
            out.insert(t.to_string());
        });
        out
    }

    #[test]
    fn subclass_chain_types_instances_with_every_ancestor() {
        let schema = [
            Triple::new(nn("Automaker"), rdfs::SUB_CLASS_OF, nn("Company")),
            Triple::new(nn("Company"), rdfs::SUB_CLASS_OF, nn("Org")),
        ];
        let got = entailed(&schema, Triple::new(nn("byd"), rdf::TYPE, nn("Automaker")));
        assert_eq!(got.len(), 2);
        assert!(got.contains(&Triple::new(nn("byd"), rdf::TYPE, nn("Org")).to_string()));
    }

    #[test]
    fn symmetric_property_entails_reverse_edge_and_super_property() {
        let schema = [
            Triple::new(nn("partnerOf"), rdf::TYPE, OWL_SYMMETRIC),
            Triple::new(nn("partnerOf"), rdfs::SUB_PROPERTY_OF, nn("linkedTo")),
            Triple::new(nn("partnerOf"), rdfs::DOMAIN, nn("Org")),
        ];
        let got = entailed(
            &schema,
            Triple::new(nn("huawei"), nn("partnerOf"), nn("seres")),
        );
        for expected in [
            Triple::new(nn("seres"), nn("partnerOf"), nn("huawei")),
            Triple::new(nn("huawei"), nn("linkedTo"), nn("seres")),
            Triple::new(nn("seres"), rdf::TYPE, nn("Org")),
            Triple::new(nn("huawei"), rdf::TYPE, nn("Org")),
        ] {
            assert!(got.contains(&expected.to_string()), "missing {expected}");
        }
    }

    #[test]
    fn sub_property_of_a_symmetric_property_is_not_symmetric() {
        // CI found this: `p3 ⊑ suppliesTo`, `suppliesTo` symmetric; `a p3 b` entails
        // `b suppliesTo a` but not `b p3 a`, and a self-loop `a p3 a` entails no `a p3 a`.
        let schema = [
            Triple::new(nn("supplies"), rdf::TYPE, OWL_SYMMETRIC),
            Triple::new(nn("p3"), rdfs::SUB_PROPERTY_OF, nn("supplies")),
            Triple::new(nn("supplies"), rdfs::SUB_PROPERTY_OF, nn("linkedTo")),
        ];
        let got = entailed(&schema, Triple::new(nn("a"), nn("p3"), nn("b")));
        let expected: BTreeSet<String> = [
            Triple::new(nn("a"), nn("supplies"), nn("b")),
            Triple::new(nn("a"), nn("linkedTo"), nn("b")),
            Triple::new(nn("b"), nn("supplies"), nn("a")),
            Triple::new(nn("b"), nn("linkedTo"), nn("a")),
        ]
        .iter()
        .map(Triple::to_string)
        .collect();
        assert_eq!(got, expected);
        let looped = Triple::new(nn("a"), nn("p3"), nn("a"));
        let got = entailed(&schema, looped.clone());
        assert!(!got.contains(&looped.to_string()), "{got:?}");
        assert!(got.contains(&Triple::new(nn("a"), nn("supplies"), nn("a")).to_string()));
        let symmetric_loop = Triple::new(nn("a"), nn("supplies"), nn("a"));
        let got = entailed(&schema, symmetric_loop.clone());
        assert!(!got.contains(&symmetric_loop.to_string()), "{got:?}");
    }

    #[test]
    fn may_be_entailed_names_exactly_what_entailment_can_produce() {
        let schema = [
            Triple::new(nn("Automaker"), rdfs::SUB_CLASS_OF, nn("Company")),
            Triple::new(nn("partnerOf"), rdf::TYPE, OWL_SYMMETRIC),
            Triple::new(nn("supplies"), rdfs::SUB_PROPERTY_OF, nn("linkedTo")),
            Triple::new(nn("supplies"), rdfs::RANGE, nn("Org")),
        ];
        let schema = Schema::from_triples(schema.iter().map(Triple::as_ref));
        let may = |s: &str, p: NamedNode, o: NamedNode| {
            schema.may_be_entailed(Triple::new(nn(s), p, o).as_ref())
        };
        assert!(may("byd", rdf::TYPE.into_owned(), nn("Company")));
        assert!(may("byd", rdf::TYPE.into_owned(), nn("Org")));
        assert!(!may("byd", rdf::TYPE.into_owned(), nn("Automaker")));
        assert!(may("a", nn("partnerOf"), nn("b")));
        assert!(may("a", nn("linkedTo"), nn("b")));
        assert!(!may("a", nn("supplies"), nn("b")));
    }

    #[test]
    fn range_does_not_type_literals() {
        let schema = [Triple::new(nn("value"), rdfs::RANGE, nn("Thing"))];
        let got = entailed(
            &schema,
            Triple::new(nn("x"), nn("value"), oxigraph::model::Literal::from(1)),
        );
        assert!(got.is_empty());
    }
}
