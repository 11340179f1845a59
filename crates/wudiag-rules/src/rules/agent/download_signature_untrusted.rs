//! `AGT003` download-signature-untrusted: the rule and its documentation.

use wudiag_evidence::{Event, HResult};

use crate::remedies::{self, Fill};
use crate::rules::servicing::helpers::kbs_of;
use crate::text::{join_and, plural};
use crate::{Confidence, Context, Finding, Rule, RuleMeta, codes, declare_rule, is_error_context};

declare_rule! {
    /// ## What it detects
    /// Downloaded update files whose signature check failed: `0x80096004` (TRUST_E_CERT_SIGNATURE, the
    /// signature of the signing certificate could not be verified) or `0x80096010` (TRUST_E_BAD_DIGEST, the
    /// file does not match its signature) or `0x80240061` (WU_E_FILETRUST_SHA2SIGNATURE_MISSING), for example
    /// WindowsUpdate.log `*FAILED* … verifying trust for …` and "Digital Signatures on file … are not trusted".
    ///
    /// ## Why updates fail
    /// The agent verifies every downloaded file before using it. A file altered in transit (a proxy or web
    /// filter rewriting or truncating content), a damaged download cache, or a system that cannot check the
    /// signature algorithm (Windows 7 / Server 2008 R2 without SHA-2 support, KB4474419) makes the check
    /// fail and the update is discarded.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log, ReportingEvents.log and event records with the codes; the OS version.
    ///
    /// ## How to fix
    /// On Windows 7 / 2008 R2 install SHA-2 support; otherwise check for TLS inspection or content filtering
    /// of the update hosts, then clear the download cache so the files are fetched again.
    ///
    /// ## Fix safety
    /// Checks are safe; resetting the update components is unsafe (it discards the local history).
    ///
    /// ## References
    /// - KB4474419 (SHA-2 code signing support for Windows 7 / Server 2008 R2)
    pub DownloadSignatureUntrusted,
    id = "AGT003", name = "download-signature-untrusted", area = Agent, severity = Error,
    explains = [0x8009_6004, 0x8009_6010, 0x8024_0061],
}

const CODES: &[u32] = &[0x8009_6004, 0x8009_6010, 0x8024_0061];

impl Rule for DownloadSignatureUntrusted {
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
        let seen: Vec<HResult> = failures
            .iter()
            .flat_map(|e| e.codes.iter().copied())
            .filter(|c| CODES.contains(&c.value()))
            .fold(Vec::new(), |mut v, c| {
                if !v.contains(&c) {
                    v.push(c);
                }
                v
            });
        let kbs = kbs_of(failures.iter().copied());
        let legacy = cx.os.is_nt6_legacy() == Some(true);
        let digest = seen.iter().any(|c| c.value() == 0x8009_6010);
        let mut message = format!(
            "The signature check of downloaded update files failed ({}, {}). ",
            join_and(&seen.iter().map(|c| codes::label(*c)).collect::<Vec<_>>()),
            plural(failures.len(), "record", "records")
        );
        if seen.iter().any(|c| c.value() == 0x8024_0061) {
            message.push_str("The agent then reports the file's signatures as not trusted (0x80240061) and discards it. ");
        }
        if digest {
            message.push_str("0x80096010 means the file's content no longer matches its signature: it was damaged or altered after signing (download cache, proxy or filter). ");
        }
        if seen.iter().any(|c| c.value() == 0x8009_6004) {
            message.push_str(if legacy {
                "On this Windows 7 / Server 2008 R2 machine, 0x80096004 usually means SHA-2 code signing support (KB4474419) is missing. "
            } else {
                "0x80096004 means the signing certificate's own signature could not be verified: TLS inspection re-signing \
                 content, or missing root certificates. "
            });
        }
        let mut ids: Vec<&str> = Vec::new();
        if legacy {
            ids.push("install-sha2-support");
        }
        ids.extend([
            "allow-update-traffic-through-filters",
            "check-tls-certificates",
            "reset-wu-components",
        ]);
        let f = Finding::new(
            &Self::META,
            Confidence::Likely,
            format!(
                "Downloaded update files failed the signature check ({})",
                join_and(&seen.iter().map(ToString::to_string).collect::<Vec<_>>())
            ),
            message.trim().to_owned(),
        )
        .codes(seen)
        .updates(kbs)
        .events(failures.iter().copied(), 4)
        .fixes(remedies::fixes(&ids, &cx.os, &Fill::none()));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
