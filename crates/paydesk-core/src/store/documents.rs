//! Settings of invoice documents: where the business logo lives.

use super::settings::{get_json, put_json};
use super::Store;
use crate::error::Result;

const LOGO_PATH: &str = "document_logo_path";

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
}
