//! `NET001` mux-connection-failed: the rule and its documentation.

use wudiag_evidence::{Event, HResult};

use crate::remedies::{self, Fill};
use crate::text::{after_ci, contains_ci, join_and};
use crate::{Confidence, Context, Finding, Rule, RuleMeta, codes, declare_rule};

declare_rule! {
    /// ## What it detects
    /// The message "Failed to connect to Mux due to network or cert errors", with the number written in the
    /// same record decoded: a Winsock error (10060, 10061, 10054…) means a network cause; a certificate
    /// error code or wording means a certificate cause.
    ///
    /// ## Why updates fail
    /// A component that downloads from WSUS or Configuration Manager could not open its connection. The
    /// number in the message is the Winsock error of the failed connection (timed out, refused, reset,
    /// unreachable), or the certificate check failed (untrusted, expired, not authorised for that use).
    /// Certificate errors are granular and name the problem themselves.
    ///
    /// ## Evidence used
    /// - Records containing "Failed to connect to Mux", their codes and numbers.
    /// - The catalogue's Winsock table to decode the number.
    ///
    /// ## How to fix
    /// Network cause: check name resolution, the port and any proxy between the client and the server.
    /// Certificate cause: check the certificate the server presents, its chain and the client's clock.
    ///
    /// ## Fix safety
    /// The checks are safe (read-only).
    ///
    /// ## References
    /// - Windows Server update troubleshooting guidance: Issue 2, "Failed to connect to Mux due to network or cert errors"
    pub MuxConnectionFailed,
    id = "NET001", name = "mux-connection-failed", area = Network, severity = Error,
}

/// WinHTTP errors that are certificate problems (invalid CA, dates, name, client certificate, secure failure).
const CERT_WINHTTP: &[u32] = &[12037, 12038, 12044, 12045, 12057, 12169, 12175, 12179];

/// The Winsock (10004..11999) or WinHTTP (12001..12999) number written after "Mux", if any.
fn winsock_number(e: &Event) -> Option<u32> {
    let text = after_ci(&e.message, "mux").unwrap_or(&e.message);
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if let Ok(n) = digits.parse::<u32>()
            && (10_000..13_000).contains(&n)
        {
            return Some(n);
        }
        digits.clear();
    }
    e.codes
        .iter()
        .filter_map(|c| c.win32_code())
        .map(u32::from)
        .find(|n| (10_000..13_000).contains(n))
}

fn cert_code(e: &Event) -> Option<HResult> {
    e.codes.iter().copied().find(|c| {
        let v = c.value();
        (0x800B_0100..=0x800B_01FF).contains(&v)
            || (0x8009_0000..=0x8009_FFFF).contains(&v)
            || (0x8007_2F05..=0x8007_2F0D).contains(&v)
            || v == 0x8007_2F8F
    })
}

impl Rule for MuxConnectionFailed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let events: Vec<&Event> = cx.mentioning("failed to connect to mux").collect();
        if events.is_empty() {
            return;
        }
        let mut numbers: Vec<u32> = Vec::new();
        let mut certs: Vec<HResult> = Vec::new();
        let mut cert_words = false;
        for e in &events {
            if let Some(n) = winsock_number(e)
                && !numbers.contains(&n)
            {
                numbers.push(n);
            }
            if let Some(c) = cert_code(e)
                && !certs.contains(&c)
            {
                certs.push(c);
            }
            let rest = after_ci(&e.message, "cert errors").unwrap_or_default();
            cert_words |= [
                "certificate",
                "cert ",
                "not trusted",
                "untrusted",
                "expired",
                "not authorized",
            ]
            .iter()
            .any(|w| contains_ci(rest, w));
        }
        let mut parts: Vec<String> = Vec::new();
        let mut claimed: Vec<HResult> = Vec::new();
        let mut cert_numbers = false;
        for n in &numbers {
            let code = HResult::from_win32(*n);
            claimed.push(code);
            let family = if *n >= 12_000 {
                "WinHTTP error"
            } else {
                "Winsock error"
            };
            cert_numbers |= CERT_WINHTTP.contains(n);
            let decoded = codes::entry(code).map_or_else(
                || format!("{family} {n} ({code})"),
                |e| {
                    format!(
                        "{family} {n} = {} ({})",
                        e.symbol().unwrap_or("?"),
                        e.meaning.trim_end_matches('.')
                    )
                },
            );
            parts.push(decoded);
        }
        for c in &certs {
            claimed.push(*c);
            parts.push(format!("certificate error {}", codes::explain(*c)));
        }
        let network = numbers.iter().any(|n| !CERT_WINHTTP.contains(n));
        let cert = !certs.is_empty() || cert_words || cert_numbers;
        let cause = match (network, cert) {
            (true, false) => "a network cause: the connection itself failed",
            (false, true) => {
                "a certificate cause: the connection was made but the server's certificate was not accepted"
            }
            (true, true) => "both a network and a certificate cause in different records",
            (false, false) => {
                "a cause the records do not name (no Winsock number or certificate error is written in them)"
            }
        };
        let message = format!(
            "A download component could not connect to its server ('Failed to connect to Mux due to network or cert errors', \
             {} records). {}. This is {cause}.",
            events.len(),
            if parts.is_empty() {
                "No number was written with the message".to_owned()
            } else {
                format!("Decoded: {}", join_and(&parts))
            }
        );
        let title = match (numbers.first(), certs.first()) {
            (Some(n), _) if CERT_WINHTTP.contains(n) => {
                format!("Failed to connect to Mux: WinHTTP error {n} (certificate)")
            }
            (Some(n), _) if *n >= 12_000 => {
                format!("Failed to connect to Mux: WinHTTP error {n} (network)")
            }
            (Some(n), _) => format!("Failed to connect to Mux: Winsock error {n} (network)"),
            (None, Some(c)) => format!("Failed to connect to Mux: certificate error {c}"),
            (None, None) if cert => "Failed to connect to Mux: certificate error".to_owned(),
            (None, None) => "Failed to connect to Mux".to_owned(),
        };
        let wsus_url = cx
            .evidence
            .facts()
            .policy_value("WUServer")
            .and_then(|p| p.value.data.as_str().map(str::to_owned));
        let fill = Fill { kb: None, wsus_url };
        let mut ids: Vec<&str> = Vec::new();
        if network || !cert {
            ids.extend(["check-wsus-reachability", "check-proxy-settings"]);
        }
        if cert || !network {
            ids.extend(["check-tls-certificates", "check-time-sync"]);
        }
        let f = Finding::new(
            &Self::META,
            if network || cert {
                Confidence::Confirmed
            } else {
                Confidence::Possible
            },
            title,
            message,
        )
        .codes(claimed)
        .events(events.iter().copied(), 4)
        .fixes(remedies::fixes(&ids, &cx.os, &fill));
        out.push(cx.settle(f, events.iter().copied()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_winsock_number() {
        let mut e = Event {
            message: "Failed to connect to Mux due to network or cert errors. Error: 10060".into(),
            ..Event::default()
        };
        assert_eq!(winsock_number(&e), Some(10060));
        e.message = "Failed to connect to Mux due to network or cert errors: 12029".into();
        assert_eq!(winsock_number(&e), Some(12029));
        e.message = "Failed to connect to Mux due to network or cert errors".into();
        e.codes = vec![HResult::new(0x8007_2EE2)];
        assert_eq!(winsock_number(&e), Some(12002));
    }
}
