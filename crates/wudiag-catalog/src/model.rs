//! The catalogue's record types. Every value is `'static`: the records are generated from `data/*.toml`
//! by `build.rs` and compiled into the binary.

use std::fmt;

use wudiag_evidence::{HResult, Version};

/// One result code: its symbols, meaning, and what usually causes it and fixes it.
#[derive(Debug)]
#[non_exhaustive]
pub struct CodeEntry {
    /// The code (`0x80244007`).
    pub code: HResult,
    /// Symbolic names, primary first (`WU_E_PT_SOAPCLIENT_SOAPFAULT`). May be empty when none is published.
    pub symbols: &'static [&'static str],
    /// The component that reports the code (`Windows Update Agent: protocol talker (SOAP/HTTP)`).
    pub component: &'static str,
    /// One line in our own words.
    pub meaning: &'static str,
    /// Listed on Microsoft's "common Windows Update errors" page.
    pub common: bool,
    /// Healthy logs carry it in warning or error lines during routine work (applicability probing, a
    /// paused download, a scan with nothing to do): on its own it is not a failure.
    pub routine: bool,
    /// The Win32/Winsock number for entries whose source table gives it (`10060` for `0x8007274C`).
    pub win32: Option<u32>,
    /// Cause ids, most likely first ([`Catalog::cause`](crate::Catalog::cause)).
    pub causes: &'static [&'static str],
    /// Remedy ids, in the order to try them ([`Catalog::remedy`](crate::Catalog::remedy)).
    pub remedies: &'static [&'static str],
    /// Log or dialog texts that come with this code.
    pub messages: &'static [&'static str],
    /// Other codes worth reading with this one.
    pub related: &'static [HResult],
    /// One extra remark.
    pub note: Option<&'static str>,
    /// Which of the project's knowledge tables list the code (empty: added by wudiag).
    pub tables: &'static [SourceTable],
    /// The data file that defines the entry, relative to the crate's `data/` folder.
    pub file: &'static str,
}

impl CodeEntry {
    /// The primary symbol, if any.
    pub fn symbol(&self) -> Option<&'static str> {
        self.symbols.first().copied()
    }

    /// The symbol or, when none is published, the code itself: a name to show in lists.
    pub fn label(&self) -> String {
        self.symbol()
            .map_or_else(|| self.code.to_string(), str::to_owned)
    }
}

/// The knowledge tables (in `shared/knowledge/`) the catalogue was first imported from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum SourceTable {
    /// `wu_error_codes.csv`.
    #[serde(rename = "wu")]
    WindowsUpdate,
    /// `servicing_error_codes.csv`.
    #[serde(rename = "servicing")]
    Servicing,
    /// `winsock_codes.csv`.
    #[serde(rename = "winsock")]
    Winsock,
}

/// Why a code happens.
#[derive(Debug)]
#[non_exhaustive]
pub struct Cause {
    /// Kebab-case id, stable (`missing-prerequisite`).
    pub id: &'static str,
    /// One line naming the condition.
    pub title: &'static str,
    /// What is going on and how to recognise it.
    pub detail: &'static str,
    /// Remedy ids that address this cause, most specific first.
    pub remedies: &'static [&'static str],
}

/// A reusable fix with its steps and how safe it is to apply.
#[derive(Debug)]
#[non_exhaustive]
pub struct Remedy {
    /// Kebab-case id, stable (`restore-health`). Rules refer to remedies by id.
    pub id: &'static str,
    /// Imperative one-liner.
    pub title: &'static str,
    /// What it does and when it helps.
    pub summary: &'static str,
    /// How safe it is to apply without a human's judgement.
    pub applicability: Applicability,
    /// The Windows versions (NT) the remedy applies to.
    pub os: OsRange,
    /// The same range in words.
    pub os_note: Option<&'static str>,
    /// KB numbers or document titles an admin can look up.
    pub references: &'static [&'static str],
    /// What to do, in order. Never empty.
    pub steps: &'static [Step],
}

impl Remedy {
    /// True when the remedy applies to Windows `version` (`6.1.7601`, `10.0.17763`).
    pub fn applies_to(&self, version: Version) -> bool {
        self.os.contains(version)
    }

    /// The steps that apply to Windows `version`.
    pub fn steps_for(&self, version: Version) -> impl Iterator<Item = &'static Step> + use<> {
        self.steps.iter().filter(move |s| s.os.contains(version))
    }
}

/// One step of a remedy: what to do, and the commands for it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Step {
    /// What to do and why.
    pub text: &'static str,
    /// The shell the commands are for; `None` for a step a human does by hand.
    pub shell: Option<Shell>,
    /// Commands, exactly as pasted into an elevated prompt of `shell`, one per line.
    pub run: &'static [&'static str],
    /// The Windows versions this step is for (most steps: all).
    pub os: OsRange,
}

/// The shell a command is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shell {
    /// `cmd.exe`, elevated.
    Cmd,
    /// Windows PowerShell, elevated.
    #[serde(rename = "powershell")]
    PowerShell,
}

impl Shell {
    /// How the text output names the shell.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Cmd => "cmd",
            Self::PowerShell => "PowerShell",
        }
    }
}

/// How safe a remedy is to apply, after ruff's `Applicability`. Only `Safe` may ever run unattended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Idempotent and reversible: no policy change, no data loss, no restart.
    Safe,
    /// Probably right, but it changes configuration or discards state.
    Unsafe,
    /// A human must judge: a restart, a reinstall, choosing a source, asking a vendor.
    DisplayOnly,
}

impl Applicability {
    /// The wire and display name (`safe`, `unsafe`, `display-only`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "safe",
            Self::Unsafe => "unsafe",
            Self::DisplayOnly => "display-only",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A range of Windows (NT) versions, both ends inclusive. An empty range covers every version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OsRange {
    /// Lowest version covered.
    pub min: Option<OsBound>,
    /// Highest version covered.
    pub max: Option<OsBound>,
}

impl OsRange {
    /// True when no bound is set.
    pub const fn is_any(&self) -> bool {
        self.min.is_none() && self.max.is_none()
    }

    /// True when `version` lies in the range. A bound written with fewer parts (`6.1`) covers every
    /// build of that version.
    pub fn contains(&self, version: Version) -> bool {
        self.min.is_none_or(|b| b.cmp_version(version).is_le())
            && self.max.is_none_or(|b| b.cmp_version(version).is_ge())
    }
}

impl fmt::Display for OsRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (None, None) => f.write_str("any"),
            (Some(a), None) => write!(f, "NT {a} and later"),
            (None, Some(b)) => write!(f, "NT {b} and earlier"),
            (Some(a), Some(b)) if a == b => write!(f, "NT {a} only"),
            (Some(a), Some(b)) => write!(f, "NT {a} to {b}"),
        }
    }
}

/// One end of an [`OsRange`]: a version and how many of its parts are significant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OsBound {
    version: Version,
    parts: u8,
}

impl OsBound {
    /// A bound of `parts` significant parts (2 to 4).
    pub const fn new(version: Version, parts: u8) -> Self {
        Self { version, parts }
    }

    /// The version.
    pub const fn version(self) -> Version {
        self.version
    }

    /// Compares the bound with `v` on the significant parts only.
    fn cmp_version(self, v: Version) -> std::cmp::Ordering {
        let n = usize::from(self.parts.clamp(1, 4));
        self.version.0.iter().take(n).cmp(v.0.iter().take(n))
    }
}

impl fmt::Display for OsBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self
            .version
            .0
            .iter()
            .take(usize::from(self.parts.clamp(1, 4)))
            .enumerate()
        {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// What a facility number means.
#[derive(Debug)]
#[non_exhaustive]
pub struct Facility {
    /// The facility number (bits 16-26 of a code).
    pub number: u16,
    /// The `FACILITY_*` suffix (`WINDOWSUPDATE`).
    pub name: &'static str,
    /// A short human name (`Windows Update Agent`).
    pub title: &'static str,
    /// What codes of this facility generally mean.
    pub meaning: &'static str,
    /// Sub-ranges of the low 16 bits, sorted by start (wider first when nested).
    pub ranges: &'static [FacilityRange],
}

impl Facility {
    /// The narrowest range that holds `code` (the low 16 bits of a result code).
    pub fn range_of(&self, code: u16) -> Option<&'static FacilityRange> {
        self.ranges
            .iter()
            .filter(|r| r.from <= code && code <= r.to)
            .min_by_key(|r| r.to - r.from)
    }
}

/// A sub-range of a facility's codes, such as the Windows Update protocol talker (`0x4000-0x4FFF`).
#[derive(Debug)]
#[non_exhaustive]
pub struct FacilityRange {
    /// First code (low 16 bits), inclusive.
    pub from: u16,
    /// Last code (low 16 bits), inclusive.
    pub to: u16,
    /// Short name.
    pub name: &'static str,
    /// What codes in the range mean.
    pub meaning: &'static str,
}
