//! What a store holds, counted: triples per graph, entities per class (asserted and
//! inferred, `ak:` classes only, outside the ontology graph), observations per measure.

use super::{GraphCount, KgStore};
use crate::error::{Error, Result};
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;

/// The counts of [`KgStore::stats`]; names are compact IRIs (`ak:City`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stats {
    /// Triples per named graph (and the default graph).
    pub graphs: Vec<GraphCount>,
    /// Distinct entities per `ak:` class, most first.
    pub by_class: Vec<(String, u64)>,
    /// Observations per measure, most first.
    pub by_measure: Vec<(String, u64)>,
}

/// Entities per `ak:` class, outside the ontology graph.
const BY_CLASS: &str = "SELECT ?key (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e a ?key } \
     FILTER(STRSTARTS(STR(?key), STR(ak:))) FILTER(?g != <https://w3id.org/autokg/graph/ontology>) } \
     GROUP BY ?key ORDER BY DESC(?n) ?key";
/// Observations per measure.
const BY_MEASURE: &str =
    "SELECT ?key (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a ak:Observation ; ak:measure ?key } \
     GROUP BY ?key ORDER BY DESC(?n) ?key";

impl KgStore {
    /// Counts what the store holds (one scan per count).
    pub fn stats(&self) -> Result<Stats> {
        Ok(Stats {
            graphs: self.graph_counts()?,
            by_class: self.count_rows(BY_CLASS)?,
            by_measure: self.count_rows(BY_MEASURE)?,
        })
    }

    /// `(?key, ?n)` rows of a counting query, the key compacted.
    fn count_rows(&self, sparql: &str) -> Result<Vec<(String, u64)>> {
        let QueryResults::Solutions(solutions) = self.query(sparql)? else {
            return Ok(Vec::new());
        };
        let mut rows = Vec::new();
        for s in solutions {
            let s = s.map_err(|e| Error::Evaluation(e.to_string()))?;
            let key = match s.get("key") {
                Some(Term::NamedNode(n)) => crate::describe::compact(n.as_str()),
                Some(t) => t.to_string(),
                None => String::new(),
            };
            let n = match s.get("n") {
                Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
                _ => 0,
            };
            rows.push((key, n));
        }
        Ok(rows)
    }
}
