//! The one door to the YAML parser. Everything else in `load/` sees serde types, a [`Spanned`]
//! value with its line and column, and [`Diagnostic`]s; nothing else names the parser crate.

use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_saphyr::MessageFormatter;

use crate::diagnostics::Diagnostic;

/// A value with the place it was written, for problems found after parsing.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub line: u64,
    pub column: u64,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let place = spanned.referenced;
        Ok(Spanned { value: spanned.value, line: place.line(), column: place.column() })
    }
}

impl<T> Spanned<T> {
    /// A problem with this value, placed at it in `file`.
    pub fn error(&self, file: &str, text: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(file, message).at(self.line, self.column, Some(text))
    }
}

/// Parses one YAML document into `T`, or says where and why it is not one.
///
/// Duplicate keys are rejected (the parser's default), booleans must be written `true` or
/// `false` (so `NO` never turns a string into a boolean), and the parser's budgets bound the
/// work an alias bomb could ask for.
pub fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Diagnostic> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|error| {
        let message = serde_saphyr::UserMessageFormatter.format_message(error.without_snippet());
        let diagnostic = Diagnostic::error(file, plain_words(&message, text));
        match error.location() {
            Some(place) if place.line() > 0 => {
                diagnostic.at(place.line(), place.column().max(1), Some(text))
            }
            _ => diagnostic,
        }
    })
}

/// The parser's messages in the words of a contract's author rather than of Rust's types.
fn plain_words(message: &str, text: &str) -> String {
    if text.trim().is_empty() {
        return "the file is empty: write the settings or contract it should hold".to_owned();
    }
    if let Some(rest) = message.strip_prefix("data did not match any variant of untagged enum ") {
        let expected = match rest.split_whitespace().next().unwrap_or_default() {
            "RawVendor" => {
                "expected a vendor id, or `{ column: …, map: { value: vendor-id } }` (quote a map key that is a number)"
            }
            "OneOrMany" => "expected a value, or a list of values such as `[a, b]`",
            _ => "expected another kind of value here",
        };
        return expected.to_owned();
    }
    let plain = match message {
        "invalid u32" | "invalid u64" | "invalid u16" | "invalid u8" => {
            "expected a whole number of 0 or more, such as 30"
        }
        "invalid i64" | "invalid i32" => "expected a whole number, such as 30",
        "invalid floating point" => "expected a number, such as 60 or 97.5",
        "expected sequence start" => {
            "expected a list, such as `[a, b]` or lines starting with `- `"
        }
        "expected mapping start" => "expected keys and values, such as `{ start: 2026-01-01 }`",
        "null is not allowed here" => "expected a value here, found none",
        "expected string scalar" => "expected text here",
        _ => return message.to_owned(),
    };
    format!("{plain} ({message})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[allow(dead_code, reason = "only its presence is tested")]
        name: String,
        target: Spanned<f64>,
    }

    #[test]
    fn unknown_key_is_placed_at_its_line_and_column() {
        let error = parse::<Sample>("c.yaml", "name: x\ntarget: 3\ntarnish: 4\n").unwrap_err();
        assert_eq!((error.line, error.column), (Some(3), Some(1)));
        assert!(error.message.contains("unknown field `tarnish`"), "{}", error.message);
        assert!(!error.message.contains("line 3"), "place is not repeated: {}", error.message);
    }

    #[test]
    fn spanned_value_keeps_its_place() {
        let sample = parse::<Sample>("c.yaml", "name: x\ntarget:   3.5\n").unwrap();
        assert_eq!((sample.target.value, sample.target.line, sample.target.column), (3.5, 2, 11));
    }

    #[test]
    fn parser_words_are_explained() {
        let error = parse::<Sample>("c.yaml", "name: x\ntarget: 0x3G\n").unwrap_err();
        assert!(
            error.message.starts_with("expected a number, such as 60 or 97.5"),
            "{}",
            error.message
        );
        let error = parse::<Sample>("c.yaml", "").unwrap_err();
        assert!(error.message.contains("the file is empty"), "{}", error.message);
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let error = parse::<Sample>("c.yaml", "name: x\nname: y\ntarget: 1\n").unwrap_err();
        assert_eq!(error.line, Some(2));
        assert!(error.message.contains("duplicate"), "{}", error.message);
    }
}
