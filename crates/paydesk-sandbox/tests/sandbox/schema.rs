//! The sandbox's JSON answers validate against the response schemas of the provider's OpenAPI
//! document (read from ../shared when present; skipped with a message otherwise). The
//! document is OpenAPI 3.0: `nullable: true` becomes `anyOf [schema, null]`, and any
//! `$ref` is resolved against `components/schemas` by embedding them.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::util::{start, Auth, Env};

fn openapi() -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/request-api/openapi.v2.json");
    match std::fs::read(&path) {
        Ok(bytes) => Some(serde_json::from_slice(&bytes).expect("openapi.v2.json is JSON")),
        Err(_) => {
            println!(
                "skipped: {} not found, so the OpenAPI response schemas cannot be checked",
                path.display()
            );
            None
        }
    }
}

/// OpenAPI 3.0 schema -> JSON Schema.
fn convert(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        let converted = match key.as_str() {
            "nullable" | "example" | "examples" | "discriminator" | "xml" | "externalDocs" => {
                continue
            }
            "$ref" => Value::String(
                value
                    .as_str()
                    .unwrap_or_default()
                    .replace("#/components/schemas/", "#/$defs/"),
            ),
            "properties" | "patternProperties" => Value::Object(
                value
                    .as_object()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
                    .unwrap_or_default(),
            ),
            "items" | "additionalProperties" | "not" => convert(value),
            "anyOf" | "oneOf" | "allOf" => Value::Array(
                value
                    .as_array()
                    .map(|a| a.iter().map(convert).collect())
                    .unwrap_or_default(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        json!({ "anyOf": [Value::Object(out), { "type": "null" }] })
    } else {
        Value::Object(out)
    }
}

/// A validator for one documented response.
fn validator(doc: &Value, path: &str, method: &str, status: &str) -> jsonschema::Validator {
    let schema =
        &doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} {status} has a schema");
    let mut root = convert(schema);
    let defs: Map<String, Value> = doc["components"]["schemas"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
        .unwrap_or_default();
    if let Some(obj) = root.as_object_mut() {
        obj.insert("$defs".into(), Value::Object(defs));
    }
    jsonschema::options()
        .should_validate_formats(true)
        .build(&root)
        .expect("schema compiles")
}

fn check(doc: &Value, path: &str, method: &str, status: &str, instance: &Value) {
    let v = validator(doc, path, method, status);
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match the OpenAPI schema:\n{}\n{instance:#}",
        errors.join("\n")
    );
}

/// The documented example's top-level keys are all present (for responses with no schema).
fn has_example_keys(doc: &Value, path: &str, status: &str, example: &str, instance: &Value) {
    let ex = &doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]
        ["examples"][example]["value"];
    let keys: Vec<&String> = ex
        .as_object()
        .expect("example")
        .keys()
        .filter(|k| *k != "branding")
        .collect();
    for key in keys {
        assert!(
            instance.get(key).is_some(),
            "{status} body lacks {key}: {instance}"
        );
    }
    let first = &ex["requestStatuses"][0];
    for key in first.as_object().expect("status").keys() {
        assert!(
            instance["requestStatuses"][0].get(key).is_some(),
            "{status} requestStatuses lacks {key}"
        );
    }
}

async fn ok(env: &Env, method: Method, path: &str, auth: Auth, body: Option<Value>) -> Value {
    let a = env.call(method, path, auth, body).await;
    assert!(a.status.is_success(), "{path}: {} {}", a.status, a.text);
    a.body
}

#[tokio::test]
async fn responses_match_the_openapi_schemas() {
    let Some(doc) = openapi() else { return };
    // The check has teeth: missing fields, a bad URI and a wrong enum are all refused.
    let created = validator(&doc, "/v2/secure-payments", "post", "201");
    assert!(!created.is_valid(&json!({})));
    assert!(!created.is_valid(
        &json!({ "requestIds": [], "securePaymentUrl": "not a uri", "token": "t", "feePlan": null })
    ));
    assert!(created.is_valid(&json!({ "requestIds": [], "securePaymentUrl": "http://127.0.0.1:1/?token=t", "token": "t", "feePlan": null })));
    let page = validator(&doc, "/v2/secure-payments/{token}", "get", "200");
    assert!(!page.is_valid(&json!({ "paymentType": "single", "status": "paid", "branding": null })));

    let env = start().await;
    let control = env.sandbox.control();
    let create = "/v2/secure-payments";
    let by_token = "/v2/secure-payments/{token}";

    let single = ok(&env, Method::POST, create, Auth::ApiKey, Some(json!({ "requests": [{ "amount": "10" }], "reference": "R-1", "redirectUrl": "https://shop.test/", "redirectLabel": "Back" }))).await;
    check(&doc, create, "post", "201", &single);
    let batch = ok(
        &env,
        Method::POST,
        create,
        Auth::ClientId,
        Some(json!({ "requests": [{ "amount": "10" }, { "amount": "2.5" }] })),
    )
    .await;
    check(&doc, create, "post", "201", &batch);
    let legacy = ok(&env, Method::POST, create, Auth::ApiKey, Some(json!({ "requests": [{ "payee": "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7", "amount": "3", "invoiceCurrency": "USD", "paymentCurrency": "ETH-sepolia-sepolia" }] }))).await;
    check(&doc, create, "post", "201", &legacy);
    let payout_body = |recipient: &str| json!({ "recipient": recipient, "creatorWalletAddress": "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7", "network": "base", "currency": "USDC-base", "amount": "12.5" });
    let p1 = ok(
        &env,
        Method::POST,
        "/v2/secure-payments/payouts",
        Auth::ApiKey,
        Some(payout_body("0xb07d2398d2004378cad234da0ef14f1c94a530e4")),
    )
    .await;
    check(&doc, "/v2/secure-payments/payouts", "post", "201", &p1);
    let p2 = ok(
        &env,
        Method::POST,
        "/v2/secure-payments/payouts",
        Auth::ApiKey,
        Some(payout_body("0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7")),
    )
    .await;
    let p3 = ok(
        &env,
        Method::POST,
        "/v2/secure-payments/payouts",
        Auth::ApiKey,
        Some(payout_body("0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7")),
    )
    .await;
    let batch_payout = ok(
        &env,
        Method::POST,
        "/v2/secure-payments/batch-payouts",
        Auth::ApiKey,
        Some(json!({ "tokens": [p2["token"], p3["token"]] })),
    )
    .await;
    check(
        &doc,
        "/v2/secure-payments/batch-payouts",
        "post",
        "201",
        &batch_payout,
    );

    for created in [&single, &batch, &legacy, &p1, &batch_payout] {
        let token = created["token"].as_str().expect("token");
        let body = ok(
            &env,
            Method::GET,
            &format!("/v2/secure-payments/{token}"),
            Auth::ClientId,
            None,
        )
        .await;
        check(&doc, by_token, "get", "200", &body);
    }

    let find = |rid: &Value| {
        format!(
            "/v2/secure-payments?requestId={}",
            rid.as_str().unwrap_or_default()
        )
    };
    let request = |rid: &Value| format!("/v2/request/{}", rid.as_str().unwrap_or_default());
    let rid = &single["requestIds"][0];
    check(
        &doc,
        "/v2/secure-payments",
        "get",
        "200",
        &ok(&env, Method::GET, &find(rid), Auth::Session, None).await,
    );
    check(
        &doc,
        "/v2/request/{requestId}",
        "get",
        "200",
        &ok(&env, Method::GET, &request(rid), Auth::ApiKey, None).await,
    );

    let token = single["token"].as_str().expect("token");
    control.pay_part(token, Decimal::new(4, 0)).expect("part");
    check(
        &doc,
        "/v2/request/{requestId}",
        "get",
        "200",
        &ok(&env, Method::GET, &request(rid), Auth::ApiKey, None).await,
    );
    control.processing(token).expect("hold");
    let locked = env.get_token(token).await;
    assert_eq!(locked.status, StatusCode::LOCKED);
    has_example_keys(&doc, by_token, "423", "paymentInProgress", &locked.body);
    check(
        &doc,
        "/v2/secure-payments",
        "get",
        "200",
        &ok(&env, Method::GET, &find(rid), Auth::Session, None).await,
    );
    control.pay(token).expect("pay");
    let done = env.get_token(token).await;
    assert_eq!(done.status, StatusCode::CONFLICT);
    has_example_keys(&doc, by_token, "409", "alreadyPaid", &done.body);
    check(
        &doc,
        "/v2/secure-payments",
        "get",
        "200",
        &ok(&env, Method::GET, &find(rid), Auth::Session, None).await,
    );
    check(
        &doc,
        "/v2/request/{requestId}",
        "get",
        "200",
        &ok(&env, Method::GET, &request(rid), Auth::ApiKey, None).await,
    );

    check(
        &doc,
        "/v2/secure-payments",
        "get",
        "200",
        &ok(
            &env,
            Method::GET,
            &find(&p2["requestIds"][0]),
            Auth::Session,
            None,
        )
        .await,
    );
    control
        .expire(p1["token"].as_str().expect("token"))
        .expect("expire");
    check(
        &doc,
        "/v2/secure-payments",
        "get",
        "200",
        &ok(
            &env,
            Method::GET,
            &find(&p1["requestIds"][0]),
            Auth::Session,
            None,
        )
        .await,
    );
}
