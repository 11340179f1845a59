//! `wudiag events`: one merged, time-ordered timeline of every record in the inputs — a readable
//! WindowsUpdate.log, CBS.log and event log side by side, on any OS.

use std::io::{self, Write};

use anyhow::Context as _;
use jiff::civil::DateTime;
use wudiag_evidence::{Event, Evidence, HResult, KbNumber, Retention, Span};

use crate::ExitStatus;
use crate::args::InputPaths;

/// Output formats of `wudiag events`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub(crate) enum EventsFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per line.
    Jsonl,
}

/// Arguments of `wudiag events`.
#[derive(Debug, clap::Args)]
pub(crate) struct EventsArgs {
    #[command(flatten)]
    pub(crate) input: InputPaths,
    /// Only events at or after this time (`2024-03-12`, `2024-03-12 10:15`, `2024-03-12T10:15:12`).
    #[arg(long, value_parser = parse_time)]
    pub(crate) since: Option<DateTime>,
    /// Only events before this time.
    #[arg(long, value_parser = parse_time)]
    pub(crate) until: Option<DateTime>,
    /// Only events naming this update (`KB5034441`).
    #[arg(long, value_parser = parse_kb)]
    pub(crate) kb: Option<KbNumber>,
    /// Only events carrying this code (`0x800f081f`, `80244007`, `-2145107961`).
    #[arg(long, value_parser = parse_code)]
    pub(crate) code: Option<HResult>,
    /// Only events at or above this severity.
    #[arg(long, value_enum)]
    pub(crate) severity: Option<SeverityArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: EventsFormat,
}

/// Severity filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SeverityArg {
    /// Everything.
    Info,
    /// Warnings and errors.
    Warning,
    /// Errors only.
    Error,
}

fn parse_time(s: &str) -> Result<DateTime, String> {
    let t = s.trim().replace(' ', "T");
    if let Ok(d) = t.parse::<jiff::civil::Date>() {
        return Ok(d.to_datetime(jiff::civil::Time::midnight()));
    }
    t.parse::<DateTime>()
        .map_err(|e| format!("`{s}` is not a time like 2024-03-12 or 2024-03-12T10:15:00 ({e})"))
}

fn parse_kb(s: &str) -> Result<KbNumber, String> {
    s.parse()
}

fn parse_code(s: &str) -> Result<HResult, String> {
    s.parse().map_err(|e| format!("{e}"))
}

pub(crate) fn run(args: &EventsArgs) -> anyhow::Result<ExitStatus> {
    let evidence = crate::progress::read(&args.input.paths, Retention::All);
    let min_severity = match args.severity {
        None | Some(SeverityArg::Info) => wudiag_evidence::Severity::Info,
        Some(SeverityArg::Warning) => wudiag_evidence::Severity::Warning,
        Some(SeverityArg::Error) => wudiag_evidence::Severity::Error,
    };
    let keep = |e: &&Event| {
        let t = e.time.map(|t| t.written);
        e.severity >= min_severity
            && args.since.is_none_or(|s| t.is_some_and(|t| t >= s))
            && args.until.is_none_or(|u| t.is_some_and(|t| t < u))
            && args.kb.is_none_or(|kb| e.kbs.contains(&kb))
            && args.code.is_none_or(|c| e.codes.contains(&c))
    };
    crate::output::with_output(None, |w, _| {
        for e in evidence.events().iter().filter(keep) {
            match args.format {
                EventsFormat::Text => write_text(w, &evidence, e)?,
                EventsFormat::Jsonl => write_jsonl(w, &evidence, e)?,
            }
        }
        Ok(())
    })
    .context("writing events")?;
    let readable = evidence.sources().iter().any(|s| s.skipped.is_none());
    Ok(if readable {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    })
}

fn write_text(w: &mut dyn Write, evidence: &Evidence, e: &Event) -> io::Result<()> {
    let time = e.time.map_or_else(
        || "-".repeat(19),
        |t| t.written.strftime("%Y-%m-%d %H:%M:%S%.3f").to_string(),
    );
    let sev = match e.severity {
        wudiag_evidence::Severity::Error => 'E',
        wudiag_evidence::Severity::Warning => 'W',
        wudiag_evidence::Severity::Info => 'I',
    };
    let place = evidence.describe(&e.location);
    let place = place.rsplit(['/', '\\']).next().unwrap_or(&place);
    let comp = e.component.as_deref().unwrap_or("");
    let id = e.event_id.map(|i| format!("[{i}] ")).unwrap_or_default();
    let message = e.message.replace(['\r', '\n'], " ");
    write!(w, "{time} {sev} {place:<28} {comp:<16} {id}{message}")?;
    if !e.codes.is_empty() {
        let codes: Vec<String> = e.codes.iter().map(ToString::to_string).collect();
        write!(w, "  [{}]", codes.join(", "))?;
    }
    writeln!(w)
}

#[derive(serde::Serialize)]
struct EventJson<'a> {
    time: Option<String>,
    time_utc: Option<String>,
    source: &'a str,
    line: Option<u64>,
    record: Option<u64>,
    kind: &'static str,
    event: &'static str,
    event_id: Option<u32>,
    severity: &'static str,
    component: Option<&'a str>,
    codes: Vec<String>,
    kbs: Vec<String>,
    package: Option<&'a str>,
    update_id: Option<String>,
    title: Option<&'a str>,
    message: &'a str,
}

fn write_jsonl(w: &mut dyn Write, evidence: &Evidence, e: &Event) -> io::Result<()> {
    let source = evidence.source(e.location.source);
    let (line, record) = match e.location.span {
        Span::Lines { first, .. } => (Some(first), None),
        Span::Record { id } => (None, Some(id)),
        _ => (None, None),
    };
    let j = EventJson {
        time: e.time.map(|t| t.to_string()),
        time_utc: e.time.and_then(|t| t.utc).map(|t| format!("{t}Z")),
        source: source.map_or("?", |s| s.path.as_str()),
        line,
        record,
        kind: source.map_or("unknown", |s| s.kind.as_str()),
        event: e.kind.name(),
        event_id: e.event_id,
        severity: e.severity.as_str(),
        component: e.component.as_deref(),
        codes: e.codes.iter().map(ToString::to_string).collect(),
        kbs: e.kbs.iter().map(ToString::to_string).collect(),
        package: e.package.as_deref(),
        update_id: e.update_id.as_ref().map(ToString::to_string),
        title: e.title.as_deref(),
        message: &e.message,
    };
    serde_json::to_writer(&mut *w, &j)?;
    writeln!(w)
}
