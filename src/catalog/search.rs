//! Finding entities by text: `search` (exact, prefix and substring matches on labels,
//! alternative labels and ids) and `suggest` (the closest ids to an unknown one, by edit
//! distance), both on keys folded by [`fold`].

use super::{
    id_of, lang_map, EntityRef, Index, MatchKind, SearchHit, SearchResults, MAX_SEARCH, SUGGESTIONS,
};
use crate::describe::expand_entity;
use std::collections::HashMap;

/// A search key or query as compared: Unicode compatibility normalisation (NFKC: full-width
/// `Ｍ９` is `M9`, decomposed `e` + U+0308 is `ë`), full case folding (`ß` is `ss`), NFKC again
/// (folding may leave text unnormalised, as in Unicode's `toNFKC_Casefold`), and every
/// whitespace character removed, so `问界 M9`, `问界M9` and `问界Ｍ９` are one key.
pub(super) fn fold(s: &str) -> String {
    let nfkc = icu_normalizer::ComposingNormalizerBorrowed::new_nfkc();
    let normalized = nfkc.normalize(s);
    let folded = icu_casemap::CaseMapperBorrowed::new().fold_string(&normalized);
    nfkc.normalize(&folded)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The longest text [`Index::suggest`] looks for (characters): no real id is that long, so
/// a longer one gets no suggestions rather than costing an edit distance against every label.
pub const MAX_SUGGEST_INPUT: usize = 128;
/// The most edits a suggestion may be away, whatever the length.
const MAX_EDITS: usize = 8;

impl Index {
    /// The entities whose id or labels are closest to `wanted` (edit distance, then shared
    /// prefix), at most [`SUGGESTIONS`]. Bounded work: an input over [`MAX_SUGGEST_INPUT`]
    /// characters gets none, and keys more than the allowed edits longer or shorter are
    /// skipped before any distance is computed, so a 20,000-character label in the data
    /// costs a length comparison.
    pub fn suggest(&self, wanted: &str) -> Vec<EntityRef> {
        let wanted = fold(id_of(&expand_entity(wanted)).as_str());
        let w = wanted.chars().count();
        if w == 0 || w > MAX_SUGGEST_INPUT {
            return Vec::new();
        }
        let allowed = (w / 3).clamp(2, MAX_EDITS);
        let mut best: HashMap<usize, (usize, usize)> = HashMap::new();
        for key in &self.keys {
            if key.folded.len() > 4 * (MAX_SUGGEST_INPUT + MAX_EDITS) {
                continue;
            }
            let k = key.folded.chars().count();
            let shared = wanted
                .chars()
                .zip(key.folded.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let prefix_match = shared >= 3 && (shared == w || shared == k);
            if k.abs_diff(w) > allowed && !prefix_match {
                continue;
            }
            // Levenshtein on characters (not bytes), so 问界 is one edit from 问.
            let mut d = strsim::levenshtein(&wanted, &key.folded);
            if prefix_match {
                d = d.min(1);
            }
            if d > allowed {
                continue;
            }
            let score = (d, usize::MAX - shared);
            best.entry(key.node)
                .and_modify(|s| *s = (*s).min(score))
                .or_insert(score);
        }
        let mut ranked: Vec<(usize, usize, usize)> =
            best.into_iter().map(|(n, (d, s))| (d, s, n)).collect();
        ranked
            .sort_by(|a, b| (a.0, a.1, &self.nodes[a.2].id).cmp(&(b.0, b.1, &self.nodes[b.2].id)));
        ranked
            .into_iter()
            .take(SUGGESTIONS)
            .map(|(_, _, n)| self.entity_ref(n))
            .collect()
    }

    /// Entities whose labels, alternative labels (any language) or id match `q`,
    /// case-insensitively: exact, then prefix, then substring; labels before alternative
    /// labels before ids; then shorter keys; then ids. Statement nodes, observations and
    /// geometries are left out.
    pub fn search(&self, q: &str, limit: usize) -> SearchResults {
        let wanted = fold(q);
        let mut best: HashMap<usize, (MatchKind, u8, usize, usize)> = HashMap::new();
        if !wanted.is_empty() {
            for (k, key) in self.keys.iter().enumerate() {
                let kind = if key.folded == wanted {
                    MatchKind::Exact
                } else if key.folded.starts_with(&wanted) {
                    MatchKind::Prefix
                } else if key.folded.contains(&wanted) {
                    MatchKind::Substring
                } else {
                    continue;
                };
                let rank = (kind, key.field, key.folded.chars().count(), k);
                best.entry(key.node)
                    .and_modify(|r| *r = (*r).min(rank))
                    .or_insert(rank);
            }
        }
        let mut ranked: Vec<(usize, (MatchKind, u8, usize, usize))> = best.into_iter().collect();
        ranked.sort_by(|a, b| {
            (a.1 .0, a.1 .1, a.1 .2, &self.nodes[a.0].id).cmp(&(
                b.1 .0,
                b.1 .1,
                b.1 .2,
                &self.nodes[b.0].id,
            ))
        });
        SearchResults {
            query: q.to_owned(),
            items: ranked
                .into_iter()
                .take(limit.min(MAX_SEARCH))
                .map(|(n, (kind, _, _, k))| SearchHit {
                    id: self.nodes[n].id.clone(),
                    label: lang_map(&self.nodes[n].labels),
                    types: self.types(n),
                    match_kind: kind,
                    matched: self.keys[k].text.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folding_ignores_case_width_normalisation_form_and_whitespace() {
        // Composed and decomposed diaeresis.
        assert_eq!(fold("Citro\u{eb}n"), fold("Citroe\u{308}n"));
        assert_eq!(fold("CITROE\u{308}N"), "citro\u{eb}n");
        // Full-width Latin letters and digits, and spaces (ideographic too).
        assert_eq!(fold("问界Ｍ９"), fold("问界 M9"));
        assert_eq!(fold("问界\u{3000}m9"), "问界m9");
        // Full case folding, not lower-casing: ß folds to ss.
        assert_eq!(fold("Straße"), fold("STRASSE"));
        // Different text stays different.
        assert_ne!(fold("赛力斯"), fold("赛力"));
        assert_ne!(fold("Citroen"), fold("Citroën"));
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        // `suggest` relies on strsim counting characters, not bytes.
        let d = strsim::levenshtein;
        assert_eq!(d("sers", "seres"), 1);
        assert_eq!(d("seres", "seres"), 0);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("问界", "问"), 1);
    }
}
