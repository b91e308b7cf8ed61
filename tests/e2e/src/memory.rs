//! Resident memory of the app and the WebKit processes it spawned, read from `/proc` (Linux).
//!
//! RSS counts shared libraries (Mesa, WebKit) fully in every process; PSS divides shared pages
//! among the processes mapping them, so the PSS total is the honest "what the app costs" number.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

/// Resident memory of one process, in KiB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessMemory {
    /// Process id.
    pub pid: u32,
    /// Executable name (`paydesk-desktop`, `WebKitWebProcess`, `WebKitNetworkProcess`, ...).
    pub name: String,
    /// Resident set size.
    pub rss_kib: u64,
    /// Proportional set size.
    pub pss_kib: u64,
}

/// Every live process below `root` (children, grandchildren, ...), excluding `root` itself.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for pid in all_pids() {
        if let Some(parent) = parent_of(pid) {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut found = Vec::new();
    let mut queue = vec![root];
    while let Some(pid) = queue.pop() {
        if let Some(kids) = children.get(&pid) {
            for &kid in kids {
                found.push(kid);
                queue.push(kid);
            }
        }
    }
    found.sort_unstable();
    found
}

/// The first process below `root` whose executable is called `name`.
pub fn find_descendant(root: u32, name: &str) -> Option<u32> {
    descendants(root)
        .into_iter()
        .find(|&pid| process_name(pid).as_deref() == Some(name))
}

/// Memory of `app` and of every process below it (WebKit's web and network processes, and the
/// sandbox helpers between them), app first.
pub fn app_and_helpers(app: u32) -> Result<Vec<ProcessMemory>> {
    let mut result = vec![read(app).with_context(|| format!("reading memory of pid {app}"))?];
    for pid in descendants(app) {
        // A helper may exit between the scan and the read; it then costs nothing.
        if let Ok(memory) = read(pid) {
            result.push(memory);
        }
    }
    Ok(result)
}

/// RSS and PSS of one process from `/proc/<pid>/smaps_rollup`.
pub fn read(pid: u32) -> Result<ProcessMemory> {
    let rollup = fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))?;
    let field = |key: &str| -> u64 {
        rollup
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    Ok(ProcessMemory {
        pid,
        name: process_name(pid).unwrap_or_else(|| format!("pid {pid}")),
        rss_kib: field("Rss:"),
        pss_kib: field("Pss:"),
    })
}

/// The executable name of `pid`: the file name of `argv[0]`, else the kernel's `comm`.
pub fn process_name(pid: u32) -> Option<String> {
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let argv0 = cmdline.split(|&b| b == 0).next().unwrap_or_default();
    let from_argv = Path::new(std::str::from_utf8(argv0).ok()?)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    match from_argv {
        Some(name) if !name.is_empty() => Some(name),
        _ => fs::read_to_string(format!("/proc/{pid}/comm"))
            .ok()
            .map(|c| c.trim().to_string()),
    }
}

fn all_pids() -> Vec<u32> {
    fs::read_dir("/proc")
        .map(|dir| {
            dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The parent pid from `/proc/<pid>/stat` (the field after the parenthesised command name,
/// which may itself contain spaces and parentheses).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace();
    let _state = fields.next()?;
    fields.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_memory_and_parent() {
        let me = std::process::id();
        let memory = read(me).unwrap();
        assert!(memory.rss_kib > 0 && memory.pss_kib > 0);
        let parent = parent_of(me).unwrap();
        assert!(descendants(parent).contains(&me));
    }
}
