//! `PKG001` update-not-applicable: the rule and its documentation.

use wudiag_evidence::{Arch, Event, HResult, KbNumber, PackageIdentity, Severity, Version};

use crate::remedies::{self, Fill};
use crate::rules::servicing::helpers::packages;
use crate::text::{arch_of_title, contains_ci, join_and};
use crate::{
    Confidence, Context, EvidenceRef, Finding, Rule, RuleMeta, codes, declare_rule, event_kbs,
    is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// An update refused as not applicable: `0x80240017` (WU_E_NOT_APPLICABLE; wusa.exe prints it as
    /// `2149842967`, "The update is not applicable to your computer") or `0x800f081e` (CBS_E_NOT_APPLICABLE),
    /// written in a failure record.
    ///
    /// ## Why updates fail
    /// Windows refuses a package that has nothing to do on this machine. There are four causes, and the
    /// finding says which ones the evidence supports, rules out or cannot decide:
    /// 1. the update is superseded (newer binaries are already installed);
    /// 2. it is already installed;
    /// 3. it is for another Windows version or processor architecture (x86 on x64, 2012 on 2012 R2);
    /// 4. a prerequisite is missing (on Windows 8.1 / Server 2012 R2: KB2919442, KB2919355, KB3173424; on
    ///    every OS: the servicing stack update it needs).
    ///
    /// ## Evidence used
    /// - Failure records with the codes and the KB or CBS package identity (its architecture and version).
    /// - OS version and architecture; installed updates (systeminfo, wmic qfe, Get-HotFix, CBS packages).
    ///
    /// ## How to fix
    /// Check the causes in the order the finding gives: the supported ones first. Get-HotFix for the KB and
    /// the prerequisites; the catalogue's "replaced by" information for supersedence; the package name's
    /// architecture against the OS.
    ///
    /// ## Fix safety
    /// The checks are safe (read-only). Installing prerequisites or the servicing stack is display-only.
    ///
    /// ## References
    /// - Windows Server update troubleshooting guidance: Issue 1, "The update is not applicable to your computer"
    pub UpdateNotApplicable,
    id = "PKG001", name = "update-not-applicable", area = Package, severity = Warning,
    explains = [0x8024_0017, 0x800F_081E],
}

const CODES: &[u32] = &[0x8024_0017, 0x800F_081E];
const PREREQS_63: &[u32] = &[2_919_442, 2_919_355, 3_173_424];

/// Where a cause stands.
enum Verdict {
    Supported(String),
    RuledOut(String),
    Unknown(String),
}

impl Verdict {
    fn line(&self, n: usize, name: &str) -> String {
        match self {
            Self::Supported(why) => format!("{n}. {name}: SUPPORTED by the evidence ({why})"),
            Self::RuledOut(why) => format!("{n}. {name}: ruled out ({why})"),
            Self::Unknown(why) => format!("{n}. {name}: not determined ({why})"),
        }
    }

    fn supported(&self) -> bool {
        matches!(self, Self::Supported(_))
    }
}

impl Rule for UpdateNotApplicable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<&Event> = cx
            .with_any_code(CODES)
            .filter(|e| is_error_context(e))
            .collect();
        if failures.is_empty() {
            return;
        }
        let mut kbs: Vec<KbNumber> = Vec::new();
        let mut pkgs: Vec<PackageIdentity> = Vec::new();
        let mut titles: Vec<&str> = Vec::new();
        for e in &failures {
            for kb in event_kbs(e) {
                if !kbs.contains(&kb) {
                    kbs.push(kb);
                }
            }
            for p in packages(e) {
                if let Some(kb) = p.kb()
                    && !kbs.contains(&kb)
                {
                    kbs.push(kb);
                }
                pkgs.push(p);
            }
            if let Some(t) = e.title.as_deref() {
                titles.push(t);
            }
        }
        // Packages named elsewhere for the same KBs (WindowsUpdate.log "CBS package identity: …").
        for e in cx.events() {
            if event_kbs(e).iter().any(|k| kbs.contains(k)) {
                for p in packages(e) {
                    if !pkgs.iter().any(|q| q.name == p.name && q.arch == p.arch) {
                        pkgs.push(p);
                    }
                }
            }
        }
        let facts = cx.evidence.facts();
        let have_inventory = !facts.installed_updates.is_empty();
        let mut cited_facts = Vec::new();

        // 2. Already installed.
        let installed: Vec<_> = kbs.iter().filter_map(|kb| cx.installed(*kb)).collect();
        let already = if let Some(f) = installed.first() {
            cited_facts.push(EvidenceRef::fact(f).note("the update is listed as installed"));
            Verdict::Supported(format!(
                "{} is listed as installed",
                f.value.kb.map(|k| k.to_string()).unwrap_or_default()
            ))
        } else if have_inventory && !kbs.is_empty() {
            Verdict::RuledOut(format!(
                "{} is not in the list of {} installed updates",
                join_and(&kbs.iter().map(ToString::to_string).collect::<Vec<_>>()),
                facts.installed_updates.len()
            ))
        } else {
            Verdict::Unknown("no list of installed updates in the evidence".to_owned())
        };

        // 3. Wrong version or architecture.
        let pkg_arch = pkgs
            .iter()
            .filter_map(|p| p.arch)
            .find(|a| !matches!(a, Arch::Neutral | Arch::Msil))
            .or_else(|| titles.iter().find_map(|t| arch_of_title(t)));
        let pkg_nt: Option<Version> = pkgs
            .iter()
            .filter(|p| p.kb().is_some())
            .find_map(|p| p.version);
        let arch = match (pkg_arch, cx.os.arch) {
            (Some(p), Some(os)) if !p.installs_on(os) => {
                Verdict::Supported(format!("the package is built for {p} and the OS is {os}"))
            }
            (Some(p), Some(os)) => match (pkg_nt, cx.os.version) {
                (Some(pv), Some(ov))
                    if (pv.major(), pv.minor()) != (ov.major(), ov.minor()) && pv.major() >= 6 =>
                {
                    Verdict::Supported(format!(
                        "the package targets Windows NT {}.{} and this is {}",
                        pv.major(),
                        pv.minor(),
                        cx.os.describe()
                    ))
                }
                _ => Verdict::RuledOut(format!("the package is {p} and the OS is {os}")),
            },
            (None, Some(os)) => Verdict::Unknown(format!(
                "the OS is {os}; the package's architecture is not in the evidence"
            )),
            (Some(p), None) => Verdict::Unknown(format!(
                "the package is {p}; the OS architecture is not in the evidence"
            )),
            (None, None) => Verdict::Unknown(
                "neither the package's nor the OS architecture is in the evidence".to_owned(),
            ),
        };

        // 1. Superseded: a cumulative package older than the OS build.
        let rollup = pkgs
            .iter()
            .filter(|p| contains_ci(&p.name, "RollupFix"))
            .find_map(|p| p.version);
        let superseded = match (rollup, cx.os.version) {
            (Some(pv), Some(ov))
                if pv.build() == ov.build()
                    && ov.revision() > 0
                    && pv.revision() < ov.revision() =>
            {
                Verdict::Supported(format!(
                    "the cumulative package is build {pv} and the OS is already at {ov}"
                ))
            }
            (Some(pv), Some(ov)) if pv.build() == ov.build() && ov.revision() > 0 => {
                Verdict::RuledOut(format!(
                    "the cumulative package {pv} is newer than the OS build {ov}"
                ))
            }
            _ => {
                Verdict::Unknown("check the catalogue's 'replaced by' list for this KB".to_owned())
            }
        };

        // 4. Missing prerequisite.
        let prereq = match cx.os.version {
            Some(v) if (v.major(), v.minor()) == (6, 3) => {
                if have_inventory {
                    let missing: Vec<String> = PREREQS_63
                        .iter()
                        .map(|n| KbNumber::new(*n))
                        .filter(|kb| cx.installed(*kb).is_none())
                        .map(|kb| kb.to_string())
                        .collect();
                    if missing.is_empty() {
                        Verdict::RuledOut("KB2919442, KB2919355 and KB3173424 are installed".to_owned())
                    } else {
                        Verdict::Supported(format!("{} not installed (Windows 8.1 / 2012 R2 chain)", join_and(&missing)))
                    }
                } else {
                    Verdict::Unknown(
                        "on Windows 8.1 / 2012 R2 check KB2919442, KB2919355 and KB3173424; no installed-updates list in the evidence"
                            .to_owned(),
                    )
                }
            }
            _ => Verdict::Unknown("read the KB article's prerequisites; a newer servicing stack is the most common one".to_owned()),
        };

        let lines = [
            superseded.line(1, "Superseded"),
            already.line(2, "Already installed"),
            arch.line(3, "Wrong Windows version or architecture"),
            prereq.line(4, "Missing prerequisite"),
        ];
        let found: Vec<HResult> = failures
            .iter()
            .flat_map(|e| e.codes.iter().copied())
            .filter(|c| CODES.contains(&c.value()))
            .fold(Vec::new(), |mut v, c| {
                if !v.contains(&c) {
                    v.push(c);
                }
                v
            });
        let subject = if kbs.is_empty() {
            "An update".to_owned()
        } else {
            join_and(&kbs.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        let message = format!(
            "{subject} was refused as not applicable ({}). OS found: {}. The four causes:\n{}",
            join_and(&found.iter().map(|c| codes::label(*c)).collect::<Vec<_>>()),
            cx.os.sentence(),
            lines.join("\n")
        );
        let title = if kbs.is_empty() {
            "Update not applicable to this computer".to_owned()
        } else {
            format!("{subject} is not applicable to this computer")
        };
        let any_supported = [&superseded, &already, &arch, &prereq]
            .iter()
            .any(|v| v.supported());
        let mut f = Finding::new(
            &Self::META,
            if any_supported {
                Confidence::Confirmed
            } else {
                Confidence::Likely
            },
            title,
            message,
        )
        .severity(if already.supported() {
            Severity::Info
        } else {
            Severity::Warning
        })
        .codes(found)
        .updates(kbs.iter().copied())
        .events(failures.iter().copied(), 4);
        for r in cited_facts {
            f = f.evidence(r);
        }
        let mut order: Vec<(&Verdict, &str)> = vec![
            (&superseded, "check-update-superseded"),
            (&already, "check-already-installed"),
            (&arch, "check-update-architecture"),
            (&prereq, "check-prerequisites"),
        ];
        order.sort_by_key(|(v, _)| match v {
            Verdict::Supported(_) => 0,
            Verdict::Unknown(_) => 1,
            Verdict::RuledOut(_) => 2,
        });
        let ids: Vec<&str> = order
            .iter()
            .filter(|(v, _)| !matches!(v, Verdict::RuledOut(_)))
            .map(|(_, id)| *id)
            .chain(std::iter::once("install-latest-ssu"))
            .collect();
        let fill = kbs.first().map_or_else(Fill::none, |kb| Fill::kb(*kb));
        f = f.fixes(remedies::fixes(&ids, &cx.os, &fill));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
