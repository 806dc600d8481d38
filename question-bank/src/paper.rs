//! Papers: one candidate's exam as assembled (see [`crate::assembly`]), and the two views of it.
//!
//! This module owns
//! - [`Paper`], what is stored per ticket: references to sealed item versions, their order, their
//!   points and each item's option permutation — never the items' content nor their key. Its
//!   [`Paper::sha256`] is published with the session's papers so a paper can be audited later;
//! - the **candidate view** ([`CandidateSection`], [`CandidateItem`], [`CandidateOption`]): the
//!   only thing a candidate's browser receives. These types have no field that could carry a key
//!   (answer keys never reach a candidate) and are `Serialize` only;
//! - the **key view** ([`KeyForItem`], from [`answer_key`]): which displayed letters are correct
//!   after the permutation. It has no `Serialize`, so it cannot end up in a response body by
//!   accident.
//!
//! A permutation maps displayed position → original option index: the option shown as letter
//! `A` is `item.options[permutation[0]]`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::BankError;
use crate::item::{Item, ItemKind};
use crate::seal::canonical_json;
use crate::text::nfc;

/// One item of a paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperItem {
    /// Question number shown to the candidate, 1-based across the whole paper.
    pub no: u32,
    pub item_id: i32,
    /// The sealed item version drawn (its content is looked up, never copied into the paper).
    pub version_id: i32,
    pub kind: ItemKind,
    /// Points this question is worth on this paper (the cell's override or the item's points).
    #[serde(with = "rust_decimal::serde::str")]
    pub points: Decimal,
    /// Displayed position → original option index; empty for `fill_blank`.
    pub permutation: Vec<u8>,
}

impl PaperItem {
    /// The item as marking reads it, borrowed.
    pub fn borrowed(&self) -> ItemRef<'_> {
        ItemRef {
            no: self.no,
            item_id: self.item_id,
            version_id: self.version_id,
            kind: self.kind,
            points: self.points,
            permutation: &self.permutation,
        }
    }
}

/// A paper item without ownership of its permutation: what checking and marking read, so a
/// paper kept in compact form ([`crate::compact`]) is marked without building a [`PaperItem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemRef<'a> {
    pub no: u32,
    pub item_id: i32,
    pub version_id: i32,
    pub kind: ItemKind,
    pub points: Decimal,
    pub permutation: &'a [u8],
}

impl ItemRef<'_> {
    /// The paper item this borrows from, owned.
    pub fn to_paper_item(&self) -> PaperItem {
        PaperItem {
            no: self.no,
            item_id: self.item_id,
            version_id: self.version_id,
            kind: self.kind,
            points: self.points,
            permutation: self.permutation.to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperSection {
    pub code: String,
    pub name: String,
    pub items: Vec<PaperItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paper {
    pub sections: Vec<PaperSection>,
}

impl Paper {
    /// Canonical JSON (sorted keys, no whitespace) of the paper: what [`Paper::sha256`] hashes.
    pub fn canonical_json(&self) -> String {
        // A Paper holds strings, integers and decimals as strings: serialisation cannot fail.
        canonical_json(self).expect("a Paper always serialises to JSON")
    }

    /// Lower-case hex SHA-256 of [`Paper::canonical_json`]; returned by
    /// `POST /api/v1/sessions/{id}/papers` so each paper can be rebuilt and checked.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_json().as_bytes()))
    }

    /// Every item in displayed order.
    pub fn items(&self) -> impl Iterator<Item = &PaperItem> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    /// The item numbered `no`, if any.
    pub fn item(&self, no: u32) -> Option<&PaperItem> {
        self.items().find(|i| i.no == no)
    }

    pub fn item_count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }
}

/// An option as a candidate sees it: its letter and its text, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CandidateOption {
    pub key: char,
    pub text: String,
}

/// A question as a candidate sees it. There is deliberately no field for correctness, accepted
/// answers or explanations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CandidateItem {
    pub no: u32,
    pub kind: ItemKind,
    pub stem: String,
    pub options: Vec<CandidateOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CandidateSection {
    pub code: String,
    pub name: String,
    pub items: Vec<CandidateItem>,
}

/// Check that `item` is the content `paper_item` refers to: same kind, and a permutation that is
/// a permutation of exactly its options. A mismatch means the wrong version was looked up.
pub(crate) fn check_fit(paper_item: &ItemRef<'_>, item: &Item) -> Result<(), BankError> {
    let at = || format!("items[no={}]", paper_item.no);
    if paper_item.kind != item.kind {
        return Err(BankError::one(
            at(),
            format!(
                "paper says {} but item version {} is {}",
                paper_item.kind, paper_item.version_id, item.kind
            ),
        ));
    }
    let n = item.options.len();
    // Options are few (eight at most, see `Item::validate`), and a `u8` index never reaches
    // 256: a bit per option, so checking a whole exam allocates nothing.
    let mut seen = [0u64; 4];
    let fits = paper_item.permutation.len() == n
        && paper_item.permutation.iter().all(|&p| {
            let (word, bit) = (usize::from(p / 64), 1u64 << (p % 64));
            let fresh = seen[word] & bit == 0;
            seen[word] |= bit;
            usize::from(p) < n && fresh
        });
    if !fits {
        return Err(BankError::one(
            at(),
            format!(
                "permutation {:?} does not fit the {n} options of item version {}",
                paper_item.permutation, paper_item.version_id
            ),
        ));
    }
    Ok(())
}

impl CandidateItem {
    /// The candidate's view of one paper item: options in displayed order, lettered A, B, C…
    pub fn new(paper_item: &PaperItem, item: &Item) -> Result<Self, BankError> {
        check_fit(&paper_item.borrowed(), item)?;
        Ok(Self {
            no: paper_item.no,
            kind: item.kind,
            stem: item.stem.clone(),
            options: paper_item
                .permutation
                .iter()
                .enumerate()
                .map(|(shown, &original)| CandidateOption {
                    key: Item::letter(shown),
                    text: item.options[usize::from(original)].text.clone(),
                })
                .collect(),
        })
    }
}

/// The candidate's view of a whole paper. `lookup` returns the item content of a paper item
/// (typically by `version_id` from the sealed snapshot).
pub fn candidate_view<'a>(
    paper: &Paper,
    lookup: impl Fn(&PaperItem) -> Option<&'a Item>,
) -> Result<Vec<CandidateSection>, BankError> {
    paper
        .sections
        .iter()
        .map(|section| {
            Ok(CandidateSection {
                code: section.code.clone(),
                name: section.name.clone(),
                items: section
                    .items
                    .iter()
                    .map(|pi| CandidateItem::new(pi, find(&lookup, pi)?))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

pub(crate) fn find<'a>(
    lookup: &impl Fn(&PaperItem) -> Option<&'a Item>,
    pi: &PaperItem,
) -> Result<&'a Item, BankError> {
    lookup(pi).ok_or_else(|| not_in_pool(&pi.borrowed()))
}

/// The error of a paper item whose version the lookup does not have.
pub(crate) fn not_in_pool(pi: &ItemRef<'_>) -> BankError {
    BankError::one(
        format!("items[no={}]", pi.no),
        format!(
            "item {} version {} is not in the sealed pool",
            pi.item_id, pi.version_id
        ),
    )
}

/// The key of one paper item, in displayed terms. Server-side only: no `Serialize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyForItem {
    pub no: u32,
    pub item_id: i32,
    pub kind: ItemKind,
    /// `(letter, correct)` for each option in displayed order.
    pub options: Vec<(char, bool)>,
    /// Accepted answers of a `fill_blank` item (NFC, as authored).
    pub accepted: Vec<String>,
    /// Displayed letter of each original option index: board decisions (VN-24) are taken on the
    /// authored item and must be mapped onto each candidate's own lettering.
    letters_by_original: Vec<char>,
}

impl KeyForItem {
    /// The displayed letters that are correct.
    pub fn correct_letters(&self) -> Vec<char> {
        self.options
            .iter()
            .filter(|(_, correct)| *correct)
            .map(|(letter, _)| *letter)
            .collect()
    }

    /// The letter under which original option `index` is displayed on this paper.
    pub fn letter_of_original(&self, index: usize) -> Option<char> {
        self.letters_by_original.get(index).copied()
    }
}

/// Map the item's key through the paper's permutation.
pub fn answer_key(paper_item: &PaperItem, item: &Item) -> Result<KeyForItem, BankError> {
    check_fit(&paper_item.borrowed(), item)?;
    let mut letters_by_original = vec!['?'; item.options.len()];
    let options = paper_item
        .permutation
        .iter()
        .enumerate()
        .map(|(shown, &original)| {
            let letter = Item::letter(shown);
            letters_by_original[usize::from(original)] = letter;
            (letter, item.options[usize::from(original)].correct)
        })
        .collect();
    Ok(KeyForItem {
        no: paper_item.no,
        item_id: paper_item.item_id,
        kind: item.kind,
        options,
        accepted: item.answer.iter().map(|a| nfc(a)).collect(),
        letters_by_original,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::test_support::{options, single_choice};
    use rust_decimal::dec;

    fn item() -> Item {
        let options = options(&[
            ("2008", true),
            ("2010", false),
            ("2019", false),
            ("Không năm nào", false),
        ]);
        Item {
            topic: "Luật".into(),
            explanation: Some("Luật số 22/2008/QH12".into()),
            ..single_choice("Luật Cán bộ, công chức được thông qua năm nào?", options)
        }
        .validate()
        .unwrap()
    }

    fn paper_item(permutation: Vec<u8>) -> PaperItem {
        PaperItem {
            no: 7,
            item_id: 11,
            version_id: 101,
            kind: ItemKind::Single,
            points: dec!(1.00),
            permutation,
        }
    }

    #[test]
    fn candidate_sees_options_in_permuted_order_and_no_key() {
        let view = CandidateItem::new(&paper_item(vec![2, 0, 3, 1]), &item()).unwrap();
        let texts: Vec<_> = view
            .options
            .iter()
            .map(|o| (o.key, o.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            vec![
                ('A', "2019"),
                ('B', "2008"),
                ('C', "Không năm nào"),
                ('D', "2010")
            ]
        );
        let json = serde_json::to_string(&view).unwrap();
        assert_eq!(
            json,
            r#"{"no":7,"kind":"single","stem":"Luật Cán bộ, công chức được thông qua năm nào?","options":[{"key":"A","text":"2019"},{"key":"B","text":"2008"},{"key":"C","text":"Không năm nào"},{"key":"D","text":"2010"}]}"#
        );
        assert!(!json.contains("correct"));
        assert!(
            !json.contains("22/2008"),
            "the explanation gives the answer away"
        );
    }

    #[test]
    fn key_follows_the_permutation() {
        let key = answer_key(&paper_item(vec![2, 0, 3, 1]), &item()).unwrap();
        assert_eq!(key.correct_letters(), vec!['B']);
        assert_eq!(key.letter_of_original(0), Some('B'));
        assert_eq!(key.letter_of_original(1), Some('D'));
        assert_eq!(key.letter_of_original(4), None);
    }

    #[test]
    fn a_permutation_that_does_not_fit_is_refused() {
        for bad in [
            vec![0, 1, 2],
            vec![0, 1, 2, 2],
            vec![0, 1, 2, 4],
            vec![0, 1, 2, 3, 4],
        ] {
            let err = answer_key(&paper_item(bad.clone()), &item()).unwrap_err();
            assert_eq!(err.errors()[0].location, "items[no=7]", "{bad:?}");
            assert!(CandidateItem::new(&paper_item(bad), &item()).is_err());
        }
        let mut wrong_kind = paper_item(vec![0, 1, 2, 3]);
        wrong_kind.kind = ItemKind::Multiple;
        assert!(answer_key(&wrong_kind, &item()).is_err());
    }

    #[test]
    fn paper_hash_covers_order_and_permutations() {
        let paper = Paper {
            sections: vec![PaperSection {
                code: "GK".into(),
                name: "Kiến thức chung".into(),
                items: vec![paper_item(vec![2, 0, 3, 1])],
            }],
        };
        let mut other = paper.clone();
        other.sections[0].items[0].permutation = vec![0, 2, 3, 1];
        assert_ne!(paper.sha256(), other.sha256());
        assert_eq!(paper.sha256(), paper.clone().sha256());
        assert_eq!(
            paper.canonical_json(),
            r#"{"sections":[{"code":"GK","items":[{"item_id":11,"kind":"single","no":7,"permutation":[2,0,3,1],"points":"1.00","version_id":101}],"name":"Kiến thức chung"}]}"#
        );
        let back: Paper = serde_json::from_str(&serde_json::to_string(&paper).unwrap()).unwrap();
        assert_eq!(back, paper);
    }

    #[test]
    fn candidate_view_reports_a_missing_item() {
        let paper = Paper {
            sections: vec![PaperSection {
                code: "GK".into(),
                name: "Kiến thức chung".into(),
                items: vec![paper_item(vec![0, 1, 2, 3])],
            }],
        };
        let it = item();
        let view = candidate_view(&paper, |p| (p.version_id == 101).then_some(&it)).unwrap();
        assert_eq!(view[0].items[0].options[0].text, "2008");
        let err = candidate_view(&paper, |_| None).unwrap_err();
        assert!(err.errors()[0].message.contains("not in the sealed pool"));
    }
}
