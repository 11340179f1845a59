//! DISM.log records: the servicing-log layout of [`crate::cbs_log::parse`] (DISM writes the same
//! `YYYY-MM-DD HH:MM:SS, Level Component` prefix, and its CBS and CSI lines are CBS lines), plus the
//! structure of DISM's own messages:
//!
//! ```text
//! DISM Package Manager: PID=5372 TID=12244 Failed finalizing changes. - CDISMPackageManager::Internal_Finalize(hr:0x800f081f)
//! └ provider ─────────┘ └ process/thread ┘ └ text ───────────────────┘   └ method ───────────────────────────┘ └ result ┘
//! ```

use crate::cbs_log::parse::{CbsRecord, Dialect, ParseError, Records};

/// The parts of a DISM message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DismMessage<'a> {
    /// `DISM Package Manager`, `DISM.EXE`, `API`; absent on lines that name none.
    pub provider: Option<&'a [u8]>,
    /// `PID=…`.
    pub pid: Option<u32>,
    /// `TID=…`.
    pub tid: Option<u32>,
    /// The text between the ids and the method.
    pub text: &'a [u8],
    /// The method that logged it (`CDISMPackageManager::Internal_Finalize`), when written.
    pub method: Option<&'a [u8]>,
    /// The hex digits of `(hr:0x…)` after the method, when written.
    pub hr: Option<&'a [u8]>,
}

/// One DISM.log record: the generic record and, for lines of the `DISM` component, its parsed message.
#[derive(Clone, Copy, Debug)]
pub struct DismRecord<'a> {
    /// The record as the servicing-log parser sees it.
    pub record: CbsRecord<'a>,
    /// The DISM message, for `DISM` component lines.
    pub dism: Option<DismMessage<'a>>,
}

fn number_after(s: &[u8], key: &[u8]) -> Option<(u32, usize)> {
    let rest = s.strip_prefix(key)?;
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 9 {
        return None;
    }
    let v = rest
        .get(..n)?
        .iter()
        .fold(0u32, |v, &b| v * 10 + u32::from(b - b'0'));
    Some((v, key.len() + n))
}

fn skip_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b' ').count();
    s.get(n..).unwrap_or_default()
}

/// Splits a DISM message (the part after the component column).
pub fn split_message(msg: &[u8]) -> DismMessage<'_> {
    let mut out = DismMessage::default();
    let mut rest = msg;
    // Provider: a short name before `: ` that is not a path (`C:`) and not the PID itself.
    if let Some(colon) = memchr::memchr(b':', rest.get(..rest.len().min(48)).unwrap_or_default()) {
        let name = rest.get(..colon).unwrap_or_default();
        let ok = colon >= 2
            && rest.get(colon + 1) == Some(&b' ')
            && !name.contains(&b'=')
            && !name.contains(&b'\\')
            && name
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'.' | b'_' | b'-'));
        if ok {
            out.provider = Some(name);
            rest = rest.get(colon + 2..).unwrap_or_default();
        }
    }
    rest = skip_spaces(rest);
    if let Some((pid, used)) = number_after(rest, b"PID=") {
        out.pid = Some(pid);
        rest = skip_spaces(rest.get(used..).unwrap_or_default());
        if let Some((tid, used)) = number_after(rest, b"TID=") {
            out.tid = Some(tid);
            rest = skip_spaces(rest.get(used..).unwrap_or_default());
        }
    }
    // Method: ` - Class::Method` or ` - Function` at the end, optionally followed by `(hr:0x…)`.
    out.text = rest;
    if let Some(dash) = memchr::memmem::rfind(rest, b" - ") {
        let tail = rest.get(dash + 3..).unwrap_or_default();
        let (name, hr) = match memchr::memmem::find(tail, b"(hr:0x") {
            Some(p) => {
                let digits = tail.get(p + 6..).unwrap_or_default();
                let n = digits.iter().take_while(|b| b.is_ascii_hexdigit()).count();
                (tail.get(..p).unwrap_or_default(), digits.get(..n))
            }
            None => (tail, None),
        };
        let name = name.strip_suffix(b" ").unwrap_or(name);
        let looks_like_method = !name.is_empty()
            && name.iter().all(|&b| {
                b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'~' | b'<' | b'>')
            });
        if looks_like_method {
            out.method = Some(name);
            out.hr = hr.filter(|h| !h.is_empty());
            out.text = rest.get(..dash).unwrap_or_default();
        }
    }
    out
}

/// Streams the records of a DISM.log buffer.
pub fn records(buf: &[u8]) -> impl Iterator<Item = Result<DismRecord<'_>, ParseError>> {
    Records::new(buf, Dialect::Dism).map(|r| {
        r.map(|record| {
            let dism = (record.component() == b"DISM").then(|| split_message(record.message()));
            DismRecord { record, dism }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_ids_method_hr() {
        let m = split_message(
            b"DISM Package Manager: PID=5372 TID=12244 Failed finalizing changes. - CDISMPackageManager::Internal_Finalize(hr:0x800f081f)",
        );
        assert_eq!(m.provider, Some(&b"DISM Package Manager"[..]));
        assert_eq!((m.pid, m.tid), (Some(5372), Some(12244)));
        assert_eq!(m.text, b"Failed finalizing changes.");
        assert_eq!(
            m.method,
            Some(&b"CDISMPackageManager::Internal_Finalize"[..])
        );
        assert_eq!(m.hr, Some(&b"800f081f"[..]));

        let m = split_message(b"DISM.EXE: <----- Starting Dism.exe session ----->");
        assert_eq!(m.provider, Some(&b"DISM.EXE"[..]));
        assert_eq!(m.text, b"<----- Starting Dism.exe session ----->");
        assert_eq!(m.method, None);

        let m = split_message(b"Initialized Panther logging at C:\\Windows\\Logs\\DISM\\dism.log");
        assert_eq!(m.provider, None);

        let m = split_message(b"PID=9064 TID=10092 DismCore.dll version: 10.0.19041.2788 - CDISMManager::FinalConstruct");
        assert_eq!((m.provider, m.pid), (None, Some(9064)));
        assert_eq!(m.text, b"DismCore.dll version: 10.0.19041.2788");

        let m = split_message(b"DISM Transmog Provider: PID=1656 Current image session is [OFFLINE] - CTransmogManager::GetMode");
        assert_eq!((m.pid, m.tid), (Some(1656), None));
        assert_eq!(m.text, b"Current image session is [OFFLINE]");
        for junk in [
            &b""[..],
            b":",
            b"PID=",
            b"x: PID=99999999999 TID=",
            b" - ",
            b" - (hr:0x",
            b"a - b(hr:0x",
        ] {
            let _ = split_message(junk);
        }
    }
}
