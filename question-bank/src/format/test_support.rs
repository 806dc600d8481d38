//! Items shared by the format tests: one of each kind, Vietnamese text throughout.

use super::*;
use crate::item::ItemOption;

fn opt(text: &str, correct: bool) -> ItemOption {
    ItemOption {
        text: text.into(),
        correct,
        fixed: false,
    }
}

pub fn sample_items() -> Vec<Item> {
    let items = vec![
        Item {
            topic: "Kiến thức chung/Hiến pháp".into(),
            difficulty: Difficulty::new(1).unwrap(),
            kind: ItemKind::Single,
            stem: "Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam hiện hành được \
                   Quốc hội thông qua năm nào?"
                .into(),
            options: vec![
                opt("1992", false),
                opt("2001", false),
                opt("2013", true),
                opt("2015", false),
            ],
            answer: vec![],
            points: Decimal::new(100, 2),
            explanation: Some("Quốc hội khóa XIII thông qua ngày 28/11/2013.".into()),
            tags: vec![],
        },
        Item {
            topic: "Kiến thức chung/Hiến pháp".into(),
            difficulty: Difficulty::new(2).unwrap(),
            kind: ItemKind::TrueFalse,
            stem: "Quốc hội là cơ quan quyền lực nhà nước cao nhất của nước Cộng hòa \
                   xã hội chủ nghĩa Việt Nam."
                .into(),
            options: true_false_options(true),
            answer: vec![],
            points: Decimal::new(50, 2),
            explanation: None,
            tags: vec!["Điều 69".into()],
        },
        Item {
            topic: "Tư duy/Toán".into(),
            difficulty: Difficulty::new(3).unwrap(),
            kind: ItemKind::Multiple,
            stem: "Những số nào sau đây là số nguyên tố?\nChọn tất cả đáp án đúng.".into(),
            options: vec![
                opt("2", true),
                opt("4", false),
                opt("7", true),
                opt("9", false),
                ItemOption {
                    text: "Cả A và C đều đúng & <không> sai".into(),
                    correct: false,
                    fixed: true,
                },
            ],
            answer: vec![],
            points: Decimal::new(200, 2),
            explanation: None,
            tags: vec![],
        },
        Item {
            topic: "Kiến thức chung/Hiến pháp".into(),
            difficulty: Difficulty::new(1).unwrap(),
            kind: ItemKind::FillBlank,
            stem: "Thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam là ___.".into(),
            options: vec![],
            answer: vec!["Hà Nội".into(), "Thành phố Hà Nội".into()],
            points: Decimal::new(125, 2),
            explanation: Some("Điều 13 Hiến pháp năm 2013.".into()),
            tags: vec![],
        },
    ];
    items.into_iter().map(|i| i.validate().unwrap()).collect()
}

/// The same text decomposed (NFD), as some editors save Vietnamese.
pub fn nfd(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd().collect()
}

/// What importing `bytes` as `format` gives, under the default limits.
pub fn import_as(format: Format, name: &str, bytes: &[u8]) -> Result<Vec<Item>, BankError> {
    import(format, name, bytes, &ImportLimits::default())
}

pub fn locations(err: &BankError) -> Vec<String> {
    err.errors().iter().map(|e| e.location.clone()).collect()
}
