//! `WSUS050` wsus-server-update-missing: the rule and its documentation.

use wudiag_evidence::{KbNumber, Located, Severity, Version, WsusServerFact};

use crate::{
    Applicability, Confidence, Context, EvidenceRef, Finding, Fix, Rule, RuleMeta, declare_rule,
};

declare_rule! {
    /// ## What it detects
    /// A WSUS server below the update level Microsoft requires for clients and consoles to connect: WSUS 3.0
    /// SP2 (Windows Server 2008 R2 / 2008 SP2) older than 3.2.7600.283, the version KB4039929 brings. For
    /// WSUS on Windows Server 2012, 2012 R2 and 2016, whose version does not show the rollup level, it names
    /// the rollup to check (KB4039873, KB4039871, KB4039396) unless the evidence lists it as installed.
    ///
    /// ## Why updates fail
    /// Without KB4039929, WSUS 3.0 SP2 cannot serve current clients and Configuration Manager consoles:
    /// connections, scans and synchronisation fail. On Windows Server 2012 and later the same fixes come with
    /// the monthly rollups named by Microsoft, or any later one.
    ///
    /// ## Evidence used
    /// - `VersionString` of `HKLM\SOFTWARE\Microsoft\Update Services\Server\Setup` from a registry export of
    ///   the WSUS server.
    /// - Installed updates (CBS packages, systeminfo, wmic qfe, Get-HotFix) to see whether the named update is
    ///   there.
    ///
    /// ## How to fix
    /// On WSUS 3.0 SP2, install KB4039929 (and on any remote WSUS console used by Configuration Manager) and
    /// restart. On 2012 / 2012 R2 / 2016, install the named rollup or any later monthly rollup or cumulative
    /// update. WSUS 3.0 SP2 and Windows Server 2008 R2 are out of support: plan the move to a supported
    /// server.
    ///
    /// ## Fix safety
    /// Display-only: installing updates on a WSUS server needs a restart and a maintenance window.
    ///
    /// ## References
    /// - Windows Server update troubleshooting guidance, "WSUS connection failures" (Microsoft Learn)
    /// - KB4039929, KB4039873, KB4039871, KB4039396
    pub WsusServerUpdateMissing,
    id = "WSUS050", name = "wsus-server-update-missing", area = Wsus, severity = Error,
}

/// The first WSUS 3.0 SP2 version that has KB4039929.
const MIN_WSUS3: Version = Version([3, 2, 7600, 283]);
/// WSUS 3.0 SP2 itself (RTM of the service pack).
const WSUS3_SP2: Version = Version([3, 2, 7600, 0]);

/// The update Microsoft names for a WSUS version line, with the host OS.
fn required_rollup(v: Version) -> Option<(&'static str, u32)> {
    match (v.major(), v.minor(), v.build()) {
        (6, 2, _) => Some(("Windows Server 2012", 4_039_873)),
        (6, 3, _) => Some(("Windows Server 2012 R2", 4_039_871)),
        (10, 0, 14393) => Some(("Windows Server 2016", 4_039_396)),
        _ => None,
    }
}

/// What the version says.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// WSUS 3.x (or older) below 3.2.7600.283.
    TooOld,
    /// WSUS 6.x/10.x of a line whose required rollup is not known to be installed.
    CheckRollup(&'static str, KbNumber),
    /// Nothing to say.
    Fine,
}

fn verdict(v: Version) -> Verdict {
    if v.major() <= 3 {
        return if v < MIN_WSUS3 {
            Verdict::TooOld
        } else {
            Verdict::Fine
        };
    }
    match required_rollup(v) {
        Some((os, kb)) => Verdict::CheckRollup(os, KbNumber::new(kb)),
        None => Verdict::Fine,
    }
}

impl Rule for WsusServerUpdateMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some((fact, version)) = cx
            .evidence
            .facts()
            .wsus_server
            .iter()
            .filter_map(|l| l.value.version.map(|v| (l, v)))
            .max_by_key(|(_, v)| *v)
        else {
            return;
        };
        match verdict(version) {
            Verdict::TooOld => out.push(too_old(fact, version)),
            Verdict::CheckRollup(os, kb) if cx.installed(kb).is_none() => {
                out.push(check_rollup(fact, version, os, kb));
            }
            Verdict::CheckRollup(..) | Verdict::Fine => {}
        }
    }
}

fn too_old(fact: &Located<WsusServerFact>, version: Version) -> Finding {
    let kb = KbNumber::new(4_039_929);
    let mut message = format!(
        "This WSUS server is version {version}, older than 3.2.7600.283: KB4039929 is missing. Microsoft requires \
         it (or a later update) on WSUS 3.0 SP2; without it clients and Configuration Manager consoles fail to \
         connect, scan or synchronise with this server."
    );
    if version < WSUS3_SP2 {
        message.push_str(
            " The version is even below WSUS 3.0 SP2 (3.2.7600.x), which KB4039929 itself requires: install SP2 \
             first.",
        );
    }
    message.push_str(
        " WSUS 3.0 SP2 and Windows Server 2008 R2 are past the end of support; the lasting fix is a WSUS on a \
         supported Windows Server.",
    );
    Finding::new(
        &WsusServerUpdateMissing::META,
        Confidence::Confirmed,
        format!("The WSUS server ({version}) is older than 3.2.7600.283: KB4039929 is missing"),
        message,
    )
    .update(kb)
    .evidence(EvidenceRef::fact(fact).note(format!("WSUS server version {version}")))
    .fix(
        Fix::new(
            "Install KB4039929 on the WSUS 3.0 SP2 server",
            Applicability::DisplayOnly,
        )
        .text(format!(
            "Download KB4039929 for the server's architecture from {} and install it on the WSUS server, and on \
             every remote WSUS administration console Configuration Manager uses.",
            kb.catalog_search_url()
        ))
        .text("Restart the server (required, also after a remote console install), then check the version: the WSUS console shows it under Overview > Connection > Server Version, and it must be 3.2.7600.283 or later.")
        .cmd("reg query \"HKLM\\SOFTWARE\\Microsoft\\Update Services\\Server\\Setup\" /v VersionString"),
    )
}

fn check_rollup(
    fact: &Located<WsusServerFact>,
    version: Version,
    os: &str,
    kb: KbNumber,
) -> Finding {
    Finding::new(
        &WsusServerUpdateMissing::META,
        Confidence::Possible,
        format!("Check that {kb} or a later rollup is installed on the WSUS server"),
        format!(
            "This WSUS server is version {version} ({os}). Microsoft requires {kb} or a later monthly rollup on \
             it for clients and consoles to connect; the WSUS version does not show the rollup level, and the \
             evidence does not list {kb} as installed. A later rollup also counts, so check the update level of \
             the server."
        ),
    )
    .severity(Severity::Info)
    .update(kb)
    .evidence(EvidenceRef::fact(fact).note(format!("WSUS server version {version}")))
    .fix(
        Fix::new(
            format!("Check the WSUS server has {kb} or a later rollup"),
            Applicability::DisplayOnly,
        )
        .text(format!(
            "On the WSUS server, list the installed updates; the newest monthly rollup or cumulative update must \
             be {kb} or later (released after it)."
        ))
        .ps("Get-HotFix | Sort-Object InstalledOn -Descending | Select-Object -First 5 HotFixID, Description, InstalledOn")
        .text(format!(
            "If it is older, install the latest rollup for {os} (or {kb} from {}) and restart.",
            kb.catalog_search_url()
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn compares_wsus_versions() {
        assert_eq!(verdict(v("3.2.7600.226")), Verdict::TooOld);
        assert_eq!(verdict(v("3.2.7600.282")), Verdict::TooOld);
        assert_eq!(verdict(v("3.2.7600.283")), Verdict::Fine);
        assert_eq!(verdict(v("3.2.7600.307")), Verdict::Fine);
        assert_eq!(verdict(v("3.1.6001.65")), Verdict::TooOld);
        assert_eq!(verdict(v("2.0.0.2620")), Verdict::TooOld);
        assert!(v("3.2.7600.283") > v("3.2.7600.99"));
        assert_eq!(
            verdict(v("6.3.9600.16384")),
            Verdict::CheckRollup("Windows Server 2012 R2", KbNumber::new(4_039_871))
        );
        assert_eq!(
            verdict(v("6.2.9200.16384")),
            Verdict::CheckRollup("Windows Server 2012", KbNumber::new(4_039_873))
        );
        assert_eq!(
            verdict(v("10.0.14393.0")),
            Verdict::CheckRollup("Windows Server 2016", KbNumber::new(4_039_396))
        );
        assert_eq!(verdict(v("10.0.17763.1")), Verdict::Fine);
        assert_eq!(verdict(v("10.0.20348.1")), Verdict::Fine);
    }
}
