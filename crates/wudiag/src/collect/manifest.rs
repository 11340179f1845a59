//! `manifest.json`: what a collect run took, and what it could not take and why.
//!
//! Platform-neutral: written by `wudiag collect` on Windows, read back by the tests on any OS.

use serde::{Deserialize, Serialize};

/// The `format` value of every manifest this version writes.
pub(crate) const MANIFEST_FORMAT: &str = "wudiag/collect-manifest/v1";

/// The name of the manifest inside the zip.
pub(crate) const MANIFEST_NAME: &str = "manifest.json";

/// The whole manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub(crate) format: String,
    /// The wudiag version that collected.
    pub(crate) tool_version: String,
    /// `COMPUTERNAME` of the machine.
    pub(crate) computer: String,
    /// When collection started (UTC, RFC 3339).
    pub(crate) started: String,
    /// When collection ended (UTC, RFC 3339).
    pub(crate) finished: String,
    /// Whether the run was elevated (administrator), when it could be told.
    pub(crate) elevated: Option<bool>,
    /// One entry per thing looked for, in the order they were looked for.
    pub(crate) items: Vec<Item>,
}

/// One thing looked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Item {
    /// What it is, for a person ("CBS log", "registry: Windows Update policy").
    pub(crate) what: String,
    /// Where it came from: a file path, a registry key, or the command that produced it.
    pub(crate) source: String,
    /// What happened.
    #[serde(flatten)]
    pub(crate) outcome: Outcome,
}

/// What happened to one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// In the zip at `path`, `size` bytes.
    Collected {
        /// Path inside the zip (`/`-separated).
        path: String,
        /// Uncompressed size in bytes.
        size: u64,
    },
    /// Not on this machine (file, folder, key or channel does not exist). Normal.
    Absent {
        /// Detail.
        detail: String,
    },
    /// The account running wudiag may not read it (run elevated to get it).
    AccessDenied {
        /// Detail.
        detail: String,
    },
    /// Anything else: a tool failed (exit code, output), timed out, is missing, a file was locked.
    Failed {
        /// Detail.
        detail: String,
    },
}

impl Outcome {
    /// A short status word (`collected`, `absent`, `access_denied`, `failed`).
    #[cfg(test)]
    pub(crate) const fn status(&self) -> &'static str {
        match self {
            Self::Collected { .. } => "collected",
            Self::Absent { .. } => "absent",
            Self::AccessDenied { .. } => "access_denied",
            Self::Failed { .. } => "failed",
        }
    }

    /// The outcome of an I/O error on `what`.
    pub(crate) fn from_io(err: &std::io::Error) -> Self {
        // ERROR_SHARING_VIOLATION (32) and ERROR_LOCK_VIOLATION (33): held open without shared read.
        if matches!(err.raw_os_error(), Some(32 | 33)) && cfg!(windows) {
            return Self::Failed {
                detail: format!("in use by another process without shared read: {err}"),
            };
        }
        match err.kind() {
            std::io::ErrorKind::NotFound => Self::Absent {
                detail: "not found".into(),
            },
            std::io::ErrorKind::PermissionDenied => Self::AccessDenied {
                detail: err.to_string(),
            },
            _ => Self::Failed {
                detail: err.to_string(),
            },
        }
    }
}

impl Manifest {
    /// How many items have each status: (collected, absent, access denied, failed).
    pub(crate) fn counts(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, 0);
        for i in &self.items {
            match i.outcome {
                Outcome::Collected { .. } => c.0 += 1,
                Outcome::Absent { .. } => c.1 += 1,
                Outcome::AccessDenied { .. } => c.2 += 1,
                Outcome::Failed { .. } => c.3 += 1,
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT.into(),
            tool_version: "0.1.0".into(),
            computer: "PC1".into(),
            started: "2024-01-01T00:00:00Z".into(),
            finished: "2024-01-01T00:00:05Z".into(),
            elevated: None,
            items: vec![
                Item {
                    what: "CBS log".into(),
                    source: r"C:\Windows\Logs\CBS\CBS.log".into(),
                    outcome: Outcome::Collected {
                        path: "Logs/CBS/CBS.log".into(),
                        size: 12,
                    },
                },
                Item {
                    what: "event log System".into(),
                    source: "wevtutil epl System".into(),
                    outcome: Outcome::Failed {
                        detail: "wevtutil.exe exited with code 5".into(),
                    },
                },
                Item {
                    what: "ReportingEvents.log".into(),
                    source: r"C:\Windows\SoftwareDistribution\ReportingEvents.log".into(),
                    outcome: Outcome::Absent {
                        detail: "not found".into(),
                    },
                },
            ],
        }
    }

    #[test]
    fn json_shape_is_flat_and_tagged() {
        let m = sample();
        let v: serde_json::Value = serde_json::to_value(&m).unwrap();
        assert_eq!(v["format"], MANIFEST_FORMAT);
        assert_eq!(v["items"][0]["status"], "collected");
        assert_eq!(v["items"][0]["path"], "Logs/CBS/CBS.log");
        assert_eq!(v["items"][0]["size"], 12);
        assert_eq!(v["items"][1]["status"], "failed");
        assert_eq!(v["items"][1]["detail"], "wevtutil.exe exited with code 5");
        assert_eq!(v["items"][2]["status"], "absent");
        assert!(v["elevated"].is_null());
    }

    #[test]
    fn round_trips() {
        let m = sample();
        let text = serde_json::to_string_pretty(&m).unwrap();
        let back: Manifest = serde_json::from_str(&text).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.counts(), (1, 1, 0, 1));
    }

    #[test]
    fn io_errors_are_classified() {
        let nf = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(Outcome::from_io(&nf).status(), "absent");
        let pd = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(Outcome::from_io(&pd).status(), "access_denied");
        let other = std::io::Error::other("disk on fire");
        assert_eq!(Outcome::from_io(&other).status(), "failed");
    }
}
