/// Whether a team matches the overview's filter text: every whitespace-separated word of the
/// filter must occur, case-insensitively, in the team's name or slug. An empty filter matches all.
///
/// The same rule runs on the server (for the no-JavaScript form) and in the browser (as you type).
pub fn matches_filter(filter: &str, name: &str, slug: &str) -> bool {
    let haystack = format!("{} {}", name.to_lowercase(), slug);
    filter
        .split_whitespace()
        .all(|word| haystack.contains(&word.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::matches_filter;

    #[test]
    fn empty_filter_matches_everything() {
        assert!(matches_filter("", "Payments", "payments"));
        assert!(matches_filter("   ", "Payments", "payments"));
    }

    #[test]
    fn matches_partial_words_case_insensitively() {
        assert!(matches_filter("PAY", "Payments", "payments"));
        assert!(matches_filter("plat", "Data Platform", "data-platform"));
        assert!(matches_filter(
            "data-plat",
            "Data Platform",
            "data-platform"
        ));
    }

    #[test]
    fn every_word_must_match() {
        assert!(matches_filter(
            "data form",
            "Data Platform",
            "data-platform"
        ));
        assert!(!matches_filter(
            "data pay",
            "Data Platform",
            "data-platform"
        ));
        assert!(!matches_filter("xyz", "Payments", "payments"));
    }
}
