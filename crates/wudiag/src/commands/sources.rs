//! `wudiag sources` (being built).

/// Arguments of `wudiag sources`.
#[derive(Debug, clap::Args)]
pub(crate) struct SourcesArgs {}

pub(crate) fn run(_args: &SourcesArgs) -> anyhow::Result<crate::ExitStatus> {
    anyhow::bail!("`wudiag sources` is not built yet")
}
