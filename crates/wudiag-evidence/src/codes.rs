//! `HResult`: the 32-bit result code behind every Windows Update error.

use std::fmt;
use std::str::FromStr;

/// A 32-bit HRESULT (or NTSTATUS-shaped) result code such as `0x80244007`.
///
/// Displayed as `0x` + 8 lowercase hex digits, the form logs use most. Parsing accepts the forms admins and
/// logs write: `0x80244007`, `0X80244007`, bare 8-digit hex `80244007`, signed decimal `-2145107961` and
/// unsigned decimal `2149842967` (what wusa.exe and msiexec print). Small bare numbers are *not* accepted
/// here, because `5` could be a Win32 code or an HRESULT: callers that want that reading use
/// [`HResult::from_win32`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct HResult(u32);

/// Why a string is not a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseCodeError {
    /// Nothing to parse.
    Empty,
    /// Hex digits were expected after `0x` but something else came.
    BadHex(String),
    /// More digits than a 32-bit code can hold.
    TooLong(String),
    /// Neither hex nor a decimal number.
    NotANumber(String),
    /// A decimal number outside the 32-bit range.
    OutOfRange(String),
}

impl fmt::Display for ParseCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "empty code"),
            Self::BadHex(s) => write!(f, "`{s}` is not a hex code: only 0-9 and a-f may follow 0x"),
            Self::TooLong(s) => write!(
                f,
                "`{s}` is too long for a 32-bit code (at most 8 hex or 10 decimal digits)"
            ),
            Self::NotANumber(s) => write!(f, "`{s}` is neither a hex code nor a decimal number"),
            Self::OutOfRange(s) => write!(f, "`{s}` is outside the 32-bit range of a result code"),
        }
    }
}

impl std::error::Error for ParseCodeError {}

/// `FACILITY_WIN32`: HRESULTs that wrap a Win32 error code.
pub const FACILITY_WIN32: u16 = 7;

impl HResult {
    /// `S_OK`.
    pub const S_OK: Self = Self(0);

    /// Wraps a raw 32-bit value.
    pub const fn new(value: u32) -> Self {
        Self(value)
    }

    /// The raw 32-bit value.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// The value read as a signed 32-bit integer, as .NET, PowerShell and event logs print it.
    pub const fn as_signed(self) -> i32 {
        self.0.cast_signed()
    }

    /// `HRESULT_FROM_WIN32`: a Win32 error code (`5`, `12002`) as the HRESULT Windows Update reports.
    /// Zero stays zero, and values that already look like HRESULTs pass through unchanged.
    pub const fn from_win32(code: u32) -> Self {
        if code == 0 || code > 0xFFFF {
            Self(code)
        } else {
            Self(0x8007_0000 | code)
        }
    }

    /// True when the severity bit is set (a failure code).
    pub const fn is_failure(self) -> bool {
        self.0 & 0x8000_0000 != 0
    }

    /// True for codes shaped like NTSTATUS values (`0xC…`), which CBS and SetupDiag print next to HRESULTs.
    pub const fn is_ntstatus_shaped(self) -> bool {
        self.0 >> 30 == 0b11
    }

    /// True when the customer bit (bit 29) is set: the code is defined by a product, not by Windows.
    pub const fn is_customer(self) -> bool {
        self.0 & 0x2000_0000 != 0
    }

    /// The facility number (bits 16-26).
    pub const fn facility(self) -> u16 {
        ((self.0 >> 16) & 0x07FF) as u16
    }

    /// The code within the facility (low 16 bits).
    pub const fn code(self) -> u16 {
        (self.0 & 0xFFFF) as u16
    }

    /// The Win32 error code this HRESULT wraps, if it is in `FACILITY_WIN32`.
    pub const fn win32_code(self) -> Option<u16> {
        if self.is_failure() && self.facility() == FACILITY_WIN32 && !self.is_ntstatus_shaped() {
            Some(self.code())
        } else {
            None
        }
    }

    /// Parses exactly 1 to 8 hex digits with no prefix (`80070005`, `240005`).
    pub fn from_hex_digits(digits: &[u8]) -> Option<Self> {
        if digits.is_empty() || digits.len() > 8 {
            return None;
        }
        let mut v: u32 = 0;
        for &b in digits {
            v = (v << 4) | u32::from(hex_value(b)?);
        }
        Some(Self(v))
    }
}

/// The value of one ASCII hex digit.
pub(crate) const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:08x}", self.0)
    }
}

impl fmt::Debug for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HResult(0x{:08x})", self.0)
    }
}

impl FromStr for HResult {
    type Err = ParseCodeError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ParseCodeError::Empty);
        }
        if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ParseCodeError::BadHex(raw.to_owned()));
            }
            let hex = hex.trim_start_matches('0');
            if hex.len() > 8 {
                return Err(ParseCodeError::TooLong(raw.to_owned()));
            }
            return Ok(Self::from_hex_digits(hex.as_bytes()).unwrap_or(Self::S_OK));
        }
        // Bare 8 hex digits: how WindowsUpdate.log writes codes (`80244007`, `8024402C`).
        if s.len() == 8
            && s.bytes().all(|b| b.is_ascii_hexdigit())
            && s.bytes().any(|b| !b.is_ascii_digit() || b > b'7')
            && let Some(h) = Self::from_hex_digits(s.as_bytes())
            && h.is_failure()
        {
            return Ok(h);
        }
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            if s.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ParseCodeError::TooLong(raw.to_owned()));
            }
            return Err(ParseCodeError::NotANumber(raw.to_owned()));
        }
        if digits.trim_start_matches('0').len() > 10 {
            return Err(ParseCodeError::TooLong(raw.to_owned()));
        }
        let n: i64 = digits
            .parse()
            .map_err(|_| ParseCodeError::OutOfRange(raw.to_owned()))?;
        let n = if negative { -n } else { n };
        if (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&n) {
            // In range: a negative value fits an i32 (its two's complement is the code), a positive one a u32.
            let value = if n < 0 {
                i32::try_from(n).map(i32::cast_unsigned)
            } else {
                u32::try_from(n)
            };
            value
                .map(Self)
                .map_err(|_| ParseCodeError::OutOfRange(raw.to_owned()))
        } else {
            Err(ParseCodeError::OutOfRange(raw.to_owned()))
        }
    }
}

impl serde::Serialize for HResult {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_admins_paste() {
        for s in [
            "0x80244007",
            "0X80244007",
            "80244007",
            "-2145107961",
            "2149842967",
            " 0x80244007 ",
        ] {
            let h: HResult = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(
                h.value(),
                if s.contains("2149842967") {
                    2_149_842_967
                } else {
                    0x8024_4007
                },
                "{s}"
            );
        }
        assert_eq!(
            "2149842967".parse::<HResult>().unwrap().to_string(),
            "0x80240017"
        );
        assert_eq!(
            "0x800F081F".parse::<HResult>().unwrap().to_string(),
            "0x800f081f"
        );
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        assert_eq!("".parse::<HResult>(), Err(ParseCodeError::Empty));
        assert!(matches!(
            "0xZZZ".parse::<HResult>(),
            Err(ParseCodeError::BadHex(_))
        ));
        assert!(matches!(
            "1234567890123456789012345678901234567890".parse::<HResult>(),
            Err(ParseCodeError::TooLong(_))
        ));
        assert!(matches!(
            "0x123456789".parse::<HResult>(),
            Err(ParseCodeError::TooLong(_))
        ));
        assert!(matches!(
            "hello".parse::<HResult>(),
            Err(ParseCodeError::NotANumber(_))
        ));
        assert!(matches!(
            "4294967296".parse::<HResult>(),
            Err(ParseCodeError::OutOfRange(_))
        ));
    }

    #[test]
    fn decomposes() {
        let h = HResult::new(0x8007_0005);
        assert!(h.is_failure());
        assert_eq!(h.facility(), 7);
        assert_eq!(h.win32_code(), Some(5));
        assert_eq!(HResult::from_win32(12002).to_string(), "0x80072ee2");
        assert_eq!(HResult::from_win32(0x8007_0005), h);
        assert!(HResult::new(0xC190_0101).is_ntstatus_shaped());
    }
}
