//! `CBS004` component-metadata-inconsistent: the rule and its documentation.

use wudiag_evidence::Event;

use super::helpers::packages;
use crate::remedies;
use crate::text::{after_ci, contains_ci, token_after};
use crate::{
    Applicability, Confidence, Context, Finding, Fix, Rule, RuleMeta, declare_rule, event_kbs,
    is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// A servicing transaction aborted with `0x80070308` (ERROR_REQUEST_OUT_OF_SEQUENCE /
    /// `STATUS_REQUEST_OUT_OF_SEQUENCE`), typically after CSI logs `Over-removing a TLC, s/b internal error`
    /// in `CServicingFamilyEntries::RemoveInstalledTlc`.
    ///
    /// ## Why updates fail
    /// CSI keeps, for every top-level component (TLC), derived records in the COMPONENTS registry hive
    /// (`COMPONENTS\DerivedData\Components\<arch>_<hash>_…`): its identity, hash (`S256H`) and the `c!` marks
    /// of the packages that own it. When those values are missing, CSI believes a component is owned by
    /// fewer packages than it is, tries to remove it one time too many, and aborts the whole transaction.
    /// Every update that touches the component then fails the same way; file-level repairs do not fix
    /// registry metadata.
    ///
    /// ## Evidence used
    /// - CBS.log CSI lines (`Over-removing a TLC`, `STATUS_REQUEST_OUT_OF_SEQUENCE`) and the failing package.
    /// - WindowsUpdate.log install results with `0x80070308`.
    ///
    /// ## How to fix
    /// Back up the COMPONENTS hive, find the `DerivedData\Components` key of the component named in the log
    /// (its hash and version), compare it with the same key on a machine at the same patch level, copy the
    /// missing values (`S256H`, `identity`, the matching `c!` value), then install the update again. Without a
    /// reference machine, a repair (in-place) upgrade rebuilds the metadata.
    ///
    /// ## Fix safety
    /// Display-only: editing the COMPONENTS hive by hand can make the servicing stack unusable; a human must
    /// back it up and compare with a healthy machine.
    ///
    /// ## References
    /// - theorypc.ca, "Windows Update – 0x80070308 ERROR_REQUEST_OUT_OF_SEQUENCE" (2016-10-31)
    pub ComponentMetadataInconsistent,
    id = "CBS004", name = "component-metadata-inconsistent", area = Servicing, severity = Error,
    explains = [0x8007_0308],
}

/// The component a CSI `Over-removing a TLC` line names: hash, version, architecture.
fn tlc(e: &Event) -> Option<(String, Option<String>, Option<&'static str>)> {
    let rest = after_ci(&e.message, "internal error")?;
    let hash: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    if hash.len() < 16 {
        return None;
    }
    let version = token_after(&e.message, "Version =", &[',']).map(str::to_owned);
    let arch = if contains_ci(&e.message, "ARCHITECTURE_AMD64") {
        Some("amd64")
    } else if contains_ci(&e.message, "ARCHITECTURE_INTEL") {
        Some("x86")
    } else if contains_ci(&e.message, "ARCHITECTURE_ARM64") {
        Some("arm64")
    } else {
        None
    };
    Some((hash, version, arch))
}

impl Rule for ComponentMetadataInconsistent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let over: Vec<&Event> = cx.mentioning("over-removing a tlc").collect();
        let failures: Vec<&Event> = cx
            .events()
            .iter()
            .filter(|e| {
                (e.codes.iter().any(|c| c.value() == 0x8007_0308) && is_error_context(e))
                    || (is_error_context(e) && contains_ci(&e.message, "REQUEST_OUT_OF_SEQUENCE"))
            })
            .collect();
        if over.is_empty() && failures.is_empty() {
            return;
        }
        let component = over.iter().find_map(|e| tlc(e));
        let mut kbs = Vec::new();
        for e in cx.with_code(0x8007_0308).chain(over.iter().copied()) {
            for kb in event_kbs(e).into_iter().chain(
                packages(e)
                    .iter()
                    .filter_map(wudiag_evidence::PackageIdentity::kb),
            ) {
                if !kbs.contains(&kb) {
                    kbs.push(kb);
                }
            }
        }
        let key = component.as_ref().map(|(hash, version, arch)| {
            format!(
                "COMPONENTS\\DerivedData\\Components\\{}_{hash}_31bf3856ad364e35_{}_none_…",
                arch.unwrap_or("<arch>"),
                version.as_deref().unwrap_or("<version>")
            )
        });
        let updates = if kbs.is_empty() {
            "the update".to_owned()
        } else {
            kbs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut message = format!(
            "Installing {updates} failed with 0x80070308 (ERROR_REQUEST_OUT_OF_SEQUENCE): the servicing stack's records of \
             which packages own a component are inconsistent. "
        );
        match (&component, &key) {
            (Some((hash, version, _)), Some(key)) => message.push_str(&format!(
                "CSI tried to remove the top-level component {hash}{} more times than its records allow ('Over-removing a \
                 TLC'). Its derived record {key} most likely lacks values (S256H, identity, c! marks) that a machine at the \
                 same patch level has. ",
                version.as_deref().map(|v| format!(" (version {v})")).unwrap_or_default()
            )),
            _ => message.push_str(
                "CBS.log's CSI lines around the failure ('Over-removing a TLC') name the component whose records are \
                 damaged; they were not in the evidence. ",
            ),
        }
        message
            .push_str("File repairs (SFC, DISM, CheckSUR) do not rebuild these registry records.");

        let mut f = Finding::new(
            &Self::META,
            if over.is_empty() {
                Confidence::Likely
            } else {
                Confidence::Confirmed
            },
            "Component ownership records are inconsistent (0x80070308)",
            message,
        )
        .code(wudiag_evidence::HResult::new(0x8007_0308))
        .updates(kbs.iter().copied())
        .events(over.iter().copied(), 1)
        .events(failures.iter().copied(), 4);
        let key_text = key.unwrap_or_else(|| {
            "COMPONENTS\\DerivedData\\Components\\<component named in CBS.log>".to_owned()
        });
        f = f.fix(
            Fix::new(
                "Repair the component's derived record in the COMPONENTS hive from a machine at the same patch level",
                Applicability::DisplayOnly,
            )
            .text("Back up the COMPONENTS hive first (load it if no servicing operation has it loaded).")
            .cmd("reg load HKLM\\COMPONENTS %windir%\\System32\\config\\COMPONENTS")
            .cmd("reg save HKLM\\COMPONENTS C:\\Temp\\COMPONENTS.bak")
            .text(format!(
                "Export the key {key_text} here and on a healthy machine with the same updates, and compare them."
            ))
            .cmd("reg export \"HKLM\\COMPONENTS\\DerivedData\\Components\" C:\\Temp\\components-derived.reg")
            .text("Add the values this machine lacks (S256H, identity and the c! value of the owning package) from the healthy machine, then install the update again.")
            .text("Without a reference machine, a repair (in-place) upgrade of Windows rebuilds these records."),
        );
        f = f.fixes(remedies::store_repair(&cx.os).into_iter().take(1));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
