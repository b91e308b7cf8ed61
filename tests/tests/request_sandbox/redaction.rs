//! No credential in any error: every failure the other modules provoke, collected from clients
//! holding the sandbox's real API key and client id (and a wrong key), printed with `Display`,
//! `Debug` and pretty `Debug`, must not contain any of them. One case makes the sandbox echo
//! the credential back (a batch payout naming it as a token): the client scrubs it.

use std::time::Duration;

use paydesk_request::{
    CreateBatchPayout, CreateSecurePayment, Credentials, Error, PaymentItem, RequestClient,
};
use paydesk_sandbox::Faults;

use super::{dec, single, Env};

const WRONG_KEY: &str = "rn_wrong_key_0123456789abcdef";

fn assert_clean(errors: &[Error], secrets: &[&str]) {
    assert!(!errors.is_empty());
    for error in errors {
        for text in [
            format!("{error}"),
            format!("{error:?}"),
            format!("{error:#?}"),
        ] {
            let folded = text.to_ascii_lowercase();
            for secret in secrets {
                assert!(
                    !folded.contains(&secret.to_ascii_lowercase()),
                    "a credential leaked into {text}"
                );
            }
        }
    }
}

#[tokio::test]
async fn no_credential_appears_in_any_error() {
    let env = Env::start_with(|c| c.allowed_domains = vec!["https://paydesk.example".into()]).await;
    let api_key = env.sandbox.api_key().to_string();
    let client_id = env.sandbox.client_id().to_string();
    let by_key = env.api_key_client();
    let by_id = env.client(Credentials::client_id(
        &client_id,
        Some("https://paydesk.example".into()),
    ));
    let control = env.sandbox.control();
    let token = env.create(&by_key, "1").await.token;
    let mut errors = Vec::new();

    // 401: a wrong key; a client id without its Origin. 403: a foreign Origin.
    let wrong = env.client(Credentials::api_key(WRONG_KEY));
    errors.push(wrong.create_secure_payment(&single("1")).await.unwrap_err());
    errors.push(wrong.secure_payment_status(&token).await.unwrap_err());
    let no_origin = env.client(Credentials::client_id(&client_id, None));
    errors.push(
        no_origin
            .create_secure_payment(&single("1"))
            .await
            .unwrap_err(),
    );
    let foreign = env.client(Credentials::client_id(
        &client_id,
        Some("https://evil.example".into()),
    ));
    errors.push(foreign.secure_payment_status(&token).await.unwrap_err());
    // The Auth API with an API key.
    errors.push(by_key.list_webhooks().await.unwrap_err());

    // 403 destination mismatch, 400 Tron batch, local validation, unknown webhook.
    let other = "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:8453#ABCD1234:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
    let mismatch = CreateSecurePayment::current(vec![PaymentItem::to_destination(dec("1"), other)]);
    errors.push(by_key.create_secure_payment(&mismatch).await.unwrap_err());
    let mut unsafe_url = single("1");
    unsafe_url.redirect_url = Some(format!("javascript:{api_key}"));
    errors.push(by_key.create_secure_payment(&unsafe_url).await.unwrap_err());
    errors.push(
        by_id
            .delete_webhook("01KJC2WX8EH4MP3DHZB2YQ7N9G")
            .await
            .unwrap_err(),
    );

    // The sandbox echoes an unknown token in its message: here the token is the credential.
    for (client, secret) in [(&by_key, &api_key), (&by_id, &client_id)] {
        let echo = CreateBatchPayout::new(vec![secret.clone(), token.clone()]);
        let error = client.create_batch_payout(&echo).await.unwrap_err();
        match &error {
            Error::Api {
                status: 400,
                message,
                ..
            } => assert!(message.contains("<redacted>"), "{message}"),
            other => panic!("{other:?}"),
        }
        errors.push(error);
    }

    // 429.
    control.set_rate_limit(1);
    let mut calls = 0;
    let limited = loop {
        calls += 1;
        assert!(calls < 100, "no 429 after {calls} calls");
        match by_key.secure_payment_status(&token).await {
            Err(e @ Error::RateLimited { .. }) => break e,
            Ok(_) => continue,
            Err(other) => panic!("{other:?}"),
        }
    };
    errors.push(limited);
    control.set_rate_limit(0);

    // 5xx, lost response, timeout.
    control.set_faults(Faults {
        server_error_share: 1.0,
        ..Faults::default()
    });
    errors.push(
        by_key
            .create_secure_payment(&single("1"))
            .await
            .unwrap_err(),
    );
    errors.push(by_id.secure_payment_status(&token).await.unwrap_err());
    control.set_faults(Faults {
        lost_response_share: 1.0,
        ..Faults::default()
    });
    errors.push(
        by_key
            .create_secure_payment(&single("1"))
            .await
            .unwrap_err(),
    );
    control.set_faults(Faults {
        latency_ms: 3_000,
        ..Faults::default()
    });
    let impatient = RequestClient::new(
        env.config(Credentials::api_key(&api_key))
            .with_timeout(Duration::from_millis(150)),
    )
    .expect("client");
    errors.push(impatient.secure_payment_status(&token).await.unwrap_err());

    let codes: Vec<&str> = errors.iter().map(Error::code).collect();
    for code in [
        "unauthorized",
        "forbidden",
        "not_found",
        "validation",
        "api",
        "rate_limited",
        "timeout",
    ] {
        assert!(codes.contains(&code), "no {code} error in {codes:?}");
    }
    assert_clean(&errors, &[&api_key, &client_id, WRONG_KEY]);

    // Nor in the clients themselves.
    for client in [&by_key, &by_id, &wrong] {
        let text = format!("{client:?}");
        assert!(
            !text.contains(&api_key) && !text.contains(&client_id) && !text.contains(WRONG_KEY)
        );
    }
}
