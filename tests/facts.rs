//! Facts of the source article, asserted by SPARQL over the curated store. Every expected
//! value below was written from the article, not read back from the data.

use crate::support::{ask, select, store};

/// One figure: subject, measure, value, period, growth, approximation and paragraph.
struct Figure {
    subject: &'static str,
    measure: &'static str,
    value: &'static str,
    start: &'static str,
    end: &'static str,
    growth: Option<&'static str>,
    approx: Option<&'static str>,
    paragraph: u8,
}

const YEAR_2025: (&str, &str) = ("2025-01-01", "2025-12-31");
const JAN_NOV_2025: (&str, &str) = ("2025-01-01", "2025-11-30");
const H1_2025: (&str, &str) = ("2025-01-01", "2025-06-30");

#[rustfmt::skip]
fn figures() -> Vec<Figure> {
    let f = |subject, measure, value, (start, end): (&'static str, &'static str), growth, approx, paragraph| Figure {
        subject, measure, value, start, end, growth, approx, paragraph,
    };
    vec![
        f("chongqing", "VehicleOutput", "2788000", YEAR_2025, Some("0.097"), Some("About"), 2),
        f("chongqing", "NEVOutput", "1296000", YEAR_2025, Some("0.36"), Some("About"), 2),
        f("aito", "Deliveries", "420000", YEAR_2025, None, Some("MoreThan"), 2),
        f("chengdu", "VehicleOutput", "821000", JAN_NOV_2025, Some("0.266"), Some("About"), 3),
        f("chengdu", "NEVOutput", "205000", JAN_NOV_2025, Some("2.0"), Some("About"), 3),
        f("chengdu-chongqing", "PartsMatchingRate", "0.8", YEAR_2025, None, Some("MoreThan"), 4),
        f("yangtze-river-delta", "ShareOfNationalVehicleOutput", "0.28", H1_2025, None, Some("About"), 5),
        f("yangtze-river-delta", "ShareOfNationalNEVOutput", "0.346", H1_2025, None, None, 5),
        f("shanghai", "VehicleOutput", "1600000", JAN_NOV_2025, None, Some("About"), 5),
        f("shanghai", "ShareOfNationalVehicleOutput", "0.05", JAN_NOV_2025, None, Some("About"), 5),
        f("hefei", "NEVOutput", "1246000", JAN_NOV_2025, None, Some("About"), 6),
        f("hefei", "NationalNEVOutputRank", "1", JAN_NOV_2025, None, None, 6),
        f("guangzhou", "NationalOutputRank", "1", ("2019-01-01", "2019-12-31"), None, Some("Exact"), 7),
        f("guangzhou", "NationalOutputRank", "1", ("2020-01-01", "2020-12-31"), None, Some("Exact"), 7),
        f("guangzhou", "NationalOutputRank", "1", ("2021-01-01", "2021-12-31"), None, Some("Exact"), 7),
        f("guangzhou", "NationalOutputRank", "1", ("2022-01-01", "2022-12-31"), None, Some("Exact"), 7),
        f("guangzhou", "NationalOutputRank", "1", ("2023-01-01", "2023-12-31"), None, Some("Exact"), 7),
        f("shenzhen", "NationalOutputRank", "1", ("2024-01-01", "2024-12-31"), None, None, 7),
        f("guangdong", "ProvincialOutputRank", "1", ("2024-01-01", "2024-12-31"), None, Some("Exact"), 7),
        f("chongqing", "NationalOutputRank", "1", YEAR_2025, None, Some("Exact"), 2),
        f("byd", "CompanyNEVOutput", "4537000", YEAR_2025, None, Some("About"), 8),
        f("harmonyos-brands", "Deliveries", "589100", YEAR_2025, None, Some("About"), 8),
    ]
}

fn figure_query(f: &Figure) -> String {
    let growth = f
        .growth
        .map(|g| format!("?o ak:yoyGrowth ?g . FILTER(?g = {g})"))
        .unwrap_or_default();
    let approx = f
        .approx
        .map(|a| format!("?o ak:approximation ak:{a} ."))
        .unwrap_or_default();
    format!(
        "ASK {{ ?o a ak:Observation ; ak:subject akid:{s} ; ak:measure ak:{m} ; ak:value ?v ;
                 ak:periodStart \"{start}\"^^xsd:date ; ak:periodEnd \"{end}\"^^xsd:date ;
                 ak:sourceParagraph ?p ; prov:wasDerivedFrom akid:source-china-auto-geography-2025 .
               FILTER(?v = {v} && ?p = {para} && datatype(?v) = xsd:decimal) {growth} {approx} }}",
        s = f.subject,
        m = f.measure,
        start = f.start,
        end = f.end,
        v = f.value,
        para = f.paragraph,
    )
}

#[test]
fn every_figure_is_an_observation_with_its_period_growth_approximation_and_source() {
    let failed: Vec<String> = figures()
        .iter()
        .filter(|f| !ask(&figure_query(f)))
        .map(|f| {
            format!(
                "{} {} {} ({}..{})",
                f.subject, f.measure, f.value, f.start, f.end
            )
        })
        .collect();
    assert!(
        failed.is_empty(),
        "figures not found as stated: {failed:#?}"
    );
}

/// One relation: direct edge plus statement node with paragraph and assertion status.
#[rustfmt::skip]
const RELATIONS: &[(&str, &str, &str, u8, &str)] = &[
    ("huawei", "partnerOf", "seres", 2, "Stated"),
    ("hefei-government", "investedIn", "nio", 6, "Stated"),
    ("hefei-government", "investedIn", "volkswagen-anhui", 6, "Stated"),
    ("hefei-government", "investedIn", "byd", 6, "Stated"),
    ("jetta", "jointVentureOf", "faw", 3, "Inferred"),
    ("jetta", "jointVentureOf", "volkswagen", 3, "Inferred"),
    ("jetta", "coDevelopedBy", "faw", 3, "Stated"),
    ("jetta", "coDevelopedBy", "volkswagen", 3, "Stated"),
    ("jetta", "coDevelopedBy", "chengdu-government", 3, "Inferred"),
    ("chengdu-government", "partnerOf", "faw", 3, "Inferred"),
    ("chengdu-government", "partnerOf", "volkswagen", 3, "Inferred"),
    ("byd", "producesIn", "china", 8, "Inferred"),
    ("jetta", "designatedChampionBy", "sichuan-government", 3, "Stated"),
    ("byd", "headquarteredIn", "shenzhen", 7, "Stated"),
    ("huawei", "headquarteredIn", "shenzhen", 7, "Stated"),
    ("harmonyos-brands", "ledBy", "huawei", 8, "Stated"),
    ("seres", "ownsBrand", "aito", 2, "Inferred"),
    ("volkswagen-anhui", "subsidiaryOf", "volkswagen", 6, "Inferred"),
];

#[test]
fn relations_are_direct_edges_with_statement_nodes_carrying_provenance() {
    let mut failed = Vec::new();
    for (s, p, o, para, assertion) in RELATIONS {
        let q = format!(
            "ASK {{ akid:{s} ak:{p} akid:{o} .
                    ?r a ak:Relationship ; ak:predicate ak:{p} ; ak:assertion ak:{assertion} ;
                       ak:sourceParagraph ?para ; prov:wasDerivedFrom akid:source-china-auto-geography-2025 .
                    {{ ?r ak:subject akid:{s} ; ak:object akid:{o} }} UNION {{ ?r ak:subject akid:{o} ; ak:object akid:{s} }}
                    FILTER(?para = {para}) }}"
        );
        if !ask(&q) {
            failed.push(format!("{s} {p} {o} (paragraph {para}, {assertion})"));
        }
    }
    assert!(
        failed.is_empty(),
        "relations missing or without provenance: {failed:#?}"
    );
}

#[test]
fn places_nest_and_models_are_attached() {
    for q in [
        "ASK { akid:hefei ak:locatedIn akid:anhui }",
        "ASK { akid:chengdu ak:locatedIn akid:sichuan }",
        "ASK { akid:anhui ak:partOfRegion akid:yangtze-river-delta }",
        "ASK { akid:shanghai ak:partOfRegion akid:yangtze-river-delta }",
        "ASK { akid:chengdu ak:partOfRegion akid:chengdu-chongqing }",
        "ASK { akid:chongqing ak:partOfRegion akid:chengdu-chongqing }",
        "ASK { akid:hefei ak:followsModel ak:InvestmentToAttract }",
        "ASK { akid:hefei-government ak:governs akid:hefei }",
        "ASK { akid:chongqing a ak:City, ak:Province }",
        "ASK { akid:shanghai a ak:City, ak:Province }",
        "ASK { akid:china ak:exportsTo akid:central-asia, akid:europe, akid:middle-east }",
    ] {
        assert!(ask(q), "not found: {q}");
    }
}

#[test]
fn labels_are_bilingual() {
    for (id, zh) in [("seres", "赛力斯"), ("aito", "问界"), ("jetta", "捷达")] {
        let q = format!("ASK {{ akid:{id} rdfs:label \"{zh}\"@zh ; rdfs:label ?en FILTER(lang(?en) = \"en\") }}");
        assert!(ask(&q), "{id} lacks its labels");
    }
    assert!(ask("ASK { akid:seres rdfs:label \"Seres\"@en }"));
}

#[test]
fn milestones_targets_and_events_carry_their_dates() {
    let in_jan_2026 =
        "ASK { ?m a ak:Milestone ; ak:subject akid:aito ; ak:value ?v ; ak:sourceParagraph 2 .
        { ?m ak:periodStart ?d } UNION { ?m ak:date ?d }
        FILTER(?v = 1000000 && ?d >= \"2026-01-01\"^^xsd:date && ?d <= \"2026-01-31\"^^xsd:date) }";
    assert!(ask(in_jan_2026), "AITO's millionth vehicle in January 2026");
    let under_four_years =
        "ASK { ?m a ak:Milestone ; ak:subject akid:harmonyos-brands ; ak:value ?v ;
        ak:durationUnder \"P4Y\"^^xsd:duration ; ak:sourceParagraph 8 FILTER(?v = 1000000) }";
    assert!(
        ask(under_four_years),
        "HarmonyOS brands' million in under four years"
    );
    let target_2028 =
        "ASK { ?t a ak:Target ; ak:subject akid:jetta ; ak:deadline ?d ; ak:sourceParagraph 3
        FILTER(YEAR(?d) = 2028) }";
    assert!(ask(target_2028), "Jetta's line-up target by 2028");
    let rule_change = "ASK { ?e a ak:PolicyChange ; ak:sourceParagraph 7 ; ak:affects ?place .
        { ?e ak:date ?d } UNION { ?e ak:periodStart ?d } FILTER(YEAR(?d) = 2025) }";
    assert!(ask(rule_change), "the 2025 statistics-rule change");
    let initiative = "ASK { ?e a ak:Initiative ; ak:sourceParagraph 4 ;
        ak:participant akid:sichuan-government, akid:chongqing-government .
        { ?e ak:date ?d } UNION { ?e ak:periodStart ?d } FILTER(YEAR(?d) = 2025) }";
    assert!(ask(initiative), "the 2025 Chengdu–Chongqing initiative");
}

#[test]
fn rdfs_entailments_are_visible_in_the_default_graph() {
    assert!(
        ask("ASK { akid:byd a ak:Company }"),
        "an automaker is a company"
    );
    assert!(
        ask("ASK { akid:seres ak:partnerOf akid:huawei }"),
        "partnerOf is symmetric"
    );
    assert!(
        ask("ASK { akid:chongqing a ak:Place }"),
        "a city is a place"
    );
    // The inferred graph never repeats an asserted triple, so no fact shows twice.
    let dup = select(
        store(),
        "SELECT ?s ?p ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ?p ?o HAVING (COUNT(*) > 1) LIMIT 5",
    );
    assert!(
        dup.is_empty(),
        "triples seen twice in the union graph: {dup:?}"
    );
}

#[test]
fn every_paragraph_has_at_least_one_fact() {
    let rows = select(
        store(),
        "SELECT DISTINCT ?p WHERE { GRAPH <https://w3id.org/autokg/graph/curated> { ?x ak:sourceParagraph ?p } }",
    );
    let mut paragraphs: Vec<u32> = rows
        .iter()
        .filter_map(|r| r[0].as_deref())
        .filter_map(|p| p.trim_start_matches('"').split('"').next()?.parse().ok())
        .collect();
    paragraphs.sort_unstable();
    paragraphs.dedup();
    assert_eq!(paragraphs, (1..=11).collect::<Vec<_>>());
}

#[test]
fn wikidata_links_only_where_certain() {
    assert!(ask(
        "ASK { akid:china schema:sameAs <http://www.wikidata.org/entity/Q148> }"
    ));
    assert!(ask(
        "ASK { akid:huawei schema:sameAs <http://www.wikidata.org/entity/Q160120> }"
    ));
}
