//! The page for people at `/`: a SPARQL editor preloaded with the example queries of
//! `queries/examples/` (compiled in), result views chosen from the result's shape (a table
//! always; a map for WKT or lat/long columns; a bar chart for a label and a number; a graph
//! for two IRI columns: `views.js`), the "China auto geography" start view (each city's
//! output figures with their periods), and an SVG network view of an entity's neighbourhood
//! drawn by a small force layout. One self-contained HTML document (`page.html` with
//! `views.js` and China's outline from `data/geo/china-outline.json`, Natural Earth, public
//! domain, inlined): no CDN, no tiles, no external fetch; its Content-Security-Policy says so.

use actix_web::http::header;
use actix_web::HttpResponse;
use std::sync::OnceLock;

macro_rules! example {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../queries/examples/", $name, ".rq")),
        )
    };
}

/// The example queries (file stem, text), in file-name order. A test checks that the list
/// matches `queries/examples/`.
pub const EXAMPLES: &[(&str, &str)] = &[
    example!("approximate-figures"),
    example!("bilingual-label-search"),
    example!("brand-groups-members-and-leaders"),
    example!("city-locations"),
    example!("claims-by-topic"),
    example!("coastal-and-inland-places"),
    example!("declined-in-2025"),
    example!("development-model-roles"),
    example!("events-and-participants"),
    example!("export-markets"),
    example!("facts-per-paragraph"),
    example!("figure-provenance"),
    example!("firms-per-city"),
    example!("geosparql-distances"),
    example!("government-reported-figures"),
    example!("growth-rates-ranked"),
    example!("huawei-partners"),
    example!("inferred-parts-of-stated-figures"),
    example!("joint-venture-parents"),
    example!("milestones"),
    example!("national-rankings"),
    example!("nev-output-on-one-basis"),
    example!("nev-vs-total-output-by-city"),
    example!("observations-with-differing-periods"),
    example!("output-leaders-by-year"),
    example!("places-by-development-model"),
    example!("prospective-relations"),
    example!("provincial-capitals"),
    example!("regions-and-members"),
    example!("relation-statement-provenance"),
    example!("stated-vs-inferred-relations"),
    example!("trends-without-figures"),
    example!("who-invested-in-whom"),
];

const TEMPLATE: &str = include_str!("page.html");
const PLACEHOLDER: &str = "\"__EXAMPLES__\"";
/// The result views and the start view, inlined where `page.html` says `/*__VIEWS__*/`.
const VIEWS: &str = include_str!("views.js");
const VIEWS_PLACEHOLDER: &str = "/*__VIEWS__*/";
/// China's outline (Natural Earth 1:50m, public domain; `data/geo/README.md` says how it was
/// made), inlined where `page.html` says `"__OUTLINE__"`.
pub const OUTLINE: &str = include_str!("../../data/geo/china-outline.json");
const OUTLINE_PLACEHOLDER: &str = "\"__OUTLINE__\"";

/// What the page's policy allows: its own inline script and style, requests to this server.
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                   connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'";

/// The page with the examples embedded as JSON (`{name, title, query}`; the title is the
/// query's first comment line).
pub fn html() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        let examples: Vec<serde_json::Value> = EXAMPLES
            .iter()
            .map(|(name, query)| {
                let title = query
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix('#'))
                    .map_or(*name, str::trim);
                serde_json::json!({ "name": name, "title": title, "query": query })
            })
            .collect();
        // `<` as \u003c keeps `</script>` in a query from closing the script element.
        let json = serde_json::Value::from(examples)
            .to_string()
            .replace('<', "\\u003c");
        TEMPLATE
            .replacen(PLACEHOLDER, &json, 1)
            .replacen(
                OUTLINE_PLACEHOLDER,
                &OUTLINE.trim().replace('<', "\\u003c"),
                1,
            )
            .replacen(VIEWS_PLACEHOLDER, VIEWS, 1)
    })
}

/// `GET /`.
pub async fn index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(html())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_file_is_on_the_page() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/examples");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("queries/examples")
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".rq"))
                    .map(str::to_owned)
            })
            .collect();
        files.sort();
        let listed: Vec<&str> = EXAMPLES.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            files, listed,
            "add the new example to EXAMPLES in src/export/page.rs"
        );
        assert!(TEMPLATE.contains(PLACEHOLDER));
        assert!(!html().contains(PLACEHOLDER));
        assert!(!html().contains(OUTLINE_PLACEHOLDER) && !html().contains(VIEWS_PLACEHOLDER));
        assert!(
            !VIEWS.contains("</script"),
            "views.js must not close its script element"
        );
        let outline: serde_json::Value = serde_json::from_str(OUTLINE).expect("outline JSON");
        assert!(outline["rings"].as_array().is_some_and(|r| !r.is_empty()));
        assert!(!html().contains("src=\"http"), "no external scripts");
    }
}
