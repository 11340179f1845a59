//! Facts: the state of the machine when the evidence was collected.
//!
//! Each fact is [`Located`], so a finding can cite the registry value or log line it rests on. A fact may be
//! observed several times (a CBS.log line and a registry value both name the servicing stack); rules pick
//! the observation they trust, usually the registry, then the newest log line.

use crate::{Arch, KbNumber, Location, Version};

/// A value and where it was seen.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Located<T> {
    /// The observed value.
    pub value: T,
    /// Where.
    pub location: Location,
    /// The line or value text that shows it.
    pub excerpt: String,
}

/// What the OS is, as far as one observation tells.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct OsFact {
    /// `Windows Server 2008 R2 Standard`, `Windows 10 Pro`.
    pub product: Option<String>,
    /// `Professional`, `ServerStandard`.
    pub edition: Option<String>,
    /// `6.1.7601` or `10.0.19045.4291` (revision = UBR when known).
    pub version: Option<Version>,
    /// `22H2`, `1809`.
    pub display_version: Option<String>,
    /// OS architecture.
    pub arch: Option<Arch>,
    /// Client, Server or Server Core.
    pub installation_type: Option<InstallationType>,
}

/// `InstallationType` in the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallationType {
    /// A desktop edition.
    Client,
    /// A server with the desktop experience.
    Server,
    /// Server Core.
    ServerCore,
}

/// An update the machine reports as installed (or staged, or pending).
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct InstalledUpdate {
    /// The KB, when known.
    pub kb: Option<KbNumber>,
    /// CBS package identity, when the source is the CBS store.
    pub package: Option<String>,
    /// CBS `CurrentState` (112 installed, 64 staged, …), when known.
    pub cbs_state: Option<u32>,
    /// `Update`, `Security Update`, `Hotfix` (Get-HotFix / wmic qfe description).
    pub description: Option<String>,
    /// Installation date as written.
    pub installed_on: Option<String>,
}

/// A sign that Windows is waiting for a restart.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingRebootIndicator {
    /// `…\Component Based Servicing\RebootPending` exists.
    CbsRebootPending,
    /// `…\Component Based Servicing\RebootInProgress` exists.
    CbsRebootInProgress,
    /// `…\Component Based Servicing\PackagesPending` exists.
    CbsPackagesPending,
    /// `…\WindowsUpdate\Auto Update\RebootRequired` exists.
    WindowsUpdateRebootRequired,
    /// `…\WindowsUpdate\Services\Pending` has subkeys.
    WindowsUpdateServicesPending,
    /// `Session Manager\PendingFileRenameOperations` (or `…2`) is not empty (a weaker signal: other
    /// software sets it too).
    PendingFileRenameOperations,
    /// `HKLM\SOFTWARE\Microsoft\Updates\UpdateExeVolatile` is not zero.
    UpdateExeVolatile,
    /// The active computer name differs from the configured one.
    ComputerRenamePending,
    /// `%windir%\WinSxS\pending.xml` exists (a CBS transaction waits for a restart).
    PendingXml,
    /// A log says so (CBS "reboot is still pending", poqexec, DISM `Reboot required=yes`).
    LoggedRebootPending,
}

impl PendingRebootIndicator {
    /// How an admin would name it.
    pub const fn describe(&self) -> &'static str {
        match self {
            Self::CbsRebootPending => "Component Based Servicing\\RebootPending key exists",
            Self::CbsRebootInProgress => "Component Based Servicing\\RebootInProgress key exists",
            Self::CbsPackagesPending => "Component Based Servicing\\PackagesPending key exists",
            Self::WindowsUpdateRebootRequired => {
                "WindowsUpdate\\Auto Update\\RebootRequired key exists"
            }
            Self::WindowsUpdateServicesPending => "WindowsUpdate\\Services\\Pending has entries",
            Self::PendingFileRenameOperations => {
                "Session Manager\\PendingFileRenameOperations is set"
            }
            Self::UpdateExeVolatile => "Updates\\UpdateExeVolatile is set",
            Self::ComputerRenamePending => "a computer rename waits for a restart",
            Self::PendingXml => "WinSxS\\pending.xml exists",
            Self::LoggedRebootPending => "a servicing log says a restart is pending",
        }
    }

    /// True for indicators that only sometimes mean an update restart.
    pub const fn is_weak(&self) -> bool {
        matches!(
            self,
            Self::PendingFileRenameOperations | Self::ComputerRenamePending
        )
    }
}

/// Registry data, typed as `reg export` writes it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum RegData {
    /// REG_SZ.
    String(String),
    /// REG_EXPAND_SZ (`hex(2):`), decoded.
    ExpandString(String),
    /// REG_MULTI_SZ (`hex(7):`), decoded.
    MultiString(Vec<String>),
    /// REG_DWORD.
    Dword(u32),
    /// REG_QWORD (`hex(b):`).
    Qword(u64),
    /// REG_BINARY or another hex type.
    Binary(Vec<u8>),
    /// A value that is deleted in the export (`"name"=-`).
    Deleted,
}

impl RegData {
    /// The value as a number, when it is one (DWORD, QWORD, or a decimal string).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Dword(v) => Some(u64::from(*v)),
            Self::Qword(v) => Some(*v),
            Self::String(s) | Self::ExpandString(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The value as text, when it is a string type.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) | Self::ExpandString(s) => Some(s),
            _ => None,
        }
    }
}

/// A Windows Update policy or setting value (`WUServer`, `UseWUServer`, `PauseQualityUpdatesStartTime`, …).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PolicyValue {
    /// Registry key path.
    pub key: String,
    /// Value name.
    pub name: String,
    /// The data.
    pub data: RegData,
}

/// How a service starts (`Start` in its registry key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceStartType {
    /// 0: boot.
    Boot,
    /// 1: system.
    System,
    /// 2: automatic.
    Automatic,
    /// 3: manual (demand).
    Manual,
    /// 4: disabled.
    Disabled,
}

impl ServiceStartType {
    /// From the `Start` DWORD.
    pub const fn from_start_value(v: u64) -> Option<Self> {
        Some(match v {
            0 => Self::Boot,
            1 => Self::System,
            2 => Self::Automatic,
            3 => Self::Manual,
            4 => Self::Disabled,
            _ => return None,
        })
    }

    /// The name the Services console shows for it.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Boot => "Boot",
            Self::System => "System",
            Self::Automatic => "Automatic",
            Self::Manual => "Manual",
            Self::Disabled => "Disabled",
        }
    }
}

/// Whether a service is running at collection time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    /// Running.
    Running,
    /// Stopped.
    Stopped,
    /// Starting, stopping, paused…
    Other,
}

/// What is known of one service.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ServiceFact {
    /// Service key name, lowercase (`wuauserv`, `wlidsvc`).
    pub name: String,
    /// Start type, when known.
    pub start_type: Option<ServiceStartType>,
    /// Run state, when known.
    pub state: Option<ServiceState>,
}

/// WSUS server setup values (`HKLM\SOFTWARE\Microsoft\Update Services\Server\Setup`).
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct WsusServerFact {
    /// `VersionString`, e.g. `3.2.7600.283`.
    pub version: Option<Version>,
    /// `PortNumber`.
    pub port: Option<u32>,
    /// `ContentDir`.
    pub content_dir: Option<String>,
    /// `maxInstalledPrerequisites` from ClientWebService web.config, when seen.
    pub max_installed_prerequisites: Option<u32>,
}

/// One fact, as readers hand it over.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Fact {
    /// An OS observation.
    Os(OsFact),
    /// The servicing stack version in use.
    ServicingStack(Version),
    /// An installed update or package.
    InstalledUpdate(InstalledUpdate),
    /// A pending-restart indicator.
    PendingReboot(PendingRebootIndicator),
    /// A Windows Update policy or setting value.
    Policy(PolicyValue),
    /// A service's configuration or state.
    Service(ServiceFact),
    /// WSUS client identity (`SusClientId`, `PingID`, `AccountDomainSid`): name and value.
    WsusClientIdentity {
        /// Value name.
        name: String,
        /// Value data as text.
        value: String,
    },
    /// WSUS server facts.
    WsusServer(WsusServerFact),
    /// Microsoft Update Health Tools are installed, with this version when known.
    UpdateHealthTools {
        /// Version, when known.
        version: Option<Version>,
    },
}

/// All facts, grouped by type.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Facts {
    /// OS observations.
    pub os: Vec<Located<OsFact>>,
    /// Servicing stack versions seen.
    pub servicing_stack: Vec<Located<Version>>,
    /// Installed updates.
    pub installed_updates: Vec<Located<InstalledUpdate>>,
    /// Pending-restart indicators.
    pub pending_reboot: Vec<Located<PendingRebootIndicator>>,
    /// Policy and setting values.
    pub policy: Vec<Located<PolicyValue>>,
    /// Services.
    pub services: Vec<Located<ServiceFact>>,
    /// WSUS client identity values.
    pub wsus_client_identity: Vec<Located<(String, String)>>,
    /// WSUS server facts.
    pub wsus_server: Vec<Located<WsusServerFact>>,
    /// Update Health Tools observations.
    pub update_health_tools: Vec<Located<Option<Version>>>,
}

impl Facts {
    /// Files a fact under its type.
    pub fn add(&mut self, fact: Fact, location: Location, excerpt: String) {
        match fact {
            Fact::Os(value) => self.os.push(Located {
                value,
                location,
                excerpt,
            }),
            Fact::ServicingStack(value) => self.servicing_stack.push(Located {
                value,
                location,
                excerpt,
            }),
            Fact::InstalledUpdate(value) => self.installed_updates.push(Located {
                value,
                location,
                excerpt,
            }),
            Fact::PendingReboot(value) => self.pending_reboot.push(Located {
                value,
                location,
                excerpt,
            }),
            Fact::Policy(value) => self.policy.push(Located {
                value,
                location,
                excerpt,
            }),
            Fact::Service(value) => self.services.push(Located {
                value,
                location,
                excerpt,
            }),
            Fact::WsusClientIdentity { name, value } => {
                self.wsus_client_identity.push(Located {
                    value: (name, value),
                    location,
                    excerpt,
                });
            }
            Fact::WsusServer(value) => self.wsus_server.push(Located {
                value,
                location,
                excerpt,
            }),
            Fact::UpdateHealthTools { version } => {
                self.update_health_tools.push(Located {
                    value: version,
                    location,
                    excerpt,
                });
            }
        }
    }

    /// Moves every fact of `other` into `self`.
    pub fn append(&mut self, other: &mut Self) {
        self.os.append(&mut other.os);
        self.servicing_stack.append(&mut other.servicing_stack);
        self.installed_updates.append(&mut other.installed_updates);
        self.pending_reboot.append(&mut other.pending_reboot);
        self.policy.append(&mut other.policy);
        self.services.append(&mut other.services);
        self.wsus_client_identity
            .append(&mut other.wsus_client_identity);
        self.wsus_server.append(&mut other.wsus_server);
        self.update_health_tools
            .append(&mut other.update_health_tools);
    }

    /// Shifts the line numbers of every fact (used when a block's facts are placed in the file).
    pub fn shift_lines(&mut self, delta: u64) {
        fn shift<T>(v: &mut [Located<T>], delta: u64) {
            for l in v {
                l.location.span = l.location.span.clone().shifted(delta);
            }
        }
        shift(&mut self.os, delta);
        shift(&mut self.servicing_stack, delta);
        shift(&mut self.installed_updates, delta);
        shift(&mut self.pending_reboot, delta);
        shift(&mut self.policy, delta);
        shift(&mut self.services, delta);
        shift(&mut self.wsus_client_identity, delta);
        shift(&mut self.wsus_server, delta);
        shift(&mut self.update_health_tools, delta);
    }

    /// The value of a policy setting by name (case-insensitive), last observation wins.
    pub fn policy_value(&self, name: &str) -> Option<&Located<PolicyValue>> {
        self.policy
            .iter()
            .rev()
            .find(|p| p.value.name.eq_ignore_ascii_case(name))
    }

    /// The last observation of a service.
    pub fn service(&self, name: &str) -> Option<&Located<ServiceFact>> {
        self.services
            .iter()
            .rev()
            .find(|s| s.value.name.eq_ignore_ascii_case(name))
    }

    /// True when there is no fact at all.
    pub fn is_empty(&self) -> bool {
        self.os.is_empty()
            && self.servicing_stack.is_empty()
            && self.installed_updates.is_empty()
            && self.pending_reboot.is_empty()
            && self.policy.is_empty()
            && self.services.is_empty()
            && self.wsus_client_identity.is_empty()
            && self.wsus_server.is_empty()
            && self.update_health_tools.is_empty()
    }
}
