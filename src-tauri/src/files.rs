//! Where the user picks files: the OS save and open dialogs, shown from Rust through
//! tauri-plugin-dialog (the webview never supplies a path to write or read). IPC tests put a
//! [`FixedPicker`] in their place; the real-window tests start the app with
//! `PAYDESK_E2E_FILES_DIR` set, which swaps the dialogs for a [`FolderPicker`] (WebDriver cannot
//! drive a native GTK dialog).

use std::path::{Path, PathBuf};
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

/// The environment variable that replaces the OS dialogs with a [`FolderPicker`] on that folder.
pub const E2E_FILES_DIR: &str = "PAYDESK_E2E_FILES_DIR";

/// Answers without asking, inside one folder (the real-window tests): a save goes to
/// `<folder>/<suggested name>`, an open takes the newest file there with the filter's extension.
#[derive(Debug)]
pub struct FolderPicker {
    dir: PathBuf,
}

impl FolderPicker {
    /// The picker `PAYDESK_E2E_FILES_DIR` asks for, if it is set to an existing folder.
    pub fn from_env() -> Option<FolderPicker> {
        let dir = PathBuf::from(std::env::var_os(E2E_FILES_DIR)?);
        dir.is_dir().then_some(FolderPicker { dir })
    }

    fn newest(&self, filter: Filter) -> Option<PathBuf> {
        let matches = |p: &Path| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| filter.extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
        };
        std::fs::read_dir(&self.dir)
            .ok()?
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.path())
            .filter(|p| p.is_file() && matches(p))
            .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
    }
}

impl FilePicker for FolderPicker {
    fn save(&self, _: &str, default_name: &str, _: Filter) -> Option<PathBuf> {
        Some(self.dir.join(default_name))
    }

    fn open(&self, _: &str, filter: Filter) -> Option<PathBuf> {
        self.newest(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKUP: Filter = Filter {
        name: "Backup",
        extensions: &["paydesk-backup"],
    };

    #[test]
    fn folder_picker_saves_by_name_and_opens_the_newest_match() {
        let dir = tempfile::tempdir().unwrap();
        let picker = FolderPicker {
            dir: dir.path().to_path_buf(),
        };
        assert_eq!(
            picker.save("Save", "INV-1.pdf", BACKUP),
            Some(dir.path().join("INV-1.pdf"))
        );
        assert_eq!(picker.open("Open", BACKUP), None);
        let old = dir.path().join("old.paydesk-backup");
        std::fs::write(&old, b"1").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"2").unwrap();
        let past = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(past)
            .unwrap();
        let new = dir.path().join("new.PAYDESK-BACKUP");
        std::fs::write(&new, b"3").unwrap();
        assert_eq!(picker.open("Open", BACKUP), Some(new));
    }
}
