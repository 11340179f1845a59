//! The rule registry: one line per rule. Ids are stable and never reused.

use crate::Rule;
use crate::rules::{agent, catalog, network, package, servicing, setup, system, wsus};

/// Every rule, in id order.
pub static RULES: &[&dyn Rule] = &[
    &agent::update_install_failed::UpdateInstallFailed,
    &agent::access_denied::UpdateAccessDenied,
    &agent::download_signature_untrusted::DownloadSignatureUntrusted,
    &servicing::component_store_corrupted::ComponentStoreCorrupted,
    &servicing::repair_source_missing::RepairSourceMissing,
    &servicing::servicing_stack_outdated::ServicingStackOutdated,
    &servicing::component_metadata_inconsistent::ComponentMetadataInconsistent,
    &servicing::advanced_installer_failed::AdvancedInstallerFailed,
    &servicing::psfx_matching_binary_missing::PsfxMatchingBinaryMissing,
    &servicing::sxs_assembly_missing::SxsAssemblyMissing,
    &catalog::known_error_code::KnownErrorCode,
    &network::mux_connection_failed::MuxConnectionFailed,
    &network::proxy_or_name_resolution::ProxyOrNameResolution,
    &network::connection_timeout::ConnectionTimeout,
    &network::delivery_optimization_failed::DeliveryOptimizationFailed,
    &package::update_not_applicable::UpdateNotApplicable,
    &setup::feature_update_failed::FeatureUpdateFailed,
    &system::pending_reboot_blocks_install::PendingRebootBlocksInstall,
    &system::sign_in_assistant_disabled::SignInAssistantDisabled,
    &system::firewall_service_stopped::FirewallServiceStopped,
    &system::update_service_disabled::UpdateServiceDisabled,
    &system::updates_paused::UpdatesPaused,
    &system::scans_wsus::ScansWsusNotWindowsUpdate,
    &system::safeguard_holds_disabled::SafeguardHoldsDisabled,
    &system::update_health_tools_missing::UpdateHealthToolsMissing,
    &wsus::max_installed_prerequisites_too_low::WsusMaxInstalledPrerequisitesTooLow,
    &wsus::client_authorization_failed::WsusClientAuthorizationFailed,
    &wsus::app_pool_unavailable::WsusAppPoolUnavailable,
    &wsus::too_many_round_trips::WsusTooManyRoundTrips,
    &wsus::client_certificate_required::WsusClientCertificateRequired,
    &wsus::certificate_expired::WsusCertificateExpired,
    &wsus::group_policy_overrides_sup::GroupPolicyOverridesSup,
    &wsus::sync_retired_endpoint::WsusSyncRetiredEndpoint,
    &wsus::iis_impersonation_error::WsusIisImpersonationError,
    &wsus::console_error::WsusConsoleError,
    &wsus::configmgr_update_not_found::ConfigMgrUpdateNotFound,
    &wsus::sync_certificate_untrusted::WsusSyncCertificateUntrusted,
    &wsus::configmgr_sync_duplicate_content::ConfigMgrSyncDuplicateContent,
    &wsus::server_update_missing::WsusServerUpdateMissing,
];

/// Every rule's metadata: the code rules, then the failure signatures of the catalogue.
pub fn all() -> impl Iterator<Item = &'static crate::RuleMeta> {
    RULES
        .iter()
        .map(|r| r.meta())
        .chain(crate::signatures::METAS.iter())
}

/// Finds a code rule or a signature by id (case-insensitive) or kebab-case name.
pub fn find_meta(id_or_name: &str) -> Option<&'static crate::RuleMeta> {
    all().find(|m| m.id.eq_ignore_ascii_case(id_or_name) || m.name == id_or_name)
}

/// Finds a rule by id (case-insensitive) or kebab-case name.
pub fn find(id_or_name: &str) -> Option<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id_or_name) || r.meta().name == id_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTIONS: &[&str] = &[
        "## What it detects",
        "## Why updates fail",
        "## Evidence used",
        "## How to fix",
        "## Fix safety",
        "## References",
    ];

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.meta().id).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
        let mut names: Vec<&str> = RULES.iter().map(|r| r.meta().name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate rule names");
        for r in RULES {
            let m = r.meta();
            let prefix: String = m.id.chars().take_while(char::is_ascii_uppercase).collect();
            let digits = &m.id[prefix.len()..];
            assert!(
                ["AGT", "CBS", "WSUS", "NET", "PKG", "SYS", "SETUP", "ERR"]
                    .contains(&prefix.as_str()),
                "{}: unknown area prefix",
                m.id
            );
            assert!(
                digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                m.id
            );
            assert!(
                m.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                m.name
            );
            assert!(find(m.id).is_some() && find(m.name).is_some());
        }
    }

    #[test]
    fn every_rule_documents_every_section() {
        for r in RULES {
            let m = r.meta();
            let mut at = 0;
            for s in SECTIONS {
                let pos = m.doc[at..].find(s).unwrap_or_else(|| {
                    panic!("{} ({}) lacks `{s}` (or it is out of order)", m.id, m.file)
                });
                at += pos + s.len();
            }
            assert_ne!(m.summary(), m.name, "{}: empty 'What it detects'", m.id);
        }
    }
}
