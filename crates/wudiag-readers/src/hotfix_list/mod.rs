//! # Installed-update tables: `wmic qfe list`, `Get-HotFix`, and WUA update lists
//!
//! Three text shapes admins already have, all listing installed updates:
//! * `wmic qfe list` — fixed-width columns under a `Caption CSName Description … HotFixID …` header,
//!   usually UTF-16LE (the column alignment is unreliable on old systems, so rows are read by token);
//! * `Get-HotFix` — a PowerShell table (`HotFixID  Description  InstalledOn` over a dashed rule);
//! * a WUA API listing — `KB4486553: 2019-02 Cumulative Update for …` lines.
//!
//! Each row is a record; each update found is an `InstalledUpdate` fact with its KB, description and
//! installation date where the row has them.

use wudiag_evidence::{EvidenceBatch, Fact, InstalledUpdate, Severity, SourceKind, Span};

use crate::systeminfo::is_update_token;
use crate::{Format, Reading, Sniff};

fn date_token(t: &str) -> bool {
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

const DESCRIPTIONS: &[&str] = &[
    "Security Update",
    "Update",
    "Hotfix",
    "Service Pack",
    "Feature Pack",
    "Software Update",
];

/// Reads table rows: the header and rule lines are skipped, each other non-empty line is a row.
fn read_table(text: &str, batch: &mut EvidenceBatch) {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty()
            || t.starts_with("Caption")
            || t.starts_with("HotFixID")
            || t.starts_with("Source")
            || t.starts_with("---")
        {
            continue;
        }
        let tokens: Vec<&str> = t.split_whitespace().collect();
        let Some(kb) = tokens.iter().find(|x| is_update_token(x)) else {
            // A row without an update id (wmic prints `File 1` rows on XP) is still a row.
            batch.count_plain(Severity::Info);
            continue;
        };
        batch.count_plain(Severity::Info);
        let description = DESCRIPTIONS
            .iter()
            .find(|d| t.contains(**d))
            .map(|d| (*d).to_owned());
        let installed_on = tokens
            .iter()
            .find(|x| date_token(x))
            .map(|d| (*d).to_owned());
        let update = InstalledUpdate {
            kb: kb.parse().ok(),
            description,
            installed_on,
            ..InstalledUpdate::default()
        };
        batch.fact(Fact::InstalledUpdate(update), Span::line(i as u64 + 1), t);
    }
}

fn read_wua_list(text: &str, batch: &mut EvidenceBatch) {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let Some((id, title)) = t.split_once(':') else {
            batch.failed(Span::line(i as u64 + 1), "not a `KB…: title` line");
            continue;
        };
        batch.count_plain(Severity::Info);
        if is_update_token(id.trim()) {
            let update = InstalledUpdate {
                kb: id.trim().parse().ok(),
                description: Some(title.trim().to_owned()),
                ..InstalledUpdate::default()
            };
            batch.fact(Fact::InstalledUpdate(update), Span::line(i as u64 + 1), t);
        }
    }
}

fn sniff_wmic(s: &Sniff<'_>) -> u8 {
    // The header may follow a stray line when the output was pasted by hand.
    let lines: Vec<&str> = s.first_lines(4).map(str::trim).collect();
    let Some(h) = lines.iter().position(|l| {
        l.contains("HotFixID")
            && (l.starts_with("Caption") || l.starts_with("Description") || l.contains("CSName"))
    }) else {
        return 0;
    };
    let rule_follows = lines.get(h + 1).is_some_and(|r| r.starts_with("---"));
    if rule_follows {
        0
    } else {
        90 - 10 * u8::try_from(h).unwrap_or(4)
    }
}

fn sniff_get_hotfix(s: &Sniff<'_>) -> u8 {
    let mut lines = s.first_lines(2);
    let header = lines.next().unwrap_or_default();
    let rule = lines.next().unwrap_or_default();
    if header.contains("HotFixID")
        && header.contains("InstalledOn")
        && rule.trim_start().starts_with("---")
    {
        90
    } else {
        0
    }
}

fn sniff_wua_list(s: &Sniff<'_>) -> u8 {
    let lines: Vec<&str> = s.first_lines(20).collect();
    let matching = lines
        .iter()
        .filter(|l| {
            l.split_once(':')
                .is_some_and(|(id, _)| is_update_token(id.trim()))
        })
        .count();
    if !lines.is_empty() && matching == lines.len() {
        70
    } else {
        0
    }
}

/// `wmic qfe list`.
pub const WMIC_QFE: Format = Format {
    kind: SourceKind::WmicQfe,
    name: "wmic qfe list",
    sniff: sniff_wmic,
    read: Reading::Whole(read_table),
};
/// `Get-HotFix`.
pub const GET_HOTFIX: Format = Format {
    kind: SourceKind::GetHotFix,
    name: "Get-HotFix table",
    sniff: sniff_get_hotfix,
    read: Reading::Whole(read_table),
};
/// WUA update list.
pub const WUA_LIST: Format = Format {
    kind: SourceKind::WuaUpdateList,
    name: "WUA installed-update list",
    sniff: sniff_wua_list,
    read: Reading::Whole(read_wua_list),
};
