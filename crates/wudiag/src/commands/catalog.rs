//! `wudiag catalog` (being built).

/// Arguments of `wudiag catalog`.
#[derive(Debug, clap::Args)]
pub(crate) struct CatalogArgs {}

pub(crate) fn run(_args: &CatalogArgs) -> anyhow::Result<crate::ExitStatus> {
    anyhow::bail!("`wudiag catalog` is not built yet")
}
