//! `SYS050` update-service-disabled: the rule and its documentation.

use wudiag_evidence::{Event, HResult, Located, ServiceFact, ServiceStartType};

use crate::remedies;
use crate::text::join_and;
use crate::{
    Applicability, Confidence, Context, EvidenceRef, Finding, Fix, Rule, RuleMeta, declare_rule,
    is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// A service Windows Update cannot work without set to Disabled: Windows Update (`wuauserv`), Background
    /// Intelligent Transfer Service (`bits`), Cryptographic Services (`cryptsvc`), Windows Modules Installer
    /// (`TrustedInstaller`) or Update Orchestrator Service (`UsoSvc`, Windows 10 and later).
    ///
    /// ## Why updates fail
    /// A disabled service cannot be started, not even on demand. Without `wuauserv` nothing is scanned,
    /// downloaded or installed; without BITS downloads stop; without Cryptographic Services the signatures
    /// and catalogues of updates cannot be checked; without TrustedInstaller no package can be installed; and
    /// without UsoSvc Windows 10 and later never start a scan on their own. The client typically reports
    /// `0x80070422` (ERROR_SERVICE_DISABLED). Hardening scripts and "update blocker" tools disable these
    /// services on purpose, often together with the Windows Update Medic service (`WaaSMedicSvc`), which
    /// would otherwise repair them.
    ///
    /// ## Evidence used
    /// - Service start types from registry exports (`HKLM\SYSTEM\CurrentControlSet\Services\<name>\Start` = 4)
    ///   or from the service listing `wudiag collect` writes.
    /// - Records with `0x80070422`, cited next to the service when present.
    ///
    /// ## How to fix
    /// Find out who disabled the service (a Group Policy "System Services" setting, a management tool, an
    /// update blocker) and undo it there; then set the service back to its default start type with
    /// `sc.exe config <name> start= …` and start it.
    ///
    /// ## Fix safety
    /// Unsafe: it changes a service's configuration that someone may have set on purpose, and a policy may
    /// set it back.
    ///
    /// ## References
    /// - Windows Update common errors and mitigation: 0x80070422 (Microsoft Learn)
    /// - Windows Server update troubleshooting guidance: services that must run for Windows Update
    pub UpdateServiceDisabled,
    id = "SYS050", name = "update-service-disabled", area = System, severity = Error,
    explains = [0x8007_0422],
}

/// A service Windows Update needs: key name, display name, default start type for `sc.exe config`, and
/// whether it should be started right away.
struct Needed {
    name: &'static str,
    display: &'static str,
    title: &'static str,
    default_start: &'static str,
    start_now: bool,
}

const NEEDED: &[Needed] = &[
    Needed {
        name: "wuauserv",
        display: "Windows Update (wuauserv)",
        title: "The Windows Update service (wuauserv) is disabled",
        default_start: "demand",
        start_now: true,
    },
    Needed {
        name: "bits",
        display: "Background Intelligent Transfer Service (BITS)",
        title: "BITS (Background Intelligent Transfer Service) is disabled",
        default_start: "delayed-auto",
        start_now: true,
    },
    Needed {
        name: "cryptsvc",
        display: "Cryptographic Services (CryptSvc)",
        title: "The Cryptographic Services service (CryptSvc) is disabled",
        default_start: "auto",
        start_now: true,
    },
    Needed {
        name: "trustedinstaller",
        display: "Windows Modules Installer (TrustedInstaller)",
        title: "The Windows Modules Installer service (TrustedInstaller) is disabled",
        default_start: "demand",
        start_now: false,
    },
    Needed {
        name: "usosvc",
        display: "Update Orchestrator Service (UsoSvc)",
        title: "The Update Orchestrator Service (UsoSvc) is disabled",
        default_start: "delayed-auto",
        start_now: true,
    },
];

/// The last observation of a service that states its start type.
fn start_type<'a>(cx: &Context<'a>, name: &str) -> Option<&'a Located<ServiceFact>> {
    cx.evidence
        .facts()
        .services
        .iter()
        .rev()
        .find(|s| s.value.name.eq_ignore_ascii_case(name) && s.value.start_type.is_some())
}

fn disabled<'a>(cx: &Context<'a>, name: &str) -> Option<&'a Located<ServiceFact>> {
    start_type(cx, name).filter(|s| s.value.start_type == Some(ServiceStartType::Disabled))
}

/// The case-preserving name `sc.exe` and PowerShell show.
fn service_name(name: &str) -> &str {
    match name {
        "trustedinstaller" => "TrustedInstaller",
        "usosvc" => "UsoSvc",
        "cryptsvc" => "CryptSvc",
        other => other,
    }
}

impl Rule for UpdateServiceDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let found: Vec<(&Needed, &Located<ServiceFact>)> = NEEDED
            .iter()
            .filter_map(|n| disabled(cx, n.name).map(|s| (n, s)))
            .collect();
        if found.is_empty() {
            return;
        }
        let failures: Vec<&Event> = cx
            .with_code(0x8007_0422)
            .filter(|e| is_error_context(e))
            .collect();
        let names: Vec<&str> = found.iter().map(|(n, _)| n.display).collect();
        let title = match found.as_slice() {
            [(n, _)] => n.title.to_owned(),
            _ => format!("{} Windows Update services are disabled", found.len()),
        };
        let mut message = format!(
            "{} {} set to Disabled, so Windows Update cannot start {}.",
            join_and(&names),
            if found.len() == 1 { "is" } else { "are" },
            if found.len() == 1 { "it" } else { "them" },
        );
        for (n, _) in &found {
            message.push(' ');
            message.push_str(match n.name {
                "wuauserv" => "Without wuauserv nothing is scanned, downloaded or installed.",
                "bits" => "Without BITS, update downloads cannot run.",
                "cryptsvc" => "Without Cryptographic Services, update signatures and catalogues cannot be verified.",
                "trustedinstaller" => "Without TrustedInstaller, no update package can be installed or removed.",
                _ => "Without UsoSvc, Windows never starts a scan or an install by itself and Settings cannot check for updates.",
            });
        }
        if failures.is_empty() {
            message.push_str(
                " Expect 0x80070422 (ERROR_SERVICE_DISABLED) from the next scan or install.",
            );
        } else {
            message.push_str(&format!(
                " The evidence shows the result: 0x80070422 (ERROR_SERVICE_DISABLED) in {} record{}.",
                failures.len(),
                if failures.len() == 1 { "" } else { "s" }
            ));
        }
        let medic = disabled(cx, "waasmedicsvc");
        if medic.is_some() {
            message.push_str(
                " The Windows Update Medic service (WaaSMedicSvc), which repairs these services, is disabled \
                 too: the usual mark of an update-blocking tool, which will disable them again unless it is \
                 removed.",
            );
        }
        let mut f = Finding::new(&Self::META, Confidence::Confirmed, title, message);
        for (n, s) in &found {
            f = f.evidence(
                EvidenceRef::fact(s).note(format!("{}: start type Disabled (4)", n.display)),
            );
        }
        if let Some(m) = medic {
            f = f.evidence(EvidenceRef::fact(m).note("WaaSMedicSvc: start type Disabled (4)"));
        }
        f = f.events(failures.iter().copied(), 3);
        if !failures.is_empty() {
            f = f.code(HResult::new(0x8007_0422));
        }
        f = f.fix(enable_fix(&found));
        out.push(f);
    }
}

fn enable_fix(found: &[(&Needed, &Located<ServiceFact>)]) -> Fix {
    let applicability = remedies::remedy("enable-wu-services").map_or(Applicability::Unsafe, |r| {
        match r.applicability {
            wudiag_catalog::Applicability::Safe => Applicability::Safe,
            wudiag_catalog::Applicability::Unsafe => Applicability::Unsafe,
            wudiag_catalog::Applicability::DisplayOnly => Applicability::DisplayOnly,
        }
    });
    let names: Vec<&str> = found.iter().map(|(n, _)| service_name(n.name)).collect();
    let mut f = Fix::new(
        format!(
            "Set {} back to the default start type and start {}",
            join_and(&names),
            if found.len() == 1 { "it" } else { "them" }
        ),
        applicability,
    )
    .from_remedy("enable-wu-services")
    .text(
        "First find out what set the start type to Disabled: a Group Policy (Computer Configuration > Windows Settings > Security \
         Settings > System Services), a management tool or an update blocker sets it back otherwise. The policy \
         report lists applied settings.",
    )
    .cmd("gpresult /scope computer /h \"%userprofile%\\Desktop\\gpresult.html\"")
    .text("Restore the default start type (the space after `start=` is required).");
    for (n, _) in found {
        f = f.cmd(format!(
            "sc.exe config {} start= {}",
            service_name(n.name),
            n.default_start
        ));
    }
    let start: Vec<&str> = found
        .iter()
        .filter(|(n, _)| n.start_now)
        .map(|(n, _)| service_name(n.name))
        .collect();
    if !start.is_empty() {
        f = f
            .text("Start the service now.")
            .ps(format!("Start-Service {}", start.join(", ")));
    }
    if found.iter().any(|(n, _)| !n.start_now) {
        f = f.text("TrustedInstaller starts by itself when an install begins; it only needs to be startable.");
    }
    f.text("Check the result: none of them may show Disabled.")
        .ps(format!(
            "Get-Service {} | Select-Object Name, Status, StartType",
            names.join(", ")
        ))
}
