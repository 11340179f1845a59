//! `PKG`: applicability, architecture, supersedence, prerequisites.

pub mod update_not_applicable;
