//! Several writers on one data folder, each with its own connection, as the app, the CLI and a
//! second CLI would be.

use std::path::Path;
use std::sync::{Arc, Barrier};
use std::thread;

use paydesk_core::secrets::MemoryStore;
use paydesk_core::{InvoiceQuery, InvoiceSort, Paydesk};

use crate::util::{client, invoice};

fn open(dir: &Path) -> Paydesk {
    Paydesk::open(dir, Arc::new(MemoryStore::new())).expect("open the books")
}

#[test]
fn concurrent_writers_get_unique_gap_free_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let client_id = open(&dir).create_client(&client("Acme")).unwrap().id;

    let start = Arc::new(Barrier::new(2));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (dir, start, client_id) = (dir.clone(), start.clone(), client_id.clone());
            thread::spawn(move || {
                let mut app = open(&dir);
                start.wait();
                (0..50)
                    .map(|i| {
                        let input = invoice(&client_id, &format!("writer {w} item {i}"), "1");
                        app.create_invoice(&input).expect("create").number
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let per_writer: Vec<Vec<String>> = writers.into_iter().map(|h| h.join().unwrap()).collect();

    for numbers in &per_writer {
        assert_eq!(numbers.len(), 50);
        assert!(
            numbers.windows(2).all(|w| w[0] < w[1]),
            "one writer's numbers go up"
        );
    }
    let mut all: Vec<String> = per_writer.concat();
    all.sort();
    let expected: Vec<String> = (1..=100).map(|n| format!("INV-2026-{n:04}")).collect();
    assert_eq!(all, expected);

    let page = open(&dir)
        .list_invoices(&InvoiceQuery {
            sort: InvoiceSort::Number,
            limit: 500,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 100);
    let stored: Vec<String> = page.items.into_iter().map(|i| i.number).collect();
    assert_eq!(stored, expected);
}

#[test]
fn first_opens_of_a_new_data_folder_at_once_all_succeed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new-books");
    let n = 6;
    let start = Arc::new(Barrier::new(n));
    let openers: Vec<_> = (0..n)
        .map(|_| {
            let (dir, start) = (dir.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                let mut app = Paydesk::open(&dir, Arc::new(MemoryStore::new()))?;
                app.create_client(&client("Acme")).map(|_| ())
            })
        })
        .collect();
    for h in openers {
        h.join()
            .unwrap()
            .expect("every concurrent first open works");
    }
    assert_eq!(open(&dir).list_clients(None).unwrap().len(), n);
}
