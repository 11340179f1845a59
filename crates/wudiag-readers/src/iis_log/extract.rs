//! Turns IIS and HTTP.sys request lines into `HttpRequest` events, keeping (under diagnostic retention)
//! only what tells about WSUS: server errors anywhere, client errors on the WSUS web services, and
//! HTTP.sys refusals.

use std::fmt::Write as _;

use wudiag_evidence::{
    Event, EventKind, EventTime, EvidenceBatch, HResult, Retention, Severity, Span,
};

use super::parse::IisRecord;

/// The virtual directories WSUS serves (matched case-insensitively at the start of the path).
pub const WSUS_PATHS: &[&str] = &[
    "/ClientWebService/",
    "/SimpleAuthWebService/",
    "/ReportingWebService/",
    "/ApiRemoting30/",
    "/DssAuthWebService/",
    "/ServerSyncWebService/",
    "/Content/",
    "/selfupdate/",
];

/// The WSUS web service a path belongs to (`ClientWebService`), if it is one.
pub fn wsus_service(path: &[u8]) -> Option<&'static str> {
    WSUS_PATHS.iter().find_map(|p| {
        path.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p.as_bytes()))
            .then(|| p.trim_matches('/'))
    })
}

/// HTTP.sys reasons that mean a request was refused or a connection lost on the server side.
const REFUSALS: &[&str] = &[
    "AppOffline",
    "AppPoolTimer",
    "AppShutdown",
    "QueueFull",
    "Connection_Dropped",
    "Connection_Dropped_List_Full",
    "Connection_Abandoned_By_AppPool",
    "Connection_Abandoned_By_ReqQueue",
    "Disabled",
    "Forbidden",
];

fn is_refusal(reason: &[u8]) -> bool {
    REFUSALS
        .iter()
        .any(|r| r.as_bytes().eq_ignore_ascii_case(reason))
}

/// Severity of a request: 5xx error, 4xx warning, else info; an HTTP.sys refusal without a status is
/// a warning.
pub fn severity(status: Option<u16>, reason: Option<&[u8]>) -> Severity {
    match status {
        Some(s) if s >= 500 => Severity::Error,
        Some(s) if s >= 400 => Severity::Warning,
        None if reason.is_some_and(is_refusal) => Severity::Warning,
        Some(_) | None => Severity::Info,
    }
}

/// Whether diagnostic retention keeps a request.
fn diagnostic_keeps(status: Option<u16>, reason: Option<&[u8]>, path: Option<&[u8]>) -> bool {
    let wsus = path.is_none_or(|p| wsus_service(p).is_some());
    match status {
        Some(s) if s >= 500 => true,
        Some(s) if s >= 400 => wsus,
        Some(_) => false,
        None => reason.is_some_and(is_refusal) && wsus,
    }
}

fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// Maps one request line into `batch`.
pub fn extract(rec: &IisRecord<'_>, batch: &mut EvidenceBatch) {
    let status = rec.status();
    let reason = rec.reason();
    let sev = severity(status, reason);
    let path = rec.path();
    // The hot path: successful requests are only counted unless every record is kept.
    if batch.retention != Retention::All && !diagnostic_keeps(status, reason, path) {
        batch.count_plain(sev);
        return;
    }
    let time = match rec.time() {
        Ok(t) => t.map(EventTime::utc),
        Err(what) => {
            batch.failed(Span::line(rec.line), what);
            return;
        }
    };
    let method = rec
        .method()
        .map(|m| lossy(m).into_owned())
        .unwrap_or_default();
    let uri = path.map(|p| lossy(p).into_owned()).unwrap_or_default();
    let substatus = rec.substatus().unwrap_or(0);
    let win32 = rec.win32_status().unwrap_or(0);
    let mut codes = Vec::new();
    if status.is_some_and(|s| s >= 400) && win32 != 0 {
        codes.push(HResult::from_win32(win32));
    }
    let httperr = rec.httperr;
    let component = match path.and_then(wsus_service) {
        Some(svc) => svc.to_owned(),
        None if httperr => "HTTP.sys".to_owned(),
        None => "IIS".to_owned(),
    };
    let mut message = String::with_capacity(128);
    let _ = write!(
        message,
        "{} {}",
        if method.is_empty() { "-" } else { &method },
        if uri.is_empty() { "-" } else { &uri }
    );
    if let Some(q) = rec.query() {
        let _ = write!(message, "?{}", lossy(q));
    }
    match status {
        Some(s) if httperr => {
            let _ = write!(message, " {s}");
        }
        Some(s) => {
            let _ = write!(message, " {s}.{substatus}.{win32}");
        }
        None => message.push_str(" (no status)"),
    }
    if let Some(r) = reason {
        let _ = write!(message, " {}", lossy(r));
    }
    if let Some(q) = rec.queue() {
        let _ = write!(message, " pool={}", lossy(q));
    }
    if let Some(t) = rec.time_taken() {
        let _ = write!(message, " time-taken={t}ms");
    }
    if let Some(ip) = rec.client_ip() {
        let _ = write!(message, " client={}", lossy(ip));
    }
    if let Some(site) = rec.site() {
        let _ = write!(message, " site={}", lossy(site));
    }
    if let Some(ua) = rec.user_agent() {
        let _ = write!(message, " agent={}", lossy(ua).replace('+', " "));
    }
    let mut event = Event {
        time,
        location: batch.at(Span::line(rec.line)),
        severity: sev,
        component: Some(component),
        kind: EventKind::HttpRequest {
            method,
            uri,
            status: status.unwrap_or(0),
            substatus,
            win32_status: win32,
        },
        codes,
        ..Event::default()
    };
    event.set_message(&message);
    batch.record(event);
}

#[cfg(test)]
mod tests {
    use super::super::parse::records;
    use super::*;
    use wudiag_evidence::SourceId;

    const BLOCK: &[u8] = b"#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n\
2024-03-12 10:15:12 10.0.0.10 POST /ClientWebService/client.asmx - 8530 - 10.0.0.55 Windows-Update-Agent/10.0.10011.16384+Client-Protocol/2.50 - 500 24 50 15\n\
2024-03-12 10:15:13 10.0.0.10 GET /selfupdate/wuident.cab 1712345 8530 - 10.0.0.55 Windows-Update-Agent - 200 0 0 3\n\
2024-03-12 10:15:14 10.0.0.10 GET /wp-login.php - 8530 - 10.9.9.9 scanner - 404 0 2 1\n\
2024-03-12 10:15:15 10.0.0.10 GET /Content/AB/123.cab - 8530 - 10.0.0.55 Microsoft+BITS/7.8 - 404 0 2 1\n";

    fn read(block: &[u8], retention: Retention) -> EvidenceBatch {
        let mut b = EvidenceBatch::new(SourceId(0), retention);
        for r in records(block) {
            match r {
                Ok(r) => extract(&r, &mut b),
                Err(e) => b.failed(Span::line(e.line), e.what),
            }
        }
        b
    }

    #[test]
    fn diagnostic_keeps_wsus_errors_only() {
        let b = read(BLOCK, Retention::Diagnostic);
        assert_eq!(b.stats.records_ok, 4);
        assert_eq!(b.stats.by_severity, [1, 2, 1]);
        assert_eq!(b.events.len(), 2);
        let e = &b.events[0];
        assert_eq!(
            e.kind,
            EventKind::HttpRequest {
                method: "POST".into(),
                uri: "/ClientWebService/client.asmx".into(),
                status: 500,
                substatus: 24,
                win32_status: 50
            }
        );
        assert_eq!(e.severity, Severity::Error);
        assert_eq!(e.codes[0].to_string(), "0x80070032");
        assert_eq!(e.component.as_deref(), Some("ClientWebService"));
        assert_eq!(e.time.unwrap().to_string(), "2024-03-12T10:15:12Z");
        assert!(
            e.message
                .starts_with("POST /ClientWebService/client.asmx 500.24.50 time-taken=15ms")
        );
        assert!(
            e.message
                .contains("agent=Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50")
        );
        assert_eq!(b.events[1].component.as_deref(), Some("Content"));
        let all = read(BLOCK, Retention::All);
        assert_eq!(all.events.len(), 4);
        assert!(all.events[1].codes.is_empty());
    }

    #[test]
    fn httperr_refusals() {
        let block = b"#Software: Microsoft HTTP API 2.0\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\n\
2024-03-12 10:15:12 10.0.0.5 51234 10.0.0.10 8530 HTTP/1.1 POST /ClientWebService/client.asmx 503 3 AppOffline WsusPool\n\
2024-03-12 10:15:13 10.0.0.5 51235 10.0.0.10 8530 - - - - - Timer_ConnectionIdle -\n\
2024-03-12 10:15:14 10.0.0.5 51236 10.0.0.10 8530 - - - - - Connection_Dropped WsusPool\n";
        let b = read(block, Retention::Diagnostic);
        assert_eq!(b.stats.records_ok, 3);
        assert_eq!(b.events.len(), 2);
        assert_eq!(b.events[0].component.as_deref(), Some("ClientWebService"));
        assert!(b.events[0].message.contains("503 AppOffline pool=WsusPool"));
        assert_eq!(b.events[1].severity, Severity::Warning);
        assert_eq!(b.events[1].component.as_deref(), Some("HTTP.sys"));
    }
}
