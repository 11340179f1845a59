//! Runs every rule over the evidence, removes findings a more specific rule explains, and orders them.

use wudiag_evidence::{Evidence, HResult};

use crate::{Area, Context, Diagnosis, Finding, registry};

/// Runs all registered rules.
pub fn diagnose(evidence: &Evidence) -> Diagnosis {
    let cx = Context::new(evidence);
    let mut findings = Vec::new();
    for rule in registry::RULES {
        let mut out = Vec::new();
        rule.check(&cx, &mut out);
        findings.append(&mut out);
    }
    let findings = supersede(findings);
    Diagnosis {
        os: cx.os.clone(),
        attempts: cx.attempts.clone(),
        findings,
    }
}

/// Drops generic catalogue findings whose codes a specific finding explains, then sorts: severity, open
/// before resolved, confidence, rule id.
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
    kept.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.status.cmp_open_first(b.status))
            .then_with(|| b.confidence.cmp(&a.confidence))
            .then_with(|| a.rule.id.cmp(b.rule.id))
            .then_with(|| a.title.cmp(&b.title))
    });
    kept
}
