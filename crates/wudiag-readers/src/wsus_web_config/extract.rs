//! Turns the app settings of the WSUS ClientWebService `web.config` into a WSUS server fact.

use wudiag_evidence::{Event, EventKind, EvidenceBatch, Fact, Severity, Span, WsusServerFact};

use super::parse::AppSetting;

/// The setting that caps how many installed-prerequisite ids a client may send to `SyncUpdates`.
pub const MAX_INSTALLED_PREREQUISITES: &str = "maxInstalledPrerequisites";

/// Maps one app setting into `batch`: one (info) record per setting, and a `WsusServer` fact for
/// `maxInstalledPrerequisites`.
pub fn extract(s: &AppSetting, batch: &mut EvidenceBatch) {
    let span = Span::XmlPath { path: s.path() };
    let excerpt = format!("<add key=\"{}\" value=\"{}\"/>", s.key, s.value);
    if s.key.eq_ignore_ascii_case(MAX_INSTALLED_PREREQUISITES) {
        let Ok(n) = s.value.trim().parse::<u32>() else {
            batch.failed(
                span,
                format!(
                    "{MAX_INSTALLED_PREREQUISITES} is \"{}\", not a number",
                    s.value
                ),
            );
            return;
        };
        batch.fact(
            Fact::WsusServer(WsusServerFact {
                max_installed_prerequisites: Some(n),
                ..WsusServerFact::default()
            }),
            span.clone(),
            &excerpt,
        );
    }
    if !batch.wants(Severity::Info, &EventKind::LogLine, false) {
        batch.count_plain(Severity::Info);
        return;
    }
    let mut event = Event {
        location: batch.at(span),
        component: Some("ClientWebService".into()),
        ..Event::default()
    };
    event.set_message(&format!("appSettings: {} = {}", s.key, s.value));
    batch.record(event);
}

#[cfg(test)]
mod tests {
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    fn setting(key: &str, value: &str) -> AppSetting {
        AppSetting {
            key: key.into(),
            value: value.into(),
            section: "/configuration/appSettings".into(),
        }
    }

    #[test]
    fn max_installed_prerequisites_is_a_fact() {
        let mut b = EvidenceBatch::new(SourceId(0), Retention::Diagnostic);
        extract(&setting("maxInstalledPrerequisites", "400"), &mut b);
        extract(&setting("maxCachedUpdates", "22000"), &mut b);
        assert_eq!(b.stats.records_ok, 2);
        assert!(b.events.is_empty());
        let f = &b.facts.wsus_server[0];
        assert_eq!(f.value.max_installed_prerequisites, Some(400));
        assert_eq!(
            f.location.span,
            Span::XmlPath {
                path: "/configuration/appSettings/add[@key='maxInstalledPrerequisites']".into()
            }
        );
        extract(&setting("maxInstalledPrerequisites", "lots"), &mut b);
        assert_eq!(b.stats.records_failed, 1);
    }
}
