//! Identifiers of updates and the machine: KB numbers, architectures, versions, package identities.

use std::fmt;
use std::str::FromStr;

/// A Knowledge Base article number, the name admins use for an update (`KB5034441`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KbNumber(u32);

impl KbNumber {
    /// Wraps a KB number. KB numbers of real updates have 6 or 7 digits.
    pub const fn new(n: u32) -> Self {
        Self(n)
    }

    /// The number without the `KB` prefix.
    pub const fn number(self) -> u32 {
        self.0
    }

    /// The Microsoft Update Catalog search page for this KB.
    pub fn catalog_search_url(self) -> String {
        format!(
            "https://www.catalog.update.microsoft.com/Search.aspx?q=KB{}",
            self.0
        )
    }
}

impl fmt::Display for KbNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KB{}", self.0)
    }
}

impl fmt::Debug for KbNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KB{}", self.0)
    }
}

impl FromStr for KbNumber {
    type Err = String;

    /// Accepts `KB5034441`, `kb5034441` and `5034441` (4 to 8 digits).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let digits = s
            .strip_prefix("KB")
            .or_else(|| s.strip_prefix("kb"))
            .or_else(|| s.strip_prefix("Kb"))
            .or_else(|| s.strip_prefix("kB"))
            .unwrap_or(s);
        if (4..=8).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().map(Self).map_err(|e| format!("`{s}`: {e}"))
        } else {
            Err(format!(
                "`{s}` is not a KB number (expected KB followed by 4 to 8 digits)"
            ))
        }
    }
}

impl serde::Serialize for KbNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A processor architecture as written in package identities and OS facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// 32-bit x86.
    X86,
    /// x64 (`amd64` in package names).
    Amd64,
    /// 64-bit ARM.
    Arm64,
    /// 32-bit ARM.
    Arm,
    /// Itanium.
    Ia64,
    /// 32-bit components on a 64-bit system.
    Wow64,
    /// .NET intermediate language: any architecture.
    Msil,
    /// Architecture-neutral.
    Neutral,
}

impl Arch {
    /// Reads the spellings used by CBS (`amd64`), systeminfo (`x64-based PC`), the registry (`AMD64`) and
    /// update titles (`x64-based Systems`).
    pub fn from_text(s: &str) -> Option<Self> {
        let l = s.trim().to_ascii_lowercase();
        let l = l.as_str();
        Some(match l {
            "x86" | "i386" | "x86-based pc" | "x86-based systems" | "32-bit" => Self::X86,
            "amd64" | "x64" | "x86_64" | "x64-based pc" | "x64-based systems" | "64-bit"
            | "em64t" => Self::Amd64,
            "arm64" | "aarch64" | "arm64-based pc" | "arm64-based systems" => Self::Arm64,
            "arm" => Self::Arm,
            "ia64" | "itanium-based systems" => Self::Ia64,
            "wow64" => Self::Wow64,
            "msil" => Self::Msil,
            "neutral" | "none" => Self::Neutral,
            _ if l.starts_with("x64") => Self::Amd64,
            _ if l.starts_with("x86") => Self::X86,
            _ if l.starts_with("arm64") => Self::Arm64,
            _ => return None,
        })
    }

    /// The name the Microsoft Update Catalog uses in its titles (`x64`, `x86`, `ARM64`).
    pub const fn catalog_name(self) -> &'static str {
        match self {
            Self::X86 | Self::Wow64 => "x86",
            Self::Amd64 => "x64",
            Self::Arm64 => "ARM64",
            Self::Arm => "ARM",
            Self::Ia64 => "Itanium",
            Self::Msil | Self::Neutral => "",
        }
    }

    /// The spelling CBS uses in package identities.
    pub const fn cbs_name(self) -> &'static str {
        match self {
            Self::X86 => "x86",
            Self::Amd64 => "amd64",
            Self::Arm64 => "arm64",
            Self::Arm => "arm",
            Self::Ia64 => "ia64",
            Self::Wow64 => "wow64",
            Self::Msil => "msil",
            Self::Neutral => "neutral",
        }
    }

    /// True when a package built for `self` can install on an OS of architecture `os`.
    pub const fn installs_on(self, os: Self) -> bool {
        matches!(
            (self, os),
            (Self::Msil | Self::Neutral, _)
                | (Self::X86, Self::X86)
                | (Self::Amd64 | Self::Wow64, Self::Amd64)
                | (Self::Arm64, Self::Arm64)
                | (Self::Arm, Self::Arm)
                | (Self::Ia64, Self::Ia64)
        )
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Amd64 => "x64",
            other => other.cbs_name(),
        })
    }
}

/// A dotted version such as a servicing stack `6.1.7601.23505` or an OS build `10.0.19045.4291`.
/// Missing parts compare as zero.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Version(pub [u32; 4]);

impl Version {
    /// The major version (`6` in `6.1.7601.23505`).
    pub const fn major(self) -> u32 {
        self.0[0]
    }
    /// The minor version (`1` in `6.1.7601.23505`).
    pub const fn minor(self) -> u32 {
        self.0[1]
    }
    /// The build number (`7601`).
    pub const fn build(self) -> u32 {
        self.0[2]
    }
    /// The revision (`23505`); for an OS this is the update build revision (UBR).
    pub const fn revision(self) -> u32 {
        self.0[3]
    }

    /// Parses 2 to 4 dot-separated decimal numbers.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = [0u32; 4];
        let mut n = 0;
        for part in s.trim().split('.') {
            let slot = parts.get_mut(n)?;
            if part.is_empty() || part.len() > 9 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            *slot = part.parse().ok()?;
            n += 1;
        }
        (n >= 2).then_some(Self(parts))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [major, minor, build, revision] = self.0;
        write!(f, "{major}.{minor}.{build}.{revision}")
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A CBS package identity: `Package_for_KB3192392~31bf3856ad364e35~amd64~~6.3.1.4`
/// (name ~ public key token ~ architecture ~ language ~ version).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PackageIdentity {
    /// `Package_for_KB3192392`.
    pub name: String,
    /// `31bf3856ad364e35` for Microsoft packages.
    pub public_key_token: String,
    /// The package architecture, when recognised.
    pub arch: Option<Arch>,
    /// Language tag, empty for neutral packages.
    pub language: String,
    /// Package version.
    pub version: Option<Version>,
}

impl PackageIdentity {
    /// Parses an identity; trailing `.mum` and surrounding quotes are ignored.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().trim_matches(|c| c == '\'' || c == '"');
        let s = s.strip_suffix(".mum").unwrap_or(s);
        let mut it = s.split('~');
        let name = it.next()?;
        let token = it.next()?;
        let arch = it.next()?;
        let language = it.next()?;
        let version = it.next()?;
        if name.is_empty() || token.len() != 16 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Self {
            name: name.to_owned(),
            public_key_token: token.to_owned(),
            arch: Arch::from_text(arch),
            language: language.to_owned(),
            version: Version::parse(version),
        })
    }

    /// The KB number embedded in the package name (`Package_1_for_KB2952664` → KB2952664).
    pub fn kb(&self) -> Option<KbNumber> {
        let upper = self.name.to_ascii_uppercase();
        let at = upper.find("KB")?;
        let digits: String = upper
            .get(at + 2..)?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    }
}

impl fmt::Display for PackageIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}~{}~{}~{}~{}",
            self.name,
            self.public_key_token,
            self.arch.map_or("", Arch::cbs_name),
            self.language,
            self.version.map(|v| v.to_string()).unwrap_or_default()
        )
    }
}

/// A Windows Update update identity: a GUID and, where known, its revision number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct UpdateId {
    /// Lowercase GUID without braces.
    pub guid: String,
    /// The revision number (`{GUID}.201` → 201).
    pub revision: Option<u32>,
}

impl UpdateId {
    /// Parses `{4E95DCBD-…}`, `4e95dcbd-…`, optionally followed by `.revision` or `/revision`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (guid, rest) = match s.strip_prefix('{') {
            Some(inner) => {
                let end = inner.find('}')?;
                (inner.get(..end)?, inner.get(end + 1..)?)
            }
            None => (s.get(..36)?, s.get(36..)?),
        };
        let b = guid.as_bytes();
        let shape_ok = b.len() == 36
            && b.iter().enumerate().all(|(i, c)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    *c == b'-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        if !shape_ok {
            return None;
        }
        let revision = rest
            .strip_prefix('.')
            .or_else(|| rest.strip_prefix('/'))
            .and_then(|r| {
                let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            });
        Some(Self {
            guid: guid.to_ascii_lowercase(),
            revision,
        })
    }

    /// True for the all-zero GUID that scan records use.
    pub fn is_nil(&self) -> bool {
        self.guid.bytes().all(|b| b == b'0' || b == b'-')
    }
}

impl fmt::Display for UpdateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.revision {
            Some(r) => write!(f, "{{{}}}.{r}", self.guid.to_ascii_uppercase()),
            None => write!(f, "{{{}}}", self.guid.to_ascii_uppercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_identity_round_trip() {
        let p =
            PackageIdentity::parse("Package_1_for_KB2952664~31bf3856ad364e35~amd64~~6.1.2.1.mum")
                .unwrap();
        assert_eq!(p.kb(), Some(KbNumber::new(2_952_664)));
        assert_eq!(p.arch, Some(Arch::Amd64));
        assert_eq!(
            p.to_string(),
            "Package_1_for_KB2952664~31bf3856ad364e35~amd64~~6.1.2.1"
        );
        assert!(PackageIdentity::parse("not~a~package").is_none());
    }

    #[test]
    fn versions_and_arches() {
        let v = Version::parse("6.1.7601.23505").unwrap();
        assert_eq!(
            (v.major(), v.minor(), v.build(), v.revision()),
            (6, 1, 7601, 23505)
        );
        assert!(Version::parse("10.0").unwrap() < v.max(Version::parse("10.0.1").unwrap()));
        assert!(Version::parse("1.2.3.4.5").is_none());
        assert_eq!(Arch::from_text("x64-based PC"), Some(Arch::Amd64));
        assert!(!Arch::X86.installs_on(Arch::Arm64));
        assert!(Arch::Wow64.installs_on(Arch::Amd64));
    }

    #[test]
    fn update_ids() {
        let u = UpdateId::parse("{BFC8A103-FD5F-4458-9935-231D9F79E2C1}.203").unwrap();
        assert_eq!(u.revision, Some(203));
        assert_eq!(u.to_string(), "{BFC8A103-FD5F-4458-9935-231D9F79E2C1}.203");
        assert!(
            UpdateId::parse("{00000000-0000-0000-0000-000000000000}")
                .unwrap()
                .is_nil()
        );
        assert!(UpdateId::parse("{nope}").is_none());
    }
}
