//! `CBS001` component-store-corrupted: the rule and its documentation.

use wudiag_evidence::{Arch, Event, EventKind, HResult, PackageIdentity};

use super::helpers::{packages, repaired_after, summaries};
use crate::remedies;
use crate::text::{contains_ci, file_name, join_and, plural};
use crate::{
    Confidence, Context, EvidenceRef, Finding, Fix, Rule, RuleMeta, declare_rule, is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// Damage in the component store (WinSxS) or in the servicing metadata, as any of these report it:
    /// - CSI marking the store corrupt (`Mark store corruption flag`, `Attempting to mark store corrupt`);
    /// - `STATUS_SXS_*` errors, `0x80073712` (ERROR_SXS_COMPONENT_STORE_CORRUPT), `0x800f0831`
    ///   (CBS_E_STORE_CORRUPTION) with the package CBS could not resolve, `0x80073701` while pinning a
    ///   deployment;
    /// - CheckSUR `(f)` rows, DISM/SFC `(p)` rows and SFC `Cannot repair member file` (resolved when the
    ///   same SFC transaction ends with every file repaired: such members are unprotected static files);
    /// - a DISM/SFC/CheckSUR summary that detected more corruption than it repaired
    ///   (`Total Detected Corruption: 10`, `Total Repaired Corruption: 0`).
    ///
    /// ## Why updates fail
    /// Installing an update stages new component versions next to the old ones and resolves the packages it
    /// replaces. When a manifest, a payload file or a package registration is missing or corrupt, the
    /// servicing stack cannot build the transaction and the whole update rolls back; it keeps failing, with
    /// the same or other codes, until the store is repaired.
    ///
    /// ## Evidence used
    /// - CBS.log, DISM.log and CheckSUR.log lines (store corruption records, scan summaries, codes).
    /// - The OS version (servicing stack version, OS facts) to choose the repair tool.
    ///
    /// ## How to fix
    /// Windows 8 / Server 2012 and later (NT 6.2+): `DISM /Online /Cleanup-Image /RestoreHealth`, then
    /// `sfc /scannow`. Windows 7 / Server 2008 R2 and older (NT 6.0, 6.1): the System Update Readiness Tool
    /// (CheckSUR). When the OS is not in the evidence both are shown. When CBS names a missing package of an
    /// earlier update, reinstalling that KB (the exact Update Catalog link is given) restores it. When DISM
    /// cannot find repair files, see CBS002.
    ///
    /// ## Fix safety
    /// `DISM /RestoreHealth` and `sfc /scannow` are safe (they only replace damaged files with good copies).
    /// CheckSUR and reinstalling a package are display-only: a human downloads the right package.
    ///
    /// ## References
    /// - KB947821 (Fix Windows Update corruptions and installation failures)
    /// - Troubleshoot Windows Update error 0x800f0831 CBS_E_STORE_CORRUPTION (Microsoft Learn)
    pub ComponentStoreCorrupted,
    id = "CBS001", name = "component-store-corrupted", area = Servicing, severity = Error,
    explains = [0x8007_3712, 0x800F_0831],
}

/// Message fragments that mean the store itself is damaged (any level).
const MARKS: &[&str] = &[
    "mark store corrupt",
    "manifest missing for package",
    "cannot repair member file",
    "source file in store is also corrupted",
];

const CODES: &[u32] = &[0x8007_3712, 0x800F_0831];

fn is_mark(e: &Event) -> bool {
    if contains_ci(&e.message, "over-removing a tlc") {
        return false;
    }
    MARKS.iter().any(|m| contains_ci(&e.message, m))
        || e.codes.iter().any(|c| CODES.contains(&c.value()))
        || (is_error_context(e) && contains_ci(&e.message, "STATUS_SXS_"))
        || (e.codes.iter().any(|c| c.value() == 0x8007_3701)
            && contains_ci(&e.message, "pin deployment"))
}

impl Rule for ComponentStoreCorrupted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut cited: Vec<&Event> = Vec::new();
        let mut items: Vec<String> = Vec::new();
        let mut categories: Vec<String> = Vec::new();
        let mut claimed: Vec<HResult> = Vec::new();
        let mut missing: Vec<PackageIdentity> = Vec::new();
        let mut strong = false;

        for e in cx.events() {
            let store_item = match &e.kind {
                EventKind::StoreCorruption { category, item }
                    if !contains_ci(&e.message, "over-removing a tlc") =>
                {
                    Some((category.as_str(), item.as_str()))
                }
                _ => None,
            };
            if let Some((category, item)) = store_item {
                strong = true;
                let name = file_name(item).to_owned();
                if !name.is_empty() && !items.contains(&name) {
                    items.push(name);
                }
                if !category.is_empty() && !categories.iter().any(|c| c == category) {
                    categories.push(category.to_owned());
                }
            } else if !is_mark(e) {
                continue;
            } else if MARKS.iter().any(|m| contains_ci(&e.message, m)) {
                strong = true;
            }
            cited.push(e);
            for c in &e.codes {
                if c.is_failure() && !claimed.contains(c) {
                    claimed.push(*c);
                }
            }
            let names_missing = store_item.is_some_and(|(c, _)| {
                contains_ci(c, "MUM") || contains_ci(c, "manifest") || contains_ci(c, "mark store")
            }) || contains_ci(&e.message, "resolve package")
                || contains_ci(&e.message, "manifest missing")
                || contains_ci(&e.message, "pin deployment")
                || contains_ci(&e.message, "CBS MUM");
            if names_missing {
                for p in packages(e) {
                    if !missing
                        .iter()
                        .any(|q| q.name == p.name && q.version == p.version)
                    {
                        missing.push(p);
                    }
                }
            }
        }

        let all = summaries(cx);
        let latest_summary = all.last().copied();
        let bad_summary = all.iter().rev().find(|s| s.left() > 0).copied();
        if let Some(s) = bad_summary {
            strong = true;
            cited.insert(0, s.event);
        }
        if cited.is_empty() {
            return;
        }

        let mut parts: Vec<String> = Vec::new();
        if let Some(s) = bad_summary {
            parts.push(format!(
                "the corruption scan {} detected {} and repaired {}",
                crate::text::when(s.event.time),
                plural(
                    s.detected.unwrap_or(0) as usize,
                    "corrupt item",
                    "corrupt items"
                ),
                s.repaired.unwrap_or(0)
            ));
        }
        if !items.is_empty() {
            let shown: Vec<&str> = items.iter().take(12).map(String::as_str).collect();
            let more = items.len().saturating_sub(shown.len());
            let mut t = format!("damaged: {}", join_and(&shown));
            if more > 0 {
                t.push_str(&format!(" and {more} more"));
            }
            if !categories.is_empty() {
                t.push_str(&format!(" ({})", categories.join(", ")));
            }
            parts.push(t);
        }
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().take(4).map(ToString::to_string).collect();
            parts.push(format!("CBS cannot find the package {}", join_and(&names)));
        }
        let marks = cited
            .iter()
            .filter(|e| {
                !matches!(
                    e.kind,
                    EventKind::StoreCorruption { .. } | EventKind::CorruptionSummary { .. }
                )
            })
            .count();
        if marks > 0 {
            parts.push(format!(
                "{} report store corruption{}",
                plural(marks, "servicing record", "servicing records"),
                if claimed.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({})",
                        join_and(
                            &claimed
                                .iter()
                                .map(|c| crate::codes::label(*c))
                                .collect::<Vec<_>>()
                        )
                    )
                }
            ));
        }
        let os_text = match cx.os.is_nt6_legacy() {
            Some(true) => format!(
                "OS found: {}. On Windows 7 / Server 2008 R2 and older the repair tool is CheckSUR; DISM /RestoreHealth does not exist there.",
                cx.os.sentence()
            ),
            Some(false) => format!("OS found: {}. The repair is DISM /RestoreHealth, then SFC.", cx.os.sentence()),
            None => "The Windows version is not in the evidence, so both repairs are listed: CheckSUR for Windows 7 / \
                     Server 2008 R2 and older, DISM /RestoreHealth for Windows 8 / Server 2012 and later."
                .to_owned(),
        };
        let mut message = format!("The component store is damaged: {}. ", parts.join("; "));
        message.push_str(
            "Updates that touch these components fail and roll back until the store is repaired. ",
        );
        message.push_str(&os_text);

        let title = match (bad_summary, missing.first()) {
            (Some(s), _) => format!(
                "Component store corruption: {} detected, {} repaired",
                s.detected.unwrap_or(0),
                s.repaired.unwrap_or(0)
            ),
            (None, Some(p)) => match p.kb() {
                Some(kb) => {
                    format!("Component store corruption: the package of {kb} is missing or damaged")
                }
                None => format!(
                    "Component store corruption: package {} is missing or damaged",
                    p.name
                ),
            },
            (None, None) => "Component store corruption".to_owned(),
        };

        let mut f = Finding::new(
            &Self::META,
            if strong {
                Confidence::Confirmed
            } else {
                Confidence::Likely
            },
            title,
            message,
        )
        .codes(claimed.iter().copied());
        if let Some(s) = bad_summary {
            f = f.evidence(
                EvidenceRef::event(s.event).note("summary of the last scan that found corruption"),
            );
        }
        f = f
            .events(
                cited
                    .iter()
                    .copied()
                    .filter(|e| matches!(e.kind, EventKind::StoreCorruption { .. })),
                10,
            )
            .events(
                cited.iter().copied().filter(|e| {
                    !matches!(
                        e.kind,
                        EventKind::StoreCorruption { .. } | EventKind::CorruptionSummary { .. }
                    )
                }),
                4,
            );

        for p in &missing {
            match p.kb() {
                Some(kb) => {
                    f = f.update(kb);
                    let mut fix = remedies::manual_install(
                        kb,
                        p.arch.filter(|a| *a != Arch::Neutral).or(cx.os.arch),
                        &cx.os,
                    );
                    fix.title = format!(
                        "Reinstall {kb}, whose package the store lacks (then retry the failing update)"
                    );
                    fix.remedy = Some("install-missing-package".to_owned());
                    f = f.fix(fix);
                }
                None => {
                    if let Some(v) = p.version {
                        f = f.fix(
                            Fix::new(
                                format!("Restore the missing package {} (version {v})", p.name),
                                crate::Applicability::DisplayOnly,
                            )
                            .from_remedy("install-missing-package")
                            .text(format!(
                                "The version {v} is the OS build {}.{} that a monthly update installed. Find that update in the \
                                 update history of this Windows version, download it from the Microsoft Update Catalog, expand it \
                                 (expand -f:* <file>.msu C:\\Temp\\kb, then the inner .cab) and add the package's .mum with DISM, \
                                 then retry the failing update.",
                                v.build(),
                                v.revision()
                            ))
                            .cmd("DISM /Online /Add-Package /PackagePath:C:\\Temp\\kb\\<package>.mum"),
                        );
                    }
                }
            }
        }
        f = f.fixes(remedies::store_repair(&cx.os));
        if cx.with_code(0x800F_081F).next().is_some() && cx.os.is_nt6_legacy() != Some(true) {
            f = f.fix(remedies::restore_health_with_source(&cx.os, None));
        }

        let fixed_later = latest_summary.is_some_and(|s| s.clean())
            && cited.iter().all(|e| repaired_after(cx, e));
        let sfc_clean = !cited.is_empty()
            && cited.iter().all(|e| {
                contains_ci(&e.message, "cannot repair member file") && sfc_run_clean_after(cx, e)
            });
        if sfc_clean {
            f.message.push_str(
                " SFC's own transaction then completed with every file repaired: members it reports it cannot repair in \
                 such a run are files Windows Resource Protection does not protect (static files such as wallpapers), \
                 which is expected and not store corruption.",
            );
        }
        if fixed_later || sfc_clean {
            f = f.resolved();
        }
        out.push(f);
    }
}

/// True when, after `e` in the same log, SFC closed its repair transaction saying every file was
/// repaired (`[SR] Verify and Repair Transaction completed. All files and registry keys listed in this
/// transaction have been successfully repaired`).
fn sfc_run_clean_after(cx: &Context<'_>, e: &Event) -> bool {
    let events = cx.events();
    let Some(at) = events.iter().position(|x| std::ptr::eq(x, e)) else {
        return false;
    };
    events
        .get(at + 1..)
        .unwrap_or_default()
        .iter()
        .filter(|x| x.location.source == e.location.source)
        .any(|x| contains_ci(&x.message, "have been successfully repaired"))
}
