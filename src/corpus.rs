//! Reading corpora: a folder of `.txt` files, or a JSONL file of `{"id", "text"}` lines.
//!
//! This is the only module that touches the file system.
//!
//! # Bad input policy
//!
//! A problem with one file or line never stops the run; it is reported as a [`CorpusError`] naming
//! the path (and line) in [`Corpus::problems`], and the other documents are read:
//!
//! * **invalid UTF-8**: the document is *kept*, decoded lossily (each bad sequence becomes U+FFFD),
//!   and a warning ([`CorpusError::InvalidUtf8`], [`CorpusError::is_warning`]) is recorded;
//! * **empty** or whitespace-only files, **binary** files (a NUL byte, or more than 10% control
//!   bytes, in the first 8 KiB) and files **over the size limit** (20 MB by default) are *skipped*;
//! * unreadable files and dangling symbolic links are *skipped* with the operating system's error;
//! * JSONL lines that are not objects with an `id` (string or number) and a string `text`, and
//!   repeated ids, are *skipped*.
//!
//! Only a missing or unreadable top-level path is an `Err`. Nothing is dropped silently: every
//! input document is either in [`Corpus::documents`] or named in [`Corpus::problems`].

use crate::error::CorpusError;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this many bytes are skipped (20 MB).
pub const DEFAULT_MAX_BYTES: u64 = 20_000_000;

/// One document: a name and its text.
///
/// # Examples
///
/// ```
/// let d = wirecopy::corpus::Document { name: "a.txt".into(), text: "Hello".into() };
/// assert_eq!(d.name, "a.txt");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The name: a path relative to the folder with `/` separators, or the JSONL `id`.
    pub name: String,
    /// The text.
    pub text: String,
}

/// The documents read, and the problems met (skipped files, warnings).
///
/// # Examples
///
/// ```
/// let c = wirecopy::corpus::Corpus::default();
/// assert!(c.documents.is_empty() && c.problems.is_empty());
/// ```
#[derive(Debug, Default)]
pub struct Corpus {
    /// Documents, sorted by name for folders, in line order for JSONL.
    pub documents: Vec<Document>,
    /// One entry per skipped file or line, and per warning.
    pub problems: Vec<CorpusError>,
    /// Files under the folder that are not articles (their names do not end in `.txt`, in any
    /// case), left unread; 0 for JSONL.
    pub ignored: usize,
}

/// Reads every regular file ending in `.txt` (or `.TXT`, in any case) under `dir`, recursively,
/// with the default size limit; other files are counted in [`Corpus::ignored`].
///
/// Names are paths relative to `dir` with `/` separators; documents are sorted by name. Symbolic
/// links to files are followed; links to folders are not (no cycles).
///
/// # Errors
///
/// [`CorpusError::Io`] if `dir` cannot be read, [`CorpusError::NotADirectory`] if it is not a folder.
///
/// # Examples
///
/// ```
/// let dir = std::env::temp_dir().join("wirecopy-doc-read-dir");
/// std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("a.txt"), "Some text.")?;
/// std::fs::write(dir.join("B.TXT"), "More text.")?;
/// std::fs::write(dir.join("empty.txt"), "")?;
/// std::fs::write(dir.join("notes.md"), "Not an article.")?;
/// let corpus = wirecopy::corpus::read_dir(&dir)?;
/// let names: Vec<&str> = corpus.documents.iter().map(|d| d.name.as_str()).collect();
/// assert_eq!(names, ["B.TXT", "a.txt"]);
/// assert_eq!(corpus.problems.len(), 1); // empty.txt, named in the error
/// assert_eq!(corpus.ignored, 1); // notes.md
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_dir(dir: impl AsRef<Path>) -> Result<Corpus, CorpusError> {
    read_dir_with_limit(dir, DEFAULT_MAX_BYTES)
}

/// [`read_dir`] with a size limit of `max_bytes` per file.
///
/// # Errors
///
/// As [`read_dir`].
///
/// # Examples
///
/// ```
/// let dir = std::env::temp_dir().join("wirecopy-doc-limit");
/// std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("big.txt"), "x".repeat(100))?;
/// let corpus = wirecopy::corpus::read_dir_with_limit(&dir, 10)?;
/// assert!(corpus.documents.is_empty());
/// assert!(corpus.problems[0].to_string().contains("big.txt"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_dir_with_limit(dir: impl AsRef<Path>, max_bytes: u64) -> Result<Corpus, CorpusError> {
    let dir = dir.as_ref();
    let meta = fs::metadata(dir).map_err(|source| CorpusError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(CorpusError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let mut files = Vec::new();
    let mut corpus = Corpus::default();
    walk(dir, &mut files, &mut corpus, true)?;
    files.sort();
    // Read side by side with the `parallel` feature (in the caller's rayon pool), kept in order.
    let read = |path: &PathBuf| (relative_name(dir, path), read_text_file(path, max_bytes));
    #[cfg(feature = "parallel")]
    let read: Vec<_> = {
        use rayon::prelude::*;
        files.par_iter().map(read).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let read: Vec<_> = files.iter().map(read).collect();
    for (name, result) in read {
        match result {
            Ok((text, warning)) => {
                if let Some(w) = warning {
                    corpus.problems.push(w);
                }
                corpus.documents.push(Document { name, text });
            }
            Err(e) => corpus.problems.push(e),
        }
    }
    corpus.documents.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(corpus)
}

fn relative_name(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `path` names an article: its extension is `txt` in any case.
fn is_article(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
}

fn walk(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    corpus: &mut Corpus,
    top: bool,
) -> Result<(), CorpusError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            let err = CorpusError::Io {
                path: dir.to_path_buf(),
                source,
            };
            if top {
                return Err(err);
            }
            corpus.problems.push(err);
            return Ok(());
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(source) => {
                corpus.problems.push(CorpusError::Io {
                    path: dir.to_path_buf(),
                    source,
                });
                continue;
            }
        };
        let path = entry.path();
        let ft = match entry.file_type() {
            Ok(ft) => ft,
            Err(source) => {
                corpus.problems.push(CorpusError::Io { path, source });
                continue;
            }
        };
        if ft.is_dir() {
            walk(&path, files, corpus, false)?;
        } else if !is_article(&path) {
            corpus.ignored += 1;
        } else {
            // Regular files and symbolic links (resolved, or reported if dangling, when read).
            if ft.is_symlink() {
                match fs::metadata(&path) {
                    Ok(m) if m.is_file() => files.push(path),
                    Ok(_) => corpus.ignored += 1,
                    Err(source) => corpus.problems.push(CorpusError::Io { path, source }),
                }
            } else if ft.is_file() {
                files.push(path);
            }
        }
    }
    Ok(())
}

/// Reads one text file under the bad-input policy of this module.
///
/// Returns the text and, for invalid UTF-8, the warning that it was decoded lossily.
///
/// # Errors
///
/// [`CorpusError::Io`], [`CorpusError::TooLarge`], [`CorpusError::Empty`] or [`CorpusError::Binary`].
///
/// # Examples
///
/// ```
/// let path = std::env::temp_dir().join("wirecopy-doc-latin1.txt");
/// std::fs::write(&path, b"caf\xe9 au lait")?;
/// let (text, warning) = wirecopy::corpus::read_text_file(&path, 1000)?;
/// assert_eq!(text, "caf\u{FFFD} au lait");
/// assert!(warning.unwrap().is_warning());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_text_file(
    path: &Path,
    max_bytes: u64,
) -> Result<(String, Option<CorpusError>), CorpusError> {
    let io = |source| CorpusError::Io {
        path: path.to_path_buf(),
        source,
    };
    // One open and one `fstat` on the open file: the path is walked once.
    let file = fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::ErrorKind::IsADirectory.into()));
    }
    let size = meta.len();
    let too_large = |size| CorpusError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: max_bytes,
    };
    if size > max_bytes {
        return Err(too_large(size));
    }
    // The size read above may be stale (a file still being written): read at most one byte
    // past the limit, so a file that grew is refused, not read whole.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    (&file)
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        let now = file.metadata().map_or(0, |m| m.len());
        return Err(too_large(now.max(bytes.len() as u64)));
    }
    decode(path, bytes)
}

fn decode(path: &Path, bytes: Vec<u8>) -> Result<(String, Option<CorpusError>), CorpusError> {
    if let Some(offset) = binary_offset(&bytes) {
        return Err(CorpusError::Binary {
            path: path.to_path_buf(),
            offset,
        });
    }
    let (text, warning) = match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let bad_bytes = count_bad_bytes(&bytes);
            (
                text,
                Some(CorpusError::InvalidUtf8 {
                    path: path.to_path_buf(),
                    offset,
                    bad_bytes,
                }),
            )
        }
    };
    if text.trim().is_empty() {
        return Err(CorpusError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok((text, warning))
}

fn count_bad_bytes(mut bytes: &[u8]) -> usize {
    let mut bad = 0;
    while !bytes.is_empty() {
        match std::str::from_utf8(bytes) {
            Ok(_) => break,
            Err(e) => {
                let skip = e.error_len().unwrap_or(bytes.len() - e.valid_up_to());
                bad += skip;
                bytes = &bytes[e.valid_up_to() + skip..];
            }
        }
    }
    bad
}

/// Offset of the first byte marking `bytes` as binary: a NUL in the first 8 KiB, or (if more than
/// 10% of the first 8 KiB are control bytes other than tab, newline, carriage return and form feed)
/// the first such byte.
fn binary_offset(bytes: &[u8]) -> Option<usize> {
    let head = &bytes[..bytes.len().min(8192)];
    if let Some(p) = head.iter().position(|&b| b == 0) {
        return Some(p);
    }
    let is_ctl = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c);
    let ctl = head.iter().filter(|&&b| is_ctl(b)).count();
    if !head.is_empty() && ctl * 10 > head.len() {
        return head.iter().position(|&b| is_ctl(b));
    }
    None
}

/// Reads a JSONL file of `{"id": …, "text": …}` lines into memory (see [`JsonlReader`] to stream).
///
/// # Errors
///
/// [`CorpusError::Io`] if the file cannot be opened.
///
/// # Examples
///
/// ```
/// let path = std::env::temp_dir().join("wirecopy-doc.jsonl");
/// std::fs::write(&path, "{\"id\":\"a\",\"text\":\"One.\"}\nnot json\n")?;
/// let corpus = wirecopy::corpus::read_jsonl(&path)?;
/// assert_eq!(corpus.documents.len(), 1);
/// assert!(corpus.problems[0].to_string().contains(":2:"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "jsonl")]
pub fn read_jsonl(path: impl AsRef<Path>) -> Result<Corpus, CorpusError> {
    let mut corpus = Corpus::default();
    for item in JsonlReader::open(path)? {
        match item {
            Ok(d) => corpus.documents.push(d),
            Err(e) => corpus.problems.push(e),
        }
    }
    Ok(corpus)
}

/// A streaming reader of `{"id", "text"}` JSONL: one item per non-blank line, either a document or
/// the problem with that line. Memory stays bounded by the longest line; repeated ids are reported.
/// A read error is the last item.
///
/// Extra fields are ignored; `id` may be a string or a number. A line longer than the size limit is
/// skipped with [`CorpusError::TooLarge`].
///
/// # Examples
///
/// ```
/// let path = std::env::temp_dir().join("wirecopy-doc-stream.jsonl");
/// std::fs::write(&path, "{\"id\":1,\"text\":\"One.\"}\n{\"id\":1,\"text\":\"Again.\"}\n")?;
/// let items: Vec<_> = wirecopy::corpus::JsonlReader::open(&path)?.collect();
/// assert_eq!(items[0].as_ref().unwrap().name, "1");
/// assert!(items[1].is_err()); // duplicate id
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "jsonl")]
#[derive(Debug)]
pub struct JsonlReader {
    path: PathBuf,
    reader: std::io::BufReader<fs::File>,
    line_no: usize,
    buf: Vec<u8>,
    seen: std::collections::HashSet<u64>,
    max_bytes: u64,
    /// Set by a read error, which ends the file (a failing disk would otherwise repeat it).
    failed: bool,
}

#[cfg(feature = "jsonl")]
impl JsonlReader {
    /// Opens `path`.
    ///
    /// # Errors
    ///
    /// [`CorpusError::Io`] if it cannot be opened.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::corpus::JsonlReader::open("/no/such.jsonl").is_err());
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CorpusError> {
        let path = path.as_ref().to_path_buf();
        let file = fs::File::open(&path).map_err(|source| CorpusError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(JsonlReader {
            path,
            reader: std::io::BufReader::with_capacity(1 << 20, file),
            line_no: 0,
            buf: Vec::new(),
            seen: Default::default(),
            max_bytes: DEFAULT_MAX_BYTES,
            failed: false,
        })
    }

    fn bad(&self, reason: impl Into<String>) -> CorpusError {
        CorpusError::BadLine {
            path: self.path.clone(),
            line: self.line_no,
            reason: reason.into(),
        }
    }

    fn parse_line(&mut self) -> Result<Document, CorpusError> {
        if self.buf.len() as u64 > self.max_bytes {
            return Err(CorpusError::TooLarge {
                path: self.path.clone(),
                size: self.buf.len() as u64,
                limit: self.max_bytes,
            });
        }
        let mut value: serde_json::Value = match serde_json::from_slice(&self.buf) {
            Ok(v) => v,
            Err(e) => return Err(self.bad(format!("not JSON ({e})"))),
        };
        let id = match value.get("id") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            Some(_) => return Err(self.bad("\"id\" is not a string or a number")),
            None => return Err(self.bad("no \"id\" field")),
        };
        // The text is taken out of the parsed value, not copied.
        let text = match value.get_mut("text").map(serde_json::Value::take) {
            Some(serde_json::Value::String(s)) => s,
            Some(_) => return Err(self.bad(format!("\"text\" of {id:?} is not a string"))),
            None => return Err(self.bad(format!("no \"text\" field for {id:?}"))),
        };
        if text.trim().is_empty() {
            return Err(self.bad(format!("empty text for {id:?}")));
        }
        if !self.seen.insert(xxhash_rust::xxh3::xxh3_64(id.as_bytes())) {
            return Err(CorpusError::DuplicateId {
                path: self.path.clone(),
                line: self.line_no,
                id,
            });
        }
        Ok(Document { name: id, text })
    }
}

#[cfg(feature = "jsonl")]
impl Iterator for JsonlReader {
    type Item = Result<Document, CorpusError>;

    fn next(&mut self) -> Option<Self::Item> {
        use std::io::BufRead;
        if self.failed {
            return None;
        }
        loop {
            self.buf.clear();
            self.line_no += 1;
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => {
                    self.failed = true;
                    return Some(Err(CorpusError::Io {
                        path: self.path.clone(),
                        source,
                    }));
                }
            }
            if self.buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Some(self.parse_line());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_text() {
        assert_eq!(binary_offset(b"hello\0world"), Some(5));
        assert_eq!(binary_offset(b"plain text\nwith lines\t"), None);
        assert!(binary_offset(&[1u8, 2, 3, 4, 5, b'a']).is_some());
    }

    #[test]
    fn a_file_is_read_up_to_its_limit_and_refused_past_it() {
        let dir = std::env::temp_dir().join(format!("wirecopy-limit-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ten.txt");
        fs::write(&path, "0123456789").unwrap();
        let (text, warning) = read_text_file(&path, 10).unwrap();
        assert_eq!((text.as_str(), warning.is_none()), ("0123456789", true));
        match read_text_file(&path, 9) {
            Err(CorpusError::TooLarge { size, limit, .. }) => assert_eq!((size, limit), (10, 9)),
            other => panic!("not refused as too large: {other:?}"),
        }
        // A folder given as a file is an I/O error naming it, not a panic.
        match read_text_file(&dir, 100) {
            Err(CorpusError::Io { path, .. }) => assert_eq!(path, dir),
            other => panic!("not an I/O error: {other:?}"),
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_bytes_counted() {
        assert_eq!(count_bad_bytes(b"ok\xff\xfeok"), 2);
        assert_eq!(count_bad_bytes(b"fine"), 0);
    }
}
