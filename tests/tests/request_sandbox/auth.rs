//! Authentication and the rate limit (CONTRACT.md §1.2, §1.3): API key and client id both work,
//! wrong credentials are 401, a frontend client id needs its Origin, and 429 carries the
//! sandbox's `Retry-After` into `Error::RateLimited`.

use std::time::Duration;

use paydesk_request::{Credentials, Error, SecurePaymentStatus};
use tokio::time::Instant;

use super::{expect_open, single, Env, DEADLINE};

const ORIGIN: &str = "https://paydesk.example";

#[tokio::test]
async fn api_key_and_client_id_both_create_and_read_links() {
    let env = Env::start().await;
    for client in [env.api_key_client(), env.client_id_client()] {
        let created = env.create(&client, "5").await;
        expect_open(client.secure_payment_status(&created.token).await.unwrap());
    }
    assert_eq!(env.link_count(), 2);
}

#[tokio::test]
async fn a_wrong_api_key_is_unauthorized_everywhere() {
    let env = Env::start().await;
    let token = env.create(&env.api_key_client(), "1").await.token;
    let wrong = env.client(Credentials::api_key("rn_wrong_key_0123456789"));

    let error = wrong.create_secure_payment(&single("1")).await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    let error = wrong.secure_payment_status(&token).await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    assert_eq!(env.link_count(), 1);
}

#[tokio::test]
async fn a_wrong_client_id_is_unauthorized() {
    let env = Env::start().await;
    let wrong = env.client(Credentials::client_id("cli_wrong_0123456789", None));
    let error = wrong.create_secure_payment(&single("1")).await.unwrap_err();
    assert_eq!(
        error,
        Error::Unauthorized {
            message: "Unauthorized".into()
        }
    );
}

#[tokio::test]
async fn a_frontend_client_id_works_with_its_origin_only() {
    let env = Env::start_with(|c| c.allowed_domains = vec![ORIGIN.into()]).await;
    let id = env.sandbox.client_id().to_string();

    let with_origin = env.client(Credentials::client_id(&id, Some(ORIGIN.into())));
    let created = env.create(&with_origin, "1").await;
    expect_open(
        with_origin
            .secure_payment_status(&created.token)
            .await
            .unwrap(),
    );

    let without = env.client(Credentials::client_id(&id, None));
    let error = without
        .create_secure_payment(&single("1"))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::Unauthorized {
            message: "Origin header is required".into()
        }
    );

    let foreign = env.client(Credentials::client_id(
        &id,
        Some("https://evil.example".into()),
    ));
    let error = foreign
        .create_secure_payment(&single("1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    // On `GET /:token` a 403 is either "not payable" or a credential problem: the client must
    // read the sandbox's Origin 403 as the latter, not as an expired link.
    let error = foreign
        .secure_payment_status(&created.token)
        .await
        .unwrap_err();
    match error {
        Error::Forbidden { message } => assert!(message.contains("Origin"), "{message}"),
        other => panic!("expected Forbidden, got {other:?}"),
    }
    assert_eq!(env.link_count(), 1);
}

#[tokio::test]
async fn over_the_rate_limit_is_rate_limited_with_the_sandboxs_retry_after() {
    let env = Env::start().await;
    env.sandbox.control().set_rate_limit(2);
    let client = env.api_key_client();
    let deadline = Instant::now() + DEADLINE;
    let mut calls = 0;
    let retry_after = loop {
        assert!(Instant::now() < deadline, "no 429 after {calls} calls");
        calls += 1;
        match client
            .secure_payment_status("01KJRA0M9QG8MA4X887908T8A4")
            .await
        {
            Ok(SecurePaymentStatus::Unknown) => continue,
            Err(Error::RateLimited { retry_after }) => break retry_after,
            other => panic!("unexpected answer {other:?}"),
        }
    };
    assert!(calls >= 3, "the first two calls of a window pass");
    // The sandbox counts one-second windows and answers `Retry-After: 1`.
    assert_eq!(retry_after, Some(Duration::from_secs(1)));

    // The limit is per credential: the client id is not affected.
    let other = env.client_id_client();
    assert!(matches!(
        other
            .secure_payment_status("01KJRA0M9QG8MA4X887908T8A4")
            .await,
        Ok(SecurePaymentStatus::Unknown)
    ));
}
