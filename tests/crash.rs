//! Crash safety of writes: `autokg serve --store DIR` killed with SIGKILL at many instants
//! of a large update; after each reopening, the data is all there or not at all (and all
//! there when the update was answered 2xx), and the inferred graph is exactly what a
//! recomputation gives.

use autokg::store::KgStore;
use oxigraph::model::{GraphNameRef, NamedNodeRef};
use std::collections::BTreeSet;

use std::time::{Duration, SystemTime};

const TOKEN: &str = "k";
const FIRMS: usize = 20_000;

/// Starts `autokg serve` on the store; returns the child and its address.
fn serve(dir: &std::path::Path) -> (std::process::Child, String) {
    crate::support::serve_process(&[
        "--update-token".as_ref(),
        TOKEN.as_ref(),
        "--store".as_ref(),
        dir.as_os_str(),
    ])
}

fn inferred(store: &KgStore) -> BTreeSet<String> {
    let g = NamedNodeRef::new_unchecked(autokg::vocab::GRAPH_INFERRED);
    store
        .graph_triples(GraphNameRef::NamedNode(g))
        .map(|t| t.expect("reads").to_string())
        .collect()
}

/// Asserted firms in graph `g` of the store.
fn firms(store: &KgStore, g: usize) -> usize {
    let q = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <http://e/g{g}> {{ ?f a ak:Automaker }} }}"
    );
    match store.query(&q).expect("query") {
        oxigraph::sparql::QueryResults::Solutions(mut s) => {
            let row = s.next().expect("a row").expect("solution");
            match row.get("n") {
                Some(oxigraph::model::Term::Literal(l)) => l.value().parse().expect("count"),
                other => panic!("{other:?}"),
            }
        }
        _ => panic!("not solutions"),
    }
}

#[test]
fn a_large_update_killed_at_random_instants_leaves_data_and_entailments_in_agreement() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(7);
    let mut state = seed | 1;
    let mut next = move |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    let (mut killed_mid_write, mut rounds) = (0, 0);
    for round in 0..22usize {
        // Even rounds insert a graph of firms, odd rounds drop the previous one.
        let update = if round % 2 == 0 {
            let body: String = (0..FIRMS)
                .map(|i| format!("<http://e/r{round}f{i}> a ak:Automaker ; ak:suppliesTo <http://e/r{round}f{}> . ", i + 1))
                .collect();
            format!("INSERT DATA {{ GRAPH <http://e/g{round}> {{ {body} }} }}")
        } else {
            format!("DROP SILENT GRAPH <http://e/g{}>", round - 1)
        };
        let (mut child, address) = serve(dir.path());
        let answered = std::thread::spawn(move || {
            reqwest::blocking::Client::new()
                .post(format!("{address}/sparql"))
                .bearer_auth(TOKEN)
                .header("Content-Type", "application/sparql-update")
                .body(update)
                .timeout(Duration::from_secs(120))
                .send()
                .map(|r| r.status().is_success())
                .unwrap_or(false)
        });
        std::thread::sleep(Duration::from_millis(next(1500)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        let answered = answered.join().expect("joins");
        // Reopen: a crash between a commit and its upkeep is repaired here.
        let store = KgStore::open(Some(dir.path())).expect("reopens");
        let written = firms(&store, round - round % 2);
        let expected_if_answered = if round % 2 == 0 { FIRMS } else { 0 };
        assert!(
            written == 0 || written == FIRMS,
            "round {round} (seed {seed}): {written} firms, a half-applied update"
        );
        if answered {
            assert_eq!(written, expected_if_answered, "round {round}: a 2xx lost");
        } else {
            killed_mid_write += 1;
        }
        let before = inferred(&store);
        store.refresh_inference().expect("recomputes");
        let after = inferred(&store);
        assert!(
            before == after,
            "round {round} (seed {seed}): stale {:?}, missing {:?}",
            before.difference(&after).take(3).collect::<Vec<_>>(),
            after.difference(&before).take(3).collect::<Vec<_>>()
        );
        rounds += 1;
    }
    assert_eq!(rounds, 22);
    eprintln!("{killed_mid_write} of {rounds} rounds killed before the answer (seed {seed})");
}
