//! The Markdown report: for pasting into a ticket, a chat or a pull request.
//!
//! GitHub-flavoured Markdown: a heading with the verdict, a small table about the machine, one section per
//! finding with its evidence as `path:line` code spans followed by the line in a fenced `text` block, and
//! fixes as numbered steps whose commands sit in fenced `cmd` or `powershell` blocks. Log text only ever
//! appears inside code spans and fences (made longer than any backtick run inside them); other text is
//! backslash-escaped, so a log line cannot add links, images or HTML to the ticket.

use std::fmt::Write as _;
use std::io::{self, Write};

use wudiag_evidence::Severity;

use crate::model::{FindingEntry, FixStep, Report};
use crate::text::{clean, confidence_name, step_chain};

/// Evidence entries listed per finding.
pub const MAX_EVIDENCE: usize = 10;
/// Update attempts listed.
pub const MAX_ATTEMPTS: usize = 25;
/// Lines of *What we could not read*.
pub const MAX_UNREAD: usize = 30;

/// Renders the Markdown report.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(to_string(report).as_bytes())
}

/// The Markdown report as a string.
pub fn to_string(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## {}\n", inline(&r.summary.verdict));

    let m = &r.machine;
    let sm = &r.summary;
    s.push_str("| | |\n|---|---|\n");
    let _ = writeln!(s, "| Windows | {} |", cell(&m.describe()));
    if let Some(a) = &m.arch {
        let _ = writeln!(s, "| Architecture | {} |", cell(a));
    }
    if let Some(v) = &m.servicing_stack {
        let _ = writeln!(s, "| Servicing stack | {} |", cell(v));
    }
    let mut read = format!(
        "{} of {} inputs, {} records",
        sm.sources_read, sm.sources, sm.records_ok
    );
    if sm.records_failed > 0 {
        let _ = write!(read, " ({} unparsable)", sm.records_failed);
    }
    let _ = writeln!(s, "| Read | {} |", cell(&read));
    if !r.attempts.is_empty() {
        let failed = r.attempts.iter().filter(|a| a.failed()).count();
        let _ = writeln!(
            s,
            "| Update attempts | {} ({failed} failed) |",
            r.attempts.len()
        );
    }
    let _ = writeln!(s, "| Tool | wudiag {} |", cell(&r.tool.version));

    let open: Vec<&FindingEntry> = r.open_findings().collect();
    if !open.is_empty() {
        s.push_str("\n### Findings\n");
        for f in open {
            write_finding(&mut s, f);
        }
    }

    let resolved: Vec<&FindingEntry> = r.resolved_findings().collect();
    if !resolved.is_empty() {
        s.push_str("\n### Resolved\n\nA later attempt of the same update succeeded.\n\n");
        for f in resolved {
            let _ = write!(
                s,
                "- **{}** {}: {}",
                f.rule,
                inline(&f.title),
                inline(&f.message)
            );
            if let Some(e) = f.evidence.first() {
                let _ = write!(s, " (seen at {})", code_span(&e.location));
            }
            s.push('\n');
        }
    }

    if !r.attempts.is_empty() {
        s.push_str("\n### Update attempts\n\n| Update | Outcome | Codes | First seen | Last seen | Steps |\n|---|---|---|---|---|---|\n");
        for a in r.attempts.iter().take(MAX_ATTEMPTS) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&a.update),
                cell(&a.outcome.replace('_', " ")),
                cell(&a.codes.join(", ")),
                cell(a.first_seen.as_deref().unwrap_or("")),
                cell(a.last_seen.as_deref().unwrap_or("")),
                cell(&step_chain(a))
            );
        }
        if r.attempts.len() > MAX_ATTEMPTS {
            let _ = writeln!(
                s,
                "\n… and {} more (all of them in the JSON report).",
                r.attempts.len() - MAX_ATTEMPTS
            );
        }
    }

    if r.has_unread() {
        s.push_str("\n### What we could not read\n\n");
        let mut lines = Vec::new();
        for src in r.unread() {
            if let Some(reason) = &src.skipped {
                lines.push(format!(
                    "- {} skipped: {}",
                    code_span(&src.path),
                    inline(reason)
                ));
            }
            if src.records_failed > 0 {
                lines.push(format!(
                    "- {}: {} of {} records could not be parsed",
                    code_span(&src.path),
                    src.records_failed,
                    src.records_failed + src.records_ok
                ));
            }
        }
        for i in &r.read_issues {
            lines.push(format!(
                "- {}: {}",
                code_span(&i.location),
                inline(&i.message)
            ));
        }
        let total = lines.len();
        for l in lines.into_iter().take(MAX_UNREAD) {
            s.push_str(&l);
            s.push('\n');
        }
        if total > MAX_UNREAD {
            let _ = writeln!(
                s,
                "- … and {} more (all of them in the JSON report)",
                total - MAX_UNREAD
            );
        }
    }
    s
}

fn write_finding(s: &mut String, f: &FindingEntry) {
    let sev = match f.severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Info => "Info",
    };
    let _ = writeln!(s, "\n#### {sev} {}: {}\n", f.rule, inline(&f.title));
    let mut meta = vec![format!("confidence: {}", confidence_name(f.confidence))];
    if !f.codes.is_empty() {
        meta.push(format!(
            "codes: {}",
            f.codes
                .iter()
                .map(|c| code_span(c))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !f.updates.is_empty() {
        meta.push(format!(
            "updates: {}",
            f.updates
                .iter()
                .map(|k| inline(k))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let _ = writeln!(s, "{}\n", meta.join(" · "));
    let _ = writeln!(s, "{}", inline(&f.message));

    if !f.evidence.is_empty() {
        s.push_str("\n**What we saw**\n\n");
        for e in f.evidence.iter().take(MAX_EVIDENCE) {
            let _ = write!(s, "- {}", code_span(&e.location));
            if let Some(note) = &e.note {
                let _ = write!(s, " ({})", inline(note));
            }
            s.push('\n');
            fenced(s, "text", &e.excerpt, "  ");
        }
        if f.evidence.len() > MAX_EVIDENCE {
            let _ = writeln!(
                s,
                "- … and {} more (all of them in the JSON report)",
                f.evidence.len() - MAX_EVIDENCE
            );
        }
    }

    if !f.why.is_empty() {
        let _ = writeln!(s, "\n**Why:** {}", inline(&f.why));
    }

    for fix in &f.fixes {
        let _ = writeln!(
            s,
            "\n**Fix ({}):** {}\n",
            fix.applicability.as_str(),
            inline(&fix.title)
        );
        let parts: Vec<FixStep<'_>> = fix.steps.iter().map(|x| FixStep::parse(x)).collect();
        let mut n = 0usize;
        let mut i = 0;
        while let Some(part) = parts.get(i) {
            match part {
                FixStep::Text(text) => {
                    n += 1;
                    let _ = writeln!(s, "{n}. {}", inline(text));
                    i += 1;
                }
                FixStep::Cmd(_) | FixStep::PowerShell(_) => {
                    // Consecutive commands of one shell share one fence.
                    let sh = part.shell().unwrap_or("cmd");
                    let introduced = matches!(
                        i.checked_sub(1).and_then(|j| parts.get(j)),
                        Some(FixStep::Text(_))
                    );
                    if !introduced {
                        n += 1;
                        let _ = writeln!(
                            s,
                            "{n}. In an elevated {}:",
                            if sh == "powershell" {
                                "PowerShell"
                            } else {
                                "cmd"
                            }
                        );
                    }
                    let mut lines = Vec::new();
                    while let Some(cmd) = parts.get(i).filter(|c| c.shell() == Some(sh)) {
                        lines.push(cmd.text());
                        i += 1;
                    }
                    let indent = " ".repeat(format!("{n}. ").len());
                    fenced(s, sh, &lines.join("\n"), &indent);
                }
            }
        }
    }
    let _ = writeln!(
        s,
        "\n<sub>Rule {} ({}); `wudiag rule {}` prints its documentation.</sub>",
        inline(f.rule),
        inline(f.name),
        f.rule.replace('`', "")
    );
}

/// Text in a paragraph, heading or list item: one line, Markdown and HTML characters escaped.
fn inline(text: &str) -> String {
    let text = clean(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Text in a table cell.
fn cell(text: &str) -> String {
    inline(text)
}

/// A code span long enough to hold any backticks in `text`.
fn code_span(text: &str) -> String {
    let text = clean(text).replace(['\n', '\r'], " ");
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// A fenced block, indented by `indent`, with a fence longer than any backtick run inside.
fn fenced(s: &mut String, lang: &str, body: &str, indent: &str) {
    let body = clean(body);
    let fence = "`".repeat((longest_run(&body, '`') + 1).max(3));
    let _ = writeln!(s, "{indent}{fence}{lang}");
    for line in body.lines() {
        let _ = writeln!(s, "{indent}{line}");
    }
    let _ = writeln!(s, "{indent}{fence}");
}

fn longest_run(text: &str, ch: char) -> usize {
    let mut best = 0;
    let mut cur = 0;
    for c in text.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_cannot_escape_its_code() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        let mut s = String::new();
        fenced(&mut s, "text", "```\n<img src=x>", "");
        assert!(s.starts_with("````text\n"));
        assert!(s.ends_with("\n````\n"));
    }

    #[test]
    fn prose_is_escaped() {
        assert_eq!(
            inline("[x](http://e) <b> *y*"),
            "\\[x\\](http://e) \\<b\\> \\*y\\*"
        );
    }
}
