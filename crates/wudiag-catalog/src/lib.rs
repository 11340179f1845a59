//! placeholder, replaced by the catalogue work in progress
