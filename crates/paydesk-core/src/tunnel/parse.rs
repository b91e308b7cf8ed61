//! Pure parsing: public URLs out of tunnel output and local APIs, and user-typed URLs.
//!
//! Nothing here does I/O, so every rule is unit-tested against real output lines.

use serde::Deserialize;
use url::Url;

/// The domain of cloudflared quick tunnels.
const QUICK_TUNNEL_DOMAIN: &str = ".trycloudflare.com";

/// How a public URL is shown and handed to consumers: no trailing slash on a bare origin.
pub(crate) fn display_url(url: &Url) -> String {
    let s = url.as_str();
    if url.path() == "/" && url.query().is_none() && url.fragment().is_none() {
        s.trim_end_matches('/').to_string()
    } else {
        s.to_string()
    }
}

/// The quick-tunnel URL in one line of cloudflared output, if the line announces one.
///
/// Only `https://<name>.trycloudflare.com` origins count: cloudflared also prints links to
/// `developers.cloudflare.com` and, when it fails, `https://api.trycloudflare.com/tunnel`.
pub fn cloudflared_url(line: &str) -> Option<String> {
    line.split(|c: char| c.is_whitespace() || matches!(c, '|' | '"' | '\'' | '(' | ')' | ','))
        .filter(|token| token.starts_with("https://"))
        .find_map(quick_tunnel_origin)
}

/// The quick-tunnel URL from cloudflared's metrics endpoint `GET /quicktunnel`
/// (`{"hostname":"<name>.trycloudflare.com"}`; empty until the tunnel exists).
pub fn cloudflared_metrics_url(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct QuickTunnel {
        hostname: String,
    }
    let parsed: QuickTunnel = serde_json::from_str(body).ok()?;
    let host = parsed.hostname.trim();
    if host.is_empty() {
        return None;
    }
    quick_tunnel_origin(&format!("https://{host}"))
}

fn quick_tunnel_origin(candidate: &str) -> Option<String> {
    let url = Url::parse(candidate).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let name = host.strip_suffix(QUICK_TUNNEL_DOMAIN)?;
    let plain_origin = url.scheme() == "https"
        && url.path() == "/"
        && url.query().is_none()
        && url.username().is_empty()
        && url.port().is_none();
    if !plain_origin || name.is_empty() || name.contains('.') || name == "api" {
        return None;
    }
    Some(format!("https://{host}"))
}

/// The https public URL of the tunnel forwarding to `local_port`, from ngrok's local API
/// (`GET /api/tunnels`). Tunnels of other ngrok sessions (another port) are skipped.
pub fn ngrok_api_url(body: &str, local_port: u16) -> Option<String> {
    #[derive(Deserialize)]
    struct Tunnels {
        tunnels: Vec<Tunnel>,
    }
    #[derive(Deserialize)]
    struct Tunnel {
        public_url: String,
        #[serde(default)]
        config: Option<TunnelConfig>,
    }
    #[derive(Deserialize)]
    struct TunnelConfig {
        #[serde(default)]
        addr: Option<String>,
    }
    let parsed: Tunnels = serde_json::from_str(body).ok()?;
    let port_suffix = format!(":{local_port}");
    parsed
        .tunnels
        .into_iter()
        .filter(
            |t| match t.config.as_ref().and_then(|c| c.addr.as_deref()) {
                Some(addr) => addr.trim_end_matches('/').ends_with(&port_suffix),
                None => true,
            },
        )
        .find_map(|t| https_origin(&t.public_url))
}

/// One JSON log line of `ngrok --log stdout --log-format json`, as far as we care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NgrokLog {
    /// `{"msg":"started tunnel","url":"https://..."}`
    Started(String),
    /// `{"msg":"starting web service","addr":"127.0.0.1:4040"}`: where its local API listens.
    WebService(String),
    /// A warning or error worth showing the user (`msg`, plus `err` when present).
    Problem(String),
}

/// Read one line of ngrok's JSON log; `None` for other lines and for non-JSON text.
pub fn ngrok_log(line: &str) -> Option<NgrokLog> {
    #[derive(Deserialize)]
    struct Line {
        #[serde(default)]
        msg: String,
        #[serde(default)]
        lvl: String,
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        addr: Option<String>,
        #[serde(default)]
        err: Option<serde_json::Value>,
    }
    let parsed: Line = serde_json::from_str(line.trim()).ok()?;
    match parsed.msg.as_str() {
        "started tunnel" => parsed
            .url
            .as_deref()
            .and_then(https_origin)
            .map(NgrokLog::Started),
        "starting web service" => parsed.addr.map(NgrokLog::WebService),
        _ if matches!(parsed.lvl.as_str(), "eror" | "crit" | "warn" | "error") => {
            let err = match parsed.err {
                Some(serde_json::Value::String(s)) => Some(s),
                Some(serde_json::Value::Null) | None => None,
                Some(other) => Some(other.to_string()),
            };
            Some(NgrokLog::Problem(match err {
                Some(e) if !e.is_empty() => format!("{}: {e}", parsed.msg),
                _ => parsed.msg,
            }))
        }
        _ => None,
    }
}

fn https_origin(candidate: &str) -> Option<String> {
    let url = Url::parse(candidate.trim()).ok()?;
    (url.scheme() == "https" && url.host_str().is_some()).then(|| display_url(&url))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOUDFLARED_OUTPUT: &str = "\
2024-05-01T10:00:00Z INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-apps
2024-05-01T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...
2024-05-01T10:00:00Z INF +--------------------------------------------------------------------------------------------+
2024-05-01T10:00:00Z INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |
2024-05-01T10:00:00Z INF |  https://seasonal-deck-organisms-sf.trycloudflare.com                                      |
2024-05-01T10:00:00Z INF +--------------------------------------------------------------------------------------------+
2024-05-01T10:00:00Z INF Version 2024.4.1
2024-05-01T10:00:00Z INF Starting metrics server on 127.0.0.1:40123/metrics";

    #[test]
    fn cloudflared_url_is_found_in_the_box_and_only_there() {
        let found: Vec<String> = CLOUDFLARED_OUTPUT
            .lines()
            .filter_map(cloudflared_url)
            .collect();
        assert_eq!(
            found,
            ["https://seasonal-deck-organisms-sf.trycloudflare.com"]
        );
    }

    #[test]
    fn cloudflared_ignores_docs_links_api_errors_and_garbage() {
        for line in [
            "2024-05-01T10:00:00Z INF see https://developers.cloudflare.com/cloudflare-one/connections/connect-apps",
            "2024-05-01T10:00:00Z ERR failed to request quick Tunnel: Post \"https://api.trycloudflare.com/tunnel\": dial tcp: lookup api.trycloudflare.com: no such host",
            "2024-05-01T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...",
            "http://plain.trycloudflare.com",
            "https://evil.example.com/x.trycloudflare.com",
            "https://trycloudflare.com",
            "https://a.b.trycloudflare.com",
            "https://user@name.trycloudflare.com",
            "\u{0}\u{1}garbage https:// |",
            "",
        ] {
            assert_eq!(cloudflared_url(line), None, "{line}");
        }
    }

    #[test]
    fn cloudflared_url_lowercases_and_drops_the_trailing_slash() {
        assert_eq!(
            cloudflared_url("INF |  https://Foo-Bar.trycloudflare.com/  |").as_deref(),
            Some("https://foo-bar.trycloudflare.com")
        );
    }

    #[test]
    fn cloudflared_metrics_body() {
        assert_eq!(
            cloudflared_metrics_url(
                r#"{"hostname":"seasonal-deck-organisms-sf.trycloudflare.com"}"#
            )
            .as_deref(),
            Some("https://seasonal-deck-organisms-sf.trycloudflare.com")
        );
        assert_eq!(cloudflared_metrics_url(r#"{"hostname":""}"#), None);
        assert_eq!(cloudflared_metrics_url(r#"{"hostname":"evil.com"}"#), None);
        assert_eq!(cloudflared_metrics_url("404 page not found"), None);
    }

    #[test]
    fn ngrok_api_picks_the_https_tunnel_of_our_port() {
        let body = r#"{"tunnels":[
            {"name":"other","public_url":"https://other.ngrok-free.app","proto":"https","config":{"addr":"http://localhost:9999","inspect":true}},
            {"name":"command_line (http)","public_url":"http://abc.ngrok-free.app","proto":"http","config":{"addr":"http://127.0.0.1:8787","inspect":true}},
            {"name":"command_line","public_url":"https://abc.ngrok-free.app","proto":"https","config":{"addr":"http://127.0.0.1:8787","inspect":true}}
        ],"uri":"/api/tunnels"}"#;
        assert_eq!(
            ngrok_api_url(body, 8787).as_deref(),
            Some("https://abc.ngrok-free.app")
        );
        assert_eq!(
            ngrok_api_url(r#"{"tunnels":[],"uri":"/api/tunnels"}"#, 8787),
            None
        );
        assert_eq!(ngrok_api_url("<html>", 8787), None);
        // Without config, any https tunnel will do.
        assert_eq!(
            ngrok_api_url(
                r#"{"tunnels":[{"public_url":"https://x.ngrok.app","proto":"https"}]}"#,
                1
            )
            .as_deref(),
            Some("https://x.ngrok.app")
        );
    }

    #[test]
    fn ngrok_json_log_lines() {
        let started = r#"{"addr":"http://127.0.0.1:8787","lvl":"info","msg":"started tunnel","name":"command_line","obj":"tunnels","t":"2024-05-01T10:00:00+00:00","url":"https://abc.ngrok-free.app"}"#;
        assert_eq!(
            ngrok_log(started),
            Some(NgrokLog::Started("https://abc.ngrok-free.app".into()))
        );
        let web = r#"{"addr":"127.0.0.1:4041","lvl":"info","msg":"starting web service","obj":"web","t":"2024-05-01T10:00:00+00:00"}"#;
        assert_eq!(
            ngrok_log(web),
            Some(NgrokLog::WebService("127.0.0.1:4041".into()))
        );
        let err = r#"{"err":"authentication failed: The authtoken you specified is invalid.","lvl":"eror","msg":"session closing","obj":"tunnels.session","t":"2024-05-01T10:00:00+00:00"}"#;
        assert_eq!(
            ngrok_log(err),
            Some(NgrokLog::Problem(
                "session closing: authentication failed: The authtoken you specified is invalid."
                    .into()
            ))
        );
        let http = r#"{"lvl":"info","msg":"started tunnel","url":"http://abc.ngrok-free.app"}"#;
        assert_eq!(ngrok_log(http), None);
        assert_eq!(
            ngrok_log(r#"{"lvl":"info","msg":"client session established"}"#),
            None
        );
        assert_eq!(ngrok_log("ERROR:  authentication failed"), None);
        assert_eq!(ngrok_log(""), None);
    }

    #[test]
    fn display_url_trims_only_a_bare_slash() {
        let u = Url::parse("https://hooks.example.com/").unwrap();
        assert_eq!(display_url(&u), "https://hooks.example.com");
        let u = Url::parse("https://hooks.example.com/p/").unwrap();
        assert_eq!(display_url(&u), "https://hooks.example.com/p/");
    }
}
