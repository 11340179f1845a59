//! # `systeminfo` output
//!
//! What `systeminfo.exe` prints (and what admins paste into tickets): `Label:   value` lines in the
//! language of the machine (the corpus has English, French, German, Spanish, Italian, Dutch, Russian and
//! Chinese, some in OEM code pages), with a hotfix section of `[01]: KB2479943` lines.
//!
//! Labels are translated, values are not: this reader never looks at labels. The OS name is the first value
//! naming Windows (translated product names keep the word), the version the first value shaped like `6.1.7601 …`, the
//! architecture the `x64-based PC` / `X86-based PC` value, and installed updates the `KB…`/`Q…` tokens of
//! `[NN]:` lines. Each `Label: value` line and each hotfix line is a record.

use wudiag_evidence::{
    Arch, EvidenceBatch, Fact, InstalledUpdate, OsFact, Severity, SourceKind, Span, Version,
};

use crate::{Format, Reading, Sniff};

/// Splits `Label:   value` (label without leading space, at least two spaces or a tab before the value
/// in systeminfo's layout; a colon may be preceded by a non-breaking space).
fn label_value(line: &str) -> Option<(&str, &str)> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let colon = line.find(':')?;
    let label = line.get(..colon)?.trim();
    let value = line.get(colon + 1..)?;
    if label.is_empty() || label.chars().count() > 60 || !value.starts_with([' ', '\t']) {
        return None;
    }
    Some((label, value.trim()))
}

/// The update token of a `[01]: KB2479943` line.
pub(crate) fn hotfix_token(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let rest = t.strip_prefix('[')?;
    let close = rest.find(']')?;
    if !rest.get(..close)?.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let after = rest
        .get(close + 1..)?
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{fffd}');
    let value = after.strip_prefix(':')?.trim();
    let token = value.split_whitespace().next()?;
    is_update_token(token).then_some(token)
}

/// `KB2479943`, `Q147222`.
pub(crate) fn is_update_token(t: &str) -> bool {
    let digits = t
        .strip_prefix("KB")
        .or_else(|| t.strip_prefix("kb"))
        .or_else(|| t.strip_prefix('Q'));
    digits.is_some_and(|d| (5..=8).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

fn read(text: &str, batch: &mut EvidenceBatch) {
    let mut os = OsFact::default();
    let mut os_line = None;
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        if let Some(token) = hotfix_token(line) {
            batch.count_plain(Severity::Info);
            let kb = token.parse().ok();
            batch.fact(
                Fact::InstalledUpdate(InstalledUpdate {
                    kb,
                    description: kb.is_none().then(|| token.to_owned()),
                    ..InstalledUpdate::default()
                }),
                Span::line(n),
                line,
            );
            continue;
        }
        let Some((_, value)) = label_value(line) else {
            continue;
        };
        batch.count_plain(Severity::Info);
        let clean = value.replace(['\u{fffd}', '\u{a0}'], " ");
        if os.product.is_none() && clean.contains("Windows") && !clean.contains('\\') {
            os.product = Some(clean.split_whitespace().collect::<Vec<_>>().join(" "));
            os_line.get_or_insert(n);
        } else if os.version.is_none() {
            let first = clean.split_whitespace().next().unwrap_or_default();
            if first.matches('.').count() == 2 && first.starts_with(|c: char| c.is_ascii_digit()) {
                os.version = Version::parse(first);
                os_line.get_or_insert(n);
            }
        }
        if os.arch.is_none() && clean.to_ascii_lowercase().contains("-based pc")
            || clean.to_ascii_lowercase().contains("-basierter pc")
        {
            os.arch = Arch::from_text(
                clean
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .split('-')
                    .next()
                    .unwrap_or_default(),
            );
        }
    }
    if os != OsFact::default() {
        let line = os_line.unwrap_or(1);
        let excerpt = [
            os.product.clone(),
            os.version.map(|v| v.to_string()),
            os.arch.map(|a| a.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        batch.fact(Fact::Os(os), Span::line(line), &excerpt);
    }
}

fn sniff(s: &Sniff<'_>) -> u8 {
    let lines: Vec<&str> = s.text.lines().take(60).collect();
    let labelled = lines.iter().filter(|l| label_value(l).is_some()).count();
    let windows = lines
        .iter()
        .filter_map(|l| label_value(l))
        .any(|(_, v)| v.contains("Windows"));
    let versioned = lines.iter().filter_map(|l| label_value(l)).any(|(_, v)| {
        let first = v.split_whitespace().next().unwrap_or_default();
        first.matches('.').count() == 2 && first.starts_with(|c: char| c.is_ascii_digit())
    });
    if labelled >= 8 && windows && versioned {
        85
    } else {
        0
    }
}

/// The table row.
pub const FORMAT: Format = Format {
    kind: SourceKind::SystemInfo,
    name: "systeminfo output",
    sniff,
    read: Reading::Whole(read),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hotfix_lines_in_any_language() {
        assert_eq!(
            hotfix_token("                           [01]: KB2479943"),
            Some("KB2479943")
        );
        assert_eq!(
            hotfix_token("                           [01]\u{a0}: KB2479943"),
            Some("KB2479943")
        );
        assert_eq!(hotfix_token("   [02]: Q147222"), Some("Q147222"));
        assert_eq!(hotfix_token("   [01]: Intel64 Family 6 Model 158"), None);
        assert_eq!(
            label_value("OS Version:                6.1.7601 Service Pack 1 Build 7601"),
            Some(("OS Version", "6.1.7601 Service Pack 1 Build 7601"))
        );
    }
}
