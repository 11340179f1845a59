//! `wudiag rules` and `wudiag rule ID` (being built).

/// Arguments of `wudiag rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {}

/// Arguments of `wudiag rule`.
#[derive(Debug, clap::Args)]
pub(crate) struct RuleArgs {}

pub(crate) fn run_list(_args: &RulesArgs) -> anyhow::Result<crate::ExitStatus> {
    anyhow::bail!("`wudiag rules` is not built yet")
}

pub(crate) fn run_one(_args: &RuleArgs) -> anyhow::Result<crate::ExitStatus> {
    anyhow::bail!("`wudiag rule` is not built yet")
}
