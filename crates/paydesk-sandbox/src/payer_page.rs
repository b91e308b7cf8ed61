//! The payer page served at each `securePaymentUrl` (`/?token=...`): server-rendered HTML with
//! no external assets and no JavaScript. It shows the amount and the link's state, and offers
//! the sandbox's buttons (pay in full, pay part, fail, hold as processing), which post to the
//! control routes and come back here. After payment it shows the redirect button with its
//! label ("Go Back and Close" by default), as the real page does: no automatic redirect.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Html;
use rust_decimal::Decimal;

use crate::messages::{DEFAULT_REDIRECT_LABEL, EXPIRED_PAGE as EXPIRED_COPY};
use crate::server::Shared;
use crate::state::{Link, LinkState, RequestItem, RequestState};

const INVALID_COPY: &str =
    "This URL is invalid. Please check the link you were sent, or contact the recipient.";

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;background:#f1f5f9;color:#0f172a}\
main{max-width:30rem;margin:3rem auto;padding:0 1rem}.card{background:#fff;border-radius:14px;box-shadow:0 1px 3px #0002;padding:1.75rem}\
.badge{display:inline-block;font-size:.75rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase;background:#fef3c7;color:#92400e;border-radius:999px;padding:.1rem .6rem}\
h1{font-size:1.15rem;margin:.75rem 0 .25rem}.amount{font-size:2.25rem;font-weight:700;margin:.25rem 0}.muted{color:#64748b;font-size:.9rem}\
.state{margin:1rem 0;padding:.75rem 1rem;border-radius:10px;background:#f8fafc}.ok{background:#dcfce7;color:#166534}.warn{background:#fef9c3;color:#854d0e}.bad{background:#fee2e2;color:#991b1b}\
table{width:100%;border-collapse:collapse;font-size:.9rem;margin:.75rem 0}td{padding:.3rem 0;border-bottom:1px solid #e2e8f0;vertical-align:top}td:last-child{text-align:right;white-space:nowrap;padding-left:.75rem}\
form{margin:.5rem 0}.row{display:flex;gap:.5rem}input{flex:1;font:inherit;padding:.55rem .7rem;border:1px solid #cbd5e1;border-radius:8px}\
button,.button{display:inline-block;width:100%;font:inherit;font-weight:600;text-align:center;text-decoration:none;border:0;border-radius:8px;padding:.65rem 1rem;cursor:pointer;background:#00a676;color:#fff}\
.row button{width:auto}.secondary{background:#e2e8f0;color:#0f172a}.danger{background:#fecaca;color:#7f1d1d}code{font-size:.8rem;word-break:break-all}";

fn layout(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body><main><div class=\"card\"><span class=\"badge\">Sandbox</span>{body}</div>\
<p class=\"muted\">Request Network sandbox: nothing here moves real money.</p></main></body></html>",
        esc(title)
    ))
}

fn total(items: &[&RequestItem]) -> String {
    let symbol = items
        .first()
        .map(|i| i.currency.symbol.as_str())
        .unwrap_or_default();
    if items.iter().all(|i| i.currency.symbol == symbol) {
        let sum: Decimal = items.iter().map(|i| i.amount).sum();
        format!("{sum} {symbol}")
    } else {
        items
            .iter()
            .map(|i| format!("{} {}", i.amount, i.currency.symbol))
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn requests_table(items: &[&RequestItem]) -> String {
    let mut html = String::from("<table>");
    for item in items {
        let state = match item.state() {
            RequestState::Pending => "unpaid".to_string(),
            RequestState::PartiallyPaid => {
                format!("{} paid, {} left", item.paid(), item.remaining())
            }
            RequestState::Paid => "paid".to_string(),
            RequestState::Failed => "last attempt failed".to_string(),
        };
        let _ = write!(
            html,
            "<tr><td>{} {}<br><span class=\"muted\">to <code>{}</code></span>{}</td><td>{}</td></tr>",
            esc(&item.amount.to_string()),
            esc(&item.currency.symbol),
            esc(&item.payee),
            item.tx_hash().map(|h| format!("<br><span class=\"muted\">tx <code>{}</code></span>", esc(h))).unwrap_or_default(),
            esc(&state)
        );
    }
    html.push_str("</table>");
    html
}

fn action(token: &str, path: &str, label: &str, class: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/__sandbox/payments/{}/{path}\"><button class=\"{class}\" type=\"submit\">{}</button></form>",
        esc(token),
        esc(label)
    )
}

fn pay_part_form(token: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/__sandbox/payments/{}/pay-part\" class=\"row\"><input name=\"amount\" inputmode=\"decimal\" placeholder=\"Amount\" aria-label=\"Amount to pay\" required><button class=\"secondary\" type=\"submit\">Pay part</button></form>",
        esc(token)
    )
}

fn link_body(link: &Link, items: &[&RequestItem], state: LinkState, error: Option<&str>) -> String {
    let token = link.token.as_str();
    let mut html = format!(
        "<h1>{}</h1><div class=\"amount\">{}</div><div class=\"muted\">on {}{}{}</div>",
        if link.kind == crate::state::LinkKind::Incoming {
            "Payment request"
        } else {
            "Payout"
        },
        esc(&total(items)),
        esc(link.network.id),
        link.options
            .reference
            .as_deref()
            .map(|r| format!(" · reference {}", esc(r)))
            .unwrap_or_default(),
        link.options
            .payer_identifier
            .as_deref()
            .map(|p| format!(" · for {}", esc(p)))
            .unwrap_or_default(),
    );
    if let Some(e) = error {
        let _ = write!(html, "<div class=\"state bad\">{}</div>", esc(e));
    }
    match state {
        LinkState::Pending => {
            if items.iter().any(|i| i.state() == RequestState::Failed) {
                html.push_str("<div class=\"state bad\">The last payment attempt failed. You can try again.</div>");
            }
            html.push_str(&requests_table(items));
            html.push_str(&action(token, "pay", "Pay in full", ""));
            html.push_str(&pay_part_form(token));
            html.push_str(&action(
                token,
                "processing",
                "Hold as processing",
                "secondary",
            ));
            html.push_str(&action(token, "fail", "Fail payment", "danger"));
        }
        LinkState::Processing => {
            html.push_str("<div class=\"state warn\">Payment in progress: a multisig transaction is awaiting signatures.</div>");
            html.push_str(&requests_table(items));
            html.push_str(&action(token, "pay", "Complete payment", ""));
            html.push_str(&action(token, "fail", "Fail payment", "danger"));
        }
        LinkState::Completed => {
            html.push_str("<div class=\"state ok\">Payment complete. Thank you!</div>");
            html.push_str(&requests_table(items));
            if let Some(url) = &link.options.redirect_url {
                let label = link
                    .options
                    .redirect_label
                    .as_deref()
                    .unwrap_or(DEFAULT_REDIRECT_LABEL);
                let _ = write!(
                    html,
                    "<a class=\"button\" href=\"{}\">{}</a>",
                    esc(url),
                    esc(label)
                );
            }
        }
        LinkState::Expired => {
            let _ = write!(html, "<div class=\"state bad\">{EXPIRED_COPY}</div>");
        }
        LinkState::Invalidated => {
            let _ = write!(html, "<div class=\"state bad\">{INVALID_COPY}</div>");
        }
    }
    html
}

/// `GET /` and `GET /?token=...`
pub(crate) async fn page(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Html<String> {
    let Some(token) = query.get("token") else {
        let body = format!(
            "<h1>Request Network sandbox</h1><p>This local server emulates the Request Network API and its payer page.</p>\
<table><tr><td>API and Auth base URL</td><td><code>{}</code></td></tr></table>\
<p class=\"muted\">Open a link's <code>securePaymentUrl</code> (<code>/?token=&lt;token&gt;</code>) to pay it.</p>",
            esc(shared.settings.base_url.as_str())
        );
        return layout("Request Network sandbox", &body);
    };
    let now = shared.now();
    let store = shared.store();
    let Some(link) = store.links.get(token) else {
        return layout(
            "Invalid link",
            &format!("<h1>Invalid link</h1><div class=\"state bad\">{INVALID_COPY}</div>"),
        );
    };
    let items: Vec<&RequestItem> = store.items(link).collect();
    let state = store.link_state(link, now);
    let body = link_body(link, &items, state, query.get("error").map(String::as_str));
    layout("Secure payment", &body)
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
