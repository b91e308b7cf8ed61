//! Human output: aligned tables and `label: value` blocks. JSON output needs no help here: it is
//! the engine's own serialization (see `Ctx::emit`).

use std::io::{self, Write};

/// Widest a table cell gets before it is cut with `…`.
const MAX_CELL: usize = 40;

/// A left-aligned text table with a header row; columns listed in `right` align right.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    right: Vec<usize>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
            right: Vec::new(),
        }
    }

    /// Align column `index` to the right (amounts).
    pub fn align_right(mut self, index: usize) -> Self {
        self.right.push(index);
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.into_iter().map(|c| cell(&c)).collect());
    }

    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, c) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(c.chars().count());
                }
            }
        }
        let headers: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        self.write_row(out, &headers, &widths)?;
        for row in &self.rows {
            self.write_row(out, row, &widths)?;
        }
        Ok(())
    }

    fn write_row(&self, out: &mut dyn Write, row: &[String], widths: &[usize]) -> io::Result<()> {
        let mut line = String::new();
        for (i, width) in widths.iter().enumerate() {
            let text = row.get(i).map(String::as_str).unwrap_or("");
            let pad = width.saturating_sub(text.chars().count());
            if i > 0 {
                line.push_str("  ");
            }
            if self.right.contains(&i) {
                line.push_str(&" ".repeat(pad));
                line.push_str(text);
            } else {
                line.push_str(text);
                line.push_str(&" ".repeat(pad));
            }
        }
        writeln!(out, "{}", line.trim_end())
    }
}

/// One line of a cell: newlines and tabs become spaces, long text is cut with `…`.
fn cell(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > MAX_CELL {
        flat.chars().take(MAX_CELL - 1).collect::<String>() + "…"
    } else {
        flat
    }
}

/// `label:` padded to `width`, then the value (or `-` when empty).
pub fn field(out: &mut dyn Write, width: usize, label: &str, value: &str) -> io::Result<()> {
    let value = if value.is_empty() { "-" } else { value };
    writeln!(out, "{:<width$} {}", format!("{label}:"), value)
}

/// A titled block of free text (notes, terms), indented; nothing when empty.
pub fn text_block(out: &mut dyn Write, title: &str, text: &str) -> io::Result<()> {
    if text.trim().is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{title}:")?;
    for line in text.lines() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_amounts_go_right() {
        let mut t = Table::new(&["Number", "Total"]).align_right(1);
        t.row(vec!["INV-1".into(), "5.00".into()]);
        t.row(vec!["INV-2026-0001".into(), "1250.00".into()]);
        let mut out = Vec::new();
        t.write(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Number           Total\nINV-1             5.00\nINV-2026-0001  1250.00\n"
        );
    }

    #[test]
    fn long_and_multiline_cells_are_cut_to_one_line() {
        let c = cell(&format!("a\nb{}", "x".repeat(100)));
        assert!(!c.contains('\n'));
        assert_eq!(c.chars().count(), MAX_CELL);
        assert!(c.ends_with('…'));
    }
}
