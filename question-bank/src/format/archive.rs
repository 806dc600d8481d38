//! Zip containers (xlsx workbooks, QTI packages), opened within [`ImportLimits`]: the entry
//! count is read from the end-of-central-directory record before the zip library builds its
//! index, entry names and declared sizes are checked before anything is inflated, and the bytes
//! actually inflated are counted as they are read (headers can lie), per entry against
//! [`ImportLimits::max_compression_ratio`] and in all against
//! [`ImportLimits::max_unzipped_bytes`]. Entries are read one at a time, as streams: nothing
//! holds a whole inflated archive.

use std::io::{BufRead, BufReader, Cursor, Read};

use super::limits::{refused, Guard, RATIO_EXEMPT_BYTES};
use super::ImportLimits;
use crate::error::FieldError;

/// An opened zip container.
pub(crate) struct Archive<'a> {
    file_name: &'a str,
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// Entry names by index, `./` dropped; empty for directories.
    names: Vec<String>,
    inflated: u64,
    /// Why the last entry read stopped at a limit, if it did.
    refusal: Option<String>,
    limits: &'a ImportLimits,
}

/// Whether a zip entry name could escape the directory it is extracted to (zip slip). We never
/// extract to disk, but such a name is a sign of a hostile file and is refused, not rewritten.
fn is_unsafe_entry_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.starts_with('/')
        || name.starts_with('\\')
        || name.contains('\0')
        || (bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic())
        || name.split(['/', '\\']).any(|part| part == "..")
}

fn u16_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?).into())
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// The entry count the archive's last end-of-central-directory record declares (its zip64
/// record's when it defers to one), or `None` when there is no such record.
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    let last = bytes.len().checked_sub(22)?;
    let first = last.saturating_sub(u16::MAX as usize);
    let eocd = (first..=last)
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let entries = u16_at(bytes, eocd + 10)?;
    if entries != 0xFFFF {
        return Some(entries);
    }
    let zip64 = eocd
        .checked_sub(20)
        .filter(|&at| bytes[at..].starts_with(b"PK\x06\x07"))
        .and_then(|at| u64_at(bytes, at + 8))
        .and_then(|at| usize::try_from(at).ok())
        .filter(|&at| {
            bytes
                .get(at..)
                .is_some_and(|b| b.starts_with(b"PK\x06\x06"))
        });
    match zip64 {
        Some(at) => u64_at(bytes, at + 32),
        None => Some(entries),
    }
}

impl<'a> Archive<'a> {
    /// Open `bytes` as a zip, or list why it is refused: too many entries, unsafe entry names,
    /// encrypted entries, declared sizes or ratios over the limits.
    pub fn open(
        file_name: &'a str,
        bytes: &'a [u8],
        guard: &Guard<'a>,
    ) -> Result<Archive<'a>, Vec<FieldError>> {
        let limits = guard.limits;
        let refuse = |msg: String| vec![FieldError::new(file_name, msg)];
        let too_many = |n: u64| {
            refuse(format!(
                "the archive has {n} entries, over the limit of {}",
                limits.max_zip_entries
            ))
        };
        if let Some(n) = declared_entries(bytes).filter(|&n| n > limits.max_zip_entries as u64) {
            return Err(too_many(n));
        }
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| refuse(format!("not a readable zip archive: {e}")))?;
        if zip.len() > limits.max_zip_entries {
            return Err(too_many(zip.len() as u64));
        }
        let mut archive = Archive {
            file_name,
            zip,
            names: Vec::new(),
            inflated: 0,
            refusal: None,
            limits,
        };
        archive.check_entries(guard)?;
        Ok(archive)
    }

    fn check_entries(&mut self, guard: &Guard<'_>) -> Result<(), Vec<FieldError>> {
        let file_name = self.file_name;
        let limits = self.limits;
        let mut errors = Vec::new();
        let mut declared: u64 = 0;
        let metadata = self.zip.metadata();
        for i in 0..self.zip.len() {
            guard
                .tick()
                .map_err(|e| vec![FieldError::new(file_name, e)])?;
            let entry = match metadata.entry(i) {
                Ok(entry) => entry,
                Err(e) => {
                    errors.push(FieldError::new(
                        file_name,
                        format!("entry {} is unreadable: {e}", i + 1),
                    ));
                    self.names.push(String::new());
                    continue;
                }
            };
            let name = match entry.name() {
                Ok(name) => name.into_owned(),
                Err(_) => {
                    errors.push(FieldError::new(
                        file_name,
                        format!("entry {} has a name that is not valid text", i + 1),
                    ));
                    self.names.push(String::new());
                    continue;
                }
            };
            let at = format!("{file_name}: {name}");
            if is_unsafe_entry_name(&name) {
                errors.push(FieldError::new(
                    at.clone(),
                    "entry path is absolute or contains '..' (zip slip) and is refused",
                ));
            }
            if entry.encrypted() {
                errors.push(FieldError::new(
                    at.clone(),
                    "encrypted entries are not accepted",
                ));
            }
            let ratio_bound = entry
                .compressed_size()
                .saturating_mul(limits.max_compression_ratio)
                .max(RATIO_EXEMPT_BYTES);
            if entry.size() > ratio_bound {
                errors.push(FieldError::new(at, ratio_message(limits)));
            }
            declared = declared.saturating_add(entry.size());
            let is_dir = entry.is_dir();
            self.names.push(if is_dir {
                String::new()
            } else {
                name.trim_start_matches("./").to_string()
            });
        }
        if declared > limits.max_unzipped_bytes {
            errors.push(FieldError::new(
                file_name,
                format!(
                    "the archive would inflate to {declared} bytes, over the limit of {} bytes",
                    limits.max_unzipped_bytes
                ),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The names of the files in the archive, by index (empty for directories).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The index of the file `name` (`./` ignored); failing an exact match, one whose name
    /// differs only in case, as Windows tools treat them.
    pub fn find(&self, name: &str) -> Option<usize> {
        let name = name.trim_start_matches("./");
        if name.is_empty() {
            return None;
        }
        self.names
            .iter()
            .position(|n| n == name)
            .or_else(|| self.names.iter().position(|n| n.eq_ignore_ascii_case(name)))
    }

    /// `file.zip: entry`, where problems inside an entry are located.
    pub fn location(&self, index: usize) -> String {
        let name = self.names.get(index).map(String::as_str).unwrap_or("");
        format!("{}: {name}", self.file_name)
    }

    /// Run `read` over the inflated stream of entry `index`. The stream fails as soon as the
    /// entry inflates past its ratio bound or the archive past its total; whatever `read` made
    /// of that, the result is then `Err` with the limit's message.
    pub fn with_entry<T>(
        &mut self,
        index: usize,
        read: impl FnOnce(&mut dyn BufRead) -> T,
    ) -> Result<T, String> {
        let limits = self.limits;
        let entry = self
            .zip
            .by_index(index)
            .map_err(|e| format!("the entry cannot be read: {e}"))?;
        let ratio_bound = entry
            .compressed_size()
            .saturating_mul(limits.max_compression_ratio)
            .max(RATIO_EXEMPT_BYTES);
        let mut stream = BufReader::new(Inflating {
            inner: entry,
            inflated: 0,
            ratio_bound,
            total: &mut self.inflated,
            refusal: &mut self.refusal,
            limits,
        });
        let result = read(&mut stream);
        drop(stream);
        match self.refusal.take() {
            Some(limit) => Err(limit),
            None => Ok(result),
        }
    }
}

fn ratio_message(limits: &ImportLimits) -> String {
    format!(
        "the entry inflates to more than {} times its compressed size (zip bomb?), over the \
         limit of the compression ratio",
        limits.max_compression_ratio
    )
}

/// Counts what an entry actually inflates to.
struct Inflating<'t, R> {
    inner: R,
    inflated: u64,
    ratio_bound: u64,
    total: &'t mut u64,
    refusal: &'t mut Option<String>,
    limits: &'t ImportLimits,
}

impl<R> Inflating<'_, R> {
    fn refuse(&mut self, message: String) -> std::io::Error {
        *self.refusal = Some(message.clone());
        refused(message)
    }
}

impl<R: Read> Read for Inflating<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.inflated += n as u64;
        *self.total += n as u64;
        if *self.total > self.limits.max_unzipped_bytes {
            let message = format!(
                "the archive inflates to more than {} bytes (zip bomb?), over the limit",
                self.limits.max_unzipped_bytes
            );
            return Err(self.refuse(message));
        }
        if self.inflated > self.ratio_bound {
            let message = ratio_message(self.limits);
            return Err(self.refuse(message));
        }
        Ok(n)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// Every entry read to its end; the first problem, located.
    fn read_all(bytes: &[u8], limits: &ImportLimits) -> Result<Vec<Vec<u8>>, Vec<FieldError>> {
        let guard = Guard::new(limits, &|| false);
        let mut archive = Archive::open("p.zip", bytes, &guard)?;
        let mut out = Vec::new();
        for i in 0..archive.names().len() {
            let at = archive.location(i);
            let data = archive
                .with_entry(i, |r| {
                    let mut data = Vec::new();
                    r.read_to_end(&mut data).map(|_| data)
                })
                .map_err(|e| vec![FieldError::new(at.clone(), e)])?
                .map_err(|e| vec![FieldError::new(at.clone(), format!("cannot inflate: {e}"))])?;
            out.push(data);
        }
        Ok(out)
    }

    #[test]
    fn zip_slip_names_are_refused() {
        let bytes = zip_of(&[
            ("../../etc/cron.d/x", b"x"),
            ("ok.xml", b"<a/>"),
            ("/abs", b"y"),
        ]);
        let errs = read_all(&bytes, &ImportLimits::default()).err().unwrap();
        let locs: Vec<_> = errs.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(locs, vec!["p.zip: ../../etc/cron.d/x", "p.zip: /abs"]);
        assert!(errs[0].message.contains("zip slip"));
    }

    #[test]
    fn zip_with_too_many_entries_is_refused() {
        let bytes = zip_of(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
        assert_eq!(declared_entries(&bytes), Some(3));
        let limits = ImportLimits {
            max_zip_entries: 2,
            ..ImportLimits::default()
        };
        let errs = read_all(&bytes, &limits).err().unwrap();
        assert!(errs[0].message.contains("3 entries"));
    }

    /// The count comes from the end record before the zip library indexes anything: a
    /// record claiming millions of entries is refused without reading them.
    #[test]
    fn a_huge_declared_entry_count_is_refused_before_indexing() {
        let mut bytes = zip_of(&[("a", b"1")]);
        let eocd = bytes.len() - 22;
        bytes[eocd + 8..eocd + 12].copy_from_slice(&[0xFE, 0xFF, 0xFE, 0xFF]);
        let errs = read_all(&bytes, &ImportLimits::default()).err().unwrap();
        assert_eq!(errs[0].location, "p.zip");
        assert!(
            errs[0].message.contains("65534 entries, over the limit"),
            "{errs:?}"
        );
    }

    #[test]
    fn zip_bomb_is_refused_by_declared_size() {
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let bytes = zip_of(&[("bomb.xml", &zeros)]);
        assert!(bytes.len() < 64 * 1024, "highly compressible");
        let limits = ImportLimits {
            max_unzipped_bytes: 1024 * 1024,
            ..ImportLimits::default()
        };
        let errs = read_all(&bytes, &limits).err().unwrap();
        assert!(errs.iter().any(|e| e.location == "p.zip"
            && e.message
                .contains("would inflate to 4194304 bytes, over the limit")));
    }

    #[test]
    fn zip_bomb_is_refused_by_declared_ratio() {
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let bytes = zip_of(&[("bomb.xml", &zeros)]);
        let errs = read_all(&bytes, &ImportLimits::default()).err().unwrap();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].location, "p.zip: bomb.xml");
        assert!(errs[0].message.contains("100 times its compressed size"));
        // Below the exempt size, a high ratio is harmless and accepted.
        let small = zip_of(&[("small.xml", &zeros[..512 * 1024])]);
        assert_eq!(
            read_all(&small, &ImportLimits::default()).unwrap()[0].len(),
            512 * 1024
        );
    }

    /// Headers can lie: patch the declared sizes down and check the inflated bytes are still
    /// bounded.
    #[test]
    fn zip_bomb_with_lying_headers_is_refused_while_inflating() {
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let mut bytes = zip_of(&[("bomb.xml", &zeros)]);
        let patch = |bytes: &mut Vec<u8>, sig: &[u8; 4], offset: usize| {
            let at = bytes.windows(4).position(|w| w == sig).unwrap();
            bytes[at + offset..at + offset + 4].copy_from_slice(&100u32.to_le_bytes());
        };
        patch(&mut bytes, b"PK\x03\x04", 22);
        patch(&mut bytes, b"PK\x01\x02", 24);
        for limits in [
            ImportLimits {
                max_unzipped_bytes: 1024 * 1024,
                ..ImportLimits::default()
            },
            ImportLimits::default(),
        ] {
            let errs = read_all(&bytes, &limits).err().unwrap();
            assert_eq!(errs.len(), 1, "{errs:?}");
            assert_eq!(errs[0].location, "p.zip: bomb.xml");
        }
    }

    #[test]
    fn names_are_found_exactly_then_ignoring_case() {
        let bytes = zip_of(&[("xl/Workbook.xml", b"<a/>"), ("./items/q1.xml", b"<b/>")]);
        let limits = ImportLimits::default();
        let guard = Guard::new(&limits, &|| false);
        let archive = Archive::open("p.zip", &bytes, &guard).unwrap();
        assert_eq!(archive.find("xl/workbook.xml"), Some(0));
        assert_eq!(archive.find("items/q1.xml"), Some(1));
        assert_eq!(archive.find("./items/q1.xml"), Some(1));
        assert_eq!(archive.find("missing.xml"), None);
    }
}
