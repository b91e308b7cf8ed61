//! What every command gets: the [`Io`], the output format, and the engine, opened on first use
//! so a command whose own input is bad fails before it touches the data folder.

use std::io::Write;
use std::path::PathBuf;

use paydesk_core::{app, Paydesk};
use serde::Serialize;

use crate::exit::Failure;
use crate::Io;

/// One run's state.
pub(crate) struct Ctx<'io, 'a> {
    pub io: &'io mut Io<'a>,
    pub json: bool,
    data_dir: Option<PathBuf>,
    app: Option<Paydesk>,
}

impl<'io, 'a> Ctx<'io, 'a> {
    pub fn new(io: &'io mut Io<'a>, json: bool, data_dir: Option<PathBuf>) -> Self {
        Ctx {
            io,
            json,
            data_dir: data_dir.filter(|d| !d.as_os_str().is_empty()),
            app: None,
        }
    }

    /// The engine on the data folder (`--data-dir`, `$PAYDESK_DATA_DIR`, or the platform's).
    pub fn app(&mut self) -> Result<&mut Paydesk, paydesk_core::Error> {
        let app = match self.app.take() {
            Some(app) => app,
            None => {
                let dir = app::resolve_data_dir(self.data_dir.as_deref())?;
                Paydesk::open(&dir, self.io.secrets.clone())?
            }
        };
        Ok(self.app.insert(app))
    }

    /// Print `value` as JSON with `--json`, else as `human` writes it.
    pub fn emit<T: Serialize>(
        &mut self,
        value: &T,
        human: impl FnOnce(&mut dyn Write, &T) -> std::io::Result<()>,
    ) -> Result<(), Failure> {
        let out = &mut *self.io.stdout;
        if self.json {
            serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
            writeln!(out)?;
        } else {
            human(out, value)?;
        }
        out.flush()?;
        Ok(())
    }
}
