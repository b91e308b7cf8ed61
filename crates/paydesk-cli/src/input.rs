//! Turning command-line text into engine inputs: `--line` and `--discount` shorthands, and text
//! or JSON read from files. Every failure is an `invalid_input` error naming the flag, raised
//! before anything is written. The values themselves are checked by the engine, not here.

use std::io::{BufRead, Read};
use std::path::Path;

use paydesk_core::money::DiscountKind;
use paydesk_core::{DiscountInput, Error, LineItemInput};
use serde::de::DeserializeOwned;

/// Largest file `--notes-file` or `--from-json` reads (the engine's own limits are far lower;
/// this only keeps a wrong path such as a disk image from being read into memory).
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// What `--line` expects, for messages and help.
pub const LINE_SHAPE: &str = "DESCRIPTION;QTY;UNIT_PRICE[;TAX%[;DISCOUNT%]]";

/// Parse one `--line` value (the `index`th, from 0). `\;` is a literal `;` and `\\` a backslash;
/// a trailing `%` on the tax and discount fields is optional.
pub fn parse_line(index: usize, text: &str) -> Result<LineItemInput, Error> {
    let fields = split_escaped(text);
    if !(3..=5).contains(&fields.len()) {
        return Err(Error::invalid(
            "line",
            format!(
                "--line #{} must look like \"{LINE_SHAPE}\" (found {} field{}; write \\; for a ; in the description)",
                index + 1,
                fields.len(),
                if fields.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    let percent = |i: usize| -> String {
        fields
            .get(i)
            .map(|f| f.trim().trim_end_matches('%').trim().to_string())
            .unwrap_or_default()
    };
    Ok(LineItemInput {
        description: fields[0].clone(),
        quantity: fields[1].trim().to_string(),
        unit_price: fields[2].trim().to_string(),
        tax_rate: percent(3),
        discount: percent(4),
    })
}

fn split_escaped(text: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next @ (';' | '\\')) => push(&mut fields, next),
                Some(other) => {
                    push(&mut fields, '\\');
                    push(&mut fields, other);
                }
                None => push(&mut fields, '\\'),
            },
            ';' => fields.push(String::new()),
            other => push(&mut fields, other),
        }
    }
    fields
}

fn push(fields: &mut [String], c: char) {
    if let Some(last) = fields.last_mut() {
        last.push(c);
    }
}

/// Parse `--discount`: `10%` is a percentage of the subtotal, `25.00` a fixed amount.
pub fn parse_discount(text: &str) -> Result<DiscountInput, Error> {
    let t = text.trim();
    let (kind, value) = match t.strip_suffix('%') {
        Some(p) => (DiscountKind::Percent, p.trim()),
        None => (DiscountKind::Amount, t),
    };
    if value.is_empty() {
        return Err(Error::invalid(
            "discount",
            "must be a percentage like 10% or an amount like 25.00",
        ));
    }
    Ok(DiscountInput {
        kind,
        value: value.to_string(),
    })
}

/// Read a whole file (or stdin for `-`) as UTF-8 text; `flag` names the option in errors.
pub fn read_text(flag: &str, path: &Path, stdin: &mut dyn BufRead) -> Result<String, Error> {
    let bytes = read_bytes(flag, path, stdin)?;
    String::from_utf8(bytes).map_err(|_| Error::invalid(flag, "must be UTF-8 text"))
}

/// Read and parse a JSON file (or stdin for `-`) into `T`; `flag` names the option in errors.
pub fn read_json<T: DeserializeOwned>(
    flag: &str,
    path: &Path,
    stdin: &mut dyn BufRead,
) -> Result<T, Error> {
    let text = read_text(flag, path, stdin)?;
    serde_json::from_str(&text).map_err(|e| {
        // serde quotes offending values, which may be megabytes long: keep the message short.
        let mut why = e.to_string();
        if why.chars().count() > 200 {
            why = why.chars().take(200).collect::<String>() + "…";
        }
        Error::invalid(flag, format!("is not valid JSON for this command: {why}"))
    })
}

fn read_bytes(flag: &str, path: &Path, stdin: &mut dyn BufRead) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        stdin.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| {
        Error::invalid(
            flag,
            format!("cannot read {}: {}", path.display(), plain_io_error(&e)),
        )
    })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::invalid(
            flag,
            format!(
                "{} is larger than {} MiB",
                path.display(),
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

fn plain_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a folder".into(),
        _ => e.to_string(),
    }
}

/// Resolve a text flag given either inline (`--notes`) or as a file (`--notes-file`).
pub fn text_or_file(
    inline: Option<String>,
    file: Option<&Path>,
    file_flag: &str,
    stdin: &mut dyn BufRead,
) -> Result<Option<String>, Error> {
    match (inline, file) {
        (Some(text), _) => Ok(Some(text)),
        (None, Some(path)) => read_text(file_flag, path, stdin).map(Some),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_with_three_to_five_fields() {
        let l = parse_line(0, "Design work;3;150.50;20%;5").unwrap();
        assert_eq!(
            (
                l.description.as_str(),
                l.quantity.as_str(),
                l.unit_price.as_str()
            ),
            ("Design work", "3", "150.50")
        );
        assert_eq!((l.tax_rate.as_str(), l.discount.as_str()), ("20", "5"));
        let l = parse_line(0, "Hosting;1;9").unwrap();
        assert_eq!((l.tax_rate.as_str(), l.discount.as_str()), ("", ""));
    }

    #[test]
    fn escaped_semicolons_stay_in_the_description() {
        let l = parse_line(0, r"A\;B \\ C;1;2").unwrap();
        assert_eq!(l.description, r"A;B \ C");
    }

    #[test]
    fn malformed_line_names_the_flag_and_position() {
        let e = parse_line(1, "Design;3").unwrap_err();
        assert_eq!(e.field(), Some("line"));
        assert!(e.to_string().contains("--line #2"), "{e}");
        assert!(parse_line(0, "a;1;2;3;4;5").is_err());
    }

    #[test]
    fn discount_percent_or_amount() {
        assert_eq!(parse_discount("10%").unwrap().kind, DiscountKind::Percent);
        let d = parse_discount(" 25.00 ").unwrap();
        assert_eq!((d.kind, d.value.as_str()), (DiscountKind::Amount, "25.00"));
        assert_eq!(parse_discount("%").unwrap_err().field(), Some("discount"));
    }

    #[test]
    fn non_utf8_file_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, [0x66, 0xff, 0xfe]).unwrap();
        let e = read_text("notes-file", &path, &mut &b""[..]).unwrap_err();
        assert_eq!(e.to_string(), "notes-file: must be UTF-8 text");
    }

    #[test]
    fn missing_file_names_the_flag() {
        let e = read_text("notes-file", Path::new("/nonexistent/x"), &mut &b""[..]).unwrap_err();
        assert_eq!(e.field(), Some("notes-file"));
        assert!(e.to_string().contains("no such file"), "{e}");
    }
}
