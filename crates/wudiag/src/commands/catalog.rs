//! `wudiag catalog check|list`: validate and list the built-in knowledge catalogue.

use std::io::Write;

use anyhow::Context;
use wudiag_catalog::{Catalog, ListEntry, render};

use crate::ExitStatus;
use crate::args::ListFormat;

/// Arguments of `wudiag catalog`.
#[derive(Debug, clap::Args)]
pub(crate) struct CatalogArgs {
    #[command(subcommand)]
    pub(crate) command: CatalogCommand,
}

/// What to do with the catalogue.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum CatalogCommand {
    /// Validate the catalogue: unique codes, references that resolve, remedies with steps, required
    /// codes explained. Exits 0 when sound, 2 with the problems on stderr otherwise.
    Check,
    /// Print every code entry (sorted by code).
    List {
        /// Output format: text (code, symbol, meaning) or json (one array of entries).
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

pub(crate) fn run(args: &CatalogArgs) -> anyhow::Result<ExitStatus> {
    let catalog = Catalog::embedded();
    match &args.command {
        CatalogCommand::Check => {
            let problems = catalog.check();
            if problems.is_empty() {
                crate::output::with_output(None, |out, _| {
                    writeln!(
                        out,
                        "catalogue OK: {} codes, {} causes, {} remedies, {} facilities",
                        catalog.codes().len(),
                        catalog.causes().len(),
                        catalog.remedies().len(),
                        catalog.facilities().len()
                    )
                })?;
                Ok(ExitStatus::Success)
            } else {
                let stderr = std::io::stderr();
                let mut err = stderr.lock();
                for p in &problems {
                    writeln!(err, "wudiag: catalogue: {p}")?;
                }
                writeln!(
                    err,
                    "wudiag: error: the catalogue has {} problem(s)",
                    problems.len()
                )?;
                Ok(ExitStatus::Error)
            }
        }
        CatalogCommand::List { format } => {
            crate::output::with_output(None, |out, _| match format {
                crate::args::ListFormat::Json => {
                    let entries: Vec<ListEntry> = catalog
                        .codes()
                        .iter()
                        .map(|e| ListEntry::new(e, catalog))
                        .collect();
                    serde_json::to_writer(&mut *out, &entries).map_err(std::io::Error::other)?;
                    out.write_all(b"\n")
                }
                crate::args::ListFormat::Text => {
                    for e in catalog.codes() {
                        writeln!(out, "{}", render::list_line(e))?;
                    }
                    Ok(())
                }
            })
            .context("writing the catalogue")?;
            Ok(ExitStatus::Success)
        }
    }
}
