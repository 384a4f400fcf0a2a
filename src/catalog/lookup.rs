//! The catalog's lookups: one entity, an entity's relations, pages of firms, observations,
//! each with its filters checked (a bad one is a [`Rejection`]), plus the conversion of
//! stored terms to wire values and the opaque paging cursors.

use super::{
    ak, id_of, lang_map, Direction, Entity, EntityRef, EntityRelations, Firm, FirmPage, Index,
    Labels, Link, Num, Observation, ObservationList, Places, PropertyValue, Rejection, Relation,
    MAX_LIMIT, PROV_DERIVED,
};
use crate::describe::{compact, expand_entity, expand_term};
use crate::error::Error;
use oxigraph::model::Term;
use std::collections::BTreeMap;

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

/// A literal as a JSON number, if it reads as one. A literal written without an exponent
/// (xsd:integer, xsd:decimal) keeps its exact digits: `0.1000` is `0.1` and
/// `22345678901234567890000` stays whole, never rounded through a float (serde_json's
/// `arbitrary_precision`); one with an exponent (xsd:double) is read as a float, integral
/// when its value is.
fn number(t: &Term) -> Option<serde_json::Number> {
    let Term::Literal(l) = t else { return None };
    let v = l.value().trim();
    if let Some(exact) = exact_decimal(v) {
        return serde_json::from_str(&exact).ok();
    }
    let x = v.parse::<f64>().ok()?;
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        return Some((x as i64).into());
    }
    serde_json::Number::from_f64(x)
}

/// An xsd:decimal lexical form (`[+-]?(digits(.digits?)?|.digits)`) rewritten as the JSON
/// number of the same value: no `+`, no leading zeros, no trailing fractional zeros.
/// `None` for anything else (an exponent, `INF`, text).
fn exact_decimal(lexical: &str) -> Option<String> {
    let (negative, unsigned) = match lexical.as_bytes().first()? {
        b'-' => (true, &lexical[1..]),
        b'+' => (false, &lexical[1..]),
        _ => (false, lexical),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let mut out = String::with_capacity(lexical.len() + 1);
    if negative && !(int.is_empty() && frac.is_empty()) {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// A property's value on the wire: a resource link, a number or boolean of a numeric or
/// boolean datatype, else the literal's text.
fn property_value(t: &Term) -> PropertyValue {
    match t {
        Term::NamedNode(n) => PropertyValue::Resource(Link {
            id: id_of(n.as_str()),
        }),
        Term::BlankNode(b) => PropertyValue::Resource(Link { id: b.to_string() }),
        Term::Literal(l) => {
            let numeric = crate::vocab::is_xsd_numeric(l.datatype().as_str());
            if numeric {
                if let Some(n) = number(t) {
                    return PropertyValue::Number(Num(n));
                }
            }
            if l.datatype() == oxigraph::model::vocab::xsd::BOOLEAN {
                if let Ok(b) = l.value().parse::<bool>() {
                    return PropertyValue::Boolean(b);
                }
            }
            PropertyValue::Text(l.value().to_owned())
        }
    }
}

/// A `YYYY-MM-DD` date, checked by the xsd:date parser (month lengths, leap years). Ten
/// characters leave no room for the sign, longer year or time zone that xsd:date also
/// allows, so only the plain form passes. Refused: [`Error::InvalidInput`] naming `name`.
fn parse_date(name: &str, s: &str) -> Result<String, Rejection> {
    if s.len() == 10 && s.parse::<oxsdatatypes::Date>().is_ok() {
        return Ok(s.to_owned());
    }
    Err(Rejection::bad(format!(
        "{name}='{s}' is not a date; write YYYY-MM-DD, such as 2025-01-01"
    )))
}

impl Index {
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
        let mut property_terms: BTreeMap<String, Vec<Term>> = BTreeMap::new();
        for (p, o) in &node.props {
            properties
                .entry(compact(p))
                .or_default()
                .push(property_value(o));
            property_terms
                .entry(compact(p))
                .or_default()
                .push(o.clone());
        }
        Ok(Entity {
            id: node.id.clone(),
            iri: node.iri.clone(),
            types: self.types(i),
            label: lang_map(&node.labels),
            alt_label,
            comment: lang_map(&node.comments),
            properties,
            property_terms,
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
}

/// The cursor after a firm: `c1` and its IRI in hex.
fn encode_cursor(iri: &str) -> String {
    format!("c1{}", crate::vocab::hex(iri.as_bytes()))
}

/// The IRI of a cursor [`encode_cursor`] made; `None` for anything else.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_exact_value() {
        let json = |lexical: &str, datatype: &str| {
            let t = Term::Literal(oxigraph::model::Literal::new_typed_literal(
                lexical,
                oxigraph::model::NamedNode::new_unchecked(datatype),
            ));
            number(&t).map(|n| n.to_string())
        };
        let decimal = "http://www.w3.org/2001/XMLSchema#decimal";
        assert_eq!(
            json("22345678901234567890000", decimal).as_deref(),
            Some("22345678901234567890000")
        );
        assert_eq!(
            json("0.1000000000000000000001", decimal).as_deref(),
            Some("0.1000000000000000000001")
        );
        assert_eq!(json("+0.100", decimal).as_deref(), Some("0.1"));
        assert_eq!(json("-.5", decimal).as_deref(), Some("-0.5"));
        assert_eq!(json("-0.0", decimal).as_deref(), Some("0"));
        assert_eq!(
            json("2.5E3", "http://www.w3.org/2001/XMLSchema#double").as_deref(),
            Some("2500")
        );
        assert_eq!(json("abc", decimal), None);
        assert_eq!(json(".", decimal), None);
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
