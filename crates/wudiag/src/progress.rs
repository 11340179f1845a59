//! The progress bar: on stderr, only on a terminal, only for inputs big enough to wait for.

use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use wudiag_evidence::Retention;
use wudiag_readers::ReadOptions;

/// Inputs smaller than this read too fast for a bar to help.
const BAR_THRESHOLD: u64 = 50 << 20;

/// Read options with a progress bar attached when stderr is a terminal.
pub(crate) fn read_options(retention: Retention) -> ReadOptions {
    let mut options = ReadOptions {
        retention,
        ..ReadOptions::default()
    };
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} reading {bytes}/{total_bytes} {wide_bar} {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        options.progress = Some(Box::new(move |done, total| {
            if total < BAR_THRESHOLD {
                return;
            }
            if bar.is_hidden() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_length(total);
            }
            bar.set_position(done);
            if done >= total {
                bar.finish_and_clear();
            }
        }));
    }
    options
}

/// Reads `paths` with a progress bar.
pub(crate) fn read(paths: &[PathBuf], retention: Retention) -> wudiag_evidence::Evidence {
    wudiag_readers::read_paths(paths, &read_options(retention))
}
