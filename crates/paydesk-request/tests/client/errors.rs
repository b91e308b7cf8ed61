//! Error answers read from the NestJS-style envelopes (CONTRACT.md §1.4), 429 with
//! `Retry-After`, and no credential in any error even when the server echoes it.

use std::time::{Duration, SystemTime};

use paydesk_request::{ApiIssue, CreateSecurePayment, Credentials, Error, PaymentItem};

use crate::support::{assert_no_secret, reply_with, Stub, CLIENT_ID, KEY};

fn link() -> CreateSecurePayment {
    CreateSecurePayment::current(vec![PaymentItem::new("10".parse().unwrap())])
}

async fn create_error(status: u16, body: &'static str) -> Error {
    let stub = Stub::answering(status, body).await;
    let error = stub
        .client()
        .create_secure_payment(&link())
        .await
        .unwrap_err();
    assert_eq!(stub.hits(), 1, "a POST is never retried");
    error
}

fn issue(field: Option<&str>, message: &str) -> ApiIssue {
    ApiIssue {
        field: field.map(str::to_owned),
        message: message.to_owned(),
    }
}

#[tokio::test]
async fn bad_request_with_a_string_message() {
    let error = create_error(
        400,
        r#"{"statusCode":400,"message":"All requests must be on the same network","error":"Bad Request"}"#,
    )
    .await;
    assert_eq!(
        error,
        Error::Api {
            status: 400,
            message: "All requests must be on the same network".into(),
            error: Some("Bad Request".into()),
            details: vec![],
        }
    );
    assert_eq!(error.code(), "api");
}

#[tokio::test]
async fn server_error_with_a_string_message() {
    let error = create_error(
        500,
        r#"{"statusCode":500,"message":"Internal server error","error":"Internal Server Error"}"#,
    )
    .await;
    assert_eq!(
        error,
        Error::Api {
            status: 500,
            message: "Internal server error".into(),
            error: Some("Internal Server Error".into()),
            details: vec![],
        }
    );
}

#[tokio::test]
async fn server_error_with_an_array_of_messages() {
    let error = create_error(
        500,
        r#"{"statusCode":500,"message":["database unavailable","retry later"],"error":"Internal Server Error"}"#,
    )
    .await;
    assert_eq!(
        error,
        Error::Api {
            status: 500,
            message: "database unavailable; retry later".into(),
            error: Some("Internal Server Error".into()),
            details: vec![
                issue(None, "database unavailable"),
                issue(None, "retry later")
            ],
        }
    );
}

#[tokio::test]
async fn bad_request_with_zod_issues() {
    let error = create_error(
        400,
        r#"{"statusCode":400,"message":[{"code":"too_small","message":"String must contain at least 1 character(s)","path":["requests",0,"destinationId"]}],"error":"Bad Request"}"#,
    )
    .await;
    let Error::Api {
        status, details, ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(*status, 400);
    assert_eq!(
        details,
        &[issue(
            Some("requests.0.destinationId"),
            "String must contain at least 1 character(s)"
        )]
    );
}

#[tokio::test]
async fn validation_failed_with_field_errors() {
    let error = create_error(
        400,
        r#"{"message":"Validation failed","errors":[{"field":"wallet","message":"Invalid Ethereum address"}]}"#,
    )
    .await;
    assert_eq!(
        error.to_string(),
        "API error 400: Validation failed (wallet: Invalid Ethereum address)"
    );
}

#[tokio::test]
async fn non_envelope_error_body_falls_back_to_the_status_reason() {
    let stub = Stub::start(|_| {
        reply_with(
            502,
            &[("content-type", "text/html")],
            "<html>bad gateway</html>",
        )
    })
    .await;
    let error = stub
        .client()
        .create_secure_payment(&link())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::Api {
            status: 502,
            message: "Bad Gateway".into(),
            error: None,
            details: vec![],
        }
    );
}

#[tokio::test]
async fn forbidden_on_create_keeps_the_server_message() {
    let error = create_error(
        403,
        r#"{"statusCode":403,"message":"Destination does not match the configured payment destination.","error":"Forbidden"}"#,
    )
    .await;
    assert_eq!(
        error,
        Error::Forbidden {
            message: "Destination does not match the configured payment destination.".into()
        }
    );
}

#[tokio::test]
async fn unauthorized_on_create() {
    let error = create_error(
        401,
        r#"{"statusCode":401,"message":"Unauthorized","error":"Unauthorized"}"#,
    )
    .await;
    assert_eq!(error.code(), "unauthorized");
}

#[tokio::test]
async fn rate_limited_with_retry_after_seconds() {
    let stub = Stub::start(|_| {
        reply_with(
            429,
            &[("retry-after", "30")],
            r#"{"statusCode":429,"message":"Too Many Requests"}"#,
        )
    })
    .await;
    let error = stub
        .client()
        .create_secure_payment(&link())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::RateLimited {
            retry_after: Some(Duration::from_secs(30))
        }
    );
    assert_eq!(stub.hits(), 1);
}

#[tokio::test]
async fn rate_limited_with_retry_after_http_date() {
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
    let stub = Stub::start(move |_| reply_with(429, &[("retry-after", &at)], "")).await;
    let error = stub
        .client()
        .create_secure_payment(&link())
        .await
        .unwrap_err();
    let Error::RateLimited {
        retry_after: Some(delay),
    } = error
    else {
        panic!("{error:?}")
    };
    // The date has whole seconds: the delay is 119 < d <= 120 s, minus the round trip.
    assert!(
        delay <= Duration::from_secs(120) && delay >= Duration::from_secs(115),
        "{delay:?}"
    );
}

#[tokio::test]
async fn rate_limited_without_a_usable_retry_after() {
    for headers in [vec![], vec![("retry-after", "soon")]] {
        let stub = Stub::start(move |_| reply_with(429, &headers, "")).await;
        let error = stub
            .client()
            .create_secure_payment(&link())
            .await
            .unwrap_err();
        assert_eq!(error, Error::RateLimited { retry_after: None });
    }
}

#[tokio::test]
async fn errors_never_contain_the_credential_even_when_the_server_echoes_it() {
    let configured = [
        (Credentials::api_key(KEY), KEY),
        (
            Credentials::client_id(CLIENT_ID, Some("https://paydesk.example".into())),
            CLIENT_ID,
        ),
    ];
    for (credentials, secret) in configured {
        let loud = secret.to_uppercase();
        let echoes = [
            (
                401,
                format!(
                    r#"{{"statusCode":401,"message":"Invalid credential {secret}","error":"Unauthorized"}}"#
                ),
            ),
            (
                403,
                format!(
                    r#"{{"statusCode":403,"message":"{secret} is revoked","error":"Forbidden"}}"#
                ),
            ),
            (
                404,
                format!(
                    r#"{{"statusCode":404,"message":"no client {secret}","error":"Not Found"}}"#
                ),
            ),
            (
                400,
                format!(
                    r#"{{"statusCode":400,"message":["header {secret} bad",{{"message":"{loud}","path":["{secret}"]}}],"error":"{secret}"}}"#
                ),
            ),
            (
                500,
                format!(
                    r#"{{"message":"Validation failed","errors":[{{"field":"{secret}","message":"{loud}"}}]}}"#
                ),
            ),
            (
                201,
                format!(
                    r#"{{"requestIds":"{secret}","securePaymentUrl":"https://x/","token":"t"}}"#
                ),
            ),
            (
                201,
                format!(r#"{{"requestIds":[],"securePaymentUrl":"{secret}","token":"t"}}"#),
            ),
            (201, format!("not json {secret}")),
        ];
        for (status, body) in echoes {
            let stub = Stub::start(move |_| {
                reply_with(status, &[("content-type", "application/json")], &body)
            })
            .await;
            let error = stub
                .client_with(credentials.clone())
                .create_secure_payment(&link())
                .await
                .unwrap_err();
            assert_no_secret(secret, &error, &error.to_string());
            if status != 201 || !error.to_string().contains("not JSON") {
                assert!(error.to_string().contains("<redacted>"), "{error}");
            }
        }
    }
}
