//! Small text helpers for rules that read message text: ASCII case-insensitive search and value picking.

/// True when `needle` occurs in `hay`, ignoring ASCII case.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    find_ci(hay, needle).is_some()
}

/// Byte offset of the first occurrence of `needle` in `hay`, ignoring ASCII case.
pub fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return Some(0);
    };
    let last_start = h.len().checked_sub(n.len())?;
    // Candidates are the places of the first byte in either case (a SIMD search), then a full compare.
    let starts = h.get(..=last_start)?;
    memchr::memchr2_iter(
        first.to_ascii_lowercase(),
        first.to_ascii_uppercase(),
        starts,
    )
    .find(|&at| {
        h.get(at..at + n.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(n))
    })
}

/// The text after the first occurrence of `marker` (ASCII case-insensitive).
pub fn after_ci<'a>(hay: &'a str, marker: &str) -> Option<&'a str> {
    let at = find_ci(hay, marker)?;
    hay.get(at + marker.len()..)
}

/// The first token (up to whitespace or one of `stops`) after `marker`, trimmed of quotes.
pub fn token_after<'a>(hay: &'a str, marker: &str, stops: &[char]) -> Option<&'a str> {
    let rest = after_ci(hay, marker)?.trim_start();
    let end = rest
        .find(|c: char| c.is_whitespace() || stops.contains(&c))
        .unwrap_or(rest.len());
    let tok = rest.get(..end)?.trim_matches(|c| c == '\'' || c == '"');
    (!tok.is_empty()).then_some(tok)
}

/// The first unsigned decimal number after `marker`.
pub fn number_after(hay: &str, marker: &str) -> Option<u64> {
    let rest = after_ci(hay, marker)?;
    let rest = rest.trim_start_matches(|c: char| !c.is_ascii_digit() && c != '\n');
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `at 2024-03-12 10:15:12` as the log wrote it, or `at an unknown time`.
pub fn when(t: Option<wudiag_evidence::EventTime>) -> String {
    t.map_or_else(
        || "at an unknown time".to_owned(),
        |t| format!("at {}", t.written.strftime("%Y-%m-%d %H:%M:%S")),
    )
}

/// The file name at the end of a path or component key (`…\ntdll.dll` → `ntdll.dll`).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path).trim()
}

/// The architecture an update title names (`… for x64-based Systems`).
pub fn arch_of_title(title: &str) -> Option<wudiag_evidence::Arch> {
    use wudiag_evidence::Arch;
    if contains_ci(title, "x64-based") || contains_ci(title, "for x64") {
        Some(Arch::Amd64)
    } else if contains_ci(title, "arm64-based") || contains_ci(title, "for arm64") {
        Some(Arch::Arm64)
    } else if contains_ci(title, "x86-based") || contains_ci(title, "for x86") {
        Some(Arch::X86)
    } else {
        None
    }
}

/// Joins items as `a, b and c`.
pub fn join_and<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// `1 time` / `3 times`, `1 record` / `2 records`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_without_case() {
        assert!(contains_ci("Failed to connect to MUX due to", "mux"));
        assert_eq!(find_ci("abc", ""), Some(0));
        assert_eq!(find_ci("ab", "abc"), None);
        assert_eq!(
            token_after("value=\"400\" />", "value=", &['/']),
            Some("400")
        );
        assert_eq!(
            number_after(
                "Total Detected Corruption:\t10",
                "Total Detected Corruption"
            ),
            Some(10)
        );
        assert_eq!(join_and(&["a", "b", "c"]), "a, b and c");
    }
}
