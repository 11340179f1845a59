//! Registry keys and values → facts: OS, servicing stack, installed packages, pending-restart indicators,
//! Windows Update policy, services, WSUS client and server identity, Update Health Tools.

use std::fmt::Write as _;

use wudiag_evidence::{
    Arch, EvidenceBatch, Fact, InstallationType, InstalledUpdate, OsFact, PackageIdentity,
    PendingRebootIndicator, PolicyValue, RegData, ServiceFact, ServiceStartType, Span, Version,
};

use super::parse::RegKey;

/// Services whose start type matters to Windows Update.
const SERVICES: &[&str] = &[
    "wuauserv",
    "bits",
    "cryptsvc",
    "trustedinstaller",
    "wlidsvc",
    "usosvc",
    "waasmedicsvc",
    "dosvc",
    "uhssvc",
    "wsusservice",
    "w3svc",
];

/// Key path without the hive spelling differences (`HKEY_LOCAL_MACHINE` / `HKLM`), lowercase, and with any
/// `ControlSet00N` folded to `currentcontrolset`.
fn normalise(path: &str) -> String {
    let lower = path.to_ascii_lowercase();
    let lower = lower
        .strip_prefix("hkey_local_machine\\")
        .or_else(|| lower.strip_prefix("hklm\\"))
        .unwrap_or(&lower)
        .to_owned();
    let mut parts: Vec<String> = lower.split('\\').map(str::to_owned).collect();
    let is_system = parts.first().is_some_and(|s| s == "system");
    if let Some(p) = parts.get_mut(1)
        && is_system
        && p.starts_with("controlset")
    {
        "currentcontrolset".clone_into(p);
    }
    parts.join("\\")
}

/// Extracts the facts of one key section.
pub fn extract(key: &RegKey, batch: &mut EvidenceBatch) {
    if key.deleted {
        return;
    }
    let path = normalise(&key.path);
    let header_span = Span::line(key.line);
    let header_excerpt = format!("[{}]", key.path);
    let cbs = "software\\microsoft\\windows\\currentversion\\component based servicing\\";
    let pending = |batch: &mut EvidenceBatch, indicator| {
        batch.fact(
            Fact::PendingReboot(indicator),
            header_span.clone(),
            &header_excerpt,
        );
    };

    // Pending-restart keys: their existence is the signal.
    if path == format!("{cbs}rebootpending") {
        pending(batch, PendingRebootIndicator::CbsRebootPending);
    } else if path == format!("{cbs}rebootinprogress") {
        pending(batch, PendingRebootIndicator::CbsRebootInProgress);
    } else if path == format!("{cbs}packagespending") {
        pending(batch, PendingRebootIndicator::CbsPackagesPending);
    } else if path
        == "software\\microsoft\\windows\\currentversion\\windowsupdate\\auto update\\rebootrequired"
    {
        pending(batch, PendingRebootIndicator::WindowsUpdateRebootRequired);
    } else if path.starts_with(
        "software\\microsoft\\windows\\currentversion\\windowsupdate\\services\\pending\\",
    ) {
        pending(batch, PendingRebootIndicator::WindowsUpdateServicesPending);
    }

    for v in &key.values {
        let span = Span::line(v.line);
        let lname = v.name.to_ascii_lowercase();
        let policy = |batch: &mut EvidenceBatch| {
            batch.fact(
                Fact::Policy(PolicyValue {
                    key: key.path.clone(),
                    name: v.name.clone(),
                    data: v.data.clone(),
                }),
                span.clone(),
                &v.raw,
            );
        };
        if path.starts_with("software\\policies\\microsoft\\windows\\windowsupdate")
            || path.starts_with("software\\microsoft\\windowsupdate\\updatepolicy")
            || path.starts_with("software\\microsoft\\windowsupdate\\ux\\settings")
            || path.starts_with("software\\microsoft\\policymanager\\current\\device\\update")
            || path.starts_with("software\\microsoft\\policymanager\\default\\update")
        {
            policy(batch);
        }
        match (path.as_str(), lname.as_str()) {
            (
                "system\\currentcontrolset\\control\\session manager",
                "pendingfilerenameoperations" | "pendingfilerenameoperations2",
            ) => {
                let non_empty = match &v.data {
                    RegData::MultiString(items) => !items.is_empty(),
                    RegData::Binary(b) => b.iter().any(|&x| x != 0),
                    _ => false,
                };
                if non_empty {
                    batch.fact(
                        Fact::PendingReboot(PendingRebootIndicator::PendingFileRenameOperations),
                        span.clone(),
                        &v.raw,
                    );
                }
            }
            ("software\\microsoft\\updates", "updateexevolatile")
                if v.data.as_u64().is_some_and(|n| n != 0) =>
            {
                batch.fact(
                    Fact::PendingReboot(PendingRebootIndicator::UpdateExeVolatile),
                    span.clone(),
                    &v.raw,
                );
            }
            (
                "software\\microsoft\\windows\\currentversion\\windowsupdate",
                "susclientid" | "pingid" | "accountdomainsid" | "susclientidvalidation",
            ) => {
                let value = match &v.data {
                    RegData::String(s) | RegData::ExpandString(s) => s.clone(),
                    RegData::Binary(b) => b.iter().fold(String::new(), |mut hex, x| {
                        let _ = write!(hex, "{x:02x}");
                        hex
                    }),
                    other => format!("{other:?}"),
                };
                batch.fact(
                    Fact::WsusClientIdentity {
                        name: v.name.clone(),
                        value,
                    },
                    span.clone(),
                    &v.raw,
                );
            }
            _ => {}
        }
        if path == format!("{cbs}version")
            && let Some(ver) = Version::parse(&v.name)
        {
            batch.fact(Fact::ServicingStack(ver), span.clone(), &v.raw);
        }
    }

    // Installed packages: one key per package identity.
    if let Some(ident) = path.strip_prefix(&format!("{cbs}packages\\"))
        && !ident.contains('\\')
    {
        let original = key.path.rsplit('\\').next().unwrap_or(ident);
        let state = key
            .values
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case("CurrentState"))
            .and_then(|v| v.data.as_u64())
            .and_then(|n| u32::try_from(n).ok());
        let kb = PackageIdentity::parse(original).and_then(|p| p.kb());
        batch.fact(
            Fact::InstalledUpdate(InstalledUpdate {
                kb,
                package: Some(original.to_owned()),
                cbs_state: state,
                description: None,
                installed_on: None,
            }),
            header_span.clone(),
            &header_excerpt,
        );
    }
    if let Some(kb) = path.strip_prefix("software\\microsoft\\windows nt\\currentversion\\hotfix\\")
        && let Ok(kb) = kb.parse()
    {
        let update = InstalledUpdate {
            kb: Some(kb),
            ..InstalledUpdate::default()
        };
        batch.fact(
            Fact::InstalledUpdate(update),
            header_span.clone(),
            &header_excerpt,
        );
    }

    // Services.
    if let Some(name) = path.strip_prefix("system\\currentcontrolset\\services\\")
        && SERVICES.contains(&name)
    {
        if let Some(v) = key
            .values
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case("Start"))
        {
            let start_type = v.data.as_u64().and_then(ServiceStartType::from_start_value);
            batch.fact(
                Fact::Service(ServiceFact {
                    name: name.to_owned(),
                    start_type,
                    state: None,
                }),
                Span::line(v.line),
                &format!("[{}] {}", key.path, v.raw),
            );
        }
        if name == "uhssvc" {
            batch.fact(
                Fact::UpdateHealthTools { version: None },
                header_span.clone(),
                &header_excerpt,
            );
        }
    }

    let get = |name: &str| {
        key.values
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case(name))
    };
    // OS identity.
    if path == "software\\microsoft\\windows nt\\currentversion" {
        let num = |n: &str| {
            get(n)
                .and_then(|v| v.data.as_u64())
                .and_then(|x| u32::try_from(x).ok())
        };
        let text = |n: &str| get(n).and_then(|v| v.data.as_str()).map(str::to_owned);
        let build = text("CurrentBuildNumber")
            .or_else(|| text("CurrentBuild"))
            .and_then(|b| b.parse::<u32>().ok());
        let (major, minor) = match (
            num("CurrentMajorVersionNumber"),
            num("CurrentMinorVersionNumber"),
        ) {
            (Some(a), Some(b)) => (Some(a), Some(b)),
            _ => text("CurrentVersion")
                .and_then(|cv| Version::parse(&cv))
                .map_or((None, None), |v| (Some(v.major()), Some(v.minor()))),
        };
        let version = match (major, minor, build) {
            (Some(a), Some(b), Some(c)) => Some(Version([a, b, c, num("UBR").unwrap_or(0)])),
            _ => None,
        };
        let installation_type =
            text("InstallationType").and_then(|t| match t.to_ascii_lowercase().as_str() {
                "client" => Some(InstallationType::Client),
                "server" => Some(InstallationType::Server),
                "server core" => Some(InstallationType::ServerCore),
                _ => None,
            });
        let os = OsFact {
            product: text("ProductName"),
            edition: text("EditionID"),
            version,
            display_version: text("DisplayVersion").or_else(|| text("ReleaseId")),
            arch: None,
            installation_type,
        };
        if os != OsFact::default() {
            batch.fact(Fact::Os(os), header_span.clone(), &header_excerpt);
        }
    }
    if path == "system\\currentcontrolset\\control\\session manager\\environment"
        && let Some(v) = get("PROCESSOR_ARCHITECTURE")
        && let Some(arch) = v.data.as_str().and_then(Arch::from_text)
    {
        let os = OsFact {
            arch: Some(arch),
            ..OsFact::default()
        };
        batch.fact(Fact::Os(os), Span::line(v.line), &v.raw);
    }
    // WSUS server setup.
    if path == "software\\microsoft\\update services\\server\\setup" {
        let fact = wudiag_evidence::WsusServerFact {
            version: get("VersionString")
                .and_then(|v| v.data.as_str())
                .and_then(Version::parse),
            port: get("PortNumber")
                .and_then(|v| v.data.as_u64())
                .and_then(|n| u32::try_from(n).ok()),
            content_dir: get("ContentDir")
                .and_then(|v| v.data.as_str())
                .map(str::to_owned),
            max_installed_prerequisites: None,
        };
        batch.fact(Fact::WsusServer(fact), header_span.clone(), &header_excerpt);
    }
    // Update Health Tools (its uninstall entry or its own key).
    let is_uht = get("DisplayName")
        .and_then(|v| v.data.as_str())
        .is_some_and(|n| n.eq_ignore_ascii_case("Microsoft Update Health Tools"))
        || path == "software\\microsoft\\updatehealthtools";
    if is_uht {
        let version = get("DisplayVersion")
            .and_then(|v| v.data.as_str())
            .and_then(Version::parse);
        batch.fact(
            Fact::UpdateHealthTools { version },
            header_span,
            &header_excerpt,
        );
    }
}
