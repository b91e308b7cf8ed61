//! The chunked encryption of backup format 2: STREAM (Hoang, Reyhanitabar, Rogaway, Vizár) over
//! XChaCha20-Poly1305, as `chacha20poly1305`'s `aead::stream` implements it (`*BE32`: a 19-byte
//! nonce prefix, a 32-bit big-endian chunk counter and a "last chunk" flag in each nonce).
//!
//! This module owns only the chunking: [`ChunkWriter`] encrypts what is written to it in chunks
//! of `chunk_size` plaintext bytes (each followed by its 16-byte tag), and [`ChunkReader`]
//! decrypts them one at a time. Every chunk is authenticated with the file header as associated
//! data. A chunk that was changed, moved, repeated or dropped fails its tag, and so does a file
//! cut anywhere (including exactly between two chunks: the chunk left at the end was not sealed
//! as the last one) or with bytes added after its end. Memory use is one chunk, whatever the
//! size of the backup.

use std::io::{self, Read, Write};

use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::KeyInit;
use chacha20poly1305::XChaCha20Poly1305;

use super::crypto::TAG_LEN;

/// Length of the STREAM nonce prefix for XChaCha20-Poly1305 (24-byte nonce minus 5).
pub const NONCE_PREFIX_LEN: usize = 19;
/// Plaintext bytes per chunk in the backups this build writes.
pub const DEFAULT_CHUNK_SIZE: u32 = 64 * 1024;
/// Largest chunk a header may ask for (a crafted file cannot make the reader allocate more).
pub const MAX_CHUNK_SIZE: u32 = 16 * 1024 * 1024;

/// The error inside the `io::Error` a [`ChunkReader`] returns when a chunk fails its tag (or
/// the writer's counter is exhausted): see [`is_auth_failure`].
#[derive(Debug)]
struct AuthFailed;

impl std::fmt::Display for AuthFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a backup chunk failed its authentication tag")
    }
}

impl std::error::Error for AuthFailed {}

fn auth_failed() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, AuthFailed)
}

/// Whether `e` (from a [`ChunkReader`]) means the data is not authentic: wrong key, changed,
/// reordered or cut chunks. Other errors are the underlying reader's.
pub fn is_auth_failure(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<AuthFailed>())
}

/// Whether `chunk_size` is one a reader accepts.
pub fn chunk_size_ok(chunk_size: u32) -> bool {
    (1..=MAX_CHUNK_SIZE).contains(&chunk_size)
}

/// Encrypts everything written to it into `out`, chunk by chunk. Call [`ChunkWriter::finish`]
/// at the end: it seals the last chunk (possibly empty), without which the stream is unreadable.
pub struct ChunkWriter<W: Write> {
    out: W,
    encryptor: Option<EncryptorBE32<XChaCha20Poly1305>>,
    aad: Vec<u8>,
    chunk_size: usize,
    buf: Vec<u8>,
}

impl<W: Write> ChunkWriter<W> {
    /// A writer sealing under `key` and `nonce_prefix`, binding `aad` (the header) to each chunk.
    pub fn new(
        out: W,
        key: &[u8; 32],
        nonce_prefix: &[u8; NONCE_PREFIX_LEN],
        aad: &[u8],
        chunk_size: u32,
    ) -> Self {
        assert!(chunk_size_ok(chunk_size), "chunk size {chunk_size}");
        let cipher = XChaCha20Poly1305::new(key.into());
        ChunkWriter {
            out,
            encryptor: Some(EncryptorBE32::from_aead(cipher, nonce_prefix.into())),
            aad: aad.to_vec(),
            chunk_size: chunk_size as usize,
            buf: Vec::with_capacity(chunk_size as usize + TAG_LEN),
        }
    }

    /// Seal the full buffer as a chunk that is not the last.
    fn seal_next(&mut self) -> io::Result<()> {
        let encryptor = self.encryptor.as_mut().expect("not finished");
        encryptor
            .encrypt_next_in_place(&self.aad, &mut self.buf)
            .map_err(|_| auth_failed())?;
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Seal what is buffered as the last chunk and return the inner writer (flushed).
    pub fn finish(mut self) -> io::Result<W> {
        let encryptor = self.encryptor.take().expect("finished once");
        encryptor
            .encrypt_last_in_place(&self.aad, &mut self.buf)
            .map_err(|_| auth_failed())?;
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for ChunkWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        // A full buffer is sealed only once more data arrives: until then it may be the last.
        if self.buf.len() == self.chunk_size {
            self.seal_next()?;
        }
        let n = data.len().min(self.chunk_size - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Decrypts a stream written by [`ChunkWriter`], one chunk at a time. Reading returns 0 (end)
/// only after the chunk sealed as the last one has been verified; any failure is an
/// `io::Error` for which [`is_auth_failure`] is true.
pub struct ChunkReader<R: Read> {
    input: R,
    decryptor: Option<DecryptorBE32<XChaCha20Poly1305>>,
    aad: Vec<u8>,
    sealed_len: usize,
    /// The decrypted current chunk and how much of it was handed out.
    plain: Vec<u8>,
    pos: usize,
    /// The first byte of the next sealed chunk, read to learn that the current one is not last.
    lookahead: Option<u8>,
}

impl<R: Read> ChunkReader<R> {
    /// A reader of the chunks in `input` (just after the header).
    pub fn new(
        input: R,
        key: &[u8; 32],
        nonce_prefix: &[u8; NONCE_PREFIX_LEN],
        aad: &[u8],
        chunk_size: u32,
    ) -> Self {
        assert!(chunk_size_ok(chunk_size), "chunk size {chunk_size}");
        let cipher = XChaCha20Poly1305::new(key.into());
        let sealed_len = chunk_size as usize + TAG_LEN;
        ChunkReader {
            input,
            decryptor: Some(DecryptorBE32::from_aead(cipher, nonce_prefix.into())),
            aad: aad.to_vec(),
            sealed_len,
            plain: Vec::with_capacity(sealed_len),
            pos: 0,
            lookahead: None,
        }
    }

    /// Read and open the next chunk into `plain`; false once the last chunk was consumed.
    fn next_chunk(&mut self) -> io::Result<bool> {
        if self.decryptor.is_none() {
            return Ok(false);
        }
        self.plain.clear();
        self.pos = 0;
        self.plain.extend(self.lookahead.take());
        fill(&mut self.input, &mut self.plain, self.sealed_len)?;
        let mut one = [0u8; 1];
        let is_last =
            self.plain.len() < self.sealed_len || read_some(&mut self.input, &mut one)? == 0;
        if is_last {
            let decryptor = self.decryptor.take().expect("checked");
            decryptor
                .decrypt_last_in_place(&self.aad, &mut self.plain)
                .map_err(|_| auth_failed())?;
        } else {
            self.lookahead = Some(one[0]);
            let decryptor = self.decryptor.as_mut().expect("checked");
            decryptor
                .decrypt_next_in_place(&self.aad, &mut self.plain)
                .map_err(|_| auth_failed())?;
        }
        Ok(true)
    }
}

impl<R: Read> Read for ChunkReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.plain.len() {
            if out.is_empty() || !self.next_chunk()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Read from `input` until `buf` holds `len` bytes or the input ends.
fn fill(input: &mut impl Read, buf: &mut Vec<u8>, len: usize) -> io::Result<()> {
    let want = (len - buf.len()) as u64;
    input.take(want).read_to_end(buf)?;
    Ok(())
}

/// One `read`, retried on interruption.
fn read_some(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [9; 32];
    const PREFIX: [u8; NONCE_PREFIX_LEN] = [3; NONCE_PREFIX_LEN];

    fn seal(plain: &[u8], chunk: u32) -> Vec<u8> {
        let mut w = ChunkWriter::new(Vec::new(), &KEY, &PREFIX, b"hdr", chunk);
        // Odd write sizes, to cross chunk boundaries inside one write.
        for piece in plain.chunks(7) {
            w.write_all(piece).unwrap();
        }
        w.finish().unwrap()
    }

    fn open(sealed: &[u8], chunk: u32, aad: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        ChunkReader::new(sealed, &KEY, &PREFIX, aad, chunk).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn round_trips_at_every_length_around_the_chunk_size() {
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 100] {
            let plain: Vec<u8> = (0..len as u8).collect();
            let sealed = seal(&plain, 16);
            assert_eq!(open(&sealed, 16, b"hdr").unwrap(), plain, "len {len}");
        }
    }

    #[test]
    fn cuts_changes_reorders_and_other_headers_are_refused() {
        let plain: Vec<u8> = (0..100u8).collect();
        let sealed = seal(&plain, 16); // 6 sealed chunks of 16 + 16 bytes, then the last: 4 + 16
        let chunk = 16 + TAG_LEN;
        assert_eq!(sealed.len(), 6 * chunk + 4 + TAG_LEN);
        let refused = |bytes: &[u8], what: &str| {
            let err = open(bytes, 16, b"hdr").expect_err(what);
            assert!(is_auth_failure(&err), "{what}: {err}");
        };
        for cut in [
            0,
            chunk,
            2 * chunk,
            6 * chunk,
            10,
            chunk + 5,
            sealed.len() - 1,
        ] {
            refused(&sealed[..cut], &format!("cut to {cut}"));
        }
        for at in [0, chunk - 1, chunk, 3 * chunk + 7, sealed.len() - 1] {
            let mut changed = sealed.clone();
            changed[at] ^= 1;
            refused(&changed, &format!("flip at {at}"));
        }
        let mut swapped = sealed.clone();
        swapped[..chunk].copy_from_slice(&sealed[chunk..2 * chunk]);
        swapped[chunk..2 * chunk].copy_from_slice(&sealed[..chunk]);
        refused(&swapped, "swapped chunks");
        let mut repeated = sealed[..chunk].to_vec();
        repeated.extend_from_slice(&sealed);
        refused(&repeated, "repeated chunk");
        let mut longer = sealed.clone();
        longer.push(0);
        refused(&longer, "a byte added at the end");
        assert!(is_auth_failure(&open(&sealed, 16, b"HDR").unwrap_err()));
    }
}
