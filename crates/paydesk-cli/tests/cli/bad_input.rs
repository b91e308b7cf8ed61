//! Bad input exits 3, names the field (or the flag) in one line, and writes nothing.

use crate::util::Books;

/// `rejects!(name, field, "command line")`: in books holding one client (`Acme`) and one
/// invoice (`INV-2026-0001`), the command exits 3, its one error line names `field`, the
/// `--json` error carries it, and the books are unchanged.
macro_rules! rejects {
    ($name:ident, $field:expr, $line:expr) => {
        #[test]
        fn $name() {
            let b = Books::new();
            b.add_client("Acme");
            b.add_invoice("Acme", "A;1;10");
            let before = b.snapshot();

            let run = b.fails($line, 3);
            let line = run.stderr.trim_end();
            assert!(line.starts_with(&format!("error: {}: ", $field)), "{line}");
            assert_eq!(line.lines().count(), 1, "{line}");
            assert_eq!(b.snapshot(), before, "something was written");

            let err = b.fails(&format!("--json {}", $line), 3).error_json();
            assert_eq!(err["code"], "invalid_input");
            assert_eq!(err["field"], $field);
            assert_eq!(b.snapshot(), before, "something was written");
        }
    };
}

rejects!(
    zero_quantity,
    "lines[0].quantity",
    "invoice create --client Acme --line 'Work;0;10'"
);
rejects!(
    negative_quantity,
    "lines[1].quantity",
    "invoice create --client Acme --line 'Ok;1;1' --line 'Work;-2;10'"
);
rejects!(
    price_with_more_decimals_than_the_currency,
    "lines[0].unitPrice",
    "invoice create --client Acme --currency EUR --line 'Work;1;10.005'"
);
rejects!(
    unknown_currency,
    "currency",
    "invoice create --client Acme --currency XYZ --line 'Work;1;10'"
);
rejects!(empty_client_name, "name", "client add --name '  '");
rejects!(
    malformed_due_date,
    "dueDate",
    "invoice create --client Acme --due-date 2026-02-30 --line 'Work;1;10'"
);
rejects!(
    terms_not_offered,
    "paymentTermsDays",
    "invoice create --client Acme --terms 45 --line 'Work;1;10'"
);
rejects!(
    malformed_line,
    "line",
    "invoice create --client Acme --line 'Work;1'"
);
rejects!(
    malformed_discount,
    "discount",
    "invoice create --client Acme --line 'Work;1;1' --discount %"
);
rejects!(
    discount_above_subtotal,
    "discount.value",
    "invoice create --client Acme --line 'Work;1;1' --discount 5"
);
rejects!(
    missing_notes_file,
    "notes-file",
    "invoice create --client Acme --line 'Work;1;1' --notes-file /nonexistent/notes.txt"
);
rejects!(
    bad_edit_leaves_the_invoice_alone,
    "lines[0].quantity",
    "invoice edit INV-2026-0001 --line 'Work;0;1'"
);
rejects!(
    from_json_that_is_not_json,
    "from-json",
    "invoice create --from-json /dev/null"
);
rejects!(
    missing_from_json_file,
    "from-json",
    "invoice create --from-json /nonexistent/invoice.json"
);

#[test]
fn ten_megabyte_description_from_json_is_rejected_and_nothing_written() {
    let b = Books::new();
    let client = b.add_client("Acme");
    let before = b.snapshot();
    let mut input = serde_json::json!({
        "clientId": client,
        "currency": "EUR",
        "issueDate": "2026-11-21",
        "paymentTermsDays": 30,
        "lines": [{"description": "x".repeat(10 * 1024 * 1024), "quantity": "1", "unitPrice": "1"}],
    });
    let file = b.path().join("big.json");
    std::fs::write(&file, serde_json::to_vec(&input).unwrap()).unwrap();
    let create = format!("invoice create --from-json '{}'", file.display());
    let run = b.fails(&create, 3);
    assert_eq!(
        run.stderr,
        "error: lines[0].description: must be at most 2000 characters\n"
    );
    assert_eq!(b.snapshot(), before);

    // The same file with a short description goes through: the JSON is the IPC shape.
    input["lines"][0]["description"] = "Design".into();
    std::fs::write(&file, serde_json::to_vec(&input).unwrap()).unwrap();
    assert_eq!(b.ok(&create)["totals"]["total"], "1.00");
}

#[test]
fn ten_megabyte_notes_file_is_rejected_and_nothing_written() {
    let b = Books::new();
    b.add_client("Acme");
    let before = b.snapshot();
    let file = b.path().join("notes.txt");
    std::fs::write(&file, "n".repeat(10 * 1024 * 1024)).unwrap();
    let path = file.display();
    let run = b.fails(
        &format!("invoice create --client Acme --line 'A;1;1' --notes-file '{path}'"),
        3,
    );
    assert_eq!(
        run.stderr,
        "error: notes: must be at most 10000 characters\n"
    );
    b.fails(
        &format!("client add --name Globex --notes-file '{path}'"),
        3,
    );
    assert_eq!(b.snapshot(), before);
}

#[test]
fn non_utf8_notes_file_is_rejected_and_nothing_written() {
    let b = Books::new();
    b.add_client("Acme");
    let before = b.snapshot();
    let file = b.path().join("latin1.txt");
    std::fs::write(&file, b"caf\xe9 cr\xe8me").unwrap();
    let path = file.display();
    let run = b.fails(
        &format!("invoice create --client Acme --line 'A;1;1' --notes-file '{path}'"),
        3,
    );
    assert_eq!(run.stderr, "error: notes-file: must be UTF-8 text\n");
    let run = b.fails(&format!("client edit Acme --notes-file '{path}'"), 3);
    assert_eq!(run.stderr, "error: notes-file: must be UTF-8 text\n");
    assert_eq!(b.snapshot(), before);
}

#[cfg(unix)]
#[test]
fn non_utf8_arguments_are_a_usage_error_not_a_panic() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let b = Books::new();
    let bad = OsStr::from_bytes(b"caf\xe9");
    let out = b
        .command()
        .args(["client", "add", "--name"])
        .arg(bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("UTF-8"));
    // A path flag takes any bytes; the missing file is bad input.
    let out = b
        .command()
        .args(["client", "add", "--name", "A", "--notes-file"])
        .arg(bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    assert_eq!(b.ok("client list"), serde_json::json!([]));
}
