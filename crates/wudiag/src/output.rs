//! Where reports go: stdout (coloured only on a terminal, `NO_COLOR` respected) or a file.

use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;

/// Opens the report destination: a file (written whole, then renamed into place) or stdout.
pub(crate) fn with_output<F>(path: Option<&Path>, write: F) -> anyhow::Result<()>
where
    F: FnOnce(&mut dyn Write, bool) -> io::Result<()>,
{
    if let Some(p) = path {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp =
            tempfile_in(dir).with_context(|| format!("creating a file next to {}", p.display()))?;
        write(&mut tmp.1, false).with_context(|| format!("writing {}", p.display()))?;
        tmp.1.flush()?;
        drop(tmp.1);
        std::fs::rename(&tmp.0, p)
            .with_context(|| format!("moving the report to {}", p.display()))?;
        Ok(())
    } else {
        let stdout = io::stdout();
        let color = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
        let mut lock = io::BufWriter::new(stdout.lock());
        write(&mut lock, color)?;
        lock.flush()?;
        Ok(())
    }
}

fn tempfile_in(dir: &Path) -> io::Result<(std::path::PathBuf, io::BufWriter<std::fs::File>)> {
    for n in 0..1000u32 {
        let path = dir.join(format!(".wudiag-report-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, io::BufWriter::new(f))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("could not create a temporary report file"))
}
