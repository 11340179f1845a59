//! `wudiag explain` (being built).

/// Arguments of `wudiag explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {}

pub(crate) fn run(_args: &ExplainArgs) -> anyhow::Result<crate::ExitStatus> {
    anyhow::bail!("`wudiag explain` is not built yet")
}
