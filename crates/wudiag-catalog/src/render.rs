//! Plain-text rendering of explanations and listings, for a terminal or a ticket. No colour, wrapped at
//! [`WIDTH`] columns; commands are never wrapped, so they can be copied as they are.

use std::fmt::Write as _;

use crate::explain::{Explanation, RemedyInfo, Status};
use crate::model::{Applicability, CodeEntry, Shell};

/// Text width for wrapping prose.
pub const WIDTH: usize = 88;

/// How many free-text matches the text output lists.
pub const TEXT_MATCHES: usize = 15;

/// Renders one explanation as text (ends with a newline).
pub fn explanation(ex: &Explanation) -> String {
    let mut out = String::new();
    match ex.status {
        Status::Known | Status::FacilityOnly | Status::Unknown => code(&mut out, ex),
        Status::Matches | Status::NoMatch => matches(&mut out, ex),
    }
    out
}

/// One line per entry for `wudiag catalog list`: code, symbol, meaning.
pub fn list_line(e: &CodeEntry) -> String {
    format!(
        "{}  {:<44} {}",
        e.code,
        e.symbol().unwrap_or("-"),
        e.meaning
    )
}

fn applicability_text(a: Applicability) -> &'static str {
    match a {
        Applicability::Safe => "safe (read-only or idempotent, no restart)",
        Applicability::Unsafe => "unsafe (changes configuration or state)",
        Applicability::DisplayOnly => "display-only (needs a person's judgement)",
    }
}

fn code(out: &mut String, ex: &Explanation) {
    let Some(code) = ex.code else { return };
    let _ = write!(out, "{code}");
    match ex.symbol {
        Some(s) => {
            let _ = write!(out, "  {s}");
        }
        None if ex.status == Status::Known => out.push_str("  (no published symbol)"),
        None => out.push_str("  (not in the catalogue)"),
    }
    out.push('\n');
    if ex.interpreted_as == "win32" {
        if let Some(n) = ex.win32 {
            field(
                out,
                "win32",
                &format!("{n} (as HRESULT_FROM_WIN32: {code})"),
            );
        }
    } else if ex.interpreted_as == "symbol" {
        field(out, "symbol", &ex.query.to_ascii_uppercase());
    }
    if ex.symbols.len() > 1 {
        field(
            out,
            "also named",
            &ex.symbols.get(1..).unwrap_or_default().join(", "),
        );
    }
    if let Some(d) = &ex.decomposition {
        field(
            out,
            "decimal",
            &format!("{} (unsigned), {} (signed)", d.unsigned, d.signed),
        );
        let mut parts = vec![d.severity.to_owned()];
        if d.ntstatus_shaped {
            parts.push("NTSTATUS-style (0xC…)".to_owned());
        }
        if d.customer {
            parts.push("customer-defined".to_owned());
        }
        let fname = d.facility_name.map(|n| format!(" {n}")).unwrap_or_default();
        parts.push(format!(
            "facility {} ({:#x}){fname}",
            d.facility, d.facility
        ));
        parts.push(format!("code {:#06x} ({})", d.code, d.code));
        if let Some(w) = d.win32 {
            parts.push(format!("Win32 error {w}"));
        }
        if let Some(h) = d.http_status {
            parts.push(format!("HTTP status {h}"));
        }
        field(out, "decomposed", &parts.join(" · "));
    }
    if let Some(c) = ex.component {
        field(out, "component", c);
    }
    if let Some(r) = ex.facility.as_ref().and_then(|f| f.range.as_ref()) {
        field(out, "range", &format!("{}-{} {}", r.first, r.last, r.name));
    }
    if ex.common {
        field(
            out,
            "listed on",
            "Microsoft's \"common Windows Update errors\" page",
        );
    }

    if ex.status == Status::Known {
        if let Some(m) = ex.meaning {
            section(out, "Meaning");
            wrap(out, m, 2, 2);
        }
        if !ex.messages.is_empty() {
            section(out, "Comes with the message");
            for m in &ex.messages {
                wrap(out, &format!("\"{m}\""), 2, 2);
            }
        }
        if let Some(n) = ex.note {
            section(out, "Note");
            wrap(out, n, 2, 2);
        }
        if !ex.causes.is_empty() {
            section(out, "Likely causes");
            for (i, c) in ex.causes.iter().enumerate() {
                wrap(out, &format!("{}. {}  [{}]", i + 1, c.title, c.id), 2, 5);
                wrap(out, c.detail, 5, 5);
                if !c.remedies.is_empty() {
                    wrap(out, &format!("fixes: {}", c.remedies.join(", ")), 5, 12);
                }
            }
        }
        if !ex.remedies.is_empty() {
            section(out, "Fixes, in the order to try them");
            for (i, r) in ex.remedies.iter().enumerate() {
                remedy(out, i + 1, r);
            }
        }
        if ex.causes.is_empty()
            && ex.remedies.is_empty()
            && let Some(f) = &ex.facility
        {
            section(out, "What the facility tells");
            facility(out, f);
        }
        if !ex.related.is_empty() {
            section(out, "Related");
            for r in &ex.related {
                let _ = writeln!(
                    out,
                    "  {}  {}",
                    r.code,
                    r.symbol.unwrap_or("(no published symbol)")
                );
                wrap(out, r.meaning, 4, 4);
            }
        }
    } else {
        section(out, "What the facility tells");
        match &ex.facility {
            Some(f) => facility(out, f),
            None => {
                if let Some(d) = &ex.decomposition {
                    wrap(
                        out,
                        &format!(
                            "Facility {} ({:#x}) is not described in the catalogue either.",
                            d.facility, d.facility
                        ),
                        2,
                        2,
                    );
                }
            }
        }
        out.push('\n');
        wrap(
            out,
            &format!(
                "This exact code has no catalogue entry. On Windows, `certutil -error {code}` prints the system's own text for it, if there is one."
            ),
            0,
            0,
        );
    }
}

fn facility(out: &mut String, f: &crate::explain::FacilityInfo) {
    wrap(
        out,
        &format!("FACILITY_{} ({}): {}", f.name, f.number, f.title),
        2,
        2,
    );
    wrap(out, f.meaning, 4, 4);
    if let Some(r) = &f.range {
        wrap(
            out,
            &format!("Range {}-{}: {}", r.first, r.last, r.name),
            2,
            2,
        );
        wrap(out, r.meaning, 4, 4);
    }
}

fn remedy(out: &mut String, n: usize, r: &RemedyInfo) {
    wrap(out, &format!("{n}. {}", r.title), 2, 5);
    wrap(
        out,
        &format!("[{}] {}", r.id, applicability_text(r.applicability)),
        5,
        5,
    );
    if let Some(os) = &r.os {
        let range = match (&os.min, &os.max) {
            (Some(a), Some(b)) if a == b => format!("NT {a} only"),
            (Some(a), Some(b)) => format!("NT {a} to {b}"),
            (Some(a), None) => format!("NT {a} and later"),
            (None, Some(b)) => format!("NT {b} and earlier"),
            (None, None) => String::new(),
        };
        let text = match os.note {
            Some(note) => note.to_owned(),
            None => range,
        };
        wrap(out, &format!("Windows: {text}"), 5, 14);
    }
    wrap(out, r.summary, 5, 5);
    for (i, s) in r.steps.iter().enumerate() {
        let letter = char::from(b'a' + u8::try_from(i % 26).unwrap_or(0));
        let mut text = format!("{letter}) {}", s.text);
        if let Some(os) = &s.os {
            let only = match (&os.min, &os.max) {
                (Some(a), Some(b)) if a == b => format!(" (only on NT {a})"),
                (Some(a), Some(b)) => format!(" (only on NT {a} to {b})"),
                (Some(a), None) => format!(" (only on NT {a} and later)"),
                (None, Some(b)) => format!(" (only on NT {b} and earlier)"),
                (None, None) => String::new(),
            };
            text.push_str(&only);
        }
        wrap(out, &text, 5, 8);
        if let Some(shell) = s.shell {
            let _ = writeln!(
                out,
                "        (elevated {})",
                match shell {
                    Shell::Cmd => "cmd",
                    Shell::PowerShell => "PowerShell",
                }
            );
            for cmd in &s.run {
                let _ = writeln!(out, "          {cmd}");
            }
        }
    }
    if !r.references.is_empty() {
        wrap(out, &format!("see: {}", r.references.join("; ")), 5, 10);
    }
}

fn matches(out: &mut String, ex: &Explanation) {
    if ex.status == Status::NoMatch {
        wrap(
            out,
            &format!(
                "\"{}\": no catalogue entry matches. Try a code (0x80244007), a symbol (WU_E_NOT_APPLICABLE) or fewer words.",
                ex.query
            ),
            0,
            0,
        );
        return;
    }
    let n = ex.match_count;
    let _ = writeln!(
        out,
        "\"{}\": {n} matching {}, best first",
        ex.query,
        if n == 1 { "entry" } else { "entries" }
    );
    for m in ex.matches.iter().take(TEXT_MATCHES) {
        let _ = writeln!(
            out,
            "  {}  {}",
            m.code,
            m.symbol.unwrap_or("(no published symbol)")
        );
        wrap(out, m.meaning, 4, 4);
        if let Some(msg) = m.message {
            wrap(out, &format!("message: \"{msg}\""), 4, 4);
        }
    }
    if n > TEXT_MATCHES {
        let _ = writeln!(
            out,
            "  … and {} more (--format json lists up to {})",
            n - TEXT_MATCHES,
            crate::explain::MAX_MATCHES
        );
    }
    if !ex.causes.is_empty() {
        section(out, "Causes that mention it");
        for c in &ex.causes {
            wrap(out, &format!("{}  [{}]", c.title, c.id), 2, 4);
            wrap(out, c.detail, 4, 4);
        }
    }
    out.push('\n');
    out.push_str("Run `wudiag explain <code>` for the causes and fixes of an entry.\n");
}

fn section(out: &mut String, title: &str) {
    out.push('\n');
    out.push_str(title);
    out.push('\n');
}

fn field(out: &mut String, name: &str, value: &str) {
    let prefix = format!("  {name:<11} ");
    let indent = prefix.chars().count();
    wrap_prefixed(out, &prefix, value, indent);
}

/// Greedy word wrap: the first line is indented by `first`, the following ones by `rest`.
fn wrap(out: &mut String, text: &str, first: usize, rest: usize) {
    wrap_prefixed(out, &" ".repeat(first), text, rest);
}

/// Greedy word wrap after `prefix` (kept verbatim); continuation lines are indented by `rest`.
/// A word longer than the line stays whole.
fn wrap_prefixed(out: &mut String, prefix: &str, text: &str, rest: usize) {
    let mut line = prefix.to_owned();
    let mut width = prefix.chars().count();
    let mut empty = true;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if !empty && width + 1 + w > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(rest);
            width = rest;
            empty = true;
        }
        if !empty {
            line.push(' ');
            width += 1;
        }
        line.push_str(word);
        width += w;
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_the_width_and_keeps_long_words() {
        let mut out = String::new();
        let long = "word ".repeat(40);
        wrap(&mut out, &long, 2, 4);
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        assert!(
            out.lines().skip(1).all(|l| l.starts_with("    word")),
            "{out}"
        );
        let mut out = String::new();
        wrap(&mut out, &"x".repeat(120), 2, 2);
        assert_eq!(out.lines().count(), 1);
    }
}
