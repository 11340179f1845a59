//! The HTML report: one self-contained file to attach to a ticket or open in a browser.
//!
//! Everything is inline: the CSS is in the page, there is no script and no link to anything on the network
//! (only links to Microsoft pages that rules cite, and Update Catalog searches for the KBs concerned). A
//! `Content-Security-Policy` meta tag forbids scripts and remote loads as a second line of defence.
//!
//! Evidence comes from logs, and logs can be hostile: every piece of text goes through [`escape`], which
//! escapes `& < > " '` and shows control characters as `\u{…}`. Nothing from the evidence is ever placed
//! in a URL, a style or a tag name; the only computed attribute values are percentages and escaped text.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use wudiag_evidence::Severity;
use wudiag_rules::Applicability;

use crate::model::{AttemptEntry, FindingEntry, FixStep, Report};
use crate::text::{confidence_name, format_time, group_digits, step_word};

/// Evidence entries listed per finding; the rest are counted.
pub const MAX_EVIDENCE: usize = 50;
/// Beyond this many update attempts, the ones that went through are folded away.
pub const MAX_TIMELINE_ROWS: usize = 20;

/// Renders the HTML report.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(to_string(report).as_bytes())
}

/// The HTML report as a string.
pub fn to_string(r: &Report) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let status = if r.summary.errors > 0 && r.fails() {
        "error"
    } else if r.fails() {
        "warning"
    } else {
        "ok"
    };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"generator\" content=\"wudiag {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&r.tool.version),
        escape(&r.summary.verdict)
    );

    // Verdict band.
    let _ = write!(
        s,
        "<header class=\"top {status}\">\n<div class=\"wrap\">\n<div class=\"brand\">wudiag · Windows Update diagnosis</div>\n<h1>{}</h1>\n<div class=\"counts\">",
        escape(verdict_body(&r.summary.verdict))
    );
    let sm = &r.summary;
    for (n, class, one, many) in [
        (sm.errors, "error", "error", "errors"),
        (sm.warnings, "warning", "warning", "warnings"),
        (sm.info.saturating_sub(sm.resolved), "info", "note", "notes"),
        (sm.resolved, "resolved", "resolved", "resolved"),
    ] {
        if n > 0 {
            let _ = write!(
                s,
                "<span class=\"count {class}\">{n} {}</span>",
                if n == 1 { one } else { many }
            );
        }
    }
    if r.findings.is_empty() {
        s.push_str("<span class=\"count ok\">no findings</span>");
    }
    s.push_str("</div>\n</div>\n</header>\n<main class=\"wrap\">\n");

    write_machine(&mut s, r);

    let open: Vec<&FindingEntry> = r.open_findings().collect();
    s.push_str("<section>\n<h2>Findings</h2>\n");
    if open.is_empty() {
        s.push_str("<p class=\"empty\">No open problem was found in the evidence that could be read.</p>\n");
    }
    for (i, f) in open.iter().enumerate() {
        write_finding(&mut s, f, i);
    }
    s.push_str("</section>\n");

    let resolved: Vec<&FindingEntry> = r.resolved_findings().collect();
    if !resolved.is_empty() {
        s.push_str("<section>\n<h2>Resolved</h2>\n<p class=\"hint\">A later attempt of the same update succeeded, so these no longer block updates.</p>\n");
        for (i, f) in resolved.iter().enumerate() {
            write_finding(&mut s, f, open.len() + i);
        }
        s.push_str("</section>\n");
    }

    if !r.attempts.is_empty() {
        write_timeline(&mut s, &r.attempts);
    }
    write_unread(&mut s, r);
    write_sources(&mut s, r);

    let _ = write!(
        s,
        "</main>\n<footer class=\"wrap\">Made by wudiag {} · report format {} · this page loads nothing from the network and runs no script.</footer>\n</body>\n</html>\n",
        escape(&r.tool.version),
        escape(r.schema)
    );
    s
}

/// The verdict without the `wudiag: ` prefix (the page says wudiag already).
fn verdict_body(verdict: &str) -> &str {
    verdict.strip_prefix("wudiag: ").unwrap_or(verdict)
}

fn write_machine(s: &mut String, r: &Report) {
    let m = &r.machine;
    s.push_str("<section class=\"machine\">\n<h2>Machine and evidence</h2>\n<dl class=\"grid\">");
    let unknown = "<span class=\"muted\">not found in the evidence</span>";
    let field = |s: &mut String, label: &str, value: Option<&String>| {
        let _ = write!(
            s,
            "<div><dt>{label}</dt><dd>{}</dd></div>",
            value.map_or_else(|| unknown.to_owned(), |v| escape(v).into_owned())
        );
    };
    field(s, "Windows", m.os.as_ref());
    field(s, "Version", m.version.as_ref());
    field(s, "Architecture", m.arch.as_ref());
    field(s, "Servicing stack", m.servicing_stack.as_ref());
    let sm = &r.summary;
    let _ = write!(
        s,
        "<div><dt>Inputs read</dt><dd>{} of {}</dd></div><div><dt>Records</dt><dd>{}{}</dd></div>",
        sm.sources_read,
        sm.sources,
        group_digits(sm.records_ok),
        if sm.records_failed > 0 {
            format!(
                " <span class=\"muted\">({} unparsable)</span>",
                group_digits(sm.records_failed)
            )
        } else {
            String::new()
        }
    );
    if let Some(src) = &m.version_source {
        let _ = write!(
            s,
            "<div class=\"wide\"><dt>Version seen in</dt><dd><code>{}</code></dd></div>",
            escape(src)
        );
    }
    s.push_str("</dl>\n</section>\n");
}

const fn severity_class(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

const fn applicability_class(a: Applicability) -> &'static str {
    match a {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
        Applicability::DisplayOnly => "display-only",
    }
}

fn write_finding(s: &mut String, f: &FindingEntry, index: usize) {
    let (class, label) = if f.is_open() {
        let c = severity_class(f.severity);
        (
            c,
            match f.severity {
                Severity::Error => "Error",
                Severity::Warning => "Warning",
                Severity::Info => "Info",
            },
        )
    } else {
        ("resolved", "Resolved")
    };
    let _ = write!(
        s,
        "<article class=\"finding {class}\" id=\"finding-{index}\">\n<div class=\"fhead\"><span class=\"badge {class}\">{label}</span><code class=\"rule\" title=\"{}\">{}</code><h3>{}</h3><span class=\"conf\">{}</span></div>\n",
        escape(f.name),
        escape(f.rule),
        escape(&f.title),
        confidence_name(f.confidence)
    );
    let _ = writeln!(s, "<p class=\"msg\">{}</p>", linkify(&f.message));
    if !f.codes.is_empty() || !f.updates.is_empty() {
        s.push_str("<div class=\"tags\">");
        for c in &f.codes {
            let _ = write!(s, "<span class=\"tag code\">{}</span>", escape(c));
        }
        for kb in &f.updates {
            match catalog_url(kb) {
                Some(url) => {
                    let _ = write!(
                        s,
                        "<a class=\"tag kb\" href=\"{url}\" rel=\"noreferrer\" title=\"Search the Microsoft Update Catalog\">{}</a>",
                        escape(kb)
                    );
                }
                None => {
                    let _ = write!(s, "<span class=\"tag kb\">{}</span>", escape(kb));
                }
            }
        }
        s.push_str("</div>\n");
    }

    if !f.evidence.is_empty() {
        s.push_str("<h4>What we saw</h4>\n<ul class=\"evidence\">\n");
        for e in f.evidence.iter().take(MAX_EVIDENCE) {
            let _ = write!(
                s,
                "<li><div class=\"loc\"><code>{}</code>",
                escape(&e.location)
            );
            if let Some(note) = &e.note {
                let _ = write!(s, " <span class=\"note\">{}</span>", escape(note));
            }
            let _ = writeln!(
                s,
                "</div><pre class=\"excerpt\">{}</pre></li>",
                escape(&e.excerpt)
            );
        }
        if f.evidence.len() > MAX_EVIDENCE {
            let _ = writeln!(
                s,
                "<li class=\"muted\">… and {} more (all of them in the JSON report)</li>",
                f.evidence.len() - MAX_EVIDENCE
            );
        }
        s.push_str("</ul>\n");
    }

    if !f.why.is_empty() {
        let _ = writeln!(s, "<h4>Why</h4>\n<p class=\"why\">{}</p>", linkify(&f.why));
    }

    if !f.fixes.is_empty() {
        s.push_str("<h4>Fix</h4>\n");
        for fix in &f.fixes {
            let c = applicability_class(fix.applicability);
            let _ = write!(
                s,
                "<div class=\"fix {c}\"><div class=\"fixhead\"><span class=\"safety {c}\" title=\"{}\">{}</span> {}</div>\n<ol>",
                safety_hint(fix.applicability),
                fix.applicability.as_str(),
                escape(&fix.title)
            );
            write_steps(s, &fix.steps);
            s.push_str("</ol></div>\n");
        }
    }
    let _ = writeln!(
        s,
        "<p class=\"more\">Rule <code>{}</code> <span class=\"muted\">{}</span> · full documentation: <code>wudiag rule {}</code></p>\n</article>",
        escape(f.rule),
        escape(f.name),
        escape(f.rule)
    );
}

const fn safety_hint(a: Applicability) -> &'static str {
    match a {
        Applicability::Safe => {
            "Safe: idempotent and reversible; changes no policy, deletes no data, needs no restart"
        }
        Applicability::Unsafe => {
            "Unsafe: probably right, but changes configuration or discards state; review first"
        }
        Applicability::DisplayOnly => "Display only: a person has to judge and do this",
    }
}

fn write_steps(s: &mut String, steps: &[String]) {
    let parts: Vec<FixStep<'_>> = steps.iter().map(|x| FixStep::parse(x)).collect();
    let mut open_li = false;
    let mut i = 0;
    while let Some(part) = parts.get(i) {
        match part {
            FixStep::Text(t) => {
                if open_li {
                    s.push_str("</li>");
                }
                let _ = write!(s, "<li>{}", linkify(t));
                open_li = true;
                i += 1;
            }
            FixStep::Cmd(_) | FixStep::PowerShell(_) => {
                // Consecutive commands of one shell form one block, copied in one go; a block that no
                // prose introduces is an item of its own.
                let sh = part.shell().unwrap_or("cmd");
                let introduced = matches!(
                    i.checked_sub(1).and_then(|j| parts.get(j)),
                    Some(FixStep::Text(_))
                );
                if !introduced {
                    if open_li {
                        s.push_str("</li>");
                    }
                    s.push_str("<li class=\"cmdonly\">");
                    open_li = true;
                }
                let mut lines = Vec::new();
                while let Some(cmd) = parts.get(i).filter(|c| c.shell() == Some(sh)) {
                    lines.push(escape(cmd.text()).into_owned());
                    i += 1;
                }
                let label = if sh == "powershell" {
                    "PowerShell"
                } else {
                    "cmd"
                };
                let _ = write!(
                    s,
                    "<pre class=\"cmd\"><span class=\"shell\">{label}</span><code>{}</code></pre>",
                    lines.join("\n")
                );
            }
        }
    }
    if open_li {
        s.push_str("</li>");
    }
}

fn write_timeline(s: &mut String, attempts: &[AttemptEntry]) {
    let times: Vec<jiff::civil::DateTime> = attempts
        .iter()
        .flat_map(|a| a.steps.iter().filter_map(|st| st.at))
        .collect();
    let start = times.iter().min().copied();
    let end = times.iter().max().copied();
    let span_secs = match (start, end) {
        (Some(a), Some(b)) => seconds_between(a, b),
        _ => 0.0,
    };
    s.push_str("<section>\n<h2>Update attempts</h2>\n<div class=\"timeline\">\n");
    if let (Some(a), Some(b)) = (start, end) {
        let _ = writeln!(
            s,
            "<div class=\"trow axis\"><div></div><div class=\"ticks\"><span>{}</span><span>{}</span></div><div></div></div>",
            format_time(a),
            if a == b {
                String::new()
            } else {
                format_time(b)
            }
        );
    }
    let mut ordered: Vec<&AttemptEntry> = attempts.iter().collect();
    ordered.sort_by_key(|a| a.steps.iter().find_map(|x| x.at));
    // Many attempts: the ones that went through wait behind a disclosure, so failures stay in view.
    let fold = ordered.len() > MAX_TIMELINE_ROWS;
    for a in ordered.iter().filter(|a| !fold || !a.succeeded()) {
        write_attempt_row(s, a, start, span_secs);
    }
    let folded: Vec<&&AttemptEntry> = ordered.iter().filter(|a| fold && a.succeeded()).collect();
    if !folded.is_empty() {
        let _ = writeln!(
            s,
            "<details class=\"more\"><summary>{} more {} that went through without a failure</summary>",
            folded.len(),
            if folded.len() == 1 {
                "update"
            } else {
                "updates"
            }
        );
        for a in folded {
            write_attempt_row(s, a, start, span_secs);
        }
        s.push_str("</details>\n");
    }
    s.push_str("</div>\n<p class=\"legend\"><span class=\"dot start\"></span> started <span class=\"dot ok\"></span> succeeded <span class=\"dot fail\"></span> failed · hover a dot for its time, code and log line</p>\n");

    // The steps themselves, for reading without hovering.
    s.push_str("<details><summary>Every step</summary>\n<table class=\"steps\"><thead><tr><th>Update</th><th>Time</th><th>Step</th><th>Code</th><th>Seen at</th></tr></thead><tbody>\n");
    for a in attempts {
        for st in &a.steps {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                escape(&a.update),
                st.at.map(format_time).unwrap_or_default(),
                escape(&step_word(st.kind)),
                escape(st.code.as_deref().unwrap_or("")),
                escape(&st.location)
            );
        }
    }
    s.push_str("</tbody></table></details>\n</section>\n");
}

/// One attempt on the shared time axis that starts at `start` and lasts `span_secs`.
fn write_attempt_row(
    s: &mut String,
    a: &AttemptEntry,
    start: Option<jiff::civil::DateTime>,
    span_secs: f64,
) {
    let (class, label) = match a.outcome.as_str() {
        "failed" => ("failed", "failed"),
        "recovered_after_failure" => ("recovered", "recovered"),
        "succeeded" => ("succeeded", "succeeded"),
        _ => ("unknown", "no outcome"),
    };
    let _ = write!(
        s,
        "<div class=\"trow\"><div class=\"tlabel\"><b title=\"{u}\">{u}</b><span class=\"outcome {class}\">{label}</span></div><div class=\"track\">",
        u = escape(&a.update)
    );
    let n = a.steps.len().max(1);
    let positions: Vec<f64> = a
        .steps
        .iter()
        .enumerate()
        .map(|(k, st)| match (st.at, start) {
            (Some(t), Some(s0)) if span_secs > 0.0 => {
                (seconds_between(s0, t) / span_secs * 100.0).clamp(0.0, 100.0)
            }
            (Some(_), Some(_)) => 50.0,
            _ => (k as f64 + 0.5) / n as f64 * 100.0,
        })
        .collect();
    if let (Some(lo), Some(hi)) = (
        positions.iter().copied().reduce(f64::min),
        positions.iter().copied().reduce(f64::max),
    ) {
        let _ = write!(
            s,
            "<span class=\"bar\" style=\"left:{lo:.2}%;width:{:.2}%\"></span>",
            hi - lo
        );
    }
    for (st, pos) in a.steps.iter().zip(&positions) {
        let dot = if st.is_failure() {
            "fail"
        } else if st.is_success() {
            "ok"
        } else {
            "start"
        };
        let mut tip = String::new();
        if let Some(t) = st.at {
            tip.push_str(&format_time(t));
            tip.push(' ');
        }
        tip.push_str(&step_word(st.kind));
        if let Some(c) = &st.code {
            let _ = write!(tip, " {c}");
        }
        let _ = write!(tip, " — {}", st.location);
        let _ = write!(
            s,
            "<span class=\"dot {dot}\" style=\"left:{pos:.2}%\" title=\"{}\"></span>",
            escape(&tip)
        );
    }
    let _ = writeln!(
        s,
        "</div><div class=\"tcodes\">{}</div></div>",
        escape(&a.codes.join(" "))
    );
}

fn seconds_between(a: jiff::civil::DateTime, b: jiff::civil::DateTime) -> f64 {
    a.duration_until(b).as_secs_f64()
}

fn write_unread(s: &mut String, r: &Report) {
    if !r.has_unread() {
        return;
    }
    s.push_str("<section>\n<h2>What we could not read</h2>\n<ul class=\"unread\">\n");
    for src in r.unread() {
        if let Some(reason) = &src.skipped {
            let _ = writeln!(
                s,
                "<li><code>{}</code> — skipped: {}</li>",
                escape(&src.path),
                escape(reason)
            );
        }
        if src.records_failed > 0 {
            let _ = writeln!(
                s,
                "<li><code>{}</code> — {} of {} records could not be parsed</li>",
                escape(&src.path),
                src.records_failed,
                src.records_failed + src.records_ok
            );
        }
    }
    for i in &r.read_issues {
        let _ = writeln!(
            s,
            "<li><code>{}</code> — {}</li>",
            escape(&i.location),
            escape(&i.message)
        );
    }
    s.push_str("</ul>\n</section>\n");
}

fn write_sources(s: &mut String, r: &Report) {
    if r.sources.is_empty() {
        return;
    }
    s.push_str("<section>\n<h2>Sources</h2>\n<table class=\"sources\"><thead><tr><th>Path</th><th>Kind</th><th class=\"num\">Size</th><th class=\"num\">Records</th><th class=\"num\">Unparsable</th><th class=\"num\">Errors</th><th>Status</th></tr></thead><tbody>\n");
    for src in &r.sources {
        let status = match &src.skipped {
            Some(reason) => format!("<span class=\"muted\">skipped: {}</span>", escape(reason)),
            None if src.kind == "zip" || src.kind == "cab" => "archive".to_owned(),
            None => "read".to_owned(),
        };
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{status}</td></tr>",
            escape(&src.path),
            escape(src.kind),
            human_size(src.size),
            group_digits(src.records_ok),
            group_digits(src.records_failed),
            group_digits(src.by_severity.error)
        );
    }
    s.push_str("</tbody></table>\n</section>\n");
}

fn human_size(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    let unit = UNITS.get(u).copied().unwrap_or("B");
    if u == 0 {
        format!("{n} {unit}")
    } else {
        format!("{v:.1} {unit}")
    }
}

/// The Update Catalog search for `KB1234567`, when `kb` is exactly that shape.
fn catalog_url(kb: &str) -> Option<String> {
    let digits = kb.strip_prefix("KB")?;
    (!digits.is_empty() && digits.len() <= 8 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("https://www.catalog.update.microsoft.com/Search.aspx?q=KB{digits}"))
}

/// Escapes text for HTML element content and quoted attribute values. Control characters other than
/// newline and tab are shown as `\u{…}`.
pub fn escape(text: &str) -> Cow<'_, str> {
    let needs = |c: char| {
        matches!(c, '&' | '<' | '>' | '"' | '\'') || (c.is_control() && c != '\n' && c != '\t')
    };
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Escapes `text` and turns `https://…microsoft.com/…` addresses into links. Other addresses stay text:
/// a log line must not be able to put a link to anywhere else in the report.
fn linkify(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(pos) = rest.find("https://") {
        let (before, from) = rest.split_at(pos);
        out.push_str(&escape(before));
        let end = from
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(from.len());
        let mut url = from.get(..end).unwrap_or(from);
        while let Some(stripped) = url.strip_suffix(['.', ',', ';', ':', ')', ']']) {
            url = stripped;
        }
        let host = url
            .get("https://".len()..)
            .unwrap_or_default()
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let trusted = host == "microsoft.com" || host.ends_with(".microsoft.com");
        if trusted {
            let u = escape(url);
            let _ = write!(out, "<a href=\"{u}\" rel=\"noreferrer\">{u}</a>");
        } else {
            out.push_str(&escape(url));
        }
        rest = from.get(url.len()..).unwrap_or_default();
    }
    out.push_str(&escape(rest));
    out
}

const CSS: &str = r#"
:root{--fg:#1d2430;--muted:#5d6778;--bg:#f4f6f9;--card:#fff;--line:#dde2ea;
--error:#c62828;--error-bg:#fdecea;--warning:#a65c00;--warning-bg:#fff4e0;--info:#1f5fae;--info-bg:#e8f0fb;
--ok:#2e7d32;--ok-bg:#e8f5e9;--unsafe:#a65c00;--display:#6a4c93;--display-bg:#f1ecf8;--code-bg:#f0f2f5}
*{box-sizing:border-box}
html{font-size:15px}
body{margin:0;background:var(--bg);color:var(--fg);font-family:"Segoe UI",system-ui,-apple-system,"Helvetica Neue",Arial,sans-serif;line-height:1.45}
code,pre{font-family:"Cascadia Mono",Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:.86rem}
.wrap{max-width:1140px;margin:0 auto;padding:0 24px}
header.top{color:#fff;padding:22px 0 18px;background:#37474f}
header.top.error{background:linear-gradient(90deg,#8e1c1c,#b3261e)}
header.top.warning{background:linear-gradient(90deg,#7a4300,#a65c00)}
header.top.ok{background:linear-gradient(90deg,#1b5e20,#2e7d32)}
.brand{font-size:.8rem;letter-spacing:.08em;text-transform:uppercase;opacity:.85}
h1{font-size:1.45rem;margin:.3rem 0 .7rem;font-weight:600;overflow-wrap:anywhere}
.counts{display:flex;gap:8px;flex-wrap:wrap}
.count{background:rgba(255,255,255,.16);border:1px solid rgba(255,255,255,.35);border-radius:999px;padding:2px 12px;font-size:.85rem;font-weight:600}
main{padding-top:8px;padding-bottom:24px}
section{margin-top:22px}
h2{font-size:1.1rem;margin:0 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
.hint,.muted,.empty{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px 18px;margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px}
.grid dt{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.grid dd{margin:2px 0 0;font-weight:600;overflow-wrap:anywhere}
.grid .wide{grid-column:1/-1}
.finding{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--info);border-radius:8px;padding:14px 18px 10px;margin:0 0 14px;box-shadow:0 1px 2px rgba(20,30,50,.06)}
.finding.error{border-left-color:var(--error)}
.finding.warning{border-left-color:var(--warning)}
.finding.resolved{border-left-color:var(--ok);opacity:.92}
.fhead{display:flex;align-items:baseline;gap:10px;flex-wrap:wrap}
.fhead h3{font-size:1.05rem;margin:0;flex:1 1 300px;overflow-wrap:anywhere}
.badge{font-size:.72rem;font-weight:700;text-transform:uppercase;letter-spacing:.05em;border-radius:4px;padding:2px 8px;color:#fff;background:var(--info)}
.badge.error{background:var(--error)}.badge.warning{background:var(--warning)}.badge.resolved{background:var(--ok)}
.rule{font-weight:700;color:var(--muted)}
.conf{font-size:.78rem;color:var(--muted);border:1px solid var(--line);border-radius:999px;padding:0 8px}
.msg{margin:8px 0}
.tags{display:flex;gap:6px;flex-wrap:wrap;margin:6px 0}
.tag{font-family:"Cascadia Mono",Consolas,"DejaVu Sans Mono",monospace;font-size:.8rem;border-radius:4px;padding:1px 7px;background:var(--code-bg);border:1px solid var(--line);color:var(--fg);text-decoration:none}
a.tag.kb{color:var(--info);border-color:#b8cdea;background:var(--info-bg)}
h4{font-size:.8rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:14px 0 6px}
ul.evidence{list-style:none;margin:0;padding:0}
ul.evidence li{margin:0 0 8px}
.loc code{color:var(--info);font-weight:600}
.note{color:var(--muted);font-size:.85rem}
pre{margin:4px 0 0;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
pre.excerpt{background:var(--code-bg);border:1px solid var(--line);border-radius:6px;padding:6px 10px}
.why{margin:0}
.fix{border:1px solid var(--line);border-radius:8px;margin:0 0 10px;padding:8px 12px 4px;background:#fbfcfd}
.fix.safe{border-color:#b9dcbc}.fix.unsafe{border-color:#f0d2a4}.fix.display-only{border-color:#d9cdea}
.fixhead{font-weight:600}
.safety{display:inline-block;font-size:.72rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;border-radius:4px;padding:1px 8px;margin-right:4px}
.safety.safe{background:var(--ok-bg);color:var(--ok);border:1px solid #a5d6a7}
.safety.unsafe{background:var(--warning-bg);color:var(--unsafe);border:1px solid #f3c98b}
.safety.display-only{background:var(--display-bg);color:var(--display);border:1px solid #cdbfe3}
.fix ol{margin:6px 0 6px;padding-left:22px}
.fix li{margin:0 0 6px}
pre.cmd{position:relative;background:#1e2430;color:#e8edf5;border-radius:6px;padding:7px 12px 7px 12px;margin:5px 0 2px}
pre.cmd .shell{float:right;font-size:.7rem;color:#9fb0c8;margin-left:12px;user-select:none;text-transform:uppercase;letter-spacing:.05em}
.more{font-size:.82rem;color:var(--muted);margin:8px 0 0}
.timeline{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 16px}
.trow{display:grid;grid-template-columns:260px 1fr 150px;gap:14px;align-items:center;padding:7px 0;border-bottom:1px solid #edf0f4}
.trow:last-child{border-bottom:0}
.trow.axis{font-size:.78rem;color:var(--muted);padding:2px 0}
.ticks{display:flex;justify-content:space-between}
.tlabel{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:8px;align-items:center}
.tlabel b{font-family:"Cascadia Mono",Consolas,"DejaVu Sans Mono",monospace;font-size:.85rem;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.outcome{font-size:.72rem;font-weight:700;border-radius:4px;padding:1px 7px;white-space:nowrap}
.outcome.failed{background:var(--error-bg);color:var(--error)}
.outcome.recovered{background:var(--ok-bg);color:var(--ok)}
.outcome.succeeded{background:var(--ok-bg);color:var(--ok)}
.outcome.unknown{background:var(--code-bg);color:var(--muted)}
.track{position:relative;height:18px;background:repeating-linear-gradient(90deg,transparent 0,transparent calc(25% - 1px),#e6e9ef calc(25% - 1px),#e6e9ef 25%);border-radius:3px}
.track .bar{position:absolute;top:8px;height:2px;background:#9aa5b5}
.dot{display:inline-block;width:12px;height:12px;border-radius:50%;border:2px solid #fff;box-shadow:0 0 0 1px #9aa5b5;background:#b0bac8;vertical-align:middle}
.track .dot{position:absolute;top:3px;margin-left:-6px}
.dot.fail{background:var(--error);box-shadow:0 0 0 1px var(--error)}
.dot.ok{background:var(--ok);box-shadow:0 0 0 1px var(--ok)}
.dot.start{background:#fff}
.tcodes{font-family:"Cascadia Mono",Consolas,"DejaVu Sans Mono",monospace;font-size:.8rem;color:var(--error);overflow-wrap:anywhere}
.legend{font-size:.8rem;color:var(--muted);margin:6px 0}
.legend .dot{margin:0 2px 0 10px}
details{margin-top:6px}
details.more{margin:0;padding:4px 0 2px;border-top:1px solid #edf0f4}
details.more summary{padding:4px 0}
summary{cursor:pointer;color:var(--info);font-size:.9rem}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:8px;font-size:.88rem}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #edf0f4;vertical-align:top}
th{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);background:#f8f9fb}
td code{overflow-wrap:anywhere}
table.sources td:first-child{width:38%}
.num{text-align:right;white-space:nowrap}
ul.unread{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px 10px 32px;margin:0}
ul.unread li{margin:3px 0;overflow-wrap:anywhere}
footer{color:var(--muted);font-size:.8rem;padding-top:18px;padding-bottom:30px}
a{color:var(--info)}
@media print{body{background:#fff}.finding,.timeline,table,.grid{box-shadow:none}details{display:none}}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("a\u{1b}b"), "a\\u{1b}b");
    }

    #[test]
    fn only_microsoft_links_become_links() {
        let l = linkify("See https://learn.microsoft.com/x?a=1&b=2. Or https://evil.example/<x>");
        assert!(l.contains("<a href=\"https://learn.microsoft.com/x?a=1&amp;b=2\""));
        assert!(l.contains("https://evil.example/&lt;x&gt;"));
        assert!(!l.contains("href=\"https://evil"));
        assert!(!linkify("https://microsoft.com.evil.example/").contains("href"));
    }

    #[test]
    fn catalog_links_only_for_kb_numbers() {
        assert!(catalog_url("KB5035853").is_some());
        assert!(catalog_url("KB50\"35").is_none());
        assert!(catalog_url("{GUID}").is_none());
    }
}
