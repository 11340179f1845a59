//! Service states as `wudiag collect` writes them (`Services/services.json`, from the Service Control
//! Manager via `sc.exe queryex`): a JSON header, then one service object per line:
//!
//! ```text
//! {
//! "format": "wudiag/service-states/v1",
//! "source": "sc.exe queryex type= service state= all",
//! "services": [
//! {"name":"wuauserv","display_name":"Windows Update","state":"running","state_code":4},
//! {"name":"wlidsvc","state":"stopped","state_code":1}
//! ]
//! }
//! ```
//!
//! Each line of an update-related service becomes a `Fact::Service` with its run state (the start type comes
//! from the registry exports). A line that does not parse is a ReadIssue; a truncated file still yields its
//! complete lines.

use wudiag_evidence::{EvidenceBatch, Fact, ServiceFact, ServiceState, SourceKind, Span};

use crate::{Format, Reading, Sniff};

/// The format marker.
pub const MARKER: &str = "\"wudiag/service-states/v1\"";

/// Services whose state matters to Windows Update (the same set the registry reader reports).
const SERVICES: &[&str] = &[
    "wuauserv",
    "bits",
    "cryptsvc",
    "trustedinstaller",
    "wlidsvc",
    "usosvc",
    "waasmedicsvc",
    "dosvc",
    "uhssvc",
    "wsusservice",
    "w3svc",
];

/// The reader-table row.
pub const FORMAT: Format = Format {
    kind: SourceKind::ServiceStates,
    name: "Service states (wudiag collect)",
    sniff,
    read: Reading::Whole(read),
};

/// Scores an input: the format marker in the head.
pub fn sniff(s: &Sniff<'_>) -> u8 {
    if s.text.contains(MARKER) { 95 } else { 0 }
}

#[derive(serde::Deserialize)]
struct Row {
    name: String,
    #[serde(default)]
    state: Option<String>,
}

/// Reads a whole document.
pub fn read(text: &str, batch: &mut EvidenceBatch) {
    if !text.contains(MARKER) {
        batch.issue(
            None,
            "not a wudiag service-state listing (no format marker)",
        );
        return;
    }
    for (i, line) in text.lines().enumerate() {
        let l = line.trim().trim_end_matches(',');
        if !l.starts_with('{') || l.len() < 2 {
            continue;
        }
        let n = i as u64 + 1;
        let row = match serde_json::from_str::<Row>(l) {
            Ok(r) => r,
            Err(e) => {
                batch.stats.records_failed += 1;
                batch.issue(
                    Some(Span::line(n)),
                    format!("service line does not parse: {e}"),
                );
                continue;
            }
        };
        batch.stats.records_ok += 1;
        let name = row.name.to_ascii_lowercase();
        if !SERVICES.contains(&name.as_str()) {
            continue;
        }
        let state = match row.state.as_deref() {
            Some("running") => Some(ServiceState::Running),
            Some("stopped") => Some(ServiceState::Stopped),
            Some(_) => Some(ServiceState::Other),
            None => None,
        };
        batch.fact(
            Fact::Service(ServiceFact {
                name,
                start_type: None,
                state,
            }),
            Span::line(n),
            l,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    const DOC: &str = "{\n\"format\": \"wudiag/service-states/v1\",\n\"source\": \"sc.exe queryex type= service state= all\",\n\"services\": [\n{\"name\":\"wuauserv\",\"display_name\":\"Windows Update\",\"state\":\"running\",\"state_code\":4},\n{\"name\":\"Spooler\",\"state\":\"running\",\"state_code\":4},\n{\"name\":\"wlidsvc\",\"state\":\"stopped\",\"state_code\":1},\n{\"name\":\"bits\",\"state\":\"start_pending\",\"state_code\":2}\n]\n}\n";

    fn batch() -> EvidenceBatch {
        EvidenceBatch::new(SourceId(0), Retention::Diagnostic)
    }

    #[test]
    fn sniffs_the_marker_only() {
        let s = Sniff {
            name: "services.json",
            head: DOC.as_bytes(),
            text: DOC,
        };
        assert_eq!(sniff(&s), 95);
        let s = Sniff {
            name: "services.json",
            head: b"{}",
            text: "{}",
        };
        assert_eq!(sniff(&s), 0);
    }

    #[test]
    fn reads_update_services_with_their_lines() {
        let mut b = batch();
        read(DOC, &mut b);
        let facts = &b.facts;
        let services: Vec<(String, Option<ServiceState>, u64)> = facts
            .services
            .iter()
            .map(|f| {
                (
                    f.value.name.clone(),
                    f.value.state,
                    match f.location.span {
                        Span::Lines { first, .. } => first,
                        _ => 0,
                    },
                )
            })
            .collect();
        assert_eq!(
            services,
            [
                ("wuauserv".to_owned(), Some(ServiceState::Running), 5),
                ("wlidsvc".to_owned(), Some(ServiceState::Stopped), 7),
                ("bits".to_owned(), Some(ServiceState::Other), 8),
            ]
        );
        assert!(facts.services.iter().all(|f| f.value.start_type.is_none()));
    }

    #[test]
    fn broken_and_truncated_input_is_an_issue_not_a_panic() {
        let truncated = &DOC[..DOC.find("{\"name\":\"wlidsvc\"").unwrap_or(0) + 20];
        let mut b = batch();
        read(truncated, &mut b);
        assert_eq!(b.facts.services.len(), 1);
        assert_eq!(b.issues.len(), 1);

        let mut b = batch();
        read("{\"services\": [", &mut b);
        assert_eq!(b.issues.len(), 1);
        for cut in 0..DOC.len() {
            if DOC.is_char_boundary(cut) {
                read(&DOC[..cut], &mut batch());
            }
        }
    }
}
