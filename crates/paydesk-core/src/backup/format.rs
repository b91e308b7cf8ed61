//! The backup file format: the header, the payload inside, and reading and writing whole files
//! as streams (the chunk encryption itself is [`super::stream`]'s).
//!
//! **Version 2** (written by this build) is encrypted in chunks, so neither writing nor reading
//! holds more than one chunk of the database in memory:
//!
//! ```text
//! offset  size  field
//!      0    14  magic "PAYDESK-BACKUP"
//!     14     2  format version, u16 little-endian (2)
//!     16     1  KDF: 1 = Argon2id v1.3
//!     17     4  Argon2 memory cost in KiB, u32 LE
//!     21     4  Argon2 passes, u32 LE
//!     25     4  Argon2 lanes, u32 LE
//!     29    16  salt
//!     45    19  STREAM nonce prefix (XChaCha20-Poly1305, `aead::stream` BE32)
//!     64     4  chunk size: plaintext bytes per chunk, u32 LE (65536)
//!     68     …  chunks: each `chunk size` bytes of ciphertext and a 16-byte Poly1305 tag; the
//!               last one (sealed with STREAM's "last" flag) is shorter or equally long
//! ```
//!
//! Bytes 0..68 (the header) are the associated data of every chunk: changing any header field
//! breaks the first chunk's tag. A cut, extended, reordered or changed chunk stream fails a tag.
//!
//! **Version 1** (still read, no longer written) is one AEAD message:
//!
//! ```text
//!  0..45   as above, with version 1
//!     45    24  XChaCha20-Poly1305 nonce
//!     69     …  ciphertext, then the 16-byte Poly1305 tag (bytes 0..69 are the associated data)
//! ```
//!
//! Both versions encrypt the same plaintext payload:
//!
//! ```text
//! u32 LE manifest length | manifest JSON | u32 LE secrets length | secrets JSON | SQLite file
//! ```
//!
//! The secrets JSON maps keychain slugs to values (`{}` when secrets were not included). The
//! manifest's `payloadSha256` covers everything after the manifest and `databaseBytes` is the
//! SQLite file's length; a reader checks both at the end, before anything is replaced.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::secrets::Secret;

use super::crypto::{self, KdfParams, NONCE_LEN, SALT_LEN, TAG_LEN};
use super::stream::{self, ChunkReader, ChunkWriter, NONCE_PREFIX_LEN};
use super::{not_openable, Manifest};

/// The first bytes of every backup file.
pub const MAGIC: &[u8; 14] = b"PAYDESK-BACKUP";
/// The newest format this build reads and the one it writes.
pub const FORMAT_VERSION: u16 = 2;
/// Header length of format 2.
pub const HEADER_LEN: usize = PREFIX_LEN + NONCE_PREFIX_LEN + 4;
/// Header length of format 1.
pub const HEADER_LEN_V1: usize = PREFIX_LEN + NONCE_LEN;

/// Magic, version, KDF id and parameters, salt: what both versions start with.
const PREFIX_LEN: usize = 14 + 2 + 1 + 12 + SALT_LEN;
const KDF_ARGON2ID: u8 = 1;
/// Largest manifest a reader accepts (it is a few hundred bytes).
const MAX_MANIFEST_LEN: usize = 1024 * 1024;
/// Largest secrets section a reader accepts.
const MAX_SECRETS_LEN: usize = 16 * 1024 * 1024;

/// What a backup says once decrypted and checked (the database went to the caller's sink).
pub struct OpenedBackup {
    /// What the backup says about itself.
    pub manifest: Manifest,
    /// Keychain slug → value (empty unless secrets were included).
    pub secrets: BTreeMap<String, Secret>,
}

impl std::fmt::Debug for OpenedBackup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedBackup")
            .field("manifest", &self.manifest)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// How the payload of a file is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealing {
    /// Format 1: one XChaCha20-Poly1305 message.
    Whole { nonce: [u8; NONCE_LEN] },
    /// Format 2: STREAM chunks.
    Chunked {
        nonce_prefix: [u8; NONCE_PREFIX_LEN],
        chunk_size: u32,
    },
}

/// The header fields, checked before any key is derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub format_version: u16,
    pub kdf: KdfParams,
    pub salt: [u8; SALT_LEN],
    pub sealing: Sealing,
    /// The header as it is in the file: the associated data.
    pub bytes: Vec<u8>,
}

fn cut() -> Error {
    Error::invalid(
        "backup",
        "the file is cut short: the passphrase is wrong or the file was changed or cut",
    )
}

fn damaged() -> Error {
    Error::invalid("backup", "the decrypted payload is damaged")
}

fn read_error(e: io::Error) -> Error {
    if stream::is_auth_failure(&e) {
        not_openable()
    } else {
        Error::io("cannot read the backup", e)
    }
}

/// Read into `buf` until it is full or the input ends; how many bytes were read.
fn read_up_to(input: &mut (impl Read + ?Sized), buf: &mut [u8]) -> Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_error(e)),
        }
    }
    Ok(got)
}

/// Read the header at the start of `file`: refuses other files, newer formats and cut files.
/// `file` is left just after the header.
pub fn read_header(file: &mut impl Read) -> Result<Header> {
    let mut bytes = vec![0u8; 16];
    let got = read_up_to(file, &mut bytes)?;
    if got < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(Error::invalid("backup", "is not a Paydesk backup file"));
    }
    if got < 16 {
        return Err(cut());
    }
    let version = u16::from_le_bytes([bytes[14], bytes[15]]);
    if version > FORMAT_VERSION {
        return Err(newer_format(version));
    }
    let len = match version {
        1 => HEADER_LEN_V1,
        2 => HEADER_LEN,
        _ => return Err(not_openable()),
    };
    bytes.resize(len, 0);
    if read_up_to(file, &mut bytes[16..])? < len - 16 {
        return Err(cut());
    }
    if bytes[16] != KDF_ARGON2ID {
        return Err(not_openable());
    }
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let sealing = if version == 1 {
        Sealing::Whole {
            nonce: bytes[PREFIX_LEN..].try_into().expect("nonce"),
        }
    } else {
        let chunk_size = u32_at(PREFIX_LEN + NONCE_PREFIX_LEN);
        if !stream::chunk_size_ok(chunk_size) {
            return Err(not_openable());
        }
        Sealing::Chunked {
            nonce_prefix: bytes[PREFIX_LEN..PREFIX_LEN + NONCE_PREFIX_LEN]
                .try_into()
                .expect("nonce prefix"),
            chunk_size,
        }
    };
    Ok(Header {
        format_version: version,
        kdf: KdfParams {
            m_cost_kib: u32_at(17),
            t_cost: u32_at(21),
            p_cost: u32_at(25),
        },
        salt: bytes[29..29 + SALT_LEN].try_into().expect("salt"),
        sealing,
        bytes,
    })
}

/// Read the header of `file`, derive the key and return the decrypted payload as a stream.
/// Format 2 is decrypted chunk by chunk as it is read; format 1 (one AEAD message) is
/// decrypted whole here.
pub fn open_payload<'a>(
    mut file: impl Read + 'a,
    passphrase: &Secret,
) -> Result<Box<dyn Read + 'a>> {
    let header = read_header(&mut file)?;
    let key = header.kdf.derive(passphrase, &header.salt)?;
    match header.sealing {
        Sealing::Whole { nonce } => {
            let mut sealed = Vec::new();
            file.read_to_end(&mut sealed).map_err(read_error)?;
            if sealed.len() < TAG_LEN {
                return Err(cut());
            }
            let payload = crypto::open(&key, &nonce, &header.bytes, &sealed)?;
            Ok(Box::new(io::Cursor::new(payload)))
        }
        Sealing::Chunked {
            nonce_prefix,
            chunk_size,
        } => Ok(Box::new(ChunkReader::new(
            file,
            &key,
            &nonce_prefix,
            &header.bytes,
            chunk_size,
        ))),
    }
}

/// Read exactly `buf.len()` payload bytes; a payload that ends first is damaged.
fn read_exact(payload: &mut dyn Read, buf: &mut [u8]) -> Result<()> {
    if read_up_to(payload, buf)? < buf.len() {
        return Err(damaged());
    }
    Ok(())
}

/// One length-prefixed section of at most `max` bytes.
fn read_section(payload: &mut dyn Read, max: usize) -> Result<(Vec<u8>, [u8; 4])> {
    let mut len = [0u8; 4];
    read_exact(payload, &mut len)?;
    let n = u32::from_le_bytes(len) as usize;
    if n > max {
        return Err(damaged());
    }
    let mut body = vec![0u8; n];
    read_exact(payload, &mut body)?;
    Ok((body, len))
}

/// Read a decrypted payload: the manifest and secrets are parsed and handed to `check` (which
/// may refuse them before the database is read), the database bytes go to `sink` as they are
/// decrypted, and the hash and length the manifest promises are checked at the end.
pub fn read_payload(
    payload: &mut dyn Read,
    check: &mut dyn FnMut(&OpenedBackup) -> Result<()>,
    sink: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<OpenedBackup> {
    let (manifest_json, _) = read_section(payload, MAX_MANIFEST_LEN)?;
    let manifest: Manifest = serde_json::from_slice(&manifest_json).map_err(|_| damaged())?;
    if manifest.format_version > FORMAT_VERSION {
        return Err(newer_format(manifest.format_version));
    }
    let (secrets_json, secrets_len) = read_section(payload, MAX_SECRETS_LEN)?;
    let mut hash = Sha256::new();
    hash.update(secrets_len);
    hash.update(&secrets_json);
    let plain: BTreeMap<String, String> =
        serde_json::from_slice(&secrets_json).map_err(|_| damaged())?;
    drop(secrets_json);
    let opened = OpenedBackup {
        manifest,
        secrets: plain
            .into_iter()
            .map(|(k, v)| (k, Secret::new(v)))
            .collect(),
    };
    check(&opened)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut database_bytes = 0u64;
    loop {
        let n = match payload.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(e)),
        };
        hash.update(&buf[..n]);
        database_bytes += n as u64;
        sink(&buf[..n])?;
    }
    if hex::encode(hash.finalize()) != opened.manifest.payload_sha256
        || database_bytes != opened.manifest.database_bytes
    {
        return Err(damaged());
    }
    Ok(opened)
}

/// Decrypt and check the backup in `file`: [`open_payload`] then [`read_payload`].
pub fn open(
    file: impl Read,
    passphrase: &Secret,
    check: &mut dyn FnMut(&OpenedBackup) -> Result<()>,
    sink: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<OpenedBackup> {
    let mut payload = open_payload(file, passphrase)?;
    read_payload(&mut payload, check, sink)
}

/// The secrets section's JSON.
fn secrets_json(secrets: &BTreeMap<String, Secret>) -> Vec<u8> {
    let plain: BTreeMap<&str, &str> = secrets
        .iter()
        .map(|(k, v)| (k.as_str(), v.expose()))
        .collect();
    serde_json::to_vec(&plain).expect("a string map serializes")
}

/// A format 2 backup ready to be written: the key is derived and the database file hashed
/// (read from disk in pieces), so [`Sealer::write_to`] only streams.
pub struct Sealer {
    header: Vec<u8>,
    key: [u8; 32],
    nonce_prefix: [u8; NONCE_PREFIX_LEN],
    chunk_size: u32,
    manifest_json: Vec<u8>,
    secrets_json: Vec<u8>,
    database: File,
    database_bytes: u64,
}

impl Sealer {
    /// Prepare a backup of the database file at `database` with `secrets`; fills in the
    /// manifest's `databaseBytes` and `payloadSha256`.
    pub fn new(
        manifest: &mut Manifest,
        secrets: &BTreeMap<String, Secret>,
        database: &Path,
        passphrase: &Secret,
        kdf: KdfParams,
        chunk_size: u32,
    ) -> Result<Sealer> {
        if !stream::chunk_size_ok(chunk_size) {
            return Err(Error::invalid("chunkSize", "out of range"));
        }
        let io_err = |e| Error::io(format!("cannot read {}", database.display()), e);
        let mut file = File::open(database).map_err(io_err)?;
        let secrets_json = secrets_json(secrets);
        let mut hash = Sha256::new();
        hash.update((secrets_json.len() as u32).to_le_bytes());
        hash.update(&secrets_json);
        let mut buf = vec![0u8; 64 * 1024];
        let mut database_bytes = 0u64;
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_err(e)),
            };
            hash.update(&buf[..n]);
            database_bytes += n as u64;
        }
        file.rewind().map_err(io_err)?;
        manifest.database_bytes = database_bytes;
        manifest.payload_sha256 = hex::encode(hash.finalize());
        let manifest_json = serde_json::to_vec(manifest).expect("the manifest serializes");

        let salt = crypto::random_bytes::<SALT_LEN>();
        let nonce_prefix = crypto::random_bytes::<NONCE_PREFIX_LEN>();
        let key = kdf.derive(passphrase, &salt)?;
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        header.push(KDF_ARGON2ID);
        header.extend_from_slice(&kdf.m_cost_kib.to_le_bytes());
        header.extend_from_slice(&kdf.t_cost.to_le_bytes());
        header.extend_from_slice(&kdf.p_cost.to_le_bytes());
        header.extend_from_slice(&salt);
        header.extend_from_slice(&nonce_prefix);
        header.extend_from_slice(&chunk_size.to_le_bytes());
        debug_assert_eq!(header.len(), HEADER_LEN);
        Ok(Sealer {
            header,
            key,
            nonce_prefix,
            chunk_size,
            manifest_json,
            secrets_json,
            database: file,
            database_bytes,
        })
    }

    /// Write the whole backup file to `out`: the header, then the encrypted payload, with the
    /// database read from its file in pieces. Returns the bytes written.
    pub fn write_to(self, out: &mut impl Write) -> io::Result<u64> {
        let mut counted = Counted { out, bytes: 0 };
        counted.write_all(&self.header)?;
        let mut w = ChunkWriter::new(
            &mut counted,
            &self.key,
            &self.nonce_prefix,
            &self.header,
            self.chunk_size,
        );
        w.write_all(&(self.manifest_json.len() as u32).to_le_bytes())?;
        w.write_all(&self.manifest_json)?;
        w.write_all(&(self.secrets_json.len() as u32).to_le_bytes())?;
        w.write_all(&self.secrets_json)?;
        let copied = io::copy(&mut (&self.database).take(self.database_bytes), &mut w)?;
        if copied != self.database_bytes {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the database snapshot changed while it was being backed up",
            ));
        }
        w.finish()?;
        Ok(counted.bytes)
    }
}

/// A writer that counts what passes through.
struct Counted<'a, W: Write> {
    out: &'a mut W,
    bytes: u64,
}

impl<W: Write> Write for Counted<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.out.write(data)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The plaintext payload of `manifest` (whose size and hash fields are filled in here), whole
/// in memory. Only for writing format 1 files in tests: this build writes format 2.
#[doc(hidden)]
pub fn encode_payload_v1(
    manifest: &mut Manifest,
    secrets: &BTreeMap<String, Secret>,
    database: &[u8],
) -> Vec<u8> {
    let secrets_json = secrets_json(secrets);
    let mut hash = Sha256::new();
    hash.update((secrets_json.len() as u32).to_le_bytes());
    hash.update(&secrets_json);
    hash.update(database);
    manifest.database_bytes = database.len() as u64;
    manifest.payload_sha256 = hex::encode(hash.finalize());
    let manifest_json = serde_json::to_vec(manifest).expect("the manifest serializes");
    let mut out = Vec::with_capacity(8 + manifest_json.len() + secrets_json.len() + database.len());
    out.extend_from_slice(&(manifest_json.len() as u32).to_le_bytes());
    out.extend_from_slice(&manifest_json);
    out.extend_from_slice(&(secrets_json.len() as u32).to_le_bytes());
    out.extend_from_slice(&secrets_json);
    out.extend_from_slice(database);
    out
}

/// A whole format 1 file for `payload`. Only for tests that prove format 1 is still read.
#[doc(hidden)]
pub fn seal_v1(payload: &[u8], passphrase: &Secret, kdf: KdfParams) -> Result<Vec<u8>> {
    let salt = crypto::random_bytes::<SALT_LEN>();
    let nonce = crypto::random_bytes::<NONCE_LEN>();
    let key = kdf.derive(passphrase, &salt)?;
    let mut file = Vec::with_capacity(HEADER_LEN_V1 + payload.len() + TAG_LEN);
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&1u16.to_le_bytes());
    file.push(KDF_ARGON2ID);
    file.extend_from_slice(&kdf.m_cost_kib.to_le_bytes());
    file.extend_from_slice(&kdf.t_cost.to_le_bytes());
    file.extend_from_slice(&kdf.p_cost.to_le_bytes());
    file.extend_from_slice(&salt);
    file.extend_from_slice(&nonce);
    debug_assert_eq!(file.len(), HEADER_LEN_V1);
    let sealed = crypto::seal(&key, &nonce, &file, payload);
    file.extend_from_slice(&sealed);
    Ok(file)
}

fn newer_format(version: u16) -> Error {
    Error::invalid(
        "backup",
        format!(
            "was written by a newer Paydesk (backup format {version}; this version reads up to \
             {FORMAT_VERSION}); update Paydesk to restore it"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Mode;

    fn manifest(format_version: u16) -> Manifest {
        Manifest {
            format_version,
            app_version: "0.1.0".into(),
            schema_version: 5,
            mode: Mode::Test,
            created_at: "2026-11-22T00:00:00.000Z".into(),
            includes_secrets: false,
            database_bytes: 0,
            payload_sha256: String::new(),
        }
    }

    /// Open `file`, collecting the database bytes.
    fn open_all(file: &[u8], pass: &Secret) -> Result<(OpenedBackup, Vec<u8>)> {
        let mut db = Vec::new();
        let opened = open(file, pass, &mut |_| Ok(()), &mut |b| {
            db.extend_from_slice(b);
            Ok(())
        })?;
        Ok((opened, db))
    }

    #[test]
    fn a_v2_file_opens_with_its_passphrase_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let content: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&db, &content).unwrap();
        let pass = Secret::new("correct horse");
        let mut m = manifest(FORMAT_VERSION);
        let kdf = KdfParams::insecure_for_tests();
        let sealer = Sealer::new(&mut m, &BTreeMap::new(), &db, &pass, kdf, 1000).unwrap();
        let mut file = Vec::new();
        let written = sealer.write_to(&mut file).unwrap();
        assert_eq!(written, file.len() as u64);
        // Header, then 5 full chunks and a last one, each with its tag.
        let payload_len = 4 + 4 + 2 + content.len() + serde_json::to_vec(&m).unwrap().len();
        let chunks = payload_len.div_ceil(1000);
        assert_eq!(file.len(), HEADER_LEN + payload_len + chunks * TAG_LEN);
        let (opened, bytes) = open_all(&file, &pass).unwrap();
        assert_eq!(opened.manifest, m);
        assert_eq!(bytes, content);
        let err = open_all(&file, &Secret::new("wrong horse")).unwrap_err();
        assert_eq!(err.field(), Some("passphrase"));
    }

    #[test]
    fn a_v1_file_still_opens() {
        let pass = Secret::new("correct horse");
        let mut m = manifest(1);
        let payload = encode_payload_v1(&mut m, &BTreeMap::new(), b"SQLite format 3\0...");
        let file = seal_v1(&payload, &pass, KdfParams::insecure_for_tests()).unwrap();
        let (opened, db) = open_all(&file, &pass).unwrap();
        assert_eq!(opened.manifest, m);
        assert_eq!(db, b"SQLite format 3\0...");
        let err = open_all(&file, &Secret::new("wrong horse")).unwrap_err();
        assert_eq!(err.field(), Some("passphrase"));
    }

    #[test]
    fn header_lengths() {
        assert_eq!(HEADER_LEN_V1, 69);
        assert_eq!(HEADER_LEN, 68);
    }
}
