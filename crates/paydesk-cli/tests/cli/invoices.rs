//! `paydesk invoice ...`: totals, list, edit, duplicate, void, numbering.

use serde_json::Value;

use crate::util::Books;

#[test]
fn invoice_with_two_lines_terms_and_percent_discount_has_exact_totals() {
    let b = Books::new();
    b.add_client("Acme Studio");
    let inv = b.ok(
        "invoice create --client 'Acme Studio' --currency EUR --issue-date 2026-11-21 \
         --terms 30 --line 'Design;3;150.50;20%' --line 'Hosting;1;9.99' --discount 10%",
    );
    assert_eq!(inv["number"], "INV-2026-0001");
    assert_eq!(inv["status"], "draft");
    assert_eq!(inv["dueDate"], "2026-12-21");
    assert_eq!(inv["paymentTermsDays"], 30);
    let t = &inv["totals"];
    assert_eq!(t["subtotal"], "461.49");
    assert_eq!(t["discount"], "46.15");
    assert_eq!(t["tax"], "81.27");
    assert_eq!(t["total"], "496.61");
    assert_eq!(t["lines"][0]["net"], "451.50");
    assert_eq!(t["lines"][1]["net"], "9.99");

    let shown = b.run("invoice show INV-2026-0001");
    assert_eq!(shown.code, 0);
    for text in [
        "Design",
        "150.50",
        "451.50",
        "Discount (10%)",
        "-46.15",
        "496.61",
    ] {
        assert!(
            shown.stdout.contains(text),
            "{text} missing from:\n{}",
            shown.stdout
        );
    }
}

#[test]
fn amount_discount_and_settings_defaults_apply() {
    let b = Books::new();
    b.add_client("Acme");
    let inv = b.ok("invoice create --client Acme --line 'Work;2;50' --discount 25.00");
    let settings = b.ok("settings");
    assert_eq!(inv["currency"], settings["defaultCurrency"]);
    assert_eq!(inv["paymentTermsDays"], settings["defaultPaymentTermsDays"]);
    assert_eq!(inv["discount"]["kind"], "amount");
    assert_eq!(inv["totals"]["total"], "75.00");
}

#[test]
fn invoice_list_filters_by_status_and_searches_client_name() {
    let b = Books::new();
    b.add_client("Acme Studio");
    b.add_client("Globex Corp");
    b.add_invoice("Acme Studio", "A;1;10");
    let voided = b.add_invoice("Acme Studio", "B;1;20");
    b.add_invoice("Globex Corp", "C;1;30");
    b.ok(&format!(
        "invoice void {}",
        voided["number"].as_str().unwrap()
    ));

    assert_eq!(b.ok("invoice list --status draft")["total"], 2);
    let voids = b.ok("invoice list --status void");
    assert_eq!(voids["total"], 1);
    assert_eq!(voids["items"][0]["number"], voided["number"]);

    let globex = b.ok("invoice list --search globex");
    assert_eq!(globex["total"], 1);
    assert_eq!(globex["items"][0]["clientName"], "Globex Corp");
    assert_eq!(
        b.ok("invoice list --search Acme --status draft")["total"],
        1
    );

    let page = b.ok("invoice list --sort total --desc --limit 2");
    assert_eq!(page["total"], 3);
    let totals: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["total"].as_str().unwrap())
        .collect();
    assert_eq!(totals, ["30.00", "20.00"]);
    let human = b.run("invoice list --limit 2");
    assert!(human.stdout.contains("2 of 3 invoices"), "{}", human.stdout);

    b.fails("invoice list --status lost", 3);
    b.fails("invoice list --limit 0", 3);
    b.fails("invoice list --sort colour", 2);
}

#[test]
fn invoice_edit_replaces_lines_and_keeps_the_rest() {
    let b = Books::new();
    b.add_client("Acme");
    b.add_client("Globex");
    b.ok(
        "invoice create --client Acme --currency EUR --issue-date 2026-11-21 --terms 30 \
         --line 'A;1;10' --line 'B;1;20' --notes 'keep me'",
    );
    let edited = b.ok("invoice edit INV-2026-0001 --line 'C;2;100;10' --issue-date 2026-11-01");
    assert_eq!(edited["number"], "INV-2026-0001");
    assert_eq!(edited["lines"].as_array().unwrap().len(), 1);
    assert_eq!(edited["lines"][0]["description"], "C");
    assert_eq!(edited["notes"], "keep me");
    assert_eq!(edited["currency"], "EUR");
    // The payment terms stay, so the due date follows the new issue date.
    assert_eq!(edited["dueDate"], "2026-12-01");
    assert_eq!(edited["totals"]["total"], "220.00");

    let moved = b.ok("invoice edit INV-2026-0001 --client Globex --due-date 2026-11-15");
    assert_eq!(moved["clientName"], "Globex");
    assert_eq!(moved["dueDate"], "2026-11-15");
    assert_eq!(moved["paymentTermsDays"], Value::Null);
    assert_eq!(moved["lines"][0]["description"], "C");

    let run = b.fails("--json invoice edit INV-2026-0001 --number X-1", 5);
    assert_eq!(run.error_json()["field"], "number");
}

#[test]
fn duplicate_takes_the_next_number_in_sequence() {
    let b = Books::new();
    b.add_client("Acme");
    b.add_invoice("Acme", "A;1;10");
    b.add_invoice("Acme", "B;1;20");
    let copy = b.ok("invoice duplicate INV-2026-0001");
    // A copy is issued today: the next number in today's year (2026 holds two already).
    let year = &copy["issueDate"].as_str().unwrap()[..4];
    let next = if year == "2026" { 3 } else { 1 };
    assert_eq!(copy["number"], format!("INV-{year}-{next:04}"));
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["lines"][0]["description"], "A");
    assert_eq!(copy["totals"]["total"], "10.00");
    b.fails("invoice duplicate INV-404", 4);
}

#[test]
fn void_keeps_the_number_and_a_second_void_is_a_conflict() {
    let b = Books::new();
    b.add_client("Acme");
    let inv = b.add_invoice("Acme", "A;1;10");
    let voided = b.ok(&format!("invoice void {}", inv["id"].as_str().unwrap()));
    assert_eq!(voided["number"], "INV-2026-0001");
    assert_eq!(voided["status"], "void");
    assert!(voided["voidedAt"].is_string());
    let again = b.fails("--json invoice void INV-2026-0001", 5);
    assert_eq!(again.error_json()["code"], "conflict");
    b.fails("invoice edit INV-2026-0001 --notes x", 5);
    // The voided number is never handed out again.
    assert_eq!(b.add_invoice("Acme", "B;1;10")["number"], "INV-2026-0002");
}

#[test]
fn new_invoices_follow_a_changed_numbering_pattern() {
    let b = Books::new();
    b.add_client("Acme");
    b.add_invoice("Acme", "A;1;10");
    let s = b.ok("settings set --numbering-pattern PD-{YY}{MM}-{SEQ:3} --terms 14");
    assert_eq!(s["numberingPattern"], "PD-{YY}{MM}-{SEQ:3}");
    assert_eq!(s["defaultPaymentTermsDays"], 14);
    assert_eq!(b.add_invoice("Acme", "B;1;10")["number"], "PD-2611-001");
    assert_eq!(b.add_invoice("Acme", "C;1;10")["number"], "PD-2611-002");
    let run = b.fails("settings set --numbering-pattern INV-{YYYY}", 3);
    assert!(
        run.stderr.starts_with("error: numberingPattern: "),
        "{}",
        run.stderr
    );
}

#[test]
fn a_used_number_is_a_conflict_naming_number() {
    let b = Books::new();
    b.add_client("Acme");
    b.add_invoice("Acme", "A;1;10");
    let before = b.snapshot();
    let run = b.fails(
        "--json invoice create --client Acme --line 'B;1;10' --number INV-2026-0001",
        5,
    );
    let err = run.error_json();
    assert_eq!(err["code"], "conflict");
    assert_eq!(err["field"], "number");
    assert!(err["message"].as_str().unwrap().starts_with("number: "));
    assert_eq!(b.snapshot(), before);
}

#[test]
fn invoices_are_found_by_number_or_id_and_unknown_ones_exit_4() {
    let b = Books::new();
    b.add_client("Acme");
    let inv = b.add_invoice("Acme", "A;1;10");
    let by_id = b.ok(&format!("invoice show {}", inv["id"].as_str().unwrap()));
    assert_eq!(by_id, b.ok("invoice show INV-2026-0001"));
    let run = b.fails("--json invoice show INV-404", 4);
    assert_eq!(run.error_json()["code"], "not_found");
    b.fails("invoice void INV-404", 4);
}

#[test]
fn invoice_pdf_writes_a_real_pdf_with_the_number_in_its_text() {
    let b = Books::new();
    b.add_client("Acme Studio");
    b.add_invoice("Acme Studio", "Design;3;150.50;20%");
    let path = b.path().join("INV-1.pdf");
    let saved = b.ok(&format!(
        "invoice pdf INV-2026-0001 -o '{}' --paper letter",
        path.display()
    ));
    assert_eq!(saved["path"], path.display().to_string());
    assert_eq!(saved["pages"], 1);
    let bytes = std::fs::read(&path).expect("the PDF");
    assert_eq!(saved["bytes"], bytes.len());
    assert!(bytes.starts_with(b"%PDF-"));

    let human = b.run(&format!(
        "invoice pdf INV-2026-0001 -o '{}'",
        path.display()
    ));
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert_eq!(human.stdout.trim(), path.display().to_string());

    let bad = b.fails("invoice pdf INV-2026-0001 -o out.pdf --paper legal", 2);
    assert!(bad.stderr.contains("legal"), "{}", bad.stderr);

    match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("INV-2026-0001"), "{text}");
            assert!(text.contains("Acme Studio"), "{text}");
            assert!(text.contains("541.80"), "{text}");
        }
        Err(_) => eprintln!("SKIPPED the text check: pdftotext is not installed (poppler-utils)"),
    }
}
