//! `CBS002` repair-source-missing: the rule and its documentation.

use wudiag_evidence::{Event, HResult};

use super::helpers::repaired_after;
use crate::remedies::{self, Fill};
use crate::text::{after_ci, contains_ci, join_and, plural};
use crate::{
    Confidence, Context, EvidenceRef, Finding, Rule, RuleMeta, codes, declare_rule,
    is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// DISM or a feature install that could not find the files it needed: `0x800f081f`
    /// (CBS_E_SOURCE_MISSING, "source for package or file not found"), `0x800f0906` (CBS_E_DOWNLOAD_FAILURE)
    /// or `0x800f0907` (CBS_E_GROUPPOLICY_DISALLOWED). When DISM.log shows the command lines that were tried,
    /// their `/Source` values are checked too.
    ///
    /// ## Why updates fail
    /// `DISM /RestoreHealth` and feature installs (.NET 3.5, Features on Demand) replace damaged or missing
    /// files with good copies. By default they download them from Windows Update; a WSUS-managed machine,
    /// an offline machine or a policy that forbids Windows Update leaves them without a source. A `/Source`
    /// only helps when it is an image of exactly the same build, named the way DISM expects: a bare path is
    /// read as a folder (like `C:\Windows` of a healthy machine), an image file must be written
    /// `WIM:path:index` or `ESD:path:index`.
    ///
    /// ## Evidence used
    /// - DISM.log and CBS.log lines with these codes; DISM `Executing command line:` records.
    /// - The OS version and build, and the `UseWUServer` policy value when a registry export is present.
    ///
    /// ## How to fix
    /// Repair from a Windows image of the same build with `/Source` and `/LimitAccess`:
    /// `DISM /Online /Cleanup-Image /RestoreHealth /Source:WIM:X:\sources\install.wim:1 /LimitAccess`.
    /// On a WSUS-managed machine, the component-repair policy can let DISM download from Windows Update
    /// instead. For .NET 3.5 use `/Enable-Feature /Source:X:\sources\sxs /LimitAccess`.
    ///
    /// ## Fix safety
    /// Display-only: a human must find media of the matching build. Changing the repair policy is unsafe
    /// (it changes a Group Policy setting).
    ///
    /// ## References
    /// - KB947821 (Fix Windows Update corruptions and installation failures)
    /// - Configure a Windows repair source (Microsoft Learn)
    pub RepairSourceMissing,
    id = "CBS002", name = "repair-source-missing", area = Servicing, severity = Error,
    explains = [0x800F_081F, 0x800F_0906, 0x800F_0907],
}

const CODES: &[u32] = &[0x800F_081F, 0x800F_0906, 0x800F_0907];

/// What a tried `/Source:` value gets wrong, if anything.
fn source_problem(source: &str) -> Option<String> {
    let lower = source.to_ascii_lowercase();
    let is_image_file = lower.contains(".wim") || lower.contains(".esd");
    let prefixed = lower.starts_with("wim:") || lower.starts_with("esd:");
    if is_image_file && !prefixed {
        let kind = if lower.contains(".esd") { "ESD" } else { "WIM" };
        return Some(format!(
            "`{source}` names an image file without the `{kind}:` prefix and index, so DISM read it as a folder and found nothing: \
             write /Source:{kind}:{source}:<index>"
        ));
    }
    if prefixed && lower.matches(':').count() < 3 {
        return Some(format!(
            "`{source}` has no image index at the end (`:1`, `:6`…); DISM needs the index of the installed edition"
        ));
    }
    None
}

/// The `/Source:` values of a DISM command line.
fn sources_in(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(after) = after_ci(rest, "/source:") {
        let value: String = after.chars().take_while(|c| !c.is_whitespace()).collect();
        if !value.is_empty() && !out.contains(&value) {
            out.push(value);
        }
        rest = after;
    }
    out
}

impl Rule for RepairSourceMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<&Event> = cx
            .with_any_code(CODES)
            .filter(|e| {
                is_error_context(e)
                    || contains_ci(&e.message, "not found")
                    || contains_ci(&e.message, "source")
            })
            .collect();
        if failures.is_empty() {
            return;
        }
        let mut seen_codes: Vec<HResult> = Vec::new();
        for e in &failures {
            for c in &e.codes {
                if CODES.contains(&c.value()) && !seen_codes.contains(c) {
                    seen_codes.push(*c);
                }
            }
        }
        let commands: Vec<&Event> = cx
            .mentioning("executing command line")
            .filter(|e| {
                contains_ci(&e.message, "restorehealth")
                    || contains_ci(&e.message, "enable-feature")
            })
            .collect();
        let mut tried: Vec<String> = Vec::new();
        let mut problems: Vec<String> = Vec::new();
        for e in &commands {
            for s in sources_in(&e.message) {
                if let Some(p) = source_problem(&s)
                    && !problems.contains(&p)
                {
                    problems.push(p);
                }
                if !tried.contains(&s) {
                    tried.push(s);
                }
            }
        }
        let feature = failures.iter().chain(commands.iter()).any(|e| {
            contains_ci(&e.message, "netfx3")
                || contains_ci(&e.message, "enable-feature")
                || contains_ci(&e.message, "capability")
        });
        let wsus = cx
            .evidence
            .facts()
            .policy_value("UseWUServer")
            .and_then(|p| p.value.data.as_u64())
            == Some(1);

        let code_text = join_and(
            &seen_codes
                .iter()
                .map(|c| codes::label(*c))
                .collect::<Vec<_>>(),
        );
        let mut message = format!(
            "DISM could not find the files it needed to repair the image ({code_text}, {}). ",
            plural(failures.len(), "failure record", "failure records")
        );
        if seen_codes.iter().any(|c| c.value() == 0x800F_0907) {
            message.push_str(
                "Policy forbids downloading repair content from Windows Update (0x800f0907). ",
            );
        }
        if wsus {
            message.push_str(
                "The machine is WSUS-managed (UseWUServer=1): WSUS does not serve repair payload, so DISM has no download source. ",
            );
        }
        if commands.is_empty() {
            message.push_str(
                "The DISM command lines are not in the evidence, so which source was tried (if any) is unknown. ",
            );
        } else if tried.is_empty() {
            message.push_str(
                "DISM was run without /Source: it only tried Windows Update or the source set by policy. ",
            );
        } else {
            message.push_str(&format!("Sources already tried: {}. ", join_and(&tried)));
        }
        for p in &problems {
            message.push_str(p);
            message.push_str(". ");
        }
        match cx.os.version {
            Some(v) => message.push_str(&format!(
                "The source must be an image of the same build as this machine ({v}); an older ISO lacks the files of later cumulative updates."
            )),
            None => message.push_str("The source must be an image of exactly the machine's build (the OS version is not in the evidence)."),
        }

        let mut f = Finding::new(
            &Self::META,
            Confidence::Confirmed,
            format!("Repair source not found ({code_text})"),
            message,
        )
        .codes(seen_codes.iter().copied())
        .events(failures.iter().copied(), 4);
        for e in commands
            .iter()
            .filter(|e| !sources_in(&e.message).is_empty())
            .take(3)
        {
            f = f.evidence(EvidenceRef::event(e).note("a repair command that was tried"));
        }
        if cx.os.is_nt6_legacy() == Some(true) {
            f = f.fixes(remedies::store_repair(&cx.os));
        } else {
            let tried_text = (!tried.is_empty()).then(|| join_and(&tried));
            f = f.fix(remedies::restore_health_with_source(
                &cx.os,
                tried_text.as_deref(),
            ));
            if feature {
                f = f.fixes(remedies::fixes(
                    &["enable-feature-from-source"],
                    &cx.os,
                    &Fill::none(),
                ));
            }
            if wsus || seen_codes.iter().any(|c| c.value() == 0x800F_0907) || tried.is_empty() {
                f = f.fixes(remedies::fixes(
                    &["allow-repair-from-windows-update"],
                    &cx.os,
                    &Fill::none(),
                ));
            }
        }
        if failures.iter().all(|e| repaired_after(cx, e)) {
            f = f.resolved();
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spots_image_files_without_prefix() {
        assert!(source_problem("F:\\sources\\install.esd").is_some_and(|p| p.contains("ESD:")));
        assert!(source_problem("WIM:E:\\sources\\install.wim:1").is_none());
        assert!(source_problem("wim:E:\\sources\\install.wim").is_some());
        assert!(source_problem("C:\\mnt\\windows").is_none());
        assert_eq!(
            sources_in(
                "dism /online /cleanup-image /restorehealth /source:F:\\sources\\install.esd /limitaccess"
            ),
            vec!["F:\\sources\\install.esd".to_owned()]
        );
    }
}
