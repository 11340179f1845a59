//! # wudiag-catalog: what codes mean and what to do about them
//!
//! The catalogue is data, not code. Support engineers edit TOML files in `data/`:
//!
//! * `data/codes/*.toml`: one `[[code]]` per result code (Windows Update, servicing, Win32, network, security,
//!   setup), with its symbols, component, a one-line meaning, and the ids of its likely **causes** and
//!   **remedies**, plus searchable messages and related codes;
//! * `data/causes.toml`: why codes happen (`wrong-architecture`, `component-store-corruption`, …), each
//!   pointing at the remedies that address it;
//! * `data/remedies.toml`: reusable fixes (`restore-health`, `wsus-raise-max-installed-prerequisites`, …)
//!   with steps written as an admin pastes them into an elevated prompt, an [`Applicability`] grade
//!   (`safe` / `unsafe` / `display-only`, as in ruff) and the Windows versions they apply to;
//! * `data/facilities.toml`: what each facility number and its sub-ranges mean, so that a code without an
//!   entry of its own is still explained.
//!
//! ```text
//! data/*.toml ──build.rs──▶ statics ──▶ Catalog::embedded() ──▶ lookup / search / explain ──▶ render / JSON
//! ```
//!
//! `build.rs` turns the TOML into Rust statics and refuses malformed data, so start-up costs nothing and
//! `wudiag explain` runs in a few milliseconds. [`Catalog::check`] validates the compiled data again (unique
//! codes, references that resolve, remedies with steps, the codes that must have causes and remedies); it
//! backs `wudiag catalog check` and the crate's tests. A data entry only ever describes **one** observed
//! value: anything that combines observations is a rule, written in Rust, which pulls remedy texts from
//! here by id ([`Catalog::remedy`]).
//!
//! ```
//! use wudiag_catalog::{Catalog, Query};
//! use wudiag_evidence::HResult;
//!
//! let catalog = Catalog::embedded();
//! let entry = catalog.lookup(HResult::new(0x8024_4007)).unwrap();
//! assert_eq!(entry.symbol(), Some("WU_E_PT_SOAPCLIENT_SOAPFAULT"));
//! assert!(entry.remedies.contains(&"wsus-raise-max-installed-prerequisites"));
//!
//! let query = Query::parse("2149842967").unwrap(); // what wusa.exe prints
//! let ex = catalog.explain("2149842967", &query);
//! assert_eq!(ex.symbol, Some("WU_E_NOT_APPLICABLE"));
//! assert_eq!(ex.causes.len(), 4);
//! ```
//!
//! # JSON wire format
//!
//! Field names are stable; new fields may be added, existing ones are not renamed or removed. Codes are
//! strings `"0x"` + 8 lowercase hex digits. Absent values are `null`, absent lists `[]`.
//!
//! ## `wudiag explain --format json QUERY...`
//!
//! One JSON object per query, one per line (JSON Lines), in the order of the queries; each is an
//! [`Explanation`]:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `query` | string | the query as given |
//! | `interpreted_as` | `"code"` \| `"win32"` \| `"symbol"` \| `"text"` | how it was read |
//! | `status` | `"known"` \| `"facility-only"` \| `"unknown"` \| `"matches"` \| `"no-match"` | outcome; `known` and `matches` exit 0 |
//! | `code` | code \| null | the code explained (`HRESULT_FROM_WIN32` for `win32` queries) |
//! | `win32` | number \| null | Win32 / Winsock number (query, or the one the code wraps) |
//! | `decomposition` | object \| null | `hex`, `unsigned`, `signed`, `severity` (`"success"`/`"failure"`), `ntstatus_shaped`, `customer`, `facility`, `facility_name`, `code`, `win32`, `http_status` |
//! | `symbol`, `symbols` | string \| null, \[string\] | primary symbol, all symbols |
//! | `component`, `meaning`, `note` | string \| null | from the entry |
//! | `common` | bool | on Microsoft's common-errors page |
//! | `routine` | bool | healthy logs carry it in warning or error lines; not a failure on its own |
//! | `messages` | \[string\] | messages that come with the code |
//! | `facility` | object \| null | `number`, `name`, `title`, `meaning`, `range` (`first`, `last`, `name`, `meaning`, or null) |
//! | `causes` | \[object\] | `id`, `title`, `detail`, `remedies` (ids); for text queries, the causes whose title holds every word |
//! | `remedies` | \[object\] | `id`, `title`, `summary`, `applicability` (`"safe"`/`"unsafe"`/`"display-only"`), `os` (`min`, `max` as `"6.2"`, `note`; or null), `references`, `steps` (`text`, `shell` `"cmd"`/`"powershell"`/null, `run` \[string\], `os`) |
//! | `related` | \[object\] | `code`, `symbol`, `meaning`, `relation` (`"listed"`/`"same-symbol"`) |
//! | `matches` | \[object\] | text queries: `score`, `code`, `symbol`, `meaning`, `matched` (`"message"`, `"symbol"`, `"code"`, `"meaning"`, `"cause"`, `"component"`, `"note"`), `message`; best first, at most 50 |
//! | `match_count` | number | total number of matches |
//! | `defined_in` | string \| null | data file of the entry (`codes/windows-update.toml`) |
//!
//! Example (abridged):
//!
//! ```json
//! {"query":"0x800f081f","interpreted_as":"code","status":"known","code":"0x800f081f","win32":null,
//!  "decomposition":{"hex":"0x800f081f","unsigned":2148468767,"signed":-2146498529,"severity":"failure",
//!    "ntstatus_shaped":false,"customer":false,"facility":15,"facility_name":"SETUPAPI","code":2079,
//!    "win32":null,"http_status":null},
//!  "symbol":"CBS_E_SOURCE_MISSING","symbols":["CBS_E_SOURCE_MISSING"],"component":"Component-Based Servicing (CBS)",
//!  "meaning":"…","common":true,"messages":[],"note":null,
//!  "facility":{"number":15,"name":"SETUPAPI","title":"…","meaning":"…","range":{"first":"0x800f0800",…}},
//!  "causes":[{"id":"repair-source-unavailable","title":"…","detail":"…","remedies":["restore-health-with-source",…]}],
//!  "remedies":[{"id":"restore-health-with-source","title":"…","summary":"…","applicability":"display-only",
//!    "os":{"min":"6.2","max":null,"note":"…"},"references":["KB947821"],
//!    "steps":[{"text":"…","shell":"cmd","run":["DISM /Online /Cleanup-Image /RestoreHealth /Source:wim:E:\\sources\\install.wim:1 /LimitAccess"],"os":null}]}],
//!  "related":[{"code":"0x800f0906","symbol":"CBS_E_DOWNLOAD_FAILURE","meaning":"…","relation":"listed"}],
//!  "matches":[],"match_count":0,"defined_in":"codes/servicing.toml"}
//! ```
//!
//! ## `wudiag catalog list --format json`
//!
//! One JSON array of every entry, sorted by code; each element is a [`ListEntry`]:
//! `code`, `symbol`, `symbols`, `facility`, `facility_name`, `component`, `meaning`, `common`, `win32`,
//! `causes` (ids), `remedies` (ids), `messages`, `related` (codes), `note`, `tables` (which knowledge
//! tables list it: `"wu"`, `"servicing"`, `"winsock"`; empty for entries wudiag added).
//!
//! ```json
//! [{"code":"0x00240001","symbol":"WU_S_SERVICE_STOP",…},
//!  {"code":"0x80244007","symbol":"WU_E_PT_SOAPCLIENT_SOAPFAULT","symbols":["WU_E_PT_SOAPCLIENT_SOAPFAULT"],
//!   "facility":36,"facility_name":"WINDOWSUPDATE","component":"…","meaning":"…","common":true,"win32":null,
//!   "causes":["wsus-prerequisite-limit",…],"remedies":["wsus-raise-max-installed-prerequisites",…],
//!   "messages":["SyncUpdates_WithRecovery failed"],"related":["0x80244015",…],"note":null,"tables":["wu"]}]
//! ```
#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod catalog;
mod check;
mod explain;
mod model;
mod query;
pub mod render;
mod signature;

pub use catalog::{Catalog, MatchField, SearchHit};
pub use check::{MUST_EXPLAIN, Problem, SEED_MESSAGES};
pub use explain::{
    CauseInfo, Decomposition, Explanation, FacilityInfo, ListEntry, MAX_MATCHES, MAX_TEXT_CAUSES,
    MatchInfo, OsInfo, RangeInfo, RelatedInfo, RemedyInfo, Status, StepInfo,
};
pub use model::{
    Applicability, Cause, CodeEntry, Facility, FacilityRange, OsBound, OsRange, Remedy, Shell,
    SourceTable, Step,
};
pub use query::{Query, QueryError};
pub use signature::{
    Example, Near, NearMiss, Signature, SignatureConfidence, SignatureFix, SignatureRole,
    mentions_signature_keyword, signature_keywords, signatures,
};
