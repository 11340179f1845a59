//! # WSUS ClientWebService web.config
//!
//! **What:** the ASP.NET configuration of the WSUS client web service, the endpoint Windows Update clients
//! scan against. Its `<appSettings>` hold the WSUS tunables; the one that matters most for diagnosis is
//! `maxInstalledPrerequisites` (built-in default 400): when a client sends more installed-prerequisite
//! ids than that, `SyncUpdates` fails and the client reports `0x80244007`; Microsoft's fix raises it
//! (to 800) and restarts IIS.
//!
//! **Where:** `%ProgramFiles%\Update Services\WebServices\ClientWebService\web.config`.
//!
//! **Layout:** XML: `<configuration><appSettings><add key="…" value="…"/>…`. The file is decoded from its
//! bytes (UTF-8 with or without BOM, or UTF-16) before parsing; the declared encoding is not trusted.
//!
//! **Extracted:** one record per app setting (info, kept only when every record is kept); a
//! `WsusServer` fact with `max_installed_prerequisites` and its element path
//! (`/configuration/appSettings/add[@key='maxInstalledPrerequisites']`). A non-numeric value is a failed
//! record.
//!
//! **Corpus:** none; the tests use a synthetic fixture written by the wudiag team from the documented
//! layout.

pub mod extract;
pub mod parse;

use wudiag_evidence::{EvidenceBatch, Span};

use crate::Sniff;

/// Reads a whole `web.config` into `batch`.
pub fn read(text: &str, batch: &mut EvidenceBatch) {
    for s in parse::app_settings(text) {
        match s {
            Ok(s) => extract::extract(&s, batch),
            Err(e) => batch.failed(Span::XmlPath { path: e.path }, e.what),
        }
    }
}

/// Scores an input as the WSUS ClientWebService `web.config`: an XML document naming
/// `maxInstalledPrerequisites` (or `maxCachedUpdates`) is conclusive; a `web.config` with
/// `<appSettings>` scores 30.
pub fn sniff(s: &Sniff<'_>) -> u8 {
    let t = s.text;
    let xml = t
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<');
    if !xml {
        return 0;
    }
    if t.contains("maxInstalledPrerequisites") || t.contains("maxCachedUpdates") {
        return 90;
    }
    if s.name == "web.config" && t.contains("<appSettings") {
        return 30;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs() {
        let score = |name: &str, text: &str| {
            sniff(&Sniff {
                name,
                head: text.as_bytes(),
                text,
            })
        };
        assert_eq!(
            score(
                "x.xml",
                "<configuration><appSettings><add key=\"maxInstalledPrerequisites\" value=\"400\"/>"
            ),
            90
        );
        assert_eq!(score("web.config", "<configuration><appSettings/>"), 30);
        assert_eq!(score("web.config", "maxInstalledPrerequisites"), 0);
        assert_eq!(score("a.xml", "<SetupDiag/>"), 0);
    }
}
