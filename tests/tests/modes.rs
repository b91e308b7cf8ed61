//! Test mode and live mode keep separate database files (and so separate books and numbers).

use paydesk_core::app::database_path;
use paydesk_core::Mode;

use crate::util::Books;

#[test]
fn test_and_live_mode_keep_separate_database_files() {
    let b = Books::new();
    let (test_db, live_db) = (
        database_path(b.path(), Mode::Test),
        database_path(b.path(), Mode::Live),
    );
    assert_ne!(test_db, live_db);

    b.cli_json("client add --name 'Sandbox Client'");
    let inv = b.cli_json(
        "invoice create --client 'Sandbox Client' --issue-date 2026-11-21 --line Trial;1;1",
    );
    assert_eq!(inv["number"], "INV-2026-0001");
    assert!(test_db.exists());
    assert!(
        !live_db.exists(),
        "live database created before live mode was chosen"
    );

    let live = b.cli_json("settings mode live");
    assert_eq!(live["mode"], "live");
    assert_eq!(live["databasePath"], live_db.display().to_string());
    assert!(live_db.exists());
    assert_eq!(b.cli_json("invoice list")["total"], 0);
    assert_eq!(b.cli_json("client list"), serde_json::json!([]));

    // The choice is saved: the core opens in live mode too, and live numbering starts afresh.
    let mut core = b.core();
    assert_eq!(core.mode(), Mode::Live);
    assert_eq!(core.list_clients(None).unwrap().len(), 0);
    b.cli_json("client add --name 'Real Client'");
    let real = b.cli_json(
        "invoice create --client 'Real Client' --issue-date 2026-11-21 --line Work;1;100",
    );
    assert_eq!(real["number"], "INV-2026-0001");

    assert_eq!(b.cli_json("settings mode test")["mode"], "test");
    let page = b.cli_json("invoice list");
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["clientName"], "Sandbox Client");
    assert_eq!(b.core().mode(), Mode::Test);
}
