//! The rules, one file each, grouped by area.

pub mod agent;
pub mod catalog;
pub mod network;
pub mod package;
pub mod servicing;
pub mod setup;
pub mod system;
pub mod wsus;
