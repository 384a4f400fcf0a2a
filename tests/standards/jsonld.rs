//! The `/api` JSON-LD read back as RDF by two independent JSON-LD processors (rdflib and
//! PyLD, `tests/python/check_jsonld.py`): every triple they read must be in the store, term
//! for term (lexical form, datatype, language tag), and the literals the context types
//! (decimals, dates, English texts) must come back.

use super::{update, writable};
use crate::support::python;
use std::process::Command;

/// Data beyond the curated graph that the curated data lacks: an `akid:` id holding a colon,
/// a statement node about it, and entity properties of several datatypes and a language.
const EXTRA: &str = r#"
PREFIX ak: <https://w3id.org/autokg/ontology#>
PREFIX akid: <https://w3id.org/autokg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX ex: <http://example.org/>
INSERT DATA { GRAPH <http://example.org/extra> {
  akid:plant:shanghai a ak:Plant ;
    rdfs:label "Shanghai plant"@en ;
    ex:opened "1984"^^xsd:gYear ;
    ex:localName "上海工厂"@zh ;
    ex:capacityShare "0.125"^^xsd:decimal ;
    ex:lines "3"^^xsd:int ;
    ex:automated true ;
    ex:code "SH-1" ;
    ex:site akid:shanghai .
  akid:seres ak:producesIn akid:plant:shanghai .
  akid:rel-seres-producesIn-plant-shanghai a ak:Relationship ;
    ak:subject akid:seres ;
    ak:predicate ak:producesIn ;
    ak:object akid:plant:shanghai ;
    ak:since "2021-03-01"^^xsd:date ;
    ak:until "2024-12-31"^^xsd:date ;
    ak:role "contract assembler"@en ;
    ak:product "electric SUVs"@en ;
    ak:assertion ak:Stated .
} }"#;

/// The documents read back: entities (with relations and observations), a colon id,
/// observation pages (with decimals and growth), relations, firms and search hits.
const PATHS: &[&str] = &[
    "/api/entities/aito",
    "/api/entities/seres",
    "/api/entities/chongqing",
    "/api/entities/plant:shanghai",
    "/api/observations?limit=200",
    "/api/firms/seres/relations",
    "/api/firms?limit=50",
    "/api/search?q=Seres",
];

#[test]
fn api_json_ld_reads_back_as_the_stored_triples_with_rdflib_and_pyld() {
    let app = writable();
    assert_eq!(update(&app, EXTRA), 204);
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_jsonld.py");
    let out = Command::new(python())
        .arg(&script)
        .arg(&app.address)
        .args(PATHS)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "check_jsonld.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Both processors read every document, and the typed literals came back.
    for path in PATHS {
        for reader in ["rdflib", "pyld"] {
            assert!(
                stdout.contains(&format!("ok {path} {reader}:")),
                "{path} {reader} missing:\n{stdout}"
            );
        }
    }
    for reader in ["rdflib", "pyld"] {
        assert!(
            stdout.contains(&format!("ok {reader} read all")),
            "{reader}:\n{stdout}"
        );
    }
}
