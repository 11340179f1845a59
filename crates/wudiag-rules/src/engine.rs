//! Runs every rule over the evidence, removes findings a more specific rule explains, and orders them.

use wudiag_evidence::{Evidence, HResult};

use wudiag_evidence::Severity;

use crate::{Area, Context, Diagnosis, Finding, FindingStatus, RuleRole, registry};

/// Runs all registered rules.
pub fn diagnose(evidence: &Evidence) -> Diagnosis {
    let cx = Context::new(evidence);
    let mut findings = Vec::new();
    for rule in registry::RULES {
        let mut out = Vec::new();
        rule.check(&cx, &mut out);
        findings.append(&mut out);
    }
    let mut matched = Vec::new();
    let known_issue_names = crate::signatures::check(&cx, &mut matched);
    findings.extend(without_explained_records(&findings, matched));
    let findings = supersede(without_known_issues(&cx, &known_issue_names, findings));
    Diagnosis {
        os: cx.os.clone(),
        attempts: cx.attempts.clone(),
        findings,
    }
}

/// Signature findings a code rule already explains: a cause signature whose every record a cause-naming
/// code rule's finding cites (the rule says it with its correlation and OS-aware fixes), and an outcome
/// signature whose every record an explaining rule cites, or whose codes a cause accounts for (the
/// outcome is that cause's symptom).
fn without_explained_records(rules: &[Finding], signatures: Vec<Finding>) -> Vec<Finding> {
    let cited_by = |roles: &[RuleRole]| -> Vec<&wudiag_evidence::Location> {
        rules
            .iter()
            .filter(|f| f.rule.area != Area::Catalog && roles.contains(&f.rule.role))
            .flat_map(|f| f.evidence.iter().map(|e| &e.location))
            .collect()
    };
    let by_causes = cited_by(&[RuleRole::Cause]);
    let by_explainers = cited_by(&[RuleRole::Cause, RuleRole::Inferred]);
    // Codes a cause accounts for, from a code rule or a cause signature: an outcome that carries only
    // those codes ("CBS execution failed (0x80070308)") is that cause's symptom.
    let explained: Vec<HResult> = rules
        .iter()
        .filter(|f| f.rule.area != Area::Catalog && f.rule.role <= RuleRole::Inferred)
        .chain(signatures.iter().filter(|f| f.rule.role == RuleRole::Cause))
        .flat_map(|f| f.codes.iter().copied())
        .collect();
    signatures
        .into_iter()
        .filter(|f| {
            if f.rule.role == RuleRole::Cause {
                return !f.evidence.iter().all(|e| by_causes.contains(&&e.location));
            }
            let codes_explained =
                !f.codes.is_empty() && f.codes.iter().all(|c| explained.contains(c));
            !codes_explained
                && !f
                    .evidence
                    .iter()
                    .all(|e| by_explainers.contains(&&e.location))
        })
        .collect()
}

/// Findings whose every record names what a known-issue signature matched (the files SFC reports after a
/// release with a published known issue): those records are the known issue, not the failure they look
/// like, and the known-issue finding says so.
fn without_known_issues(
    cx: &Context<'_>,
    names: &[String],
    findings: Vec<Finding>,
) -> Vec<Finding> {
    if names.is_empty() {
        return findings;
    }
    let messages: std::collections::HashMap<&wudiag_evidence::Location, &str> = cx
        .events()
        .iter()
        .map(|e| (&e.location, e.message.as_str()))
        .collect();
    let message_at = |loc: &wudiag_evidence::Location| {
        messages
            .get(loc)
            .map(|m| m.to_ascii_lowercase().replace("\\\\", "\\"))
    };
    findings
        .into_iter()
        .filter(|f| {
            crate::signatures::is_known_issue(f.rule.id)
                || f.evidence.is_empty()
                || !f.evidence.iter().all(|e| {
                    message_at(&e.location)
                        .is_some_and(|m| names.iter().any(|n| m.contains(n.as_str())))
                })
        })
        .collect()
}

/// Drops generic catalogue findings whose codes a specific finding explains, then sorts: open problems
/// first, causes before outcomes before generic codes, then severity, confidence, rule id.
pub fn supersede(findings: Vec<Finding>) -> Vec<Finding> {
    let explained: Vec<HResult> = findings
        .iter()
        .filter(|f| f.rule.area != Area::Catalog)
        .flat_map(|f| {
            f.codes
                .iter()
                .copied()
                .chain(f.rule.explains.iter().map(|c| HResult::new(*c)))
        })
        .collect();
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.rule.area != Area::Catalog || !f.codes.iter().all(|c| explained.contains(c)))
        .collect();
    // The verdict is the deepest explained cause: among the open problems (warning and above), a cause
    // beats an outcome, and an outcome beats a code explained on its own; then severity decides.
    let problem = |f: &Finding| f.status == FindingStatus::Open && f.severity >= Severity::Warning;
    kept.sort_by(|a, b| {
        problem(b)
            .cmp(&problem(a))
            .then_with(|| a.rule.role.cmp(&b.rule.role))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.status.cmp_open_first(b.status))
            .then_with(|| b.confidence.cmp(&a.confidence))
            .then_with(|| a.rule.id.cmp(b.rule.id))
            .then_with(|| a.title.cmp(&b.title))
    });
    kept
}
