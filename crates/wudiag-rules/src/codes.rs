//! Code names and meanings from the catalogue, as rules quote them in messages.

use wudiag_catalog::{Catalog, CodeEntry};
use wudiag_evidence::HResult;

/// The catalogue entry of a code.
pub fn entry(code: HResult) -> Option<&'static CodeEntry> {
    Catalog::embedded().lookup(code)
}

/// `0x80244007 (WU_E_PT_SOAPCLIENT_SOAPFAULT)`, or the bare code when it has no symbol.
pub fn label(code: HResult) -> String {
    match entry(code).and_then(CodeEntry::symbol) {
        Some(sym) => format!("{code} ({sym})"),
        None => code.to_string(),
    }
}

/// Same as [`label`] for a raw value.
pub fn label_u32(code: u32) -> String {
    label(HResult::new(code))
}

/// The catalogue's one-line meaning of a code.
pub fn meaning(code: HResult) -> Option<&'static str> {
    entry(code).map(|e| e.meaning)
}

/// `0x80070005 (E_ACCESSDENIED): Access denied.` — label and meaning.
pub fn explain(code: HResult) -> String {
    match meaning(code) {
        Some(m) => format!("{}: {}", label(code), m.trim_end_matches('.')),
        None => label(code),
    }
}
