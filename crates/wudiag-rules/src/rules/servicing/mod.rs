//! `CBS`: the servicing stack and the component store.

pub(crate) mod helpers;

pub mod advanced_installer_failed;
pub mod component_metadata_inconsistent;
pub mod component_store_corrupted;
pub mod psfx_matching_binary_missing;
pub mod repair_source_missing;
pub mod servicing_stack_outdated;
pub mod sxs_assembly_missing;
