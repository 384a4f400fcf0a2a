//! Score write-back: a centrality report's scores stored as RDF in the analytics graph,
//! replacing earlier scores of the same measure and projection (`autokg centrality
//! --write`).

use super::{CentralityReport, Measure};
use crate::error::Result;
use crate::store::KgStore;
use crate::vocab::{AK, AKF, AKID, GRAPH_ANALYTICS};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, Quad, Term};
use std::time::SystemTime;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// projection; run it before loading [`score_quads`] so that scores are replaced.
pub fn clear_scores_update(report: &CentralityReport) -> String {
    format!(
        "DELETE {{ GRAPH <{GRAPH_ANALYTICS}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{GRAPH_ANALYTICS}> {{ \
           ?s a <{AK}CentralityScore> ; <{AK}centralityMeasure> <{}> ; <{AK}projection> {} ; ?p ?o }} }}",
        measure_iri(&report.measure),
        Literal::new_simple_literal(&report.projection),
    )
}

fn measure_iri(name: &str) -> String {
    name.parse::<Measure>()
        .map(Measure::iri)
        .unwrap_or_else(|_| format!("{AKF}{name}"))
}

/// The quads storing a report's scores in `<https://w3id.org/autokg/graph/analytics>`, for
/// `KgStore::load`. Each scored node gets a node
/// `akid:analytics/{projection}/{measure}/{hash}` with `a ak:CentralityScore`,
/// `ak:scoreOf` (the entity), `ak:centralityMeasure` (the measure's `akf:` IRI),
/// `ak:projection` (the name), `ak:score` and `prov:generatedAtTime` (`at`).
pub fn score_quads(report: &CentralityReport, at: SystemTime) -> Vec<Quad> {
    use sha2::{Digest, Sha256};
    let graph = NamedNode::new_unchecked(GRAPH_ANALYTICS);
    let ak = |local: &str| NamedNode::new_unchecked(format!("{AK}{local}"));
    let measure = NamedNode::new_unchecked(measure_iri(&report.measure));
    let projection = Literal::new_simple_literal(&report.projection);
    let time = Literal::new_typed_literal(xsd_date_time(at), xsd::DATE_TIME);
    let slug = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let generated = NamedNode::new_unchecked("http://www.w3.org/ns/prov#generatedAtTime");
    let mut quads = Vec::with_capacity(report.nodes.len() * 6);
    for node in &report.nodes {
        let Ok(entity) = NamedNode::new(&node.id) else {
            continue; // blank nodes cannot be referred to from another graph
        };
        let hash = crate::vocab::hex(&Sha256::digest(node.id.as_bytes())[..8]);
        let s = NamedNode::new_unchecked(format!(
            "{AKID}analytics/{}/{}/{hash}",
            slug(&report.projection),
            slug(&report.measure)
        ));
        let mut add = |p: NamedNode, o: Term| quads.push(Quad::new(s.clone(), p, o, graph.clone()));
        add(rdf::TYPE.into_owned(), ak("CentralityScore").into());
        add(ak("scoreOf"), entity.into());
        add(ak("centralityMeasure"), measure.clone().into());
        add(ak("projection"), projection.clone().into());
        add(ak("score"), node.score.to_literal().into());
        add(generated.clone(), time.clone().into());
    }
    quads
}

/// An `xsd:dateTime` in UTC, to the second (`2026-01-01T01:01:01Z`); a time before 1970
/// reads as the epoch.
fn xsd_date_time(at: SystemTime) -> String {
    let secs = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        // Only a clock past the year 9999 gets here: RFC 3339 has four-digit years.
        .unwrap_or_else(|| "9999-12-31T23:59:59Z".to_owned())
}

/// Writes `report`'s scores to the analytics graph, replacing earlier scores of the same
/// measure and projection, and flushes; returns how many nodes were scored.
pub fn write_scores(store: &KgStore, report: &CentralityReport) -> Result<usize> {
    store.update(store.prepare_update(&clear_scores_update(report))?)?;
    store.load_quads(&score_quads(report, SystemTime::now()))?;
    store.flush()?;
    Ok(report.nodes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_seconds() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600 + 3_661);
        assert_eq!(xsd_date_time(t), "2026-01-01T01:01:01Z");
        assert_eq!(
            xsd_date_time(SystemTime::UNIX_EPOCH),
            "1970-01-01T00:00:00Z"
        );
    }
}
