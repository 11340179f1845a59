//! `wudiag explain QUERY...`: what a code, symbol or message means, its likely causes and the fixes.
//!
//! Exit status: 0 when every query was explained, 1 when one matched nothing (what its facility tells is
//! still printed), 2 when a query is malformed (one line on stderr, nothing on stdout).

use anyhow::Context;
use wudiag_catalog::{Catalog, Explanation, Query, render};

use crate::ExitStatus;
use crate::args::ListFormat;

/// Arguments of `wudiag explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// Codes, symbols or words: 0x80244007, 80244007, -2145107961, 2149842967, WU_E_NOT_APPLICABLE, 5,
    /// 12002, 10060, "not applicable".
    #[arg(required = true, value_name = "QUERY", allow_negative_numbers = true)]
    pub(crate) queries: Vec<String>,

    /// Output format: text for people, json for scripts (one object per query, one per line).
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) format: ListFormat,
}

pub(crate) fn run(args: &ExplainArgs) -> anyhow::Result<ExitStatus> {
    // Read every query first: one bad query stops the run before anything is printed.
    let mut parsed = Vec::with_capacity(args.queries.len());
    for raw in &args.queries {
        let q = Query::parse(raw).map_err(anyhow::Error::new)?;
        parsed.push((raw.as_str(), q));
    }
    let catalog = Catalog::embedded();
    let explanations: Vec<Explanation> = parsed
        .iter()
        .map(|(raw, q)| catalog.explain(raw, q))
        .collect();
    let all_found = explanations.iter().all(|e| e.status.is_found());

    crate::output::with_output(None, |out, _color| {
        for (i, ex) in explanations.iter().enumerate() {
            match args.format {
                ListFormat::Json => {
                    serde_json::to_writer(&mut *out, ex).map_err(std::io::Error::other)?;
                    out.write_all(b"\n")?;
                }
                ListFormat::Text => {
                    if i > 0 {
                        writeln!(out, "\n{}\n", "-".repeat(render::WIDTH))?;
                    }
                    out.write_all(render::explanation(ex).as_bytes())?;
                }
            }
        }
        Ok(())
    })
    .context("writing the explanation")?;

    Ok(if all_found {
        ExitStatus::Success
    } else {
        ExitStatus::Findings
    })
}
