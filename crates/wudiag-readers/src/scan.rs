//! Finds the identifiers every format shares inside message text: failure codes in all their written
//! forms, KB numbers, CBS package identities and update GUIDs.
//!
//! Written for speed on gigabyte logs: each search starts from a SIMD literal scan (memchr / memmem /
//! aho-corasick) and only then looks at the bytes around a hit.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use memchr::memmem;
use wudiag_evidence::{Event, HResult, KbNumber, UpdateId};

/// Words after which logs write a code as bare hex (`hr=80070057`, `*FAILED* [80070005]`,
/// `HRESULT=800F0905`, `error 0x…` is found by the `0x` scan) or as a decimal (`error 2149842967`, the
/// WUSA form).
const BARE_CODE_MARKERS: &[&str] = &[
    "hr=",
    "hr = ",
    "hr:",
    "hresult=",
    "hresult = ",
    "*failed* [",
    "exit code = ",
    "error = ",
    "error: ",
    "error ",
    "errorcode=",
    "error code ",
    "error code: ",
    "status: ",
    "status = ",
    "result = ",
    "failed with ",
    "code = ",
    "code: ",
];

static BARE_MARKERS: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(BARE_CODE_MARKERS)
        .ok()
});

static HEX_PREFIX: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"0x"));
static HEX_PREFIX_UPPER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"0X"));

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Reads exactly 8 hex digits at `at` that are not followed by another hex digit.
fn eight_hex(text: &[u8], at: usize) -> Option<HResult> {
    let digits = text.get(at..at + 8)?;
    if !digits.iter().copied().all(is_hex) || text.get(at + 8).is_some_and(|&b| is_hex(b)) {
        return None;
    }
    HResult::from_hex_digits(digits)
}

/// Reads a decimal code (`2149842967`, `-2145107961`) in the failure range at `at`.
fn decimal_code(text: &[u8], at: usize) -> Option<HResult> {
    let (neg, start) = if text.get(at) == Some(&b'-') {
        (true, at + 1)
    } else {
        (false, at)
    };
    let len = text
        .get(start..)?
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if len != 10 || text.get(start + len).is_some_and(|&b| is_word(b)) {
        return None;
    }
    let mut v: i64 = 0;
    for &b in text.get(start..start + len)? {
        v = v * 10 + i64::from(b - b'0');
    }
    let v = if neg { -v } else { v };
    let raw = if v < 0 {
        i32::try_from(v).ok()?.cast_unsigned()
    } else {
        u32::try_from(v).ok()?
    };
    let h = HResult::new(raw);
    h.is_failure().then_some(h)
}

/// Calls `found` for each failure code written in `text`, in order (duplicates included).
pub fn each_code(text: &[u8], mut found: impl FnMut(HResult)) {
    // 1. `0x` + exactly 8 hex digits, with the failure bit set.
    for finder in [&*HEX_PREFIX, &*HEX_PREFIX_UPPER] {
        for at in finder.find_iter(text) {
            // `@0x7fed806eb5d` and `@0xff83e97c` are stack addresses in CSI lines, not codes.
            if at > 0 && text.get(at - 1).is_some_and(|&b| is_word(b) || b == b'@') {
                continue;
            }
            if let Some(h) = eight_hex(text, at + 2)
                && h.is_failure()
            {
                found(h);
            }
        }
    }
    // 2. Bare hex or decimal after a marker word.
    if let Some(ac) = BARE_MARKERS.as_ref() {
        for m in ac.find_iter(text) {
            let at = m.end();
            if text
                .get(at..at + 2)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"0x"))
            {
                continue; // already found by the 0x scan
            }
            if let Some(h) = eight_hex(text, at).filter(|h| h.is_failure()) {
                found(h);
            } else if let Some(h) = decimal_code(text, at) {
                found(h);
            }
        }
    }
    // 3. A negative ten-digit decimal anywhere is a failure HRESULT as a signed 32-bit number (installers,
    //    Chef, Ansible and batch files print `exit code -2145124329`, `received '-2145124329'`); those after
    //    a marker word were found above.
    for at in NEGATIVE.find_iter(text) {
        let before = text.get(..at).unwrap_or_default();
        let after_marker = BARE_CODE_MARKERS.iter().any(|m| {
            before.len() >= m.len()
                && before
                    .get(before.len() - m.len()..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(m.as_bytes()))
        });
        if after_marker || at > 0 && text.get(at - 1).is_some_and(|&b| is_word(b) || b == b'-') {
            continue;
        }
        if let Some(h) = decimal_code(text, at) {
            found(h);
        }
    }
    // 4. Win32 results written by name inside HRESULT_FROM_WIN32(…).
    for at in FROM_WIN32.find_iter(text) {
        if let Some(h) = symbolic_code(text, at + b"HRESULT_FROM_WIN32(".len()) {
            found(h);
        }
    }
}

/// `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)`: CSI writes many results by name; the catalogue knows the
/// HRESULT each Win32 name becomes.
static FROM_WIN32: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"HRESULT_FROM_WIN32("));

fn symbolic_code(text: &[u8], at: usize) -> Option<HResult> {
    let name = text.get(at..)?;
    let len = name
        .iter()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'_')
        .count();
    let symbol = std::str::from_utf8(name.get(..len)?).ok()?;
    if len < 6 || name.get(len) != Some(&b')') {
        return None;
    }
    wudiag_catalog::Catalog::embedded()
        .by_symbol(symbol)
        .into_iter()
        .map(|e| e.code)
        .find(|c| c.value() >> 16 == 0x8007)
}

/// `-21`: the start of a negative decimal HRESULT (they run from -2147483648 to -2130706433 and beyond).
static NEGATIVE: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"-21"));

/// The distinct failure codes of `text`, in order of first appearance.
pub fn codes(text: &[u8]) -> Vec<HResult> {
    let mut v = Vec::new();
    each_code(text, |h| {
        if !v.contains(&h) {
            v.push(h);
        }
    });
    v
}

/// True when `text` may contain a code: a cheap pre-check before [`codes`].
pub fn may_contain_code(text: &[u8]) -> bool {
    memchr::memchr3(b'x', b'X', b'=', text).is_some()
        || memchr::memchr2(b'[', b':', text).is_some()
        || memmem::find(text, b"rror ").is_some()
        || NEGATIVE.find(text).is_some()
        || FROM_WIN32.find(text).is_some()
}

/// The distinct KB numbers of `text` (`KB5034441`, `Package_for_KB3192392`, `kb958830`).
pub fn kbs(text: &[u8]) -> Vec<KbNumber> {
    let mut v = Vec::new();
    let mut from = 0;
    while let Some(rel) = memchr::memchr2(b'K', b'k', text.get(from..).unwrap_or_default()) {
        let at = from + rel;
        from = at + 1;
        let Some(b) = text.get(at + 1) else { break };
        if !(*b == b'B' || *b == b'b') {
            continue;
        }
        if at > 0 && text.get(at - 1).is_some_and(|&c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let start = at + 2;
        let len = text
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if !(6..=7).contains(&len) {
            continue;
        }
        let mut n = 0u32;
        for &c in text.get(start..start + len).unwrap_or_default() {
            n = n * 10 + u32::from(c - b'0');
        }
        let kb = KbNumber::new(n);
        if !v.contains(&kb) {
            v.push(kb);
        }
        from = start + len;
    }
    v
}

/// The first CBS package identity in `text` (`Package_for_KB…~31bf3856ad364e35~amd64~~6.1.1.4`).
pub fn first_package(text: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(rel) = memchr::memchr(b'~', text.get(from..)?) {
        let at = from + rel;
        from = at + 1;
        // `~` + 16 hex (public key token) + `~`
        let token = text.get(at + 1..at + 17)?;
        if !token.iter().copied().all(is_hex) || text.get(at + 17) != Some(&b'~') {
            continue;
        }
        let is_part = |b: &u8| b.is_ascii_alphanumeric() || matches!(*b, b'_' | b'-' | b'.' | b'~');
        let start = text
            .get(..at)?
            .iter()
            .rposition(|b| !is_part(b))
            .map_or(0, |p| p + 1);
        let end = text
            .get(at..)?
            .iter()
            .position(|b| !is_part(b))
            .map_or(text.len(), |p| at + p);
        let ident = std::str::from_utf8(text.get(start..end)?).ok()?;
        let ident = ident.trim_end_matches('.');
        let ident = ident.strip_suffix(".mum").unwrap_or(ident);
        if ident.matches('~').count() >= 4 {
            return Some(ident.to_owned());
        }
    }
    None
}

/// The first non-nil update GUID in `text`, braced (`{BFC8A103-…}.203`) or bare (`4E95DCBD-…`), with its
/// revision when one follows (`.203`).
pub fn first_update_id(text: &[u8]) -> Option<UpdateId> {
    let mut from = 0;
    while let Some(rel) = memchr::memchr(b'-', text.get(from..)?) {
        let dash = from + rel;
        from = dash + 1;
        let Some(start) = dash.checked_sub(8) else {
            continue;
        };
        if start > 0 && text.get(start - 1).is_some_and(|&b| is_hex(b)) {
            continue;
        }
        let guid = text.get(start..start + 36)?;
        let shape_ok = guid.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                is_hex(c)
            }
        });
        if !shape_ok || text.get(start + 36).is_some_and(|&b| is_hex(b)) {
            continue;
        }
        from = start + 36;
        let mut after = start + 36;
        if text.get(after) == Some(&b'}') {
            after += 1;
        }
        let revision = match text.get(after) {
            Some(b'.' | b'/') => {
                let digits: Vec<u8> = text
                    .get(after + 1..)
                    .unwrap_or_default()
                    .iter()
                    .copied()
                    .take_while(u8::is_ascii_digit)
                    .take(9)
                    .collect();
                std::str::from_utf8(&digits)
                    .ok()
                    .and_then(|d| d.parse().ok())
            }
            _ => None,
        };
        let id = UpdateId {
            guid: String::from_utf8_lossy(guid).to_ascii_lowercase(),
            revision,
        };
        if !id.is_nil() {
            return Some(id);
        }
    }
    None
}

/// Fills an event's codes, KBs and package from its message bytes.
pub fn annotate(event: &mut Event, text: &[u8]) {
    each_code(text, |h| event.add_code(h));
    for kb in kbs(text) {
        event.add_kb(kb);
    }
    if event.package.is_none() {
        event.package = first_package(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(v: &[HResult]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_written_form() {
        assert_eq!(
            hex(&codes(
                b"Failed [HRESULT = 0x800f081f - CBS_E_SOURCE_MISSING]"
            )),
            ["0x800f081f"]
        );
        assert_eq!(hex(&codes(b"Method failed hr=80070057")), ["0x80070057"]);
        assert_eq!(
            hex(&codes(b"ProtocolTalker *FAILED* [80070005] init")),
            ["0x80070005"]
        );
        assert_eq!(hex(&codes(b"# Exit code = 0x8024000C")), ["0x8024000c"]);
        assert_eq!(hex(&codes(b"error 0x8024402c")), ["0x8024402c"]);
        assert_eq!(
            hex(&codes(b"status: 0x800f0831, failure source: CBS")),
            ["0x800f0831"]
        );
        assert_eq!(
            hex(&codes(b"DISM failed. HRESULT=800F0905")),
            ["0x800f0905"]
        );
        assert_eq!(
            hex(&codes(
                b"could not be installed because of error 2149842967 \"\""
            )),
            ["0x80240017"]
        );
        assert_eq!(hex(&codes(b"error code -2145107961")), ["0x80244007"]);
        // Installers and provisioning tools print the signed form anywhere, once each.
        assert_eq!(
            hex(&codes(
                b"but received '-2145124329' ---- returned -2145124329"
            )),
            ["0x80240017"]
        );
        let mut all = Vec::new();
        each_code(b"exit code -2145124329", |h| all.push(h));
        assert_eq!(hex(&all), ["0x80240017"], "found once, not by two scans");
        assert!(codes(b"range 2024-2130 and id x-2145124329").is_empty());
        assert_eq!(
            hex(&codes(
                b"(F) HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) #123# from Foo"
            )),
            ["0x80070002"]
        );
        assert!(codes(b"[HRESULT = 0x00000000 - S_OK] seq 00000001 31bf3856ad364e35").is_empty());
        assert!(codes(b"handle @0x7fef9a5ab2d").is_empty());
    }

    #[test]
    fn kbs_packages_guids() {
        assert_eq!(
            kbs(b"Package_1_for_KB2952664~31bf3856ad364e35~amd64~~6.1.2.1 and (KB5034441), KB12"),
            [KbNumber::new(2_952_664), KbNumber::new(5_034_441)]
        );
        assert_eq!(
            first_package(
                b"Package: Package_1_for_KB2952664~31bf3856ad364e35~amd64~~6.1.2.1, state"
            )
            .as_deref(),
            Some("Package_1_for_KB2952664~31bf3856ad364e35~amd64~~6.1.2.1")
        );
        assert_eq!(
            first_package(
                b"servicing\\Packages\\Package_1_for_KB2952664~31bf3856ad364e35~amd64~~6.1.2.1.mum"
            )
            .as_deref(),
            Some("Package_1_for_KB2952664~31bf3856ad364e35~amd64~~6.1.2.1")
        );
        let id =
            first_update_id(b"Update {BFC8A103-FD5F-4458-9935-231D9F79E2C1}.203 failed").unwrap();
        assert_eq!(id.revision, Some(203));
        let id = first_update_id(b"for update 4E95DCBD-1A2B-4C3D-8E9F-001122334455.1 x").unwrap();
        assert_eq!(id.guid, "4e95dcbd-1a2b-4c3d-8e9f-001122334455");
        assert!(first_update_id(b"{00000000-0000-0000-0000-000000000000}").is_none());
    }
}
