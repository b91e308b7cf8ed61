//! `paydesk client ...`

use crate::util::Books;

#[test]
fn client_add_list_show_round_trip() {
    let b = Books::new();
    let added = b.ok(
        "client add --name 'Acme Studio' --email ana@acme.io --address '1 Main St, Springfield' \
         --tax-id FR123 --notes 'pays fast'",
    );
    let id = added["id"].as_str().unwrap();
    assert_eq!(added["name"], "Acme Studio");
    assert_eq!(added["taxId"], "FR123");

    let list = b.ok("client list");
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["email"], "ana@acme.io");
    assert_eq!(list[0]["invoiceCount"], 0);

    let shown = b.ok(&format!("client show {id}"));
    assert_eq!(shown, added);
    assert_eq!(b.ok("client show 'Acme Studio'")["id"], id);
    assert_eq!(b.ok("client show 'acme studio'")["id"], id);
    assert_eq!(
        b.ok("client list --search acme").as_array().unwrap().len(),
        1
    );
    assert_eq!(
        b.ok("client list --search zzz").as_array().unwrap().len(),
        0
    );

    let human = b.run("client list");
    assert_eq!(human.code, 0);
    assert!(human.stdout.contains("Acme Studio") && human.stdout.contains("1 client"));
    let human = b.run(&format!("client show {id}"));
    assert!(human.stdout.contains("pays fast"), "{}", human.stdout);
}

#[test]
fn client_edit_keeps_fields_not_given() {
    let b = Books::new();
    let id = b.add_client("Acme");
    b.ok(&format!(
        "client edit {id} --email billing@acme.io --notes 'net 30'"
    ));
    let edited = b.ok("client edit Acme --name 'Acme Ltd'");
    assert_eq!(edited["name"], "Acme Ltd");
    assert_eq!(edited["email"], "billing@acme.io");
    assert_eq!(edited["notes"], "net 30");
}

#[test]
fn a_name_shared_by_two_clients_needs_the_id() {
    let b = Books::new();
    b.add_client("Acme");
    b.add_client("Acme");
    let run = b.fails("client show Acme", 3);
    assert!(run.stderr.contains("give the client id"), "{}", run.stderr);
}

#[test]
fn unknown_clients_exit_4() {
    let b = Books::new();
    b.fails("client show nobody", 4);
    b.fails("client edit nobody --email a@b.io", 4);
    b.fails("invoice create --client nobody --line 'A;1;1'", 4);
}
