//! `Catalog::check`: the validation behind `wudiag catalog check` and the crate's tests.

use std::collections::HashSet;
use std::fmt;

use wudiag_evidence::HResult;

use crate::catalog::Catalog;
use crate::model::CodeEntry;

/// Codes that must have at least one cause and one remedy, besides every `common` entry: the seed
/// guidance's codes and the servicing and network codes admins meet most (issue #2).
pub const MUST_EXPLAIN: &[u32] = &[
    // Seed guidance: "not applicable", WSUS SOAP fault, the Winsock errors behind the Mux message.
    0x8024_0017,
    0x8024_4007,
    0x8007_2746,
    0x8007_274C,
    0x8007_274D,
    // Servicing and network codes admins meet most.
    0x800F_081F,
    0x800F_0831,
    0x800F_0922,
    0x800F_0984,
    0x8007_3712,
    0x8007_36B3,
    0x8007_0BC9,
    0x8007_0005,
    0x8024_402C,
    0x8024_4022,
    0x8007_2EE2,
    0x8007_2F8F,
    0x800B_0101,
    0x8007_0426,
    // What the diagnosis rules lean on.
    0x8024_4010,
    0x8024_401B,
    0x8024_4021,
    0x8024_0030,
    0x8007_2F0C,
    0x8009_6004,
    0x8019_0193,
    0x80D0_2002,
];

/// Messages of the seed guidance that free-text search must find, with a code that carries each.
pub const SEED_MESSAGES: &[(&str, u32)] = &[
    ("The update is not applicable to your computer", 0x8024_0017),
    (
        "Failed to connect to Mux due to network or cert errors",
        0x8007_274C,
    ),
    ("SyncUpdates_WithRecovery failed", 0x8024_4007),
];

/// One problem found in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What the problem is about: `code 0x80244007`, `remedy restore-health`, `facility 36`.
    pub subject: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.message)
    }
}

impl Catalog {
    /// Validates the catalogue; an empty list means it is sound.
    ///
    /// Checks: codes sorted and unique; no empty meaning, component, title, summary or step text; every
    /// referenced cause, remedy and related code exists; every remedy has steps and every command a shell;
    /// ids are unique kebab-case; facility ranges are valid; the codes of [`MUST_EXPLAIN`] and every
    /// common code have causes and remedies; the [`SEED_MESSAGES`] are found by search. (That the remedies
    /// the rules name exist is checked by the rules' own tests.)
    pub fn check(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut problem = |subject: String, message: &str| {
            out.push(Problem {
                subject,
                message: message.to_owned(),
            });
        };

        let mut prev: Option<HResult> = None;
        for e in self.codes() {
            let subject = format!("code {}", e.code);
            if prev.is_some_and(|p| p >= e.code) {
                problem(subject.clone(), "codes are not sorted and unique");
            }
            prev = Some(e.code);
            if e.meaning.trim().is_empty() {
                problem(subject.clone(), "empty meaning");
            }
            if e.component.trim().is_empty() {
                problem(subject.clone(), "empty component");
            }
            for id in e.causes {
                if self.cause(id).is_none() {
                    problem(subject.clone(), &format!("cause `{id}` does not exist"));
                }
            }
            for id in e.remedies {
                if self.remedy(id).is_none() {
                    problem(subject.clone(), &format!("remedy `{id}` does not exist"));
                }
            }
            for r in e.related {
                if self.lookup(*r).is_none() {
                    problem(
                        subject.clone(),
                        &format!("related code {r} is not catalogued"),
                    );
                }
            }
            if let Some(w) = e.win32
                && HResult::from_win32(w) != e.code
            {
                problem(
                    subject.clone(),
                    &format!("win32 {w} does not match the code"),
                );
            }
        }

        let mut seen = HashSet::new();
        for c in self.causes() {
            let subject = format!("cause {}", c.id);
            if !is_kebab(c.id) || !seen.insert(c.id) {
                problem(subject.clone(), "id is not unique kebab-case");
            }
            if c.title.trim().is_empty() || c.detail.trim().is_empty() {
                problem(subject.clone(), "empty title or detail");
            }
            for id in c.remedies {
                if self.remedy(id).is_none() {
                    problem(subject.clone(), &format!("remedy `{id}` does not exist"));
                }
            }
        }

        let mut seen = HashSet::new();
        for r in self.remedies() {
            let subject = format!("remedy {}", r.id);
            if !is_kebab(r.id) || !seen.insert(r.id) {
                problem(subject.clone(), "id is not unique kebab-case");
            }
            if r.title.trim().is_empty() || r.summary.trim().is_empty() {
                problem(subject.clone(), "empty title or summary");
            }
            if r.steps.is_empty() {
                problem(subject.clone(), "has no steps");
            }
            for (i, s) in r.steps.iter().enumerate() {
                if s.text.trim().is_empty() {
                    problem(subject.clone(), &format!("step {} has no text", i + 1));
                }
                if s.run.is_empty() != s.shell.is_none() {
                    problem(
                        subject.clone(),
                        &format!("step {}: commands and shell go together", i + 1),
                    );
                }
                if s.run
                    .iter()
                    .any(|c| c.trim().is_empty() || c.contains('\n'))
                {
                    problem(
                        subject.clone(),
                        &format!("step {}: a command is empty or spans lines", i + 1),
                    );
                }
            }
        }

        let mut prev_facility = None;
        for f in self.facilities() {
            let subject = format!("facility {}", f.number);
            if prev_facility.is_some_and(|p| p >= f.number) || f.number > 0x7FF {
                problem(
                    subject.clone(),
                    "facility numbers must be sorted, unique and at most 2047",
                );
            }
            prev_facility = Some(f.number);
            if f.name.is_empty() || f.title.trim().is_empty() || f.meaning.trim().is_empty() {
                problem(subject.clone(), "empty name, title or meaning");
            }
            for (i, r) in f.ranges.iter().enumerate() {
                if r.from > r.to || r.meaning.trim().is_empty() {
                    problem(
                        subject.clone(),
                        &format!("range {:#06x}-{:#06x} is inverted or empty", r.from, r.to),
                    );
                }
                for o in f.ranges.iter().skip(i + 1) {
                    if o.from <= r.to && o.to > r.to {
                        problem(
                            subject.clone(),
                            &format!("ranges {:#06x} and {:#06x} overlap", r.from, o.from),
                        );
                    }
                }
            }
        }

        let must = MUST_EXPLAIN.iter().map(|&v| HResult::new(v));
        let common = self.codes().iter().filter(|e| e.common).map(|e| e.code);
        for code in must.chain(common) {
            let subject = format!("code {code}");
            match self.lookup(code) {
                None => problem(subject, "must be catalogued (MUST_EXPLAIN)"),
                Some(e) if e.causes.is_empty() || e.remedies.is_empty() => {
                    problem(subject, "needs at least one cause and one remedy");
                }
                Some(_) => {}
            }
        }
        for (message, code) in SEED_MESSAGES {
            let carries =
                |e: &CodeEntry| e.messages.iter().any(|m| m.eq_ignore_ascii_case(message));
            let top_carries = self
                .search(message)
                .first()
                .is_some_and(|(_, e)| carries(e));
            let code_carries = self.lookup(HResult::new(*code)).is_some_and(carries);
            if !top_carries || !code_carries {
                problem(
                    format!("message \"{message}\""),
                    &format!(
                        "must be a message of {code:#010x} and of the first free-text search hit"
                    ),
                );
            }
        }
        out
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Applicability, Cause, OsRange, Remedy, Step};

    #[test]
    fn the_embedded_catalogue_is_sound() {
        let problems = Catalog::embedded().check();
        assert!(
            problems.is_empty(),
            "{} problem(s):\n{}",
            problems.len(),
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    static BAD_CODES: &[CodeEntry] = &[
        CodeEntry {
            code: HResult::new(0x8024_0017),
            symbols: &["WU_E_NOT_APPLICABLE"],
            component: "x",
            meaning: " ",
            common: true,
            routine: false,
            win32: Some(5),
            causes: &["no-such-cause"],
            remedies: &[],
            messages: &[],
            related: &[HResult::new(0x1234_5678)],
            note: None,
            tables: &[],
            file: "test",
        },
        CodeEntry {
            code: HResult::new(0x8024_0017),
            symbols: &[],
            component: "x",
            meaning: "y",
            common: false,
            routine: false,
            win32: None,
            causes: &[],
            remedies: &["no-such-remedy"],
            messages: &[],
            related: &[],
            note: None,
            tables: &[],
            file: "test",
        },
    ];
    static BAD_CAUSES: &[Cause] = &[Cause {
        id: "Bad_Id",
        title: "t",
        detail: "d",
        remedies: &["nope"],
    }];
    static BAD_REMEDIES: &[Remedy] = &[Remedy {
        id: "empty",
        title: "t",
        summary: "s",
        applicability: Applicability::Safe,
        os: OsRange {
            min: None,
            max: None,
        },
        os_note: None,
        references: &[],
        steps: &[],
    }];
    static BAD_STEP_REMEDIES: &[Remedy] = &[Remedy {
        id: "loose-command",
        title: "t",
        summary: "s",
        applicability: Applicability::Unsafe,
        os: OsRange {
            min: None,
            max: None,
        },
        os_note: None,
        references: &[],
        steps: &[Step {
            text: "",
            shell: None,
            run: &["dir"],
            os: OsRange {
                min: None,
                max: None,
            },
        }],
    }];

    #[test]
    fn check_reports_each_kind_of_problem() {
        let bad = Catalog::from_parts(BAD_CODES, BAD_CAUSES, BAD_REMEDIES, &[]);
        let text: Vec<String> = bad.check().iter().map(ToString::to_string).collect();
        let all = text.join("\n");
        for needle in [
            "not sorted and unique",
            "empty meaning",
            "cause `no-such-cause` does not exist",
            "remedy `no-such-remedy` does not exist",
            "related code 0x12345678 is not catalogued",
            "win32 5 does not match",
            "cause Bad_Id: id is not unique kebab-case",
            "remedy `nope` does not exist",
            "remedy empty: has no steps",
            "needs at least one cause and one remedy",
            "must be catalogued",
            "must be a message of",
        ] {
            assert!(all.contains(needle), "missing `{needle}` in:\n{all}");
        }
        let bad = Catalog::from_parts(&[], &[], BAD_STEP_REMEDIES, &[]);
        let all: Vec<String> = bad.check().iter().map(ToString::to_string).collect();
        assert!(
            all.iter().any(|p| p.contains("step 1 has no text")),
            "{all:?}"
        );
        assert!(
            all.iter()
                .any(|p| p.contains("commands and shell go together")),
            "{all:?}"
        );
    }
}
