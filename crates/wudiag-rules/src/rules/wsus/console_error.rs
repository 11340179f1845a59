//! `WSUS010` wsus-console-error: the rule and its documentation.

use wudiag_evidence::{Event, EventKind};

use crate::remedies::{self, Fill};
use crate::text::contains_ci;
use crate::{Applicability, Confidence, Context, Finding, Fix, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it detects
    /// WSUS console event 7053 ("The WSUS administration console has encountered an unexpected error"),
    /// written to the Application log of the machine running the console.
    ///
    /// ## Why updates fail
    /// The console talks to the WSUS server through the same web services clients use. It shows this error
    /// when a request times out or fails: `WsusPool` stopped or recycling, a database too large or too
    /// fragmented to answer in time (superseded updates never declined, no maintenance), or a damaged console
    /// cache. Administrators then cannot approve updates, and clients often fail for the same reason.
    ///
    /// ## Evidence used
    /// - Application event log records with event id 7053 from the WSUS console.
    ///
    /// ## How to fix
    /// Start and tune `WsusPool`; decline superseded updates and run the server cleanup and database
    /// re-indexing; if the error persists on one admin machine, delete the console cache
    /// (`%appdata%\Microsoft\MMC\wsus`) and reset the server node.
    ///
    /// ## Fix safety
    /// Starting the pool is safe; pool settings and declining updates are unsafe; deleting the console cache
    /// is display-only.
    ///
    /// ## References
    /// - Windows Server Update Services best practices (KB4490414)
    pub WsusConsoleError,
    id = "WSUS010", name = "wsus-console-error", area = Wsus, severity = Warning,
}

fn is_7053(e: &Event) -> bool {
    let id = e.event_id.or(match &e.kind {
        EventKind::Unclassified { event_id, .. } => Some(*event_id),
        _ => None,
    });
    let wsus = e
        .component
        .as_deref()
        .is_some_and(|c| contains_ci(c, "Update Services") || contains_ci(c, "WSUS"))
        || matches!(&e.kind, EventKind::Unclassified { provider, .. } if contains_ci(provider, "Update Services"))
        || contains_ci(&e.message, "WSUS administration console");
    (id == Some(7053) && wsus)
        || contains_ci(
            &e.message,
            "administration console has encountered an unexpected error",
        )
}

impl Rule for WsusConsoleError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let events: Vec<&Event> = cx.events().iter().filter(|e| is_7053(e)).collect();
        if events.is_empty() {
            return;
        }
        let timeout = events
            .iter()
            .any(|e| contains_ci(&e.message, "timeout") || contains_ci(&e.message, "timed out"));
        let message = format!(
            "The WSUS administration console failed {} time{} (event 7053){}. The console uses the same web services as the \
             clients: a stopped or recycling WsusPool and a database too large to answer in time are the usual causes.",
            events.len(),
            if events.len() == 1 { "" } else { "s" },
            if timeout {
                "; the error text mentions a time-out"
            } else {
                ""
            }
        );
        let f = Finding::new(
            &Self::META,
            Confidence::Likely,
            "WSUS console error 7053",
            message,
        )
        .events(events.iter().copied(), 3)
        .fixes(remedies::fixes(
            &["start-wsus-app-pool", "wsus-tune-app-pool", "wsus-decline-superseded"],
            &cx.os,
            &Fill::none(),
        ))
        .fix(
            Fix::new("Reset the console's cache on the admin machine", Applicability::DisplayOnly)
                .text("Close the WSUS console, delete its cache file, reopen the console and reconnect to the server.")
                .cmd("del \"%appdata%\\Microsoft\\MMC\\wsus\""),
        );
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use wudiag_evidence::{
        Event, EventKind, EvidenceBuilder, Retention, Severity, SourceInfo, SourceKind, Span,
    };

    #[test]
    fn reports_event_7053_from_the_application_log() {
        // No tool in this workspace writes .evtx files, so the record is built as the EVTX reader emits it.
        let mut b = EvidenceBuilder::new(Retention::Diagnostic);
        let src = b.add_source(SourceInfo::new("Application.evtx", SourceKind::Evtx, 0));
        let mut batch = b.batch(src);
        let mut e = Event {
            severity: Severity::Error,
            kind: EventKind::Unclassified {
                provider: "Windows Server Update Services".into(),
                event_id: 7053,
            },
            event_id: Some(7053),
            component: Some("Windows Server Update Services".into()),
            ..Event::default()
        };
        e.location = batch.at(Span::Record { id: 4711 });
        e.set_message("The WSUS administration console has encountered an unexpected error. System.Net.WebException: The operation has timed out");
        batch.record(e);
        b.merge(batch);
        let d = crate::diagnose(&b.finish());
        let f = d
            .findings
            .iter()
            .find(|f| f.rule.id == "WSUS010")
            .expect("WSUS010 fires");
        assert!(f.message.contains("time-out"), "{}", f.message);
        assert_eq!(f.severity, Severity::Warning);
    }
}
