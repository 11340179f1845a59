//! The terminal report: a verdict first, then what to do.
//!
//! Layout, top to bottom: the verdict line; one line of context (what was read, the machine); open findings
//! by severity, each with its message, *What we saw* (`path:line` and the line itself), *Why* (the rule's
//! summary) and *Fix* (numbered steps, commands on lines of their own, indented only, so they can be
//! copied whole); resolved findings in a shorter section of their own; the update attempts; and *What we
//! could not read*.
//!
//! Prose is wrapped at [`TextOptions::width`]; commands are never wrapped or cut. Log excerpts longer than
//! [`MAX_EXCERPT`] characters lose their middle, not their end, because the code usually sits at the end
//! of a CBS or DISM line. Control characters from logs (an ANSI escape in a hostile log line) are shown
//! escaped, never sent to the terminal.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use wudiag_evidence::Severity;
use wudiag_rules::{Applicability, Confidence};

use crate::model::{AttemptEntry, FindingEntry, FixStep, Report};

/// Longest excerpt shown, in characters (wrapped over up to three lines); longer ones lose their middle.
pub const MAX_EXCERPT: usize = 280;
/// Evidence lines shown per open finding (the JSON and HTML reports list them all).
pub const MAX_EVIDENCE: usize = 6;
/// Update attempts shown.
pub const MAX_ATTEMPTS: usize = 12;
/// Lines of *What we could not read*.
pub const MAX_UNREAD: usize = 20;

/// Options of the text renderer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextOptions {
    /// Use ANSI colours (the caller decides: a terminal, and `NO_COLOR` unset).
    pub color: bool,
    /// Column at which prose is wrapped.
    pub width: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        Self {
            color: false,
            width: 100,
        }
    }
}

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const INFO: Style = AnsiColor::Cyan.on_default().bold();
const RESOLVED: Style = AnsiColor::Green.on_default().bold();
const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const PATH: Style = AnsiColor::Cyan.on_default();
const COMMAND: Style = AnsiColor::BrightWhite.on_default().bold();
const SAFE: Style = AnsiColor::Green.on_default().bold();
const UNSAFE: Style = AnsiColor::Yellow.on_default().bold();
const DISPLAY_ONLY: Style = AnsiColor::Magenta.on_default().bold();

struct Painter {
    color: bool,
}

/// Paints each word on its own, so that wrapping between words keeps every line's colours balanced.
fn paint_words(p: &Painter, style: Style, text: &str) -> String {
    text.split(' ')
        .map(|w| {
            if w.is_empty() {
                String::new()
            } else {
                p.paint(style, w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }
}

/// Renders the text report.
pub fn render(report: &Report, out: &mut dyn Write, options: &TextOptions) -> io::Result<()> {
    let mut s = String::new();
    write_report(&mut s, report, options);
    out.write_all(s.as_bytes())
}

/// The text report as a string.
pub fn to_string(report: &Report, options: &TextOptions) -> String {
    let mut s = String::new();
    write_report(&mut s, report, options);
    s
}

fn write_report(s: &mut String, r: &Report, o: &TextOptions) {
    let p = Painter { color: o.color };
    let width = o.width.max(40);
    let verdict_style = if r.summary.errors > 0 && r.fails() {
        ERROR
    } else if r.fails() {
        WARNING
    } else {
        BOLD
    };
    // The verdict is one line in JSON; here it wraps like prose when a long title makes it too wide.
    let mut verdict = String::new();
    wrap_into(
        &mut verdict,
        &clean(&r.summary.verdict),
        "",
        "        ",
        width.max(120),
    );
    for line in verdict.lines() {
        let _ = writeln!(s, "{}", p.paint(verdict_style, line));
    }
    let _ = writeln!(s, "{}", p.paint(DIM, &context_line(r)));

    let open: Vec<&FindingEntry> = r.open_findings().collect();
    for f in &open {
        s.push('\n');
        write_open_finding(s, &p, f, width);
    }

    let resolved: Vec<&FindingEntry> = r.resolved_findings().collect();
    if !resolved.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            p.paint(
                BOLD,
                "Resolved (a later attempt of the same update succeeded):"
            )
        );
        for f in resolved {
            write_resolved_finding(s, &p, f, width);
        }
    }

    if !r.attempts.is_empty() {
        write_attempts(s, &p, &r.attempts);
    }

    write_unread(s, &p, r, width);

    if !r.findings.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            p.paint(
                DIM,
                "More: `wudiag rule ID` explains a rule; `--format html -o report.html` writes a report to share."
            )
        );
    }
}

fn context_line(r: &Report) -> String {
    let sm = &r.summary;
    let mut parts = vec![format!(
        "read {} of {} {}",
        sm.sources_read,
        sm.sources,
        if sm.sources == 1 { "input" } else { "inputs" }
    )];
    let mut records = format!("{} records", group_digits(sm.records_ok));
    if sm.records_failed > 0 {
        let _ = write!(records, " ({} unparsable)", group_digits(sm.records_failed));
    }
    parts.push(records);
    if !r.attempts.is_empty() {
        let failed = r.attempts.iter().filter(|a| a.failed()).count();
        let mut a = format!(
            "{} update {}",
            r.attempts.len(),
            if r.attempts.len() == 1 {
                "attempt"
            } else {
                "attempts"
            }
        );
        if failed > 0 {
            let _ = write!(a, " ({failed} failed)");
        }
        parts.push(a);
    }
    if let Some(arch) = &r.machine.arch {
        parts.push(arch.clone());
    }
    if let Some(ssu) = &r.machine.servicing_stack {
        parts.push(format!("servicing stack {ssu}"));
    }
    clean(&parts.join(" · ")).into_owned()
}

fn severity_tag(p: &Painter, severity: Severity) -> String {
    match severity {
        Severity::Error => p.paint(ERROR, "[ERROR]"),
        Severity::Warning => p.paint(WARNING, "[WARNING]"),
        Severity::Info => p.paint(INFO, "[INFO]"),
    }
}

/// `confirmed`, `likely`, `possible`.
pub(crate) const fn confidence_name(c: Confidence) -> &'static str {
    match c {
        Confidence::Confirmed => "confirmed",
        Confidence::Likely => "likely",
        Confidence::Possible => "possible",
    }
}

fn applicability_tag(p: &Painter, a: Applicability) -> String {
    let style = match a {
        Applicability::Safe => SAFE,
        Applicability::Unsafe => UNSAFE,
        Applicability::DisplayOnly => DISPLAY_ONLY,
    };
    p.paint(style, &format!("[{}]", a.as_str()))
}

fn write_open_finding(s: &mut String, p: &Painter, f: &FindingEntry, width: usize) {
    let head = format!(
        "{} {} {} {}",
        severity_tag(p, f.severity),
        p.paint(BOLD, f.rule),
        paint_words(p, BOLD, &clean(&f.title)),
        p.paint(DIM, &format!("({})", confidence_name(f.confidence)))
    );
    wrap_into(s, &head, "", "  ", width);
    wrap_into(s, &clean(&f.message), "  ", "  ", width);
    let mut tags = Vec::new();
    if !f.codes.is_empty() {
        tags.push(format!("codes: {}", f.codes.join(", ")));
    }
    if !f.updates.is_empty() {
        tags.push(format!("updates: {}", f.updates.join(", ")));
    }
    if !tags.is_empty() {
        let _ = writeln!(s, "  {}", p.paint(DIM, &clean(&tags.join(" · "))));
    }

    if !f.evidence.is_empty() {
        let _ = writeln!(s, "  {}", p.paint(BOLD, "What we saw:"));
        for e in f.evidence.iter().take(MAX_EVIDENCE) {
            let mut head = p.paint(PATH, &clean(&e.location));
            if let Some(note) = &e.note {
                let _ = write!(
                    head,
                    " {}",
                    paint_words(p, DIM, &format!("({})", clean(note)))
                );
            }
            wrap_into(s, &head, "    ", "        ", width);
            write_excerpt(s, &e.excerpt, "      ", width);
        }
        if f.evidence.len() > MAX_EVIDENCE {
            let _ = writeln!(
                s,
                "    {}",
                p.paint(
                    DIM,
                    &format!(
                        "… and {} more (all of them in --format json or html)",
                        f.evidence.len() - MAX_EVIDENCE
                    )
                )
            );
        }
    }

    if !f.why.is_empty() {
        let at = s.len();
        wrap_into(
            s,
            &format!("Why: {}", clean(&f.why)),
            "  ",
            "       ",
            width,
        );
        if p.color && s.get(at..at + 7) == Some("  Why: ") {
            // Wrapping works on plain text; paint the label afterwards.
            s.replace_range(at..at + 7, &format!("  {} ", p.paint(BOLD, "Why:")));
        }
    }

    for fix in &f.fixes {
        let _ = writeln!(
            s,
            "  {} {} {}",
            p.paint(BOLD, "Fix"),
            applicability_tag(p, fix.applicability),
            clean(&fix.title)
        );
        write_steps(s, p, &fix.steps, width);
    }
}

fn write_steps(s: &mut String, p: &Painter, steps: &[String], width: usize) {
    let parts: Vec<FixStep<'_>> = steps.iter().map(|x| FixStep::parse(x)).collect();
    let mut n = 0usize;
    let mut i = 0usize;
    while let Some(part) = parts.get(i) {
        match part {
            FixStep::Text(text) => {
                n += 1;
                // The shell of the commands that follow, if any, is named at the end of the prose.
                let shell = parts.get(i + 1).and_then(|x| x.shell());
                let mut line = clean(text).into_owned();
                if let Some(sh) = shell {
                    let _ = write!(line, " [{}]", shell_label(sh));
                }
                let lead = format!("    {n}. ");
                let hang = " ".repeat(lead.len());
                wrap_into(s, &line, &lead, &hang, width);
                i += 1;
            }
            FixStep::Cmd(cmd) | FixStep::PowerShell(cmd) => {
                let sh = part.shell().unwrap_or("cmd");
                // A command follows the prose that introduces it (which named its shell) or a command of
                // the same shell; otherwise it gets a short item of its own.
                let introduced = match i.checked_sub(1).and_then(|j| parts.get(j)) {
                    Some(FixStep::Text(_)) => true,
                    Some(prev) => prev.shell() == Some(sh),
                    None => false,
                };
                if !introduced {
                    n += 1;
                    let _ = writeln!(s, "    {n}. In an elevated {}:", shell_label(sh));
                }
                let _ = writeln!(s, "         {}", p.paint(COMMAND, &clean(cmd)));
                i += 1;
            }
        }
    }
}

const fn shell_label(shell: &str) -> &'static str {
    match shell.as_bytes() {
        b"powershell" => "PowerShell",
        _ => "cmd",
    }
}

fn write_resolved_finding(s: &mut String, p: &Painter, f: &FindingEntry, width: usize) {
    let head = format!(
        "{} {} {} {}",
        p.paint(RESOLVED, "[RESOLVED]"),
        p.paint(BOLD, f.rule),
        clean(&f.title),
        p.paint(DIM, &format!("({})", confidence_name(f.confidence)))
    );
    wrap_into(s, &head, "  ", "    ", width);
    wrap_into(s, &clean(&f.message), "    ", "    ", width);
    if let Some(e) = f.evidence.first() {
        let more = if f.evidence.len() > 1 {
            format!(" (+{} more)", f.evidence.len() - 1)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "    {} {}{}",
            p.paint(DIM, "seen at"),
            p.paint(PATH, &clean(&e.location)),
            p.paint(DIM, &more)
        );
    }
}

fn write_excerpt(s: &mut String, excerpt: &str, indent: &str, width: usize) {
    // A log line is shown whole when it fits in a few lines; a longer one loses its middle. Continuation
    // lines are indented further so the line's start stays visible.
    let hang = format!("{indent}  ");
    let room = width.saturating_sub(hang.len()).max(40);
    let lines: Vec<&str> = excerpt.lines().filter(|l| !l.trim().is_empty()).collect();
    for l in lines.iter().take(3) {
        let shown = elide_middle(&clean(l.trim_end()), MAX_EXCERPT.min(room * 3)).into_owned();
        wrap_hard(s, &shown, indent, &hang, width);
    }
    if lines.len() > 3 {
        let more = lines.len() - 3;
        let _ = writeln!(
            s,
            "{indent}… ({more} more {})",
            if more == 1 { "line" } else { "lines" }
        );
    }
}

fn write_attempts(s: &mut String, p: &Painter, attempts: &[AttemptEntry]) {
    let failed = attempts.iter().filter(|a| a.failed()).count();
    let recovered = attempts.iter().filter(|a| a.recovered()).count();
    let mut head = format!("Update attempts ({}", attempts.len());
    if failed > 0 {
        let _ = write!(head, ", {failed} failed");
    }
    if recovered > 0 {
        let _ = write!(head, ", {recovered} recovered");
    }
    head.push_str("):");
    let _ = writeln!(s, "\n{}", p.paint(BOLD, &head));

    // When there are too many to show, keep the failures first and the most recent first among equals;
    // then show them in time order.
    let mut shown: Vec<&AttemptEntry> = attempts.iter().collect();
    if shown.len() > MAX_ATTEMPTS {
        shown.sort_by_key(|a| {
            let rank = match a.outcome.as_str() {
                "failed" => 0,
                "recovered_after_failure" => 1,
                "succeeded" => 3,
                _ => 2,
            };
            (
                rank,
                std::cmp::Reverse(a.steps.iter().rev().find_map(|st| st.at)),
            )
        });
        shown.truncate(MAX_ATTEMPTS);
    }
    shown.sort_by_key(|a| first_at(a));
    let label_width = shown
        .iter()
        .map(|a| a.update.chars().count())
        .max()
        .unwrap_or(0)
        .min(44);
    for a in &shown {
        let (label, style) = match a.outcome.as_str() {
            "failed" => ("failed", ERROR),
            "recovered_after_failure" => ("recovered", RESOLVED),
            "succeeded" => ("succeeded", SAFE),
            _ => ("no outcome", DIM),
        };
        let update = clean(&a.update);
        let pad = label_width.saturating_sub(update.chars().count());
        let mut line = format!(
            "  {update}{}  {}{}",
            " ".repeat(pad),
            p.paint(style, label),
            " ".repeat(10usize.saturating_sub(label.len()))
        );
        if !a.codes.is_empty() {
            let _ = write!(line, " {}", a.codes.join(", "));
        }
        let _ = writeln!(s, "{}", line.trim_end());
        let mut detail = String::new();
        if let Some(range) = time_range(a) {
            let _ = write!(detail, "{} · ", p.paint(DIM, &range));
        }
        detail.push_str(&step_chain(a));
        let _ = writeln!(s, "  {}  {detail}", " ".repeat(label_width));
    }
    if attempts.len() > shown.len() {
        let hidden: Vec<&AttemptEntry> = attempts
            .iter()
            .filter(|a| !shown.iter().any(|x| std::ptr::eq(*x, *a)))
            .collect();
        let mut parts = Vec::new();
        for (name, n) in [
            ("failed", hidden.iter().filter(|a| a.failed()).count()),
            ("recovered", hidden.iter().filter(|a| a.recovered()).count()),
            ("succeeded", hidden.iter().filter(|a| a.succeeded()).count()),
        ] {
            if n > 0 {
                parts.push(format!("{n} {name}"));
            }
        }
        let detail = if parts.is_empty() {
            String::new()
        } else {
            format!(": {}", parts.join(", "))
        };
        let _ = writeln!(
            s,
            "  {}",
            p.paint(
                DIM,
                &format!(
                    "… and {} more{detail} (all of them in --format json or html)",
                    hidden.len()
                )
            )
        );
    }
}

fn first_at(a: &AttemptEntry) -> Option<jiff::civil::DateTime> {
    a.steps.iter().find_map(|s| s.at)
}

/// `2023-05-17 10:36:12 → 10:52:01` (the date repeated only when it changes).
fn time_range(a: &AttemptEntry) -> Option<String> {
    let first = a.steps.iter().find_map(|s| s.at)?;
    let last = a.steps.iter().rev().find_map(|s| s.at)?;
    let f = format_time(first);
    if format_time(last) == f {
        return Some(f);
    }
    let l = if first.date() == last.date() {
        format!(
            "{:02}:{:02}:{:02}",
            last.hour(),
            last.minute(),
            last.second()
        )
    } else {
        format_time(last)
    };
    Some(format!("{f} → {l}"))
}

/// `2023-05-17 10:36:12`.
pub(crate) fn format_time(t: jiff::civil::DateTime) -> String {
    format!(
        "{} {:02}:{:02}:{:02}",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `download ✓ → install ✗ ×2`: the steps of an attempt in a few words.
pub(crate) fn step_chain(a: &AttemptEntry) -> String {
    let mut items: Vec<(String, usize)> = Vec::new();
    for st in &a.steps {
        let word = step_word(st.kind);
        match items.last_mut() {
            Some((w, n)) if *w == word => *n += 1,
            _ => items.push((word, 1)),
        }
    }
    let words: Vec<String> = items
        .into_iter()
        .map(|(w, n)| if n > 1 { format!("{w} ×{n}") } else { w })
        .collect();
    if words.len() > 8 {
        let head = words.get(..3).unwrap_or_default().join(" → ");
        let tail = words.get(words.len() - 3..).unwrap_or_default().join(" → ");
        format!("{head} → … → {tail}")
    } else {
        words.join(" → ")
    }
}

/// `download_failed` → `download ✗`.
pub(crate) fn step_word(kind: &str) -> String {
    let (verb, mark) = if let Some(v) = kind.strip_suffix("_failed") {
        (v, "✗")
    } else if let Some(v) = kind.strip_suffix("_succeeded") {
        (v, "✓")
    } else if let Some(v) = kind.strip_suffix("_started") {
        (v, "…")
    } else {
        (kind, "")
    };
    if mark.is_empty() {
        verb.replace('_', " ")
    } else {
        format!("{} {mark}", verb.replace('_', " "))
    }
}

fn write_unread(s: &mut String, p: &Painter, r: &Report, width: usize) {
    let mut lines: Vec<String> = Vec::new();
    for src in r.unread() {
        if let Some(reason) = &src.skipped {
            lines.push(format!(
                "{} — skipped: {}",
                p.paint(PATH, &clean(&src.path)),
                clean(reason)
            ));
        }
        if src.records_failed > 0 {
            lines.push(format!(
                "{} — {} of {} records could not be parsed",
                p.paint(PATH, &clean(&src.path)),
                group_digits(src.records_failed),
                group_digits(src.records_failed + src.records_ok)
            ));
        }
    }
    for i in &r.read_issues {
        lines.push(format!(
            "{} — {}",
            p.paint(PATH, &clean(&i.location)),
            clean(&i.message)
        ));
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{}", p.paint(BOLD, "What we could not read:"));
    let total = lines.len();
    for l in lines.into_iter().take(MAX_UNREAD) {
        // Paths are long and reasons are prose: wrap with a hanging indent, never cut.
        wrap_into(s, &l, "  ", "      ", width);
    }
    if total > MAX_UNREAD {
        let _ = writeln!(
            s,
            "  {}",
            p.paint(
                DIM,
                &format!(
                    "… and {} more (all of them in --format json or html)",
                    total - MAX_UNREAD
                )
            )
        );
    }
}

/// Characters of `s` a terminal shows: ANSI escape sequences take no room.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        if in_escape {
            if c.is_ascii_alphabetic() {
                in_escape = false;
            }
        } else if c == '\u{1b}' {
            in_escape = true;
        } else {
            n += 1;
        }
    }
    n
}

/// Writes `text` wrapped at `width` visible columns: `first` before the first line, `rest` before the
/// others. Prose keeps words longer than a line whole (a URL stays copyable); see [`wrap_hard`].
fn wrap_into(s: &mut String, text: &str, first: &str, rest: &str, width: usize) {
    wrap(s, text, first, rest, width, false);
}

/// Like [`wrap_into`], but cuts words longer than a line (log lines with long URLs or XML).
fn wrap_hard(s: &mut String, text: &str, first: &str, rest: &str, width: usize) {
    wrap(s, text, first, rest, width, true);
}

fn wrap(s: &mut String, text: &str, first: &str, rest: &str, width: usize, hard: bool) {
    let rest_room = width.saturating_sub(visible_len(rest)).max(20);
    for (pi, para) in text.split('\n').enumerate() {
        let mut line = String::from(if pi == 0 { first } else { rest });
        let mut col = visible_len(&line);
        let mut empty = true;
        let mut words: Vec<String> = Vec::new();
        for word in para.split_whitespace() {
            let wl = visible_len(word);
            if hard && wl > rest_room && !word.contains('\u{1b}') {
                let chars: Vec<char> = word.chars().collect();
                words.extend(
                    chars
                        .chunks(rest_room)
                        .map(|c| c.iter().collect::<String>()),
                );
            } else {
                words.push(word.to_owned());
            }
        }
        for word in &words {
            let wl = visible_len(word);
            if !empty && col + 1 + wl > width {
                s.push_str(line.trim_end());
                s.push('\n');
                line = String::from(rest);
                col = visible_len(&line);
                empty = true;
            }
            if !empty {
                line.push(' ');
                col += 1;
            }
            line.push_str(word);
            col += wl;
            empty = false;
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
}

/// Cuts the middle out of `text` when it is longer than `max` characters, keeping the start and the end.
fn elide_middle(text: &str, max: usize) -> Cow<'_, str> {
    let n = text.chars().count();
    if n <= max {
        return Cow::Borrowed(text);
    }
    let head = max * 2 / 3;
    let tail = max - head - 3;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    Cow::Owned(format!("{start} … {end}"))
}

/// Makes text from logs safe for a terminal: control characters (ANSI escapes, carriage returns,
/// backspaces) and bidirectional overrides are shown escaped instead of being interpreted.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `1234567` → `1,234,567`.
pub(crate) fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(clean("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(clean("plain"), "plain");
        assert_eq!(clean("x\u{202e}y"), "x\\u{202e}y");
    }

    #[test]
    fn long_excerpts_keep_their_end() {
        let line = format!(
            "{} [HRESULT = 0x800f081f - CBS_E_SOURCE_MISSING]",
            "x".repeat(300)
        );
        let short = elide_middle(&line, 100);
        assert!(short.chars().count() <= 100);
        assert!(short.ends_with("CBS_E_SOURCE_MISSING]"));
    }

    #[test]
    fn wrapping_keeps_long_words_whole() {
        let mut s = String::new();
        wrap_into(&mut s, "aaa bbb ccccccccccccccc dd", "> ", "  ", 10);
        assert_eq!(s, "> aaa bbb\n  ccccccccccccccc\n  dd\n");
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(1234), "1,234");
        assert_eq!(group_digits(1_234_567), "1,234,567");
    }
}
