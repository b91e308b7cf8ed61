//! Settings of invoice documents: where the business logo lives, and the paper the last sent
//! invoice was printed on (kept copies are printed again on it).

use super::settings::{get_json, put_json};
use super::Store;
use crate::document::Paper;
use crate::error::Result;

const LOGO_PATH: &str = "document_logo_path";
const SENT_PAPER: &str = "document_sent_paper";

impl Store {
    /// The absolute path of the business logo, if one was chosen.
    pub fn logo_path(&mut self) -> Result<Option<String>> {
        self.read(|tx, _| get_json(tx, LOGO_PATH))
    }

    /// Remember (or, with `None`, forget) the logo's absolute path. The caller checks the file.
    pub fn set_logo_path(&mut self, path: Option<&str>) -> Result<()> {
        self.write(|tx, _| match path {
            Some(p) => put_json(tx, LOGO_PATH, &p),
            None => {
                tx.execute("DELETE FROM settings WHERE key = ?1", [LOGO_PATH])?;
                Ok(())
            }
        })
    }

    /// The paper of the last invoice sent (A4 before any was).
    pub fn sent_paper(&mut self) -> Result<Paper> {
        self.read(|tx, _| get_json(tx, SENT_PAPER))
            .map(Option::unwrap_or_default)
    }
}

/// Remember the paper an invoice is being sent on (inside the transaction that marks it sent).
pub(super) fn remember_sent_paper(tx: &rusqlite::Transaction<'_>, paper: Paper) -> Result<()> {
    put_json(tx, SENT_PAPER, &paper)
}
