//! GeoJSON (RFC 7946) of places: a `FeatureCollection` whose features are points (or any
//! geometry a WKT literal holds) in WGS 84 longitude/latitude, for QGIS, kepler.gl, GDAL and
//! the page's map.
//!
//! Two sources:
//! - [`places_until`]: every place with a `geo:hasGeometry/geo:asWKT`, each feature carrying
//!   the place's IRI, English and Chinese labels, its `ak:` types and its figures: every
//!   `ak:Observation` whose `ak:subject` it is, read generically (each `ak:` property and
//!   `prov:wasDerivedFrom` under its local name, so a property added to observations later
//!   appears without a change here: measure, value, periodStart, periodEnd, approximation,
//!   yoyGrowth, sourceParagraph, ...).
//! - [`select_until`]: the solutions of a user's SELECT, one feature per row, the geometry
//!   from the first column holding `geo:wktLiteral` values and every other bound column a
//!   property; under a deadline and a row cap, as `/sparql` runs queries.
//!
//! WKT is turned into GeoJSON geometry by the `spargeo` crate's `geof:asGeoJSON` (WKT with
//! no reference system or with CRS84, lon/lat order, as RFC 7946 wants; another reference
//! system is refused with the row and column). Values: IRIs in the `ak:`/`akid:` namespaces
//! by local name in observations (full IRIs elsewhere), numeric literals as JSON numbers,
//! other literals as their lexical form.

use crate::algorithms::Deadline;
use crate::error::{Error, Result};
use crate::sparql::cancel::query_until;
use crate::vocab::{AK, AKID};
use oxigraph::model::{Literal, Term};
use oxigraph::sparql::QueryResults;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The most text (IRIs and literal values, in bytes) the rows of one GeoJSON may hold: the
/// file is built in memory before it is sent, so a SELECT past this is refused (400) rather
/// than allowed to fill the server's memory under the row cap.
pub const MAX_TEXT_BYTES: usize = 256 << 20;

/// `geo:wktLiteral`.
pub use crate::vocab::GEO_WKT_LITERAL as WKT_LITERAL;
use crate::vocab::{PROV_WAS_DERIVED_FROM as PROV_DERIVED, RDFS_LABEL};

/// One GeoJSON feature: its `id`, geometry (`None` is GeoJSON's `null`) and properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The feature's `id` (a place's IRI), if any.
    pub id: Option<String>,
    /// A GeoJSON geometry object.
    pub geometry: Option<Value>,
    /// The feature's properties.
    pub properties: Map<String, Value>,
}

/// The GeoJSON geometry of a WKT literal (`geo:wktLiteral`), by spargeo's `geof:asGeoJSON`;
/// `None` when it is not a literal of that type, does not parse, or names a reference
/// system other than CRS84.
pub fn wkt_to_geometry(term: &Term) -> Option<Value> {
    let (_, as_geojson) = spargeo::GEOSPARQL_EXTENSION_FUNCTIONS
        .iter()
        .find(|(name, _)| name.as_str().ends_with("/asGeoJSON"))?;
    match as_geojson(std::slice::from_ref(term))? {
        Term::Literal(l) => serde_json::from_str(l.value()).ok(),
        _ => None,
    }
}

/// A literal as a JSON value: a number for the XSD numeric types, else its lexical form.
fn literal_value(l: &Literal) -> Value {
    let numeric = crate::vocab::is_xsd_numeric(l.datatype().as_str());
    if numeric {
        if let Ok(i) = l.value().parse::<i64>() {
            return Value::from(i);
        }
        if let Some(n) = l
            .value()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            return Value::Number(n);
        }
    }
    Value::String(l.value().to_owned())
}

/// A term as a JSON value: IRIs in full (or by local name in `ak:`/`akid:` when `short`),
/// literals by [`literal_value`], blank nodes as `_:id`.
fn term_value(t: &Term, short: bool) -> Value {
    match t {
        Term::NamedNode(n) => {
            let iri = n.as_str();
            let local = iri.strip_prefix(AK).or_else(|| iri.strip_prefix(AKID));
            Value::String(match local {
                Some(l) if short => l.to_owned(),
                _ => iri.to_owned(),
            })
        }
        Term::Literal(l) => literal_value(l),
        other => Value::String(other.to_string()),
    }
}

/// Adds `value` under `key`, turning the entry into an array on its second value.
fn push(map: &mut Map<String, Value>, key: &str, value: Value) {
    match map.get_mut(key) {
        None => {
            map.insert(key.to_owned(), value);
        }
        Some(Value::Array(a)) => a.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
}

/// A SELECT's variable names and its rows (one optional term per variable).
type Table = (Vec<String>, Vec<Vec<Option<Term>>>);

/// Rows of a SELECT as `(variable names, rows of optional terms)`, under the deadline.
fn rows_until(
    store: &crate::store::KgStore,
    sparql: &str,
    deadline: &Deadline,
    max_rows: Option<u64>,
    max_bytes: usize,
) -> Result<Table> {
    query_until(store, sparql, deadline, |results| {
        let QueryResults::Solutions(solutions) = results else {
            return Err(Error::InvalidInput(
                "GeoJSON is made from a SELECT query (one feature per row); this query is an ASK, CONSTRUCT or DESCRIBE".into(),
            ));
        };
        let variables: Vec<String> = solutions
            .variables()
            .iter()
            .map(|v| v.as_str().to_owned())
            .collect();
        let mut rows = Vec::new();
        let mut bytes = 0_usize;
        for solution in solutions {
            let solution = solution.map_err(|e| Error::Evaluation(e.to_string()))?;
            if max_rows.is_some_and(|m| rows.len() as u64 >= m) {
                return Err(Error::InvalidInput(format!(
                    "the result has more than {} rows, the server's --max-rows; add LIMIT or narrow the query",
                    max_rows.unwrap_or(0)
                )));
            }
            let row: Vec<Option<Term>> = variables
                .iter()
                .map(|v| solution.get(v.as_str()).cloned())
                .collect();
            bytes += row
                .iter()
                .flatten()
                .map(|t| match t {
                    Term::NamedNode(n) => n.as_str().len(),
                    Term::Literal(l) => l.value().len(),
                    _ => 16,
                })
                .sum::<usize>();
            if bytes > max_bytes {
                return Err(Error::InvalidInput(format!(
                    "the rows hold more than {} MiB of text by row {}, the most a GeoJSON export builds; add LIMIT or select fewer columns",
                    max_bytes >> 20,
                    rows.len() + 1
                )));
            }
            rows.push(row);
        }
        Ok((variables, rows))
    })
}

/// Every place with a WKT geometry, with labels, `ak:` types and its observations, in IRI
/// order (observations in IRI order too).
///
/// Errors: [`Error::Timeout`] at the deadline; storage errors.
pub fn places_until(store: &crate::store::KgStore, deadline: &Deadline) -> Result<Vec<Feature>> {
    let mut places: BTreeMap<String, Feature> = BTreeMap::new();
    let (_, rows) = rows_until(
        store,
        "SELECT ?place ?wkt WHERE { ?place geo:hasGeometry/geo:asWKT ?wkt } ORDER BY ?place",
        deadline,
        None,
        MAX_TEXT_BYTES,
    )?;
    for row in rows {
        let (Some(Term::NamedNode(place)), Some(wkt)) = (&row[0], &row[1]) else {
            continue;
        };
        let mut properties = Map::new();
        properties.insert("iri".into(), Value::String(place.as_str().to_owned()));
        places.entry(place.as_str().to_owned()).or_insert(Feature {
            id: Some(place.as_str().to_owned()),
            geometry: wkt_to_geometry(wkt),
            properties,
        });
    }
    let (_, rows) = rows_until(
        store,
        "SELECT ?place ?p ?o WHERE { ?place geo:hasGeometry/geo:asWKT ?w . \
         VALUES ?p { rdfs:label rdf:type } ?place ?p ?o } ORDER BY ?place ?p ?o",
        deadline,
        None,
        MAX_TEXT_BYTES,
    )?;
    for row in rows {
        let (Some(Term::NamedNode(place)), Some(Term::NamedNode(p)), Some(o)) =
            (&row[0], &row[1], &row[2])
        else {
            continue;
        };
        let Some(feature) = places.get_mut(place.as_str()) else {
            continue;
        };
        match o {
            Term::Literal(l) if p.as_str() == RDFS_LABEL => {
                let key = match l.language() {
                    Some("en") => "label_en",
                    Some("zh") => "label_zh",
                    _ => continue,
                };
                feature
                    .properties
                    .entry(key)
                    .or_insert_with(|| Value::String(l.value().to_owned()));
            }
            Term::NamedNode(class) => {
                if let Some(local) = class.as_str().strip_prefix(AK) {
                    push(
                        &mut feature.properties,
                        "types",
                        Value::String(local.into()),
                    );
                }
            }
            _ => {}
        }
    }
    let (_, rows) = rows_until(
        store,
        "SELECT ?place ?obs ?p ?o WHERE { ?place geo:hasGeometry/geo:asWKT ?w . \
         ?obs a ak:Observation ; ak:subject ?place ; ?p ?o } ORDER BY ?place ?obs ?p ?o",
        deadline,
        None,
        MAX_TEXT_BYTES,
    )?;
    let mut observations: BTreeMap<(String, String), Map<String, Value>> = BTreeMap::new();
    for row in rows {
        let (Some(Term::NamedNode(place)), Some(obs), Some(Term::NamedNode(p)), Some(o)) =
            (&row[0], &row[1], &row[2], &row[3])
        else {
            continue;
        };
        let key = if p.as_str() == PROV_DERIVED {
            "wasDerivedFrom"
        } else if let Some(local) = p.as_str().strip_prefix(AK) {
            if local == "subject" {
                continue;
            }
            local
        } else {
            continue;
        };
        let entry = observations
            .entry((place.as_str().to_owned(), obs.to_string()))
            .or_insert_with(|| {
                let mut m = Map::new();
                m.insert("iri".into(), term_value(obs, false));
                m
            });
        push(entry, key, term_value(o, true));
    }
    for ((place, _), observation) in observations {
        if let Some(feature) = places.get_mut(&place) {
            push_array(
                &mut feature.properties,
                "observations",
                Value::Object(observation),
            );
        }
    }
    Ok(places
        .into_values()
        .map(|mut f| {
            f.properties
                .entry("observations")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Some(Value::String(t)) = f.properties.get("types").cloned() {
                f.properties
                    .insert("types".into(), Value::Array(vec![Value::String(t)]));
            }
            f
        })
        .collect())
}

/// Appends `value` to the array under `key` (created empty first).
fn push_array(map: &mut Map<String, Value>, key: &str, value: Value) {
    if let Value::Array(a) = map.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
        a.push(value);
    }
}

/// One feature per solution of a user's SELECT: the geometry from the first variable (in
/// the SELECT's order) that holds a `geo:wktLiteral` in some row (rows where it is unbound
/// get a `null` geometry), every other bound variable a property (IRIs in full). `max_rows`
/// caps the rows as `/sparql`'s `--max-rows` does (`None`: no cap).
///
/// A SELECT without solutions gives no feature (an empty FeatureCollection).
///
/// Errors: [`Error::SparqlSyntax`]; [`Error::InvalidInput`] for a query that is not a
/// SELECT, has rows but no WKT column, is over the row cap or [`MAX_TEXT_BYTES`], or whose WKT
/// does not parse (naming the row, counted from 1, and the variable); [`Error::Timeout`] at
/// the deadline.
pub fn select_until(
    store: &crate::store::KgStore,
    sparql: &str,
    deadline: &Deadline,
    max_rows: Option<u64>,
) -> Result<Vec<Feature>> {
    let (variables, rows) = rows_until(store, sparql, deadline, max_rows, MAX_TEXT_BYTES)?;
    if rows.is_empty() {
        // No solution: an empty FeatureCollection, as a map of nothing (no column to judge).
        return Ok(Vec::new());
    }
    let is_wkt = |t: &Option<Term>| matches!(t, Some(Term::Literal(l)) if l.datatype().as_str() == WKT_LITERAL);
    let column = (0..variables.len())
        .find(|&i| rows.iter().any(|r| is_wkt(&r[i])))
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "no column of the SELECT holds geo:wktLiteral values (columns: {}); bind one, for example `?place geo:hasGeometry/geo:asWKT ?wkt`",
                if variables.is_empty() {
                    "none".to_owned()
                } else {
                    variables.iter().map(|v| format!("?{v}")).collect::<Vec<_>>().join(", ")
                }
            ))
        })?;
    let mut features = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let geometry = match &row[column] {
            None => None,
            Some(t) => Some(wkt_to_geometry(t).ok_or_else(|| {
                Error::InvalidInput(format!(
                    "row {}, ?{}: {t} is not a WKT geometry in CRS84 longitude/latitude",
                    i + 1,
                    variables[column]
                ))
            })?),
        };
        let mut properties = Map::new();
        for (j, value) in row.iter().enumerate() {
            if let (true, Some(v)) = (j != column, value) {
                properties.insert(variables[j].clone(), term_value(v, false));
            }
        }
        features.push(Feature {
            id: None,
            geometry,
            properties,
        });
    }
    Ok(features)
}

/// Writes a `FeatureCollection` of `features`, one feature per line.
pub fn write(features: &[Feature], mut out: impl Write) -> io::Result<()> {
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
    for (i, f) in features.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        let mut feature = json!({
            "type": "Feature",
            "geometry": f.geometry.clone().unwrap_or(Value::Null),
            "properties": Value::Object(f.properties.clone()),
        });
        if let (Some(id), Some(obj)) = (&f.id, feature.as_object_mut()) {
            obj.insert("id".into(), Value::String(id.clone()));
        }
        serde_json::to_writer(&mut out, &feature)?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

/// [`write`] under a deadline (see [`super::Checked`]).
///
/// Errors: [`Error::Timeout`] once the deadline expires; write errors as [`Error::Io`].
pub fn write_until(features: &[Feature], out: impl Write, deadline: &Deadline) -> Result<()> {
    write(features, super::Checked::new(out, deadline))
        .map_err(|e| super::checked_error(e, deadline))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNode;

    fn wkt(s: &str) -> Term {
        Literal::new_typed_literal(s, NamedNode::new_unchecked(WKT_LITERAL)).into()
    }

    #[test]
    fn wkt_points_become_lon_lat_geometry() {
        let g = wkt_to_geometry(&wkt("POINT(104.0665 30.5723)")).expect("a point");
        assert_eq!(g["type"], "Point");
        assert_eq!(g["coordinates"], json!([104.0665, 30.5723]));
        let crs = wkt("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(1 2)");
        assert_eq!(
            wkt_to_geometry(&crs).expect("CRS84")["coordinates"],
            json!([1.0, 2.0])
        );
        let other = wkt("<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(1 2)");
        assert_eq!(wkt_to_geometry(&other), None);
        assert_eq!(wkt_to_geometry(&wkt("POINT(1")), None);
        assert_eq!(
            wkt_to_geometry(&Literal::new_simple_literal("POINT(1 2)").into()),
            None
        );
    }

    #[test]
    fn rows_past_the_text_or_row_cap_are_refused() {
        let store = crate::store::KgStore::open(None).expect("store");
        let q = "SELECT ?wkt WHERE { ?p geo:hasGeometry/geo:asWKT ?wkt }";
        let (_, rows) = rows_until(&store, q, &Deadline::none(), None, 1 << 20).expect("rows");
        assert!(rows.len() >= 6);
        let e = rows_until(&store, q, &Deadline::none(), None, 30).expect_err("text cap");
        assert!(e.to_string().contains("MiB of text by row 2"), "{e}");
        let e = rows_until(&store, q, &Deadline::none(), Some(3), 1 << 20).expect_err("row cap");
        assert!(e.to_string().contains("more than 3 rows"), "{e}");
    }

    #[test]
    fn values_keep_numbers_as_numbers() {
        let dec = Literal::new_typed_literal(
            "2788000",
            NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#decimal"),
        );
        assert_eq!(literal_value(&dec), json!(2788000));
        let frac = Literal::new_typed_literal(
            "0.097",
            NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#decimal"),
        );
        assert_eq!(literal_value(&frac), json!(0.097));
        assert_eq!(
            literal_value(&Literal::new_simple_literal("12")),
            json!("12")
        );
        let iri: Term = NamedNode::new_unchecked(format!("{AK}About")).into();
        assert_eq!(term_value(&iri, true), json!("About"));
        assert_eq!(term_value(&iri, false), json!(format!("{AK}About")));
    }

    #[test]
    fn a_collection_is_valid_json_with_one_feature_per_entry() {
        let features = vec![Feature {
            id: Some("x".into()),
            geometry: wkt_to_geometry(&wkt("POINT(1 2)")),
            properties: Map::new(),
        }];
        let mut out = Vec::new();
        write(&features, &mut out).expect("writes");
        let v: Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(v["type"], "FeatureCollection");
        assert_eq!(v["features"][0]["id"], "x");
        assert_eq!(v["features"][0]["geometry"]["type"], "Point");
        let mut empty = Vec::new();
        write(&[], &mut empty).expect("writes");
        let v: Value = serde_json::from_slice(&empty).expect("JSON");
        assert_eq!(v["features"], json!([]));
    }
}
