//! The rules, one file each, grouped by area.
