//! What the servicing rules share: packages named in CBS text, corruption scan summaries.

use wudiag_evidence::{Event, EventKind, PackageIdentity};

use crate::Context;
use crate::text::file_name;

/// CBS package identities named in an event: its package field, then any `name~token~arch~lang~version`
/// token in the message (quotes, `.mum`/`.cat` suffixes and `servicing\Packages\` paths removed).
pub(crate) fn packages(e: &Event) -> Vec<PackageIdentity> {
    let mut out: Vec<PackageIdentity> = Vec::new();
    let mut push = |p: PackageIdentity| {
        if !out
            .iter()
            .any(|q| q.name == p.name && q.version == p.version)
        {
            out.push(p);
        }
    };
    if let Some(p) = e.package.as_deref().and_then(PackageIdentity::parse) {
        push(p);
    }
    for word in e
        .message
        .split(|c: char| c.is_whitespace() || c == '\'' || c == '"' || c == ',')
    {
        if !word.contains('~') {
            continue;
        }
        let w = file_name(word).trim_end_matches(['.', ':', ']', ')']);
        let w = w
            .strip_suffix(".mum")
            .or_else(|| w.strip_suffix(".cat"))
            .unwrap_or(w);
        if let Some(p) = PackageIdentity::parse(trim_version_suffix(w)) {
            push(p);
        }
    }
    out
}

/// `…~10.0.20348.2227.DHCPServer` → `…~10.0.20348.2227` (CBS appends the update name to some identities).
fn trim_version_suffix(w: &str) -> &str {
    let Some((head, ver)) = w.rsplit_once('~') else {
        return w;
    };
    let keep = ver
        .split('.')
        .take_while(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .map(str::len)
        .fold(0usize, |acc, n| if acc == 0 { n } else { acc + 1 + n });
    w.get(..head.len() + 1 + keep).unwrap_or(w)
}

/// A corruption scan summary: detected and repaired counts, and whether the scan itself failed.
#[derive(Clone, Copy)]
pub(crate) struct Summary<'a> {
    pub event: &'a Event,
    pub detected: Option<u32>,
    pub repaired: Option<u32>,
}

impl Summary<'_> {
    /// Corruption left after the scan.
    pub(crate) fn left(&self) -> u32 {
        self.detected
            .unwrap_or(0)
            .saturating_sub(self.repaired.unwrap_or(0))
    }

    /// True when the scan ran and left nothing to repair.
    pub(crate) fn clean(&self) -> bool {
        self.detected.is_some()
            && self.left() == 0
            && !self.event.codes.iter().any(|c| c.is_failure())
    }
}

/// Every corruption scan summary, in time order.
pub(crate) fn summaries<'a>(cx: &Context<'a>) -> Vec<Summary<'a>> {
    cx.events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CorruptionSummary { detected, repaired } => Some(Summary {
                event: e,
                detected: *detected,
                repaired: *repaired,
            }),
            _ => None,
        })
        .collect()
}

/// True when a corruption scan after `e` came back clean (so a store problem at `e` was repaired).
pub(crate) fn repaired_after(cx: &Context<'_>, e: &Event) -> bool {
    let Some(t) = e.time else { return false };
    summaries(cx)
        .iter()
        .rfind(|s| s.event.time.is_some_and(|st| st.sort_key() > t.sort_key()))
        .is_some_and(Summary::clean)
}

/// Events in an error context that carry `code`.
pub(crate) fn failures_with<'a>(cx: &Context<'a>, code: u32) -> Vec<&'a Event> {
    cx.with_code(code)
        .filter(|e| crate::is_error_context(e))
        .collect()
}

/// KB numbers named by events (their KBs and package identities), first seen first.
pub(crate) fn kbs_of<'e>(
    events: impl IntoIterator<Item = &'e Event>,
) -> Vec<wudiag_evidence::KbNumber> {
    let mut out = Vec::new();
    for e in events {
        for kb in crate::event_kbs(e)
            .into_iter()
            .chain(packages(e).iter().filter_map(PackageIdentity::kb))
        {
            if !out.contains(&kb) {
                out.push(kb);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_packages_from_text() {
        let mut e = Event {
            message: "Failed to pin deployment while resolving Update: Microsoft-Windows-DhcpServerRole-Package~31bf3856ad364e35~amd64~~10.0.20348.2227.DHCPServer from file: (null) [HRESULT = 0x80073701]".into(),
            ..Event::default()
        };
        let p = packages(&e);
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].version.map(|v| v.to_string()),
            Some("10.0.20348.2227".into())
        );
        e.message = "(f) CBS MUM Corrupt 0x800F0900 servicing\\Packages\\Package_2_for_KB2079403~31bf3856ad364e35~amd64~~6.1.1.0.mum Line 1:".into();
        let p = packages(&e);
        assert_eq!(p[0].kb().map(|k| k.to_string()), Some("KB2079403".into()));
        e.message = "Failed to resolve package 'Package_123_for_KB3192392~31bf3856ad364e35~amd64~~6.3.1.4' [HRESULT = 0x800f0831]".into();
        assert_eq!(
            packages(&e)[0].kb().map(wudiag_evidence::KbNumber::number),
            Some(3_192_392)
        );
    }
}
