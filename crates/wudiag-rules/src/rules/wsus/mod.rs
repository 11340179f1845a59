//! `WSUS`: WSUS server, and the WSUS / Configuration Manager client side.

pub(crate) mod helpers;

pub mod app_pool_unavailable;
pub mod certificate_expired;
pub mod client_authorization_failed;
pub mod client_certificate_required;
pub mod configmgr_sync_duplicate_content;
pub mod configmgr_update_not_found;
pub mod console_error;
pub mod group_policy_overrides_sup;
pub mod iis_impersonation_error;
pub mod max_installed_prerequisites_too_low;
pub mod server_update_missing;
pub mod sync_certificate_untrusted;
pub mod sync_retired_endpoint;
pub mod too_many_round_trips;
