//! The one registry of codes: every area's `codes.rs`, in registry order.
//!
//! The registry sits in the vocabulary layer with the `codes.rs` files it lists (see the
//! crate docs): it names codes and nothing else, so any layer may look a code up.

use crate::issue::Code;

/// The code lists of every rule area, in registry order.
pub const ALL_CODES: &[&[Code]] = &[
    crate::contract::codes::CODES,
    crate::order::codes::CODES,
    crate::routing::codes::CODES,
    crate::boundary::codes::CODES,
    crate::events::codes::CODES,
    crate::diagnosis::codes::CODES,
    crate::order::calls::codes::CODES,
    crate::host::codes::CODES,
];

/// Every registered code, area by area.
pub fn all_codes() -> impl Iterator<Item = Code> {
    ALL_CODES.iter().flat_map(|area| area.iter().copied())
}

/// Looks a code up by name.
pub fn code_named(name: &str) -> Option<Code> {
    all_codes().find(|code| code.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_code_is_found_by_its_name_only() {
        assert_eq!(
            code_named("dob_under_18").map(Code::as_str),
            Some("dob_under_18")
        );
        assert!(code_named("no_such_code").is_none());
    }

    #[test]
    fn codes_are_unique_snake_case_and_documented() {
        let mut seen = HashSet::new();
        for code in all_codes() {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "code {name} is not snake_case"
            );
            assert!(
                !code.info().meaning.is_empty(),
                "code {name} has no meaning"
            );
            assert!(
                !code.info().template.is_empty(),
                "code {name} has no template"
            );
        }
    }
}
