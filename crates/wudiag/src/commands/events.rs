//! `wudiag events` (being built).

/// Arguments of `wudiag events`.
#[derive(Debug, clap::Args)]
pub(crate) struct EventsArgs {}

pub(crate) fn run(_args: &EventsArgs) -> anyhow::Result<crate::ExitStatus> {
    anyhow::bail!("`wudiag events` is not built yet")
}
