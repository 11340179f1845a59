//! `wudiag collect` (being built).

/// Arguments of `wudiag collect`.
#[derive(Debug, clap::Args)]
pub(crate) struct CollectArgs {}

pub(crate) fn run(_args: &CollectArgs) -> anyhow::Result<crate::ExitStatus> {
    anyhow::bail!("`wudiag collect` is not built yet")
}
