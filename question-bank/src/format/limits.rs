//! The bounds every importer works within (issue 16 item 7): an uploaded file is untrusted, and
//! reading it must not take the server's memory or a core with it.
//!
//! Each limit is checked *before* the allocation or the work that depends on it: a workbook's
//! declared dimension and each cell's position before a row is laid out, a zip's entry count and
//! declared sizes before anything is inflated, the length of an XML tag or text run before it is
//! copied. A file over a limit is refused with one problem naming the limit and, where it
//! applies, the entry, row, column or cell.
//!
//! What an import holds in memory is then bounded by the file itself plus these limits: one row
//! of a table at a time (at most [`ImportLimits::max_columns`] cells of at most
//! [`ImportLimits::max_cell_chars`] characters), one XML tag or text run of at most
//! [`ImportLimits::max_text_bytes`], one XML document's tree (a Moodle question, a QTI item or
//! manifest resource) or a workbook's shared strings of at most
//! [`ImportLimits::max_parsed_bytes`], and the items and problems found (at most
//! [`ImportLimits::max_items`] and [`ImportLimits::max_errors`] are kept).
//!
//! Time: every parser is linear in its input, and the inflated bytes of a zip are capped, so a
//! file within the limits is read in time proportional to its size. As a backstop the parsers
//! also ask a clock, now and then, whether [`ImportLimits::max_parse_time`] has passed; the
//! library has no clock of its own (it also runs in the browser), so the caller passes one to
//! [`super::import_within`] or [`super::table::read_table`].

use std::cell::Cell;
use std::time::Duration;

use crate::error::FieldError;

/// Bounds applied to an uploaded file before and while it is parsed. One set serves every
/// importer: the bank's (all formats) and the server's applications file (CSV and Excel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLimits {
    /// Size of the uploaded file itself.
    pub max_bytes: usize,
    /// Items in one file; items past the limit are counted, not kept.
    pub max_items: usize,
    /// Problems listed when a file is refused; the rest are counted in one last problem.
    pub max_errors: usize,
    /// Rows of a table (CSV, Excel): the highest row number, as a spreadsheet shows it, that a
    /// file may use or a worksheet declare (header and blank rows count).
    pub max_rows: usize,
    /// Columns of a table: the highest column a row or a worksheet may use or declare.
    pub max_columns: usize,
    /// Characters in one cell of a table.
    pub max_cell_chars: usize,
    /// Nesting of XML elements.
    pub max_xml_depth: usize,
    /// Longest XML tag, text run, CDATA section or comment, and longest GIFT question: what a
    /// parser copies at once.
    pub max_text_bytes: usize,
    /// Memory one parsed XML document may take (its elements, attributes and text, as held),
    /// and the shared strings and styles of a workbook.
    pub max_parsed_bytes: usize,
    /// Entries of a zip container (xlsx, QTI package).
    pub max_zip_entries: usize,
    /// Total bytes the entries of a zip container may inflate to.
    pub max_unzipped_bytes: u64,
    /// How many times its compressed size an entry may inflate to (entries under 1 MiB
    /// inflated are exempt: small repetitive parts compress well and are harmless).
    pub max_compression_ratio: u64,
    /// Wall time for reading one file.
    pub max_parse_time: Duration,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_bytes: 16 * 1024 * 1024,
            max_items: 10_000,
            max_errors: 1_000,
            max_rows: 100_000,
            max_columns: 64,
            max_cell_chars: 10_000,
            max_xml_depth: 64,
            max_text_bytes: 1024 * 1024,
            max_parsed_bytes: 32 * 1024 * 1024,
            max_zip_entries: 20_000,
            max_unzipped_bytes: 128 * 1024 * 1024,
            max_compression_ratio: 100,
            max_parse_time: Duration::from_secs(10),
        }
    }
}

/// Entries inflating to less than this are not held to [`ImportLimits::max_compression_ratio`].
pub(crate) const RATIO_EXEMPT_BYTES: u64 = 1024 * 1024;

/// Work units between two looks at the clock: cheap enough to be invisible, frequent enough
/// that a parse stops within milliseconds of its deadline.
const TICKS_PER_CLOCK_READ: u32 = 1024;

/// The limits of one parse, with the caller's clock. Parsers call [`Guard::tick`] once per unit
/// of work (an XML event, a CSV field, a GIFT question).
pub(crate) struct Guard<'a> {
    pub limits: &'a ImportLimits,
    out_of_time: &'a dyn Fn() -> bool,
    ticks: Cell<u32>,
    expired: Cell<bool>,
}

impl<'a> Guard<'a> {
    pub fn new(limits: &'a ImportLimits, out_of_time: &'a dyn Fn() -> bool) -> Guard<'a> {
        Guard {
            limits,
            out_of_time,
            ticks: Cell::new(0),
            expired: Cell::new(false),
        }
    }

    /// `Err` (the message naming the time limit) once the clock says the parse is out of time;
    /// it stays out of time.
    pub fn tick(&self) -> Result<(), String> {
        if self.expired.get() {
            return Err(self.time_message());
        }
        let ticks = self.ticks.get().wrapping_add(1);
        self.ticks.set(ticks);
        if ticks.is_multiple_of(TICKS_PER_CLOCK_READ) && (self.out_of_time)() {
            self.expired.set(true);
            return Err(self.time_message());
        }
        Ok(())
    }

    /// Whether the parse has run out of time (and every further tick fails).
    pub fn expired(&self) -> bool {
        self.expired.get()
    }

    pub fn time_message(&self) -> String {
        format!(
            "reading the file took longer than {} seconds, the time limit of an import; \
             split it into smaller files",
            self.limits.max_parse_time.as_secs_f64()
        )
    }

    /// The file-size check every entry point starts with.
    pub fn check_size(&self, file_name: &str, bytes: &[u8]) -> Result<(), FieldError> {
        if bytes.len() > self.limits.max_bytes {
            return Err(FieldError::new(
                file_name,
                format!(
                    "the file is {} bytes, over the limit of {} bytes",
                    bytes.len(),
                    self.limits.max_bytes
                ),
            ));
        }
        Ok(())
    }
}

/// A limit refusal carried through `std::io` (from a reader deep inside a zip or XML parser) to
/// the code that reports it.
#[derive(Debug)]
pub(crate) struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

pub(crate) fn refused(message: String) -> std::io::Error {
    std::io::Error::other(Refused(message))
}

/// The limit message inside an I/O error made by [`refused`], if it is one.
pub(crate) fn refusal(e: &std::io::Error) -> Option<&str> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<Refused>())
        .map(|r| r.0.as_str())
}

/// A running total of bytes held against a limit, refused with `what` named.
pub(crate) struct Budget {
    held: usize,
    limit: usize,
}

impl Budget {
    pub fn new(limit: usize) -> Budget {
        Budget { held: 0, limit }
    }

    pub fn take(&mut self, bytes: usize, what: &str) -> Result<(), String> {
        self.held = self.held.saturating_add(bytes);
        if self.held > self.limit {
            return Err(format!(
                "{what} take more than {} bytes of memory once read, the limit for parsed data",
                self.limit
            ));
        }
        Ok(())
    }

    pub fn give_back(&mut self, bytes: usize) {
        self.held = self.held.saturating_sub(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_is_read_now_and_then_and_expiry_sticks() {
        let limits = ImportLimits::default();
        let reads = Cell::new(0);
        let clock = || {
            reads.set(reads.get() + 1);
            reads.get() >= 2
        };
        let guard = Guard::new(&limits, &clock);
        for _ in 0..TICKS_PER_CLOCK_READ {
            guard.tick().unwrap();
        }
        assert_eq!(reads.get(), 1);
        let message = (0..TICKS_PER_CLOCK_READ)
            .find_map(|_| guard.tick().err())
            .unwrap();
        assert!(message.contains("10 seconds"), "{message}");
        assert!(guard.tick().is_err(), "stays expired");
        assert_eq!(reads.get(), 2, "no more clock reads once expired");
    }

    #[test]
    fn a_budget_refuses_past_its_limit_and_takes_back_what_is_released() {
        let mut budget = Budget::new(10);
        budget.take(8, "the strings").unwrap();
        budget.give_back(5);
        budget.take(7, "the strings").unwrap();
        let message = budget.take(1, "the strings").unwrap_err();
        assert!(message.starts_with("the strings take more than 10 bytes"));
    }
}
