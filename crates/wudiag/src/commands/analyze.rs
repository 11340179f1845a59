//! `wudiag analyze` (being built).

/// Arguments of `wudiag analyze`.
#[derive(Debug, clap::Args)]
pub(crate) struct AnalyzeArgs {}

pub(crate) fn run(_args: &AnalyzeArgs) -> anyhow::Result<crate::ExitStatus> {
    anyhow::bail!("`wudiag analyze` is not built yet")
}
