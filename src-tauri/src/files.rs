//! Where the user picks files: the OS save and open dialogs, shown from Rust through
//! tauri-plugin-dialog (the webview never supplies a path to write or read). Tests put a
//! [`FixedPicker`] in their place.

use std::path::PathBuf;
use std::sync::Mutex;

use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// A kind of file, for the dialog's filter.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    pub name: &'static str,
    pub extensions: &'static [&'static str],
}

/// Asks the user for a file. Blocking: call it off the async workers.
pub trait FilePicker: Send + Sync {
    /// Where to save `default_name`; `None` when the user cancelled.
    fn save(&self, title: &str, default_name: &str, filter: Filter) -> Option<PathBuf>;
    /// Which file to open; `None` when the user cancelled.
    fn open(&self, title: &str, filter: Filter) -> Option<PathBuf>;
}

/// The OS dialogs.
pub struct DialogPicker<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> FilePicker for DialogPicker<R> {
    fn save(&self, title: &str, default_name: &str, filter: Filter) -> Option<PathBuf> {
        self.0
            .dialog()
            .file()
            .set_title(title)
            .set_file_name(default_name)
            .add_filter(filter.name, filter.extensions)
            .blocking_save_file()
            .and_then(|p| p.into_path().ok())
    }

    fn open(&self, title: &str, filter: Filter) -> Option<PathBuf> {
        self.0
            .dialog()
            .file()
            .set_title(title)
            .add_filter(filter.name, filter.extensions)
            .blocking_pick_file()
            .and_then(|p| p.into_path().ok())
    }
}

/// Answers with paths set in advance (tests): each is used once.
#[derive(Debug, Default)]
pub struct FixedPicker {
    pub saves: Mutex<Vec<PathBuf>>,
    pub opens: Mutex<Vec<PathBuf>>,
}

impl FilePicker for FixedPicker {
    fn save(&self, _: &str, _: &str, _: Filter) -> Option<PathBuf> {
        self.saves.lock().ok()?.pop()
    }

    fn open(&self, _: &str, _: Filter) -> Option<PathBuf> {
        self.opens.lock().ok()?.pop()
    }
}
