//! `WSUS007` group-policy-overrides-sup: the rule and its documentation.

use wudiag_evidence::{Event, Severity};

use super::helpers::{scan_again, wsus_server};
use crate::text::{after_ci, contains_ci, token_after};
use crate::{
    Applicability, Confidence, Context, EvidenceRef, Finding, Fix, Rule, RuleMeta, declare_rule,
};

declare_rule! {
    /// ## What it detects
    /// ConfigMgr's WUAHandler.log reporting "Group policy settings were overwritten by a higher authority
    /// (Domain Controller) to: Server … and Policy ENABLED": a domain GPO sets the WSUS server the client
    /// scans against, overriding the local policy the Configuration Manager client wrote for its software
    /// update point (SUP).
    ///
    /// ## Why updates fail
    /// The ConfigMgr client points the Windows Update agent at its SUP through local policy. A domain GPO that
    /// sets "Specify intranet Microsoft update service location" wins. When it names another server, or the
    /// same server with another name or port, the agent scans the wrong catalogue (or none), and ConfigMgr
    /// scans fail or report updates as not required.
    ///
    /// ## Evidence used
    /// - WUAHandler.log policy records (the server the GPO set, the SUP the client wanted).
    /// - The WUServer policy value, when a registry export is present.
    ///
    /// ## How to fix
    /// Make the GPO name exactly the SUP (same name and port, for example `http://server1.contoso.com:8530`) or
    /// stop applying it to ConfigMgr clients; then refresh policy and scan again.
    ///
    /// ## Fix safety
    /// Display-only: changing domain Group Policy affects many machines.
    ///
    /// ## References
    /// - Troubleshoot software update scan failures in Configuration Manager (KB3090184)
    pub GroupPolicyOverridesSup,
    id = "WSUS007", name = "group-policy-overrides-sup", area = Wsus, severity = Error,
}

/// The server named after "Server " in the override line.
fn gpo_server(e: &Event) -> Option<String> {
    let rest = after_ci(&e.message, "to:")?;
    token_after(rest, "Server", &[',', ')']).map(|s| s.trim_end_matches('.').to_owned())
}

/// The SUP the ConfigMgr client wanted: "WUA Managed server was already set (URL)" or "…use server: URL".
fn sup(cx: &Context<'_>) -> Option<String> {
    // The ConfigMgr reader files the server of "WUA Managed server …" lines as a WUServer policy fact.
    let from_facts = cx.evidence.facts().policy.iter().rev().find_map(|p| {
        (p.value.name.eq_ignore_ascii_case("WUServer")
            && contains_ci(&p.excerpt, "managed server")
            && !contains_ci(&p.excerpt, "overwritten"))
        .then(|| p.value.data.as_str().map(str::to_owned))
        .flatten()
    });
    from_facts.or_else(|| {
        cx.events().iter().rev().find_map(|e| {
            after_ci(&e.message, "managed server was already set (")
                .or_else(|| after_ci(&e.message, "managed server policy to use server:"))
                .map(|r| {
                    r.trim()
                        .split([')', ' '])
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
                .filter(|s| !s.is_empty())
        })
    })
}

fn same(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

impl Rule for GroupPolicyOverridesSup {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let events: Vec<&Event> = cx.mentioning("overwritten by a higher authority").collect();
        let Some(last) = events.last() else { return };
        let gpo = gpo_server(last);
        let wanted = sup(cx);
        let matches = matches!((&gpo, &wanted), (Some(g), Some(w)) if same(g, w));
        let mut message = format!(
            "A domain Group Policy overrides the update server the Configuration Manager client set ({} record{}). ",
            events.len(),
            if events.len() == 1 { "" } else { "s" }
        );
        match &gpo {
            Some(g) => message.push_str(&format!("The GPO points the agent at {g}. ")),
            None => message.push_str("The server the GPO sets is not readable from the record. "),
        }
        match (&wanted, matches) {
            (Some(w), true) => message.push_str(&format!(
                "That is the same server as the software update point ({w}), so scans still reach the SUP; keep the GPO in step with the SUP."
            )),
            (Some(w), false) => message.push_str(&format!(
                "The software update point is {w}: the names or ports differ, so the agent scans a server ConfigMgr does not expect."
            )),
            (None, _) => message.push_str(
                "If it names another server, or the SUP with another name or port, ConfigMgr scans fail or miss updates.",
            ),
        }
        let mut f = Finding::new(
            &Self::META,
            if matches {
                Confidence::Possible
            } else {
                Confidence::Confirmed
            },
            "A domain GPO overrides the ConfigMgr software update point",
            message,
        )
        .severity(if matches {
            Severity::Info
        } else {
            Severity::Error
        })
        .events(events.iter().copied(), 2);
        if let Some(p) = wsus_server(cx) {
            f = f.evidence(EvidenceRef::fact(p).note("WUServer in policy"));
        }
        let target = wanted
            .clone()
            .unwrap_or_else(|| "http://<SUP FQDN>:<port>".to_owned());
        f = f
            .fix(
                Fix::new("Align or remove the GPO that sets the WSUS server", Applicability::DisplayOnly)
                    .text("Find which GPO sets the intranet update service location on this client.")
                    .cmd("gpresult /scope computer /h \"%userprofile%\\Desktop\\gpresult.html\"")
                    .cmd("reg query HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate /v WUServer")
                    .text(format!(
                        "Edit that GPO (Computer Configuration > Administrative Templates > Windows Components > Windows Update > \
                         Specify intranet Microsoft update service location) to name exactly {target}, or exclude ConfigMgr \
                         clients from it; then refresh policy."
                    ))
                    .cmd("gpupdate /force"),
            )
            .fix(scan_again(cx, true));
        if contains_ci(&last.message, "ENABLED") && !matches {
            f.message.push_str(" The GPO's policy state is ENABLED.");
        }
        out.push(f);
    }
}
