//! `wudiag rules` lists the diagnosis rules; `wudiag rule ID` prints one rule's documentation and the
//! file that defines it, so a finding in a report leads straight to the code to read or change.

use std::io::{self, Write};

use anyhow::bail;
use wudiag_report::rules::{RuleMeta, registry};

use crate::ExitStatus;
use crate::args::ListFormat;

/// Arguments of `wudiag rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: ListFormat,
}

/// Arguments of `wudiag rule`.
#[derive(Debug, clap::Args)]
pub(crate) struct RuleArgs {
    /// The rule id (WSUS001, case does not matter) or its kebab-case name.
    #[arg(value_name = "ID")]
    pub(crate) id: String,
}

pub(crate) fn run_list(args: &RulesArgs) -> anyhow::Result<ExitStatus> {
    let rules: Vec<&'static RuleMeta> = registry::all().collect();
    crate::output::with_output(None, |w, color| match args.format {
        ListFormat::Text => write_list(w, &rules, color),
        ListFormat::Json => write_list_json(w, &rules),
    })?;
    Ok(ExitStatus::Success)
}

pub(crate) fn run_one(args: &RuleArgs) -> anyhow::Result<ExitStatus> {
    let Some(meta) = registry::find_meta(args.id.trim()) else {
        bail!(
            "unknown rule `{}`: `wudiag rules` lists the rule ids",
            args.id.trim()
        );
    };
    crate::output::with_output(None, |w, color| write_doc(w, meta, color))?;
    Ok(ExitStatus::Success)
}

fn bold(text: &str, color: bool) -> String {
    if color {
        let style = anstyle::Style::new().bold();
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_owned()
    }
}

fn write_list(w: &mut dyn Write, rules: &[&RuleMeta], color: bool) -> io::Result<()> {
    if rules.is_empty() {
        return writeln!(w, "No rules are registered.");
    }
    let id_width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in rules {
        writeln!(
            w,
            "{}{}  {:<7}  {}",
            bold(r.id, color),
            " ".repeat(id_width - r.id.len()),
            r.severity.as_str(),
            r.name
        )?;
        let indent = " ".repeat(id_width + 2);
        for line in wrap(&wudiag_report::rule_summary(r), 100 - indent.len()) {
            writeln!(w, "{indent}{line}")?;
        }
    }
    writeln!(
        w,
        "\n{} {}. `wudiag rule ID` prints a rule's documentation.",
        rules.len(),
        if rules.len() == 1 { "rule" } else { "rules" }
    )
}

/// Splits `text` into lines of at most `width` characters at spaces (longer words stay whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn write_list_json(w: &mut dyn Write, rules: &[&RuleMeta]) -> io::Result<()> {
    let list: Vec<serde_json::Value> = rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "name": r.name,
                "area": r.area,
                "severity": r.severity,
                "status": r.status,
                "summary": wudiag_report::rule_summary(r),
                "file": r.file,
                "line": r.line,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *w, &list).map_err(io::Error::other)?;
    writeln!(w)
}

fn write_doc(w: &mut dyn Write, r: &RuleMeta, color: bool) -> io::Result<()> {
    let status = serde_json::to_value(r.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let area = serde_json::to_value(r.area)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    writeln!(w, "{}", bold(&format!("{} {}", r.id, r.name), color))?;
    writeln!(
        w,
        "severity {} · area {area} · {status}",
        r.severity.as_str()
    )?;
    writeln!(w, "defined in {}:{}", r.file.replace('\\', "/"), r.line)?;
    writeln!(w)?;
    // A doc comment line `/// text` arrives as ` text`: drop that one leading space.
    let doc: Vec<&str> = r
        .doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let start = doc.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
    let end = doc
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |i| i + 1);
    for line in doc.get(start..end).unwrap_or_default() {
        writeln!(w, "{line}")?;
    }
    Ok(())
}
