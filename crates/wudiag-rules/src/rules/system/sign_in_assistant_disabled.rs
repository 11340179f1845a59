//! `SYS002` sign-in-assistant-disabled: the rule and its documentation.

use wudiag_evidence::{Event, HResult, ServiceStartType, Severity};

use crate::remedies::{self, Fill};
use crate::text::plural;
use crate::{
    Confidence, Context, EvidenceRef, Finding, Rule, RuleMeta, declare_rule, is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// Windows Update failing with `0x80070426` (ERROR_SERVICE_NOT_ACTIVE), and/or the Microsoft Account
    /// Sign-in Assistant service (`wlidsvc`) set to Disabled in the evidence.
    ///
    /// ## Why updates fail
    /// Some offers (feature updates, components delivered through the Store infrastructure) ask the Microsoft
    /// Account Sign-in Assistant for a device token. Hardening guides often disable `wlidsvc`; the agent then
    /// fails its scan or download with 0x80070426 even though nothing else is wrong.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log, ReportingEvents.log and event records with `0x80070426`.
    /// - Service facts (start type of `wlidsvc`, `wuauserv`) from registry exports or service listings.
    ///
    /// ## How to fix
    /// Set `wlidsvc` back to manual start and start it, then scan again. If a Group Policy disabled it, change
    /// the policy instead.
    ///
    /// ## Fix safety
    /// Unsafe: it changes a service start type that someone may have set on purpose.
    ///
    /// ## References
    /// - Windows Update common errors and mitigation: 0x80070426 (Microsoft Learn)
    pub SignInAssistantDisabled,
    id = "SYS002", name = "sign-in-assistant-disabled", area = System, severity = Error,
    explains = [0x8007_0426],
}

impl Rule for SignInAssistantDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<&Event> = cx
            .with_code(0x8007_0426)
            .filter(|e| is_error_context(e))
            .collect();
        let facts = cx.evidence.facts();
        let wlid = facts.service("wlidsvc");
        let disabled = wlid.filter(|s| s.value.start_type == Some(ServiceStartType::Disabled));
        let wu_disabled = facts
            .service("wuauserv")
            .filter(|s| s.value.start_type == Some(ServiceStartType::Disabled));
        if failures.is_empty() && disabled.is_none() {
            return;
        }
        let mut message = String::new();
        if !failures.is_empty() {
            message.push_str(&format!(
                "Windows Update failed with 0x80070426 (ERROR_SERVICE_NOT_ACTIVE) in {}: a service it needs is not running. ",
                plural(failures.len(), "record", "records")
            ));
        }
        match (disabled, wlid) {
            (Some(_), _) => message.push_str("The Microsoft Account Sign-in Assistant (wlidsvc) is set to Disabled. "),
            (None, Some(s)) => message.push_str(&format!(
                "wlidsvc is present with start type {}, so another service may be the one missing. ",
                s.value.start_type.map_or("unknown", ServiceStartType::label)
            )),
            (None, None) => message.push_str(
                "The usual culprit is the Microsoft Account Sign-in Assistant (wlidsvc), disabled by a hardening policy; its \
                 state is not in the evidence. ",
            ),
        }
        if wu_disabled.is_some() {
            message.push_str("The Windows Update service (wuauserv) is disabled too. ");
        }
        let confirmed = disabled.is_some() && !failures.is_empty();
        let mut f = Finding::new(
            &Self::META,
            if confirmed {
                Confidence::Confirmed
            } else {
                Confidence::Likely
            },
            "Microsoft Account Sign-in Assistant (wlidsvc) is disabled or not running",
            message.trim().to_owned(),
        )
        .severity(if failures.is_empty() {
            Severity::Warning
        } else {
            Severity::Error
        })
        .events(failures.iter().copied(), 3);
        if !failures.is_empty() {
            f = f.code(HResult::new(0x8007_0426));
        }
        if let Some(s) = disabled {
            f = f.evidence(EvidenceRef::fact(s).note("wlidsvc start type: disabled"));
        }
        if let Some(s) = wu_disabled {
            f = f.evidence(EvidenceRef::fact(s).note("wuauserv start type: disabled"));
        }
        let mut ids = vec!["enable-wlidsvc"];
        if wu_disabled.is_some() {
            ids.push("enable-wu-services");
        }
        f = f.fixes(remedies::fixes(&ids, &cx.os, &Fill::none()));
        out.push(if failures.is_empty() {
            f
        } else {
            cx.settle(f, failures.iter().copied())
        });
    }
}
