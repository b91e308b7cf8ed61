//! The payer page at each `securePaymentUrl`: amount, buttons that work without JavaScript
//! (form posts to the control routes, then a redirect back), and the redirect button after
//! payment with its label (default "Go Back and Close").

use paydesk_sandbox::messages;
use reqwest::StatusCode;
use serde_json::json;

use crate::util::{start, Env};

async fn page(env: &Env, url: &str) -> String {
    let r = env.http.get(url).send().await.expect("page");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/html"));
    r.text().await.expect("html")
}

/// Posts a page form like a browser would and follows the 303 back to the page.
async fn press(env: &Env, token: &str, action: &str, fields: &[(&str, &str)]) -> String {
    let r = env
        .http
        .post(env.url(&format!("/__sandbox/payments/{token}/{action}")))
        .form(fields)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(
        location.starts_with(&format!("/?token={token}")),
        "{location}"
    );
    page(env, &env.url(&location)).await
}

#[tokio::test]
async fn page_shows_the_amount_and_every_button() {
    let env = start().await;
    let body = env
        .create(json!({ "requests": [{ "amount": "10.50" }], "reference": "INV-7 <b>" }))
        .await;
    let html = page(&env, body["securePaymentUrl"].as_str().expect("url")).await;
    assert!(html.contains("10.50 FAU"), "{html}");
    assert!(html.contains("INV-7 &lt;b&gt;"), "text is escaped");
    for label in [
        "Pay in full",
        "Pay part",
        "Hold as processing",
        "Fail payment",
    ] {
        assert!(html.contains(label), "{label}");
    }
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(
        !html.contains("http://") || !html.contains("<link"),
        "no external assets"
    );
}

#[tokio::test]
async fn paying_from_the_page_shows_the_redirect_button() {
    let env = start().await;
    let body = env.create(json!({ "requests": [{ "amount": "20" }], "redirectUrl": "https://shop.test/thanks", "redirectLabel": "Back to Acme" })).await;
    let token = body["token"].as_str().expect("token");
    let html = press(&env, token, "pay-part", &[("amount", "5")]).await;
    assert!(html.contains("5 paid, 15 left"), "{html}");
    assert!(
        !html.contains("Back to Acme"),
        "no redirect button before payment"
    );
    let html = press(&env, token, "pay", &[]).await;
    assert!(html.contains("Payment complete"));
    assert!(
        html.contains(r#"href="https://shop.test/thanks">Back to Acme</a>"#),
        "{html}"
    );
    assert_eq!(env.get_token(token).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn redirect_label_defaults_to_go_back_and_close() {
    let env = start().await;
    let with_url = env
        .create(json!({ "requests": [{ "amount": "1" }], "redirectUrl": "https://shop.test/" }))
        .await;
    let without = env.create_amount("1").await;
    let token = with_url["token"].as_str().expect("token");
    let html = press(&env, token, "pay", &[]).await;
    assert!(html.contains(messages::DEFAULT_REDIRECT_LABEL));
    let html = press(&env, &without, "pay", &[]).await;
    assert!(
        !html.contains(messages::DEFAULT_REDIRECT_LABEL),
        "no button without a redirectUrl"
    );
}

#[tokio::test]
async fn processing_failure_and_expiry_on_the_page() {
    let env = start().await;
    let token = env.create_amount("2").await;
    let html = press(&env, &token, "processing", &[]).await;
    assert!(html.contains("Payment in progress"));
    assert_eq!(env.get_token(&token).await.status, StatusCode::LOCKED);
    let html = press(&env, &token, "fail", &[]).await;
    assert!(html.contains("The last payment attempt failed"));
    let html = press(&env, &token, "pay-part", &[("amount", "abc")]).await;
    assert!(
        html.contains("invalid amount"),
        "errors come back to the page"
    );
    env.sandbox.control().expire(&token).expect("expire");
    let html = page(&env, env.sandbox.payment_url(&token).as_str()).await;
    assert!(html.contains(messages::EXPIRED_PAGE));
    assert!(!html.contains("Pay in full"));
}

#[tokio::test]
async fn landing_and_unknown_token_pages() {
    let env = start().await;
    let html = page(&env, env.sandbox.base_url().as_str()).await;
    assert!(html.contains("Request Network sandbox"));
    let html = page(&env, &env.url("/?token=01KJRA0M9QG8MA4X887908T8A4")).await;
    assert!(html.contains("This URL is invalid."));
}
