//! `ERR`: the generic catalogue rule.

pub mod known_error_code;
