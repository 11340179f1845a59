//! The rule registry: one line per rule. Ids are stable and never reused.

use crate::Rule;

/// Every rule, in id order.
pub static RULES: &[&dyn Rule] = &[];

/// Finds a rule by id (case-insensitive) or kebab-case name.
pub fn find(id_or_name: &str) -> Option<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id_or_name) || r.meta().name == id_or_name)
}
