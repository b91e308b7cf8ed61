//! Managed state: the engine behind a mutex, and the one way commands reach it — on a blocking
//! worker thread, never on the UI or async runtime threads.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use paydesk_core::secrets::{KeychainStore, SecretStore};
use paydesk_core::{app, Paydesk};

use crate::error::{IpcError, IpcResult};

/// The engine, or why it could not be opened (the UI shows the reason).
pub struct AppState {
    engine: Arc<Mutex<Result<Paydesk, IpcError>>>,
}

impl AppState {
    /// Open the data folder (from `PAYDESK_DATA_DIR` or the platform app-data folder) with the
    /// OS keychain (namespace from `PAYDESK_KEYCHAIN_SERVICE` or the app identifier).
    pub fn open_default() -> AppState {
        let secrets: Arc<dyn SecretStore> = Arc::new(KeychainStore::new(app::keychain_service()));
        let engine = app::resolve_data_dir(None).and_then(|dir| Self::open_dir(dir, secrets));
        if let Err(e) = &engine {
            tracing::error!(error = %e, "cannot open the Paydesk data folder");
        }
        AppState {
            engine: Arc::new(Mutex::new(engine.map_err(IpcError::from))),
        }
    }

    fn open_dir(dir: PathBuf, secrets: Arc<dyn SecretStore>) -> paydesk_core::Result<Paydesk> {
        let engine = Paydesk::open(&dir, secrets)?;
        tracing::info!(data_dir = %dir.display(), mode = engine.mode().as_str(), "opened data folder");
        Ok(engine)
    }

    /// State around an engine opened elsewhere (tests).
    pub fn new(engine: Paydesk) -> AppState {
        AppState {
            engine: Arc::new(Mutex::new(Ok(engine))),
        }
    }

    /// Run `f` with the engine on a blocking worker thread.
    pub async fn run<T, F>(&self, f: F) -> IpcResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Paydesk) -> paydesk_core::Result<T> + Send + 'static,
    {
        let engine = Arc::clone(&self.engine);
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = engine
                .lock()
                .map_err(|_| IpcError::internal("the engine lock was poisoned; restart Paydesk"))?;
            match guard.as_mut() {
                Ok(engine) => f(engine).map_err(IpcError::from),
                Err(open_error) => Err(open_error.clone()),
            }
        })
        .await
        .map_err(|e| IpcError::internal(format!("the engine worker failed: {e}")))?
    }
}
