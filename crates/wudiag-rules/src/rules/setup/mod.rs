//! `SETUP`: feature updates.

pub mod feature_update_failed;
