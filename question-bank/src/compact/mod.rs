//! Compact text forms of a paper and of an answer sheet, stored beside the canonical ones so
//! that a whole exam can be marked again from one narrow read (issue 8: 100,000 candidates in
//! seconds). The canonical JSON of a paper stays what is hashed and published; these forms are
//! derived from it and decode to the same values: the grader marks from them, and the live
//! paths (the candidate's paper, autosave, hand-in) decode the paper from its compact form.
//!
//! Paper, one line per section after a version line. The current form, `p2`:
//!
//! ```text
//! p2
//! GK<TAB>Kiến thức chung<TAB>@1.00 812=3301sCADB 3115f 3302tBA
//! ```
//!
//! A token `@points` sets the points of the items after it (every line with items starts with
//! one). An item is `[item_id=]version_id`, its kind as one letter (`s`ingle, `m`ultiple,
//! `t`rue_false, `f`ill_blank), then its permutation as one capital per displayed option
//! naming the original option (`A` = 0 … `P` = 15; none for `fill_blank`); the item id is
//! written only when it differs from the version id. Question numbers are not written: they
//! run from 1 in paper order. A paper numbered otherwise, or with an option index past 15, is
//! written in the older form `p1`, which every reader still reads (rows stored before `p2`):
//!
//! ```text
//! p1
//! GK<TAB>Kiến thức chung<TAB>1,812,3301,s,1.00,2.0.3.1 2,3115,3115,f,1.00, …
//! ```
//!
//! each item being `no,item_id,version_id,kind,points,permutation`, the permutation as
//! `.`-joined original option indexes.
//!
//! Answer sheet: `s1` then `;no:letters` per answered question, and `|text` after the letters of
//! a typed answer. Section codes, names, letters and texts are escaped with `\` before any of
//! the separators, so every value round-trips, whatever it holds; other control characters are
//! written `\u001e`, so neither form holds a raw control character but the paper's own tabs and
//! newlines (a reader may join many forms with the ASCII record and unit separators).

mod escape;
mod item;
mod section;
mod sheet;
#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;

use rust_decimal::Decimal;

pub use sheet::{sheet_from_compact, sheet_to_compact};

use escape::escape_into;
use item::MAX_OPTIONS;
use section::sections_of;
use sheet::sheet_entries;

use crate::blueprint::Blueprint;
use crate::error::BankError;
use crate::item::ItemKind;
use crate::paper::{not_in_pool, Paper, PaperItem, PaperSection};
use crate::scoring::{marks_given, CandidateTerms, ExamMarking, Given, PaperResult, Sealed, Tally};

/// The paper forms: `p2` is written whenever the paper allows it.
const PAPER_V1: &str = "p1";
const PAPER_V2: &str = "p2";
const SHEET_VERSION: &str = "s1";

/// Which paper form a text is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    V1,
    V2,
}

fn kind_letter(kind: ItemKind) -> char {
    match kind {
        ItemKind::Single => 's',
        ItemKind::Multiple => 'm',
        ItemKind::TrueFalse => 't',
        ItemKind::FillBlank => 'f',
    }
}

fn kind_of_letter(letter: u8) -> Option<ItemKind> {
    match letter {
        b's' => Some(ItemKind::Single),
        b'm' => Some(ItemKind::Multiple),
        b't' => Some(ItemKind::TrueFalse),
        b'f' => Some(ItemKind::FillBlank),
        _ => None,
    }
}

/// The compact form of `paper` (see the module notes): `p2` when its questions are numbered
/// 1, 2, 3… in order and no option index passes 15 (as every assembled paper), else `p1`.
pub fn paper_to_compact(paper: &Paper) -> String {
    let v2 = paper.items().enumerate().all(|(k, item)| {
        item.no as usize == k + 1
            && item
                .permutation
                .iter()
                .all(|&p| usize::from(p) < MAX_OPTIONS)
    });
    if v2 {
        paper_to_v2(paper)
    } else {
        paper_to_v1(paper)
    }
}

/// The version line, then per section its head (`code<TAB>name<TAB>`) and what `items` writes
/// of its items.
fn write_paper(
    paper: &Paper,
    version: &str,
    bytes_per_item: usize,
    mut items: impl FnMut(&mut String, &[PaperItem]),
) -> String {
    let mut out = String::with_capacity(32 + paper.item_count() * bytes_per_item);
    out.push_str(version);
    for section in &paper.sections {
        out.push('\n');
        escape_into(&mut out, &section.code);
        out.push('\t');
        escape_into(&mut out, &section.name);
        out.push('\t');
        items(&mut out, &section.items);
    }
    out
}

// Writing into a String cannot fail: the `write!` results below are ignored.
fn paper_to_v2(paper: &Paper) -> String {
    use std::fmt::Write;
    write_paper(paper, PAPER_V2, 10, |out, items| {
        let mut points: Option<Decimal> = None;
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            // Equal decimals may differ in scale (1 and 1.00), which the hash sees.
            let same = points.is_some_and(|p| p == item.points && p.scale() == item.points.scale());
            if !same {
                let _ = write!(out, "@{} ", item.points);
                points = Some(item.points);
            }
            if item.item_id != item.version_id {
                let _ = write!(out, "{}=", item.item_id);
            }
            let _ = write!(out, "{}{}", item.version_id, kind_letter(item.kind));
            out.extend(item.permutation.iter().map(|&p| char::from(b'A' + p)));
        }
    })
}

fn paper_to_v1(paper: &Paper) -> String {
    use std::fmt::Write;
    write_paper(paper, PAPER_V1, 20, |out, items| {
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            let _ = write!(
                out,
                "{},{},{},{},{},",
                item.no,
                item.item_id,
                item.version_id,
                kind_letter(item.kind),
                item.points
            );
            for (i, p) in item.permutation.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                let _ = write!(out, "{p}");
            }
        }
    })
}

/// Reads back [`paper_to_compact`] (either form); an error names the line and the item.
pub fn paper_from_compact(text: &str) -> Result<Paper, BankError> {
    let mut sections = Vec::new();
    let mut next_no = 1;
    for section in sections_of(text)? {
        let section = section?;
        let items = section
            .items(next_no)
            .map(|item| item.map(|i| i.to_paper_item()))
            .collect::<Result<Vec<_>, _>>()?;
        next_no += items.len() as u32;
        sections.push(PaperSection {
            code: section.code.into_owned(),
            name: section.name.into_owned(),
            items,
        });
    }
    Ok(Paper { sections })
}

/// Grades a paper and an answer sheet kept in compact form, as [`grade`] grades them decoded
/// (a test holds the two equal), without building either: a whole exam is marked with a few
/// allocations per candidate. `lookup` finds a sealed item version by its id. Returns the
/// result and the number of answers the sheet holds.
pub fn grade_compact<'a>(
    blueprint: &Blueprint,
    paper: &str,
    sheet: &str,
    lookup: impl Fn(i32) -> Option<Sealed<'a>>,
    marking: &ExamMarking,
    terms: &CandidateTerms,
) -> Result<(PaperResult, usize), BankError> {
    let mut answers = sheet_entries(sheet).collect::<Result<Vec<_>, _>>()?;
    if !answers.is_sorted_by_key(|a| a.no) {
        answers.sort_by_key(|a| a.no);
    }
    if let Some(w) = answers.windows(2).find(|w| w[0].no == w[1].no) {
        return Err(BankError::one(
            "compact answer sheet",
            format!("question {} appears twice", w[0].no),
        ));
    }
    let mut sections = Vec::new();
    let mut next_no = 1;
    for (s, section) in sections_of(paper)?.enumerate() {
        let section = section?;
        let mut tally = Tally::new(blueprint, s, &section.code)?;
        for item in section.items(next_no) {
            let item = item?;
            next_no += 1;
            let pi = item.borrowed();
            let sealed = lookup(pi.version_id).ok_or_else(|| not_in_pool(&pi))?;
            let given = match answers.binary_search_by_key(&pi.no, |a| a.no) {
                Ok(k) => Some(answers[k].given()?),
                Err(_) => None,
            };
            let right = marks_given(
                &pi,
                sealed,
                given.as_ref().map(|(letters, text)| Given {
                    letters: letters.chars(),
                    text: text.as_deref(),
                }),
                marking,
            )?;
            tally.add(pi.points, right);
        }
        sections.push(tally.result(s, &section.code, terms)?);
    }
    Ok((PaperResult::of(sections, terms), answers.len()))
}
