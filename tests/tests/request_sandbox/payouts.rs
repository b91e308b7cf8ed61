//! `POST /v2/secure-payments/payouts` and `/batch-payouts` (CONTRACT.md §3, §8): EVM payouts,
//! batches of pending payouts (children invalidated), the Tron batch rule, and a platform that
//! may not create payouts.

use paydesk_request::{
    CreateBatchPayout, CreatePayout, CreatedSecurePayment, Error, PaymentType, RequestClient,
    SecurePaymentStatus,
};
use paydesk_sandbox::LinkState;

use super::{
    dec, expect_open, is_request_id, is_ulid, Env, EVM_CREATOR, EVM_WALLET, TRON_CREATOR,
    TRON_RECIPIENT,
};

const TRON_BATCH: &str =
    "Batch payments are not supported for TRON networks. Please submit individual payment requests.";

fn evm_payout(amount: &str) -> CreatePayout {
    CreatePayout::new(EVM_WALLET, EVM_CREATOR, "base", "USDC-base", dec(amount))
}

fn tron_payout(amount: &str) -> CreatePayout {
    CreatePayout::new(
        TRON_RECIPIENT,
        TRON_CREATOR,
        "tron",
        "USDT-tron",
        dec(amount),
    )
}

async fn payout(client: &RequestClient, body: &CreatePayout) -> CreatedSecurePayment {
    client.create_payout(body).await.expect("payout created")
}

#[tokio::test]
async fn an_evm_payout_is_a_single_open_link_to_the_recipient() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let mut body = evm_payout("25");
    body.reference = Some("PAYOUT-7".into());
    body.recipient_identifier = Some("supplier-42".into());
    let created = payout(&client, &body).await;
    assert!(is_ulid(&created.token));
    assert_eq!(created.request_ids.len(), 1);
    assert!(is_request_id(&created.request_ids[0]));
    assert_eq!(
        created.secure_payment_url,
        env.sandbox.payment_url(&created.token)
    );
    assert_eq!(created.fee_plan, None);

    let details = expect_open(client.secure_payment_status(&created.token).await.unwrap());
    assert_eq!(details.payment_type, PaymentType::Single);
    assert_eq!(details.network.as_deref(), Some("base"));
    assert_eq!(details.reference.as_deref(), Some("PAYOUT-7"));
    let line = &details.lines[0];
    assert_eq!(line.payee.as_deref(), Some(EVM_WALLET));
    assert_eq!(line.payment_currency.as_deref(), Some("USDC-base"));
    assert_eq!(line.amount_raw.as_deref(), Some("25000000"));
}

#[tokio::test]
async fn a_single_tron_payout_is_fine() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let created = payout(&client, &tron_payout("250")).await;
    let details = expect_open(client.secure_payment_status(&created.token).await.unwrap());
    assert_eq!(details.network.as_deref(), Some("tron"));
    assert_eq!(details.lines[0].payee.as_deref(), Some(TRON_RECIPIENT));
}

#[tokio::test]
async fn a_batch_payout_combines_pending_payouts_and_invalidates_them() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let first = payout(&client, &evm_payout("10")).await;
    let second = payout(&client, &evm_payout("20")).await;

    let batch = client
        .create_batch_payout(&CreateBatchPayout::new(vec![
            first.token.clone(),
            second.token.clone(),
        ]))
        .await
        .expect("batch created");
    assert!(is_ulid(&batch.token));
    assert_eq!(
        batch.request_ids,
        [first.request_ids[0].clone(), second.request_ids[0].clone()]
    );

    let details = expect_open(client.secure_payment_status(&batch.token).await.unwrap());
    assert_eq!(details.payment_type, PaymentType::Batch);
    assert_eq!(details.lines.len(), 2);
    let amounts: Vec<_> = details
        .lines
        .iter()
        .map(|l| l.amount_raw.as_deref())
        .collect();
    assert_eq!(amounts, [Some("10"), Some("20")]);

    for child in [&first, &second] {
        match client.secure_payment_status(&child.token).await.unwrap() {
            SecurePaymentStatus::NotPayable { message } => {
                assert!(message.contains("invalidated"), "{message}")
            }
            other => panic!("child should be invalidated, got {other:?}"),
        }
        let state = env
            .sandbox
            .control()
            .payment(&child.token)
            .expect("child")
            .state;
        assert_eq!(state, LinkState::Invalidated);
    }

    env.sandbox.control().pay(&batch.token).expect("pay batch");
    match client.secure_payment_status(&batch.token).await.unwrap() {
        SecurePaymentStatus::Completed { requests } => assert_eq!(requests.len(), 2),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_tron_batch_payout_is_the_contracts_400() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let first = payout(&client, &tron_payout("1")).await;
    let second = payout(&client, &tron_payout("2")).await;
    let error = client
        .create_batch_payout(&CreateBatchPayout::new(vec![first.token, second.token]))
        .await
        .unwrap_err();
    match error {
        Error::Api {
            status: 400,
            message,
            ..
        } => assert_eq!(message, TRON_BATCH),
        other => panic!("{other:?}"),
    }
    assert_eq!(env.link_count(), 2, "no batch link was made");
}

#[tokio::test]
async fn a_batch_payout_across_networks_is_a_400() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let base = payout(&client, &evm_payout("1")).await;
    let optimism = payout(
        &client,
        &CreatePayout::new(
            EVM_WALLET,
            EVM_CREATOR,
            "optimism",
            "USDC-optimism",
            dec("1"),
        ),
    )
    .await;
    match client
        .create_batch_payout(&CreateBatchPayout::new(vec![base.token, optimism.token]))
        .await
    {
        Err(Error::Api { status: 400, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_platform_without_payouts_gets_the_contracts_403() {
    let env = Env::start_with(|c| c.payouts_allowed = false).await;
    let error = env
        .api_key_client()
        .create_payout(&evm_payout("1"))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::Forbidden {
            message: "Platform is not allowed to create payouts".into()
        }
    );
}
