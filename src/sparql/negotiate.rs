//! HTTP content negotiation: picks the best offered media type for an `Accept` header,
//! honouring q-values, wildcards (`*/*`, `type/*`) and specificity (RFC 9110 §12.5.1).

/// One media range of an `Accept` header.
#[derive(Debug, Clone, PartialEq)]
struct Range {
    kind: String,
    subtype: String,
    q: f32,
    /// 3 for `type/subtype`, 2 for `type/*`, 1 for `*/*`: the more specific range wins.
    specificity: u8,
}

fn parse(accept: &str) -> Vec<Range> {
    accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let media = pieces.next()?.trim().to_ascii_lowercase();
            let (kind, subtype) = media.split_once('/')?;
            let mut q = 1.0f32;
            for param in pieces {
                if let Some((k, v)) = param.split_once('=') {
                    if k.trim().eq_ignore_ascii_case("q") {
                        q = v
                            .trim()
                            .parse()
                            .ok()
                            .filter(|q: &f32| (0.0..=1.0).contains(q))?;
                    }
                }
            }
            let specificity = match (kind, subtype) {
                ("*", "*") => 1,
                (_, "*") => 2,
                _ => 3,
            };
            Some(Range {
                kind: kind.trim().to_owned(),
                subtype: subtype.trim().to_owned(),
                q,
                specificity,
            })
        })
        .collect()
}

/// The q-value the header gives `offer` (its most specific matching range), or `None` when
/// no range matches.
fn quality(ranges: &[Range], offer: &str) -> Option<f32> {
    let (kind, subtype) = offer.split_once('/')?;
    ranges
        .iter()
        .filter(|r| (r.kind == "*" || r.kind == kind) && (r.subtype == "*" || r.subtype == subtype))
        .max_by_key(|r| r.specificity)
        .map(|r| r.q)
}

/// Picks the offer the client prefers: highest q, then the server's order. A missing or
/// empty header accepts the first offer. `None` means nothing acceptable (answer 406).
pub fn negotiate<'a>(accept: Option<&str>, offers: &[&'a str]) -> Option<&'a str> {
    let accept = accept.map(str::trim).filter(|a| !a.is_empty());
    let Some(accept) = accept else {
        return offers.first().copied();
    };
    let ranges = parse(accept);
    let mut best: Option<(&str, f32)> = None;
    for offer in offers {
        if let Some(q) = quality(&ranges, offer) {
            if q > 0.0 && best.is_none_or(|(_, bq)| q > bq) {
                best = Some((offer, q));
            }
        }
    }
    best.map(|(o, _)| o)
}

#[cfg(test)]
mod tests {
    use super::negotiate;

    const OFFERS: &[&str] = &[
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
    ];

    fn check(accept: Option<&str>, expected: Option<&str>) {
        assert_eq!(negotiate(accept, OFFERS), expected, "Accept: {accept:?}");
    }

    #[test]
    fn q_values_wildcards_and_specificity() {
        check(None, Some("application/sparql-results+json"));
        check(Some("text/csv"), Some("text/csv"));
        check(
            Some("text/csv;q=0.5, application/sparql-results+xml"),
            Some("application/sparql-results+xml"),
        );
        check(Some("*/*"), Some("application/sparql-results+json"));
        check(Some("text/*"), Some("text/csv"));
        // The specific range's q=0 excludes JSON even though */* accepts everything.
        check(
            Some("application/sparql-results+json;q=0, */*;q=0.1"),
            Some("application/sparql-results+xml"),
        );
        check(Some("image/png"), None);
        check(Some("text/csv;q=0"), None);
        check(Some("TEXT/CSV"), Some("text/csv"));
        check(
            Some("text/html, */*;q=0.8"),
            Some("application/sparql-results+json"),
        );
    }
}
