//! `SYS`: restarts, services, policy and machine state.

pub(crate) mod machine_state;

pub mod firewall_service_stopped;
pub mod pending_reboot_blocks_install;
pub mod safeguard_holds_disabled;
pub mod scans_wsus;
pub mod sign_in_assistant_disabled;
pub mod update_health_tools_missing;
pub mod update_service_disabled;
pub mod updates_paused;
