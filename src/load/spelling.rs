//! The name a user most likely meant, when the one written names nothing: a KPI id misspelt in
//! an export's header, a column misspelt in a source's settings.

/// How alike two names must be, from 0 to 1, for one to be taken for a misspelling of the
/// other: one letter wrong, missing or swapped in a five-letter name is 0.8.
const LIKENESS: f64 = 0.75;

/// The name most like `written`, ignoring case, if any is alike enough; the first of equals.
pub fn nearest<'n>(written: &str, names: &[&'n str]) -> Option<&'n str> {
    let written = written.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for name in names {
        let likeness = strsim::normalized_damerau_levenshtein(&written, &name.to_lowercase());
        if likeness >= LIKENESS && best.is_none_or(|(most, _)| likeness > most) {
            best = Some((likeness, name));
        }
    }
    best.map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn a_misspelling_is_taken_for_the_name_it_is_nearest() {
        let ids = ["uptime", "incident_response", "csat"];
        assert_eq!(nearest("uptme", &ids), Some("uptime"));
        assert_eq!(nearest("CSAT", &ids), Some("csat"));
        assert_eq!(nearest("cast", &ids), Some("csat"));
        assert_eq!(nearest("incident_respones", &ids), Some("incident_response"));
        assert_eq!(nearest("Ticket Stats", &["Ticket ID", "Ticket Status"]), Some("Ticket Status"));
        // Three letters of five wrong is another name, not a misspelling.
        assert_eq!(nearest("calls", &ids), None);
        assert_eq!(nearest("notes", &ids), None);
        assert_eq!(nearest("uptime", &[]), None);
        // The nearer of two alike names, and the first of two as near.
        assert_eq!(nearest("respons", &["responses", "response"]), Some("response"));
        assert_eq!(nearest("waits", &["wait", "waitz"]), Some("wait"));
    }
}
