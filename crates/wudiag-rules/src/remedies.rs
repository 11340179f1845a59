//! Catalogue remedies as [`Fix`]es, and the fixes rules build from observed values.
//!
//! The texts live in the catalogue (`wudiag-catalog/data/remedies.toml`), one per remedy id, so every rule
//! that recommends `restore-health` shows the same steps. This module turns a remedy into a [`Fix`] for the
//! OS found in the evidence (steps meant for other Windows versions are left out, or marked when the version
//! is unknown) and fills the catalogue's placeholders (`KB5034441`, `wsus.contoso.com:8530`) with the values
//! the evidence shows. Fixes that depend on observed values beyond that (the Update Catalog link for a KB and
//! architecture, a `/Source` for DISM, the current `maxInstalledPrerequisites`) are built here too.

use wudiag_catalog::{Catalog, Remedy, Shell};
use wudiag_evidence::{Arch, KbNumber};

use crate::{Applicability, Fix, OsSummary};

/// Placeholder values written in the catalogue's commands, replaced by observed values when known.
#[derive(Debug, Default, Clone)]
pub struct Fill {
    /// The KB concerned: replaces the example KB `KB5034441` of the catalogue commands.
    pub kb: Option<KbNumber>,
    /// The WSUS server URL from policy (`http://wsus01:8530`): replaces `wsus.contoso.com` and its port.
    pub wsus_url: Option<String>,
}

impl Fill {
    /// Nothing to fill.
    pub fn none() -> Self {
        Self::default()
    }

    /// Fills the KB.
    pub fn kb(kb: KbNumber) -> Self {
        Self {
            kb: Some(kb),
            ..Self::default()
        }
    }

    fn apply(&self, text: &str) -> String {
        let mut s = text.to_owned();
        if let Some(kb) = self.kb {
            for ph in ["KB5034441", "kb5034441"] {
                s = s.replace(ph, &kb.to_string());
            }
        }
        if let Some((scheme, host, port)) = self.wsus_url.as_deref().and_then(split_url) {
            s = s.replace(
                "http://wsus.contoso.com:8530",
                &format!("{scheme}://{host}:{port}"),
            );
            s = s.replace("('wsus.contoso.com', 8531)", &format!("('{host}', {port})"));
            s = s.replace(
                "wsus.contoso.com -Port 8530",
                &format!("{host} -Port {port}"),
            );
            s = s.replace("wsus.contoso.com", &host);
        }
        s
    }
}

/// Splits `http://host:port/...` into scheme, host and port (the WSUS default port when none is given).
pub fn split_url(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let hostport = rest.split('/').next()?;
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None if scheme.eq_ignore_ascii_case("https") => (hostport, 443),
        None => (hostport, 80),
    };
    (!host.is_empty()).then(|| (scheme.to_ascii_lowercase(), host.to_owned(), port))
}

fn applicability(a: wudiag_catalog::Applicability) -> Applicability {
    match a {
        wudiag_catalog::Applicability::Safe => Applicability::Safe,
        wudiag_catalog::Applicability::Unsafe => Applicability::Unsafe,
        wudiag_catalog::Applicability::DisplayOnly => Applicability::DisplayOnly,
    }
}

/// The catalogue remedy with this id.
///
/// Rules name remedies by id; an id the catalogue lacks is a bug in the rule or in the data, so debug
/// builds (every fixture test) stop on it, and release builds leave the fix out.
pub fn remedy(id: &str) -> Option<&'static Remedy> {
    let found = Catalog::embedded().remedy(id);
    debug_assert!(
        found.is_some(),
        "a rule refers to remedy `{id}`, which the catalogue lacks"
    );
    found
}

/// Whether a remedy applies to the OS found: `None` when the OS version is unknown or the remedy is unknown.
pub fn applies(id: &str, os: &OsSummary) -> Option<bool> {
    Some(remedy(id)?.applies_to(os.version?))
}

/// A catalogue remedy as a fix for the OS found, with its placeholders filled. `None` for an unknown id.
pub fn fix(id: &str, os: &OsSummary, fill: &Fill) -> Option<Fix> {
    let r = remedy(id)?;
    let mut f = Fix::new(fill.apply(r.title), applicability(r.applicability)).from_remedy(r.id);
    for step in r.steps {
        let for_this_os = os.version.is_none_or(|v| step.os.contains(v));
        if !for_this_os {
            continue;
        }
        let mut text = fill.apply(step.text);
        if os.version.is_none() && !step.os.is_any() {
            text.push_str(&format!(" (only on {})", step.os));
        }
        f = f.text(text);
        for line in step.run {
            let line = fill.apply(line);
            f = match step.shell {
                Some(Shell::PowerShell) => f.ps(line),
                _ => f.cmd(line),
            };
        }
    }
    if !r.references.is_empty() {
        f = f.text(format!("Reference: {}.", r.references.join("; ")));
    }
    Some(f)
}

/// Several remedies as fixes, skipping unknown ids and remedies that do not apply to the OS found.
pub fn fixes(ids: &[&str], os: &OsSummary, fill: &Fill) -> Vec<Fix> {
    ids.iter()
        .filter(|id| applies(id, os) != Some(false))
        .filter_map(|id| fix(id, os, fill))
        .collect()
}

/// The component store repair for the OS found: CheckSUR on NT 6.0/6.1, `DISM /RestoreHealth` on 6.2+, and
/// both (each saying where it applies) when the OS is unknown.
pub fn store_repair(os: &OsSummary) -> Vec<Fix> {
    match os.is_nt6_legacy() {
        Some(true) => fixes(&["run-checksur"], os, &Fill::none()),
        Some(false) => fixes(&["restore-health", "sfc-scannow"], os, &Fill::none()),
        None => fixes(
            &["restore-health", "run-checksur", "sfc-scannow"],
            os,
            &Fill::none(),
        )
        .into_iter()
        .map(|mut f| {
            if let Some(r) = f.remedy.as_deref().and_then(remedy)
                && let Some(note) = r.os_note
            {
                f.title = format!("{} — {note}", f.title);
            }
            f
        })
        .collect(),
    }
}

/// The exact Microsoft Update Catalog search link for a KB, narrowed to an architecture when known.
pub fn catalog_link(kb: KbNumber, arch: Option<Arch>) -> String {
    let base = kb.catalog_search_url();
    match arch.map(Arch::catalog_name).filter(|n| !n.is_empty()) {
        Some(name) => format!("{base}%20{name}"),
        None => base,
    }
}

/// Download the update from the Microsoft Update Catalog (the exact search link for the KB and the
/// architecture found) and install it by hand.
pub fn manual_install(kb: KbNumber, arch: Option<Arch>, os: &OsSummary) -> Fix {
    let base = remedy("manual-install-from-catalog");
    let arch_text = arch.map_or_else(
        || "the architecture of this machine (not found in the evidence: check it with `systeminfo`)".to_owned(),
        |a| a.to_string(),
    );
    let mut f = Fix::new(
        format!("Download {kb} from the Microsoft Update Catalog and install it by hand"),
        base.map_or(Applicability::DisplayOnly, |r| {
            applicability(r.applicability)
        }),
    )
    .from_remedy("manual-install-from-catalog")
    .text(format!(
        "Open {} and download the entry for {} and {arch_text}.",
        catalog_link(kb, arch),
        os.describe()
    ));
    let file = format!("C:\\Temp\\<downloaded {kb} file>");
    f = f
        .text("Install the .msu; wusa prints the result code, which `wudiag explain` decodes.")
        .cmd(format!("wusa.exe \"{file}.msu\" /quiet /norestart"));
    // DISM came with Windows 7 / Server 2008 R2 (NT 6.1); Vista and Server 2008 have only pkgmgr.
    if os.version.is_none_or(|v| (v.major(), v.minor()) >= (6, 1)) {
        f = f
            .text("For a .cab package (or an .msu expanded with `expand -f:* <file>.msu C:\\Temp\\kb`), use DISM instead.")
            .cmd(format!("DISM /Online /Add-Package /PackagePath:\"{file}.cab\""));
    }
    f
}

/// Repair the component store from a Windows image of the same build, with `/Source` and `/LimitAccess`.
/// `tried` is a source the evidence shows was already tried (and failed).
pub fn restore_health_with_source(os: &OsSummary, tried: Option<&str>) -> Fix {
    let base = remedy("restore-health-with-source");
    let build = os.version.map_or_else(
        || "the machine's exact build (run `winver`)".to_owned(),
        |v| v.to_string(),
    );
    let mut f = Fix::new(
        base.map_or("Repair the component store from a matching Windows image", |r| r.title),
        base.map_or(Applicability::DisplayOnly, |r| applicability(r.applicability)),
    )
    .from_remedy("restore-health-with-source")
    .text(format!(
        "Mount an ISO of the same Windows version, edition and language as this machine ({build}); X: below is its drive letter."
    ))
    .ps("Mount-DiskImage -ImagePath 'C:\\ISO\\windows.iso'")
    .text("Find the index of the installed edition (install.esd instead of install.wim on some media).")
    .cmd("DISM /Get-WimInfo /WimFile:X:\\sources\\install.wim")
    .text("Repair from that image only, without Windows Update; put the index found above in place of 1.")
    .cmd("DISM /Online /Cleanup-Image /RestoreHealth /Source:WIM:X:\\sources\\install.wim:1 /LimitAccess")
    .text("For an install.esd, name the format and the index the same way.")
    .cmd("DISM /Online /Cleanup-Image /RestoreHealth /Source:ESD:X:\\sources\\install.esd:1 /LimitAccess");
    if let Some(t) = tried {
        f = f.text(format!("Already tried without success: {t}."));
    }
    f.text(
        "If 0x800f081f comes back, the image is older than the machine's update level: use media of the same \
         cumulative update, or the C:\\Windows folder of a healthy machine on the same build as the /Source.",
    )
}

/// Raise `maxInstalledPrerequisites` in the WSUS ClientWebService web.config from the value observed (or the
/// default 400) to `new`, then restart IIS.
pub fn raise_max_installed_prerequisites(current: Option<u32>, new: u32) -> Fix {
    let base = remedy("wsus-raise-max-installed-prerequisites");
    let from = current.unwrap_or(400);
    let seen = if current.is_some() {
        "the value found in the evidence"
    } else {
        "the default; check the file for the value in force"
    };
    Fix::new(
        format!("Raise maxInstalledPrerequisites on the WSUS server from {from} to {new}"),
        base.map_or(Applicability::Unsafe, |r| applicability(r.applicability)),
    )
    .from_remedy("wsus-raise-max-installed-prerequisites")
    .text("On the WSUS server, in an elevated prompt, go to the ClientWebService folder and keep a copy of web.config.")
    .cmd("cd /d \"%ProgramFiles%\\Update Services\\WebServices\\ClientWebService\"")
    .cmd("copy web.config web.config.bak")
    .text("Take ownership of web.config and give administrators full control, so it can be edited.")
    .cmd("takeown /f web.config")
    .cmd("icacls web.config /grant Administrators:(F)")
    .text(format!(
        "Change <add key=\"maxInstalledPrerequisites\" value=\"{from}\"/> ({seen}) to value=\"{new}\" and save."
    ))
    .cmd("notepad.exe web.config")
    .text("Restart IIS so WSUS reads the new value; clients retry their scan by themselves.")
    .cmd("IISReset")
}

#[cfg(test)]
mod tests {
    use wudiag_evidence::Version;

    use super::*;

    fn os(v: &str) -> OsSummary {
        OsSummary {
            version: Version::parse(v),
            ..OsSummary::default()
        }
    }

    #[test]
    fn store_repair_follows_the_os() {
        let win7 = store_repair(&os("6.1.7601"));
        assert_eq!(
            win7.first().and_then(|f| f.remedy.as_deref()),
            Some("run-checksur")
        );
        let win10 = store_repair(&os("10.0.19045"));
        assert_eq!(
            win10.first().and_then(|f| f.remedy.as_deref()),
            Some("restore-health")
        );
        assert!(
            win10
                .iter()
                .all(|f| f.remedy.as_deref() != Some("run-checksur"))
        );
        let unknown = store_repair(&OsSummary::default());
        assert_eq!(unknown.len(), 3);
    }

    #[test]
    fn fills_placeholders() {
        let f = fix(
            "check-wsus-reachability",
            &os("10.0.17763"),
            &Fill {
                kb: None,
                wsus_url: Some("https://sup01.corp.example:8531".into()),
            },
        )
        .expect("remedy exists");
        let all = f.steps.join("\n");
        assert!(all.contains("sup01.corp.example -Port 8531"), "{all}");
        assert!(!all.contains("contoso"), "{all}");
        let f = fix(
            "check-already-installed",
            &os("10.0.17763"),
            &Fill::kb(KbNumber::new(5_035_853)),
        )
        .expect("exists");
        assert!(
            f.steps
                .iter()
                .any(|s| s.contains("Get-HotFix -Id KB5035853"))
        );
    }

    #[test]
    fn catalog_link_names_kb_and_arch() {
        assert_eq!(
            catalog_link(KbNumber::new(5_034_441), Some(Arch::Amd64)),
            "https://www.catalog.update.microsoft.com/Search.aspx?q=KB5034441%20x64"
        );
        assert_eq!(
            split_url("http://wsus01:8530"),
            Some(("http".into(), "wsus01".into(), 8530))
        );
    }
}
