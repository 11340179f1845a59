//! `WSUS013` configmgr-sync-duplicate-content: the rule and its documentation.

use wudiag_evidence::Event;

use crate::text::{after_ci, contains_ci, join_and};
use crate::{Applicability, Confidence, Context, Finding, Fix, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it detects
    /// ConfigMgr software update synchronisation (WSyncMgr.log) failing to save an update because the site
    /// database refuses a duplicate content file: SQL error 2627, "Violation of UNIQUE KEY constraint
    /// 'CI_Files_AK'", followed by "Failed to sync update …".
    ///
    /// ## Why updates fail
    /// The site database keeps one row per content file (hash, file name, source URL). When Microsoft
    /// re-releases an update whose file keeps its hash but changes its source URL (the August 2019 revision of
    /// the .NET Framework 4.7.2 updates, KB4517482), the insert violates the unique key, the update is not
    /// saved, and it cannot be deployed from ConfigMgr.
    ///
    /// ## Evidence used
    /// - WSyncMgr.log records (`Synchronizing update … - title`, the SQL error, `Failed to sync update`).
    ///
    /// ## How to fix
    /// Decline the affected updates in WSUS (they are re-released or superseded) and synchronise again, or
    /// wait for Microsoft's corrected republish; deploy the update by hand if it is needed meanwhile.
    ///
    /// ## Fix safety
    /// Display-only: declining updates is a deployment decision.
    ///
    /// ## References
    /// - KB4517482, .NET Framework updates fail to sync in Configuration Manager (Microsoft Learn)
    pub ConfigMgrSyncDuplicateContent,
    id = "WSUS013", name = "configmgr-sync-duplicate-content", area = Wsus, severity = Error,
}

impl Rule for ConfigMgrSyncDuplicateContent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let sql: Vec<&Event> = cx.mentioning("CI_Files_AK").collect();
        if sql.is_empty() {
            return;
        }
        let failed: Vec<&Event> = cx.mentioning("Failed to sync update").collect();
        let mut titles: Vec<String> = Vec::new();
        for e in cx.mentioning("Synchronizing update") {
            if let Some(t) = after_ci(&e.message, " - ") {
                let t = t.trim().to_owned();
                if !t.is_empty() && !titles.contains(&t) {
                    titles.push(t);
                }
            }
        }
        let files: Vec<String> = sql
            .iter()
            .filter_map(|e| after_ci(&e.message, "duplicate key value is ("))
            .filter_map(|r| r.split(',').nth(1).map(|s| s.trim().to_owned()))
            .collect();
        let netfx = titles.iter().any(|t| contains_ci(t, ".NET Framework"));
        let mut message = format!(
            "Software update synchronisation could not save {}: the site database already holds a content file with the same \
             hash under another source URL (unique key CI_Files_AK on dbo.CI_Files{}). ",
            if titles.is_empty() {
                "an update".to_owned()
            } else {
                join_and(&titles)
            },
            if files.is_empty() {
                String::new()
            } else {
                format!(", file {}", join_and(&files))
            }
        );
        message.push_str(if netfx {
            "This matches the August 2019 re-release of the .NET Framework 4.7.2 updates (KB4517482). "
        } else {
            "Microsoft re-released an update with the same file under a new URL; it documented this for the August 2019 \
             revision of the .NET Framework 4.7.2 updates (KB4517482). "
        });
        message.push_str(
            "The update cannot be deployed from ConfigMgr until it is declined or republished.",
        );
        let f = Finding::new(
            &Self::META,
            Confidence::Confirmed,
            "ConfigMgr cannot save a re-released update (CI_Files_AK duplicate content)",
            message,
        )
        .events(sql.iter().copied(), 2)
        .events(failed.iter().copied(), 2)
        .fix(
            Fix::new("Decline the affected updates in WSUS and synchronise again", Applicability::DisplayOnly)
                .text("On the top-level WSUS / software update point, find the updates named in WSyncMgr.log and decline them (they are re-released or superseded).")
                .ps(format!(
                    "Get-WsusUpdate -Classification All -Approval AnyExceptDeclined -Status Any | Where-Object {{ $_.Update.Title -like '*{}*' }} | Select-Object -ExpandProperty Update | Select-Object Title, CreationDate, IsSuperseded",
                    titles.first().map_or("<update title from WSyncMgr.log>", String::as_str)
                ))
                .text("After declining, run a ConfigMgr software update synchronisation; or wait for Microsoft's corrected republish. Deploy the update by hand meanwhile if it is needed."),
        );
        out.push(f);
    }
}
