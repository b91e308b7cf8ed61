//! `paydesk export ...`: CSV for a date range with exact amounts, the history as JSON, and
//! bad ranges naming their field.

use crate::util::Books;

#[test]
fn invoices_export_as_csv_and_the_history_as_json() {
    let b = Books::new();
    b.add_client("Acme, Studio");
    b.ok(
        "invoice create --client 'Acme, Studio' --currency EUR --issue-date 2026-11-21 \
         --terms 30 --line 'Design;3;150.50;20%'",
    );
    let out = b.path().join("invoices.csv");
    let written = b.ok(&format!(
        "export invoices --from 2026-11-01 --to 2026-11-30 -o {}",
        out.display()
    ));
    assert_eq!(written["rows"], 1);
    let text = std::fs::read_to_string(&out).expect("csv");
    let mut lines = text.lines();
    assert!(lines
        .next()
        .is_some_and(|h| h.starts_with("number,status,client,")));
    let row = lines.next().expect("a row");
    assert!(
        row.starts_with("INV-2026-0001,draft,\"Acme, Studio\","),
        "{row}"
    );
    assert!(row.contains(",541.80,"), "the total, exactly: {row}");

    let bad = b.fails(
        &format!(
            "export payouts --from 2026-12-01 --to 2026-01-01 -o {}",
            out.display()
        ),
        3,
    );
    assert!(bad.stderr.contains("to"), "{}", bad.stderr);

    let json = b.path().join("history.json");
    b.ok(&format!(
        "export history INV-2026-0001 -o {}",
        json.display()
    ));
    let history: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("valid");
    assert_eq!(history["invoice"]["number"], "INV-2026-0001");
}
