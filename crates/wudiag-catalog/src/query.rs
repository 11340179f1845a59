//! What an admin pastes into `wudiag explain`, classified.

use std::fmt;

use wudiag_evidence::HResult;

/// A parsed `explain` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// A full 32-bit code: `0x80244007`, `80244007`, `-2145107961`, `2149842967`.
    Code(HResult),
    /// A bare number up to 65535 (`5`, `0x5`, `12002`, `10060`): a Win32 or Winsock error, read as
    /// `HRESULT_FROM_WIN32` for the lookup.
    Win32(u16),
    /// Something shaped like a symbol (`WU_E_NOT_APPLICABLE`, any case).
    Symbol(String),
    /// Anything else: free text ("not applicable", "mux").
    Text(String),
}

/// Why a query could not be read. `Display` is one line naming the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryError {
    /// Nothing but blanks.
    Empty,
    /// `0x` followed by something that is not hex.
    BadHex(String),
    /// More digits than a 32-bit code can hold.
    TooLong(String),
    /// A decimal number outside the 32-bit range.
    OutOfRange(String),
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => {
                f.write_str("empty query: give a code (0x80244007), a symbol or some words")
            }
            Self::BadHex(s) => write!(
                f,
                "`{s}` is not a hex code: only digits 0-9 and a-f may follow 0x"
            ),
            Self::TooLong(s) => write!(
                f,
                "`{}` has too many digits for a 32-bit code (at most 8 hex or 10 decimal digits)",
                shorten(s)
            ),
            Self::OutOfRange(s) => write!(f, "`{s}` is outside the range of a 32-bit code"),
        }
    }
}

impl std::error::Error for QueryError {}

fn shorten(s: &str) -> String {
    if s.chars().count() > 24 {
        let head: String = s.chars().take(20).collect();
        format!("{head}… ({} characters)", s.chars().count())
    } else {
        s.to_owned()
    }
}

/// Characters admins paste around codes (`[80070426]`, `"0x8024402c",`, `hr=…;`).
const WRAPPERS: &[char] = &[
    '[', ']', '(', ')', '{', '}', '<', '>', '"', '\'', '`', ',', ';', ':', '.',
];

impl Query {
    /// Classifies `input`. Never panics; bad numbers give a [`QueryError`].
    ///
    /// * `0x…`/`0X…`: hex. Up to `0xFFFF` it is a Win32 code (`0x5`), otherwise a full code.
    /// * 8 hex digits without prefix whose first digit is 8-F (`80244007`, `8024402C`, `C1900101`): a code,
    ///   the way logs print them.
    /// * Decimal, optionally signed: up to 65535 a Win32/Winsock code, otherwise a full code
    ///   (`2149842967`, `-2145107961`).
    /// * A word made of letters, digits and `_` with at least one `_`: a symbol.
    /// * Anything else: free text.
    pub fn parse(input: &str) -> Result<Self, QueryError> {
        let s = input.trim().trim_matches(WRAPPERS).trim();
        if s.is_empty() {
            return if input.trim().is_empty() {
                Err(QueryError::Empty)
            } else {
                Ok(Self::Text(input.trim().to_owned()))
            };
        }
        if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(QueryError::BadHex(s.to_owned()));
            }
            let significant = hex.trim_start_matches('0');
            if significant.len() > 8 {
                return Err(QueryError::TooLong(s.to_owned()));
            }
            let value = HResult::from_hex_digits(significant.as_bytes()).map_or(0, HResult::value);
            return Ok(match u16::try_from(value) {
                Ok(small) if small != 0 => Self::Win32(small),
                _ => Self::Code(HResult::new(value)),
            });
        }
        let bytes = s.as_bytes();
        if bytes.len() == 8
            && bytes
                .first()
                .is_some_and(|b| matches!(b, b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F'))
            && let Some(h) = HResult::from_hex_digits(bytes)
        {
            return Ok(Self::Code(h));
        }
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if digits.trim_start_matches('0').len() > 10 {
                return Err(QueryError::TooLong(s.to_owned()));
            }
            let n: i64 = digits
                .parse()
                .map_err(|_| QueryError::OutOfRange(s.to_owned()))?;
            let n = if negative { -n } else { n };
            if let Ok(small) = u16::try_from(n)
                && small != 0
            {
                return Ok(Self::Win32(small));
            }
            if let Ok(u) = u32::try_from(n) {
                return Ok(Self::Code(HResult::new(u)));
            }
            if let Ok(i) = i32::try_from(n) {
                return Ok(Self::Code(HResult::new(i.cast_unsigned())));
            }
            return Err(QueryError::OutOfRange(s.to_owned()));
        }
        if s.contains('_')
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        {
            return Ok(Self::Symbol(s.to_ascii_uppercase()));
        }
        Ok(Self::Text(input.trim().to_owned()))
    }

    /// The code this query names directly: a full code, or `HRESULT_FROM_WIN32` of a Win32 number.
    pub fn code(&self) -> Option<HResult> {
        match self {
            Self::Code(h) => Some(*h),
            Self::Win32(n) => Some(HResult::from_win32(u32::from(*n))),
            Self::Symbol(_) | Self::Text(_) => None,
        }
    }

    /// How the query was read, as the JSON `interpreted_as` field names it.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Code(_) => "code",
            Self::Win32(_) => "win32",
            Self::Symbol(_) => "symbol",
            Self::Text(_) => "text",
        }
    }
}

impl std::str::FromStr for Query {
    type Err = QueryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> u32 {
        match Query::parse(s) {
            Ok(Query::Code(h)) => h.value(),
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn reads_every_code_form() {
        for s in [
            "0x80244007",
            "80244007",
            "0X80244007",
            "-2145107961",
            "0x80244007,",
            "[80244007]",
            " 0x80244007 ",
        ] {
            assert_eq!(code(s), 0x8024_4007, "{s}");
        }
        assert_eq!(code("2149842967"), 0x8024_0017);
        assert_eq!(code("8024402c"), 0x8024_402C);
        assert_eq!(code("C1900101"), 0xC190_0101);
        assert_eq!(code("0x00240005"), 0x0024_0005);
        assert_eq!(code("0"), 0);
        assert_eq!(code("4294967295"), 0xFFFF_FFFF);
        assert_eq!(code("-1"), 0xFFFF_FFFF);
        assert_eq!(code("-2147483648"), 0x8000_0000);
    }

    #[test]
    fn reads_small_numbers_as_win32() {
        assert_eq!(Query::parse("5"), Ok(Query::Win32(5)));
        assert_eq!(Query::parse("0x5"), Ok(Query::Win32(5)));
        assert_eq!(Query::parse("12002"), Ok(Query::Win32(12002)));
        assert_eq!(Query::parse("10060"), Ok(Query::Win32(10060)));
        assert_eq!(Query::parse("65535"), Ok(Query::Win32(65535)));
        assert_eq!(Query::parse("65536"), Ok(Query::Code(HResult::new(65536))));
        assert_eq!(
            Query::parse("5")
                .ok()
                .and_then(|q| q.code())
                .map(HResult::value),
            Some(0x8007_0005)
        );
        assert_eq!(
            Query::parse("12002")
                .ok()
                .and_then(|q| q.code())
                .map(HResult::value),
            Some(0x8007_2EE2)
        );
    }

    #[test]
    fn reads_symbols_and_text() {
        assert_eq!(
            Query::parse("wu_e_not_applicable"),
            Ok(Query::Symbol("WU_E_NOT_APPLICABLE".into()))
        );
        assert_eq!(
            Query::parse("E_ACCESSDENIED"),
            Ok(Query::Symbol("E_ACCESSDENIED".into()))
        );
        assert_eq!(
            Query::parse("not applicable"),
            Ok(Query::Text("not applicable".into()))
        );
        assert_eq!(Query::parse("mux"), Ok(Query::Text("mux".into())));
        assert_eq!(
            Query::parse("deadbeef"),
            Ok(Query::Code(HResult::new(0xDEAD_BEEF)))
        );
        assert_eq!(Query::parse("12ab"), Ok(Query::Text("12ab".into())));
        assert_eq!(Query::parse("..."), Ok(Query::Text("...".into())));
    }

    #[test]
    fn rejects_bad_numbers_with_one_line() {
        assert_eq!(Query::parse(""), Err(QueryError::Empty));
        assert_eq!(Query::parse("   "), Err(QueryError::Empty));
        assert!(matches!(Query::parse("0xZZZ"), Err(QueryError::BadHex(_))));
        assert!(matches!(Query::parse("0x"), Err(QueryError::BadHex(_))));
        assert!(matches!(
            Query::parse("0x123456789"),
            Err(QueryError::TooLong(_))
        ));
        let forty = "1234567890123456789012345678901234567890";
        assert!(matches!(Query::parse(forty), Err(QueryError::TooLong(_))));
        assert!(matches!(
            Query::parse("4294967296"),
            Err(QueryError::OutOfRange(_))
        ));
        assert!(matches!(
            Query::parse("-2147483649"),
            Err(QueryError::OutOfRange(_))
        ));
        for bad in ["", "0xZZZ", forty, "4294967296"] {
            let msg = Query::parse(bad).expect_err(bad).to_string();
            assert!(!msg.contains('\n') && !msg.is_empty(), "{msg}");
        }
        assert_eq!(
            code("0x0000000080244007"),
            0x8024_4007,
            "leading zeros are not digits that count"
        );
    }
}
