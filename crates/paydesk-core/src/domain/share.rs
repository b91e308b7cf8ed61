//! Sharing a payment link outside the app: which URLs may be handed to the OS opener, and the
//! `mailto:` email draft (RFC 6068) with the invoice number, amount, due date and link.
//!
//! Both the desktop shell ("Open in browser", "Email draft") and the CLI (`paydesk link open`)
//! use these, so the checks and the draft text are the same everywhere.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use url::{Host, Url};

use crate::domain::{Invoice, Mode, PaymentLink};
use crate::error::{Error, Result};

/// Characters left as they are in a `mailto:` header value: RFC 3986 unreserved.
const MAILTO_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Characters left as they are in the `mailto:` address: unreserved and `@`.
const MAILTO_ADDRESS: &AsciiSet = &MAILTO_VALUE.remove(b'@');

/// What the user can do with a live link outside the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkShare {
    /// The payer page, checked by [`openable_url`].
    pub url: String,
    /// The email draft to the client.
    pub mailto: String,
}

fn is_loopback(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `raw` if it is safe to give to the OS opener: an `https` URL with a host and no user or
/// password, or in Test mode an `http` URL on loopback (the sandbox's payer page).
pub fn openable_url(field: &str, raw: &str, mode: Mode) -> Result<Url> {
    let url = Url::parse(raw)
        .map_err(|e| Error::invalid(field, format!("{raw:?} is not a URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            field,
            "must not carry a user name or password",
        ));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if mode == Mode::Test && is_loopback(url.host()) => Ok(url),
        "http" if mode == Mode::Test => Err(Error::invalid(
            field,
            "must be https, or http on 127.0.0.1 (the Test-mode sandbox)",
        )),
        _ => Err(Error::invalid(field, "must be an https URL")),
    }
}

/// The email draft for `invoice`'s `link`, addressed to `to` (may be empty: the user picks).
pub fn email_draft(invoice: &Invoice, to: &str, link: &PaymentLink) -> String {
    let subject = format!("Invoice {}", invoice.number);
    let body = format!(
        "Hello,\n\nInvoice {number} for {total} {currency} is due on {due}.\n\n\
         You can pay it here: {url}\n\nThank you!",
        number = invoice.number,
        total = invoice.totals.total.to_wire(),
        currency = invoice.currency,
        due = invoice.due_date,
        url = link.secure_payment_url,
    );
    // RFC 6068: line breaks in a body are %0D%0A.
    let body = body.replace('\n', "\r\n");
    format!(
        "mailto:{}?subject={}&body={}",
        utf8_percent_encode(to.trim(), MAILTO_ADDRESS),
        utf8_percent_encode(&subject, MAILTO_VALUE),
        utf8_percent_encode(&body, MAILTO_VALUE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_opens_everywhere_and_loopback_http_only_in_test_mode() {
        let ok = |u: &str, m| openable_url("url", u, m).is_ok();
        assert!(ok("https://pay.request.network/?token=01ABC", Mode::Live));
        assert!(ok("http://127.0.0.1:47615/?token=01ABC", Mode::Test));
        assert!(ok("http://localhost:47615/", Mode::Test));
        assert!(!ok("http://127.0.0.1:47615/?token=01ABC", Mode::Live));
        assert!(!ok("http://example.com/", Mode::Test));
        assert!(!ok("file:///etc/passwd", Mode::Test));
        assert!(!ok("javascript:alert(1)", Mode::Test));
        assert!(!ok("https://user:pw@example.com/", Mode::Live));
        assert!(!ok("not a url", Mode::Live));
        let err = openable_url("link", "ftp://x", Mode::Live).unwrap_err();
        assert_eq!(err.field(), Some("link"));
    }
}
