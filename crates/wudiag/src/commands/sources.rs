//! `wudiag sources`: what was found, what it is, and how well it read.

use std::collections::BTreeMap;
use std::io::{self, Write};

use wudiag_evidence::{Evidence, HResult, Retention, SourceInfo, SourceKind};

use crate::ExitStatus;
use crate::args::{InputPaths, ListFormat};

/// Arguments of `wudiag sources`.
#[derive(Debug, clap::Args)]
pub(crate) struct SourcesArgs {
    #[command(flatten)]
    pub(crate) input: InputPaths,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: ListFormat,
}

pub(crate) fn run(args: &SourcesArgs) -> anyhow::Result<ExitStatus> {
    let evidence = crate::progress::read(&args.input.paths, Retention::Diagnostic);
    crate::output::with_output(None, |w, _color| match args.format {
        ListFormat::Text => write_text(w, &evidence),
        ListFormat::Json => write_json(w, &evidence),
    })?;
    let readable = evidence
        .sources()
        .iter()
        .any(|s| s.skipped.is_none() && !is_container(s.kind));
    Ok(if readable {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    })
}

const fn is_container(kind: SourceKind) -> bool {
    matches!(kind, SourceKind::Zip | SourceKind::Cab)
}

fn human_size(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / f64::from(1u32 << 30)),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

fn top_codes(codes: &BTreeMap<HResult, u64>, n: usize) -> String {
    let mut v: Vec<_> = codes.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut s: Vec<String> = v.iter().take(n).map(|(c, k)| format!("{c}×{k}")).collect();
    if v.len() > n {
        s.push(format!("+{} more", v.len() - n));
    }
    s.join(" ")
}

fn write_text(w: &mut dyn Write, evidence: &Evidence) -> io::Result<()> {
    let (mut read, mut skipped) = (0, 0);
    for s in evidence.sources() {
        if let Some(reason) = &s.skipped {
            skipped += 1;
            writeln!(w, "{}\n    skipped: {reason}", s.path)?;
            continue;
        }
        if is_container(s.kind) {
            writeln!(
                w,
                "{}\n    {} archive, {}",
                s.path,
                s.kind.as_str(),
                human_size(s.size)
            )?;
            continue;
        }
        read += 1;
        let st = &s.stats;
        let mut detail = format!("{}, {}", s.kind.as_str(), human_size(s.size));
        for extra in [&s.encoding, &s.channel].into_iter().flatten() {
            detail.push_str(", ");
            detail.push_str(extra);
        }
        writeln!(w, "{}\n    {detail}", s.path)?;
        writeln!(
            w,
            "    records: {} ok, {} failed; errors {}, warnings {}, info {}",
            st.records_ok,
            st.records_failed,
            st.by_severity[2],
            st.by_severity[1],
            st.by_severity[0]
        )?;
        if !st.codes.is_empty() {
            writeln!(w, "    codes: {}", top_codes(&st.codes, 8))?;
        }
    }
    writeln!(
        w,
        "\n{read} sources read, {skipped} skipped, {} read issues",
        evidence.read_issues().len()
    )?;
    for issue in evidence.read_issues().iter().take(20) {
        let path = evidence
            .source(issue.source)
            .map_or("?", |s| s.path.as_str());
        match &issue.span {
            Some(span) => writeln!(w, "  {path}:{span}: {}", issue.message)?,
            None => writeln!(w, "  {path}: {}", issue.message)?,
        }
    }
    if evidence.read_issues().len() > 20 {
        writeln!(
            w,
            "  … {} more (see --format json)",
            evidence.read_issues().len() - 20
        )?;
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct SourceJson<'a> {
    path: &'a str,
    kind: SourceKind,
    size: u64,
    encoding: Option<&'a str>,
    channel: Option<&'a str>,
    container: Option<&'a str>,
    skipped: Option<&'a str>,
    records_ok: u64,
    records_failed: u64,
    events: BTreeMap<&'static str, u64>,
    codes: &'a BTreeMap<HResult, u64>,
}

fn source_json<'a>(evidence: &'a Evidence, s: &'a SourceInfo) -> SourceJson<'a> {
    let st = &s.stats;
    SourceJson {
        path: &s.path,
        kind: s.kind,
        size: s.size,
        encoding: s.encoding.as_deref(),
        channel: s.channel.as_deref(),
        container: s
            .container
            .and_then(|c| evidence.source(c))
            .map(|c| c.path.as_str()),
        skipped: s.skipped.as_deref(),
        records_ok: st.records_ok,
        records_failed: st.records_failed,
        events: [
            ("error", st.by_severity[2]),
            ("warning", st.by_severity[1]),
            ("info", st.by_severity[0]),
        ]
        .into_iter()
        .collect(),
        codes: &st.codes,
    }
}

fn write_json(w: &mut dyn Write, evidence: &Evidence) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Issue<'a> {
        path: &'a str,
        location: Option<String>,
        message: &'a str,
    }
    let issues: Vec<Issue<'_>> = evidence
        .read_issues()
        .iter()
        .map(|i| Issue {
            path: evidence.source(i.source).map_or("?", |s| s.path.as_str()),
            location: i.span.as_ref().map(ToString::to_string),
            message: &i.message,
        })
        .collect();
    let sources: Vec<SourceJson<'_>> = evidence
        .sources()
        .iter()
        .map(|s| source_json(evidence, s))
        .collect();
    let doc = serde_json::json!({ "sources": sources, "read_issues": issues });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}
