//! Items shared by the crate's unit tests.

use rust_decimal::Decimal;

use crate::item::{Difficulty, Item, ItemKind, ItemOption};

/// Options from (text, correct) pairs, none fixed.
pub fn options(pairs: &[(&str, bool)]) -> Vec<ItemOption> {
    pairs
        .iter()
        .map(|(text, correct)| ItemOption {
            text: text.to_string(),
            correct: *correct,
            fixed: false,
        })
        .collect()
}

/// A single-choice item of `Kiến thức chung`, difficulty 1, worth one point, without
/// explanation or tags; not validated.
pub fn single_choice(stem: impl Into<String>, options: Vec<ItemOption>) -> Item {
    Item {
        topic: "Kiến thức chung".into(),
        difficulty: Difficulty::new(1).unwrap(),
        kind: ItemKind::Single,
        stem: stem.into(),
        options,
        answer: vec![],
        points: Decimal::ONE,
        explanation: None,
        tags: vec![],
    }
}
