//! The synthetic bank: deterministic Vietnamese items drawn by SplitMix64 from a fixed seed.

use std::collections::HashSet;

use question_bank::blueprint::Blueprint;
use question_bank::{Difficulty, Item, ItemKind, ItemOption};
use rust_decimal::Decimal;

use super::topics::{Topic, AUTHORITIES, BLUEPRINT_TOPICS, TOPICS};
use super::{BANK_ITEMS, BANK_SEED};

/// SplitMix64: tiny, seeded, and the same on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform-enough index in `0..n` for synthetic data (`n` is small).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }

    /// `k` distinct indices of `0..n`.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

fn single_stem(rng: &mut SplitMix64, topic: &Topic, level: u8) -> String {
    let subject = rng.pick(topic.subjects);
    let dieu = 1 + rng.below(120);
    let khoan = 1 + rng.below(5);
    let who = rng.pick(AUTHORITIES);
    match (level, rng.below(3)) {
        (1, 0) => format!(
            "Theo {}, cơ quan, người có thẩm quyền quyết định {subject} là ai?",
            topic.source
        ),
        (1, 1) => format!(
            "Khoản {khoan} Điều {dieu} {} quy định nội dung nào về {subject}?",
            topic.source
        ),
        (1, _) => format!(
            "Theo quy định tại Điều {dieu} {}, {subject} được thực hiện như thế nào?",
            topic.source
        ),
        (2, 0) => format!(
            "Căn cứ khoản {khoan} Điều {dieu} {}, khi xem xét {subject}, phương án nào sau \
             đây là đúng?",
            topic.source
        ),
        (2, 1) => format!(
            "Theo {}, trường hợp {who} đề nghị về {subject} thì thời hạn hoặc thẩm quyền giải \
             quyết được xác định thế nào (Điều {dieu})?",
            topic.source
        ),
        (2, _) => format!(
            "Nội dung nào sau đây về {subject} không đúng với quy định tại Điều {dieu} {}?",
            topic.source
        ),
        (_, 0) => format!(
            "Tình huống: ông Nguyễn Văn A đang công tác tại cơ quan thuộc {who}. Căn cứ \
             khoản {khoan} Điều {dieu} {}, việc giải quyết {subject} đối với ông A thuộc \
             thẩm quyền hoặc phải đáp ứng điều kiện nào?",
            topic.source
        ),
        (_, 1) => format!(
            "Tình huống: bà Trần Thị B đề nghị {who} xem xét {subject}. Theo {} (Điều \
             {dieu}, khoản {khoan}), phương án xử lý nào sau đây là đúng?",
            topic.source
        ),
        (_, _) => format!(
            "Theo {}, nhận định nào sau đây về {subject} là chính xác nhất khi đối chiếu với \
             khoản {khoan} Điều {dieu}?",
            topic.source
        ),
    }
}

/// The stem, options and accepted answers of one item: what its kind decides.
type Body = (String, Vec<ItemOption>, Vec<String>);

/// One item of `topic` at `level`. The order of the draws is part of the bank: changing it
/// changes every file the benchmark reads.
fn make_item(rng: &mut SplitMix64, topic: &Topic, level: u8) -> Item {
    let kind = match rng.below(100) {
        0..=84 => ItemKind::Single,
        85..=94 => ItemKind::TrueFalse,
        _ => ItemKind::FillBlank,
    };
    let source = topic.source;
    let dieu = 1 + rng.below(120);
    let (stem, options, answer) = match kind {
        ItemKind::Single => single_choice(rng, topic, level),
        ItemKind::TrueFalse => true_false(rng, topic, dieu),
        _ => fill_blank(rng, topic, dieu),
    };
    let explanation = (rng.below(10) < 3)
        .then(|| format!("Căn cứ khoản {} Điều {dieu} {source}.", 1 + rng.below(5)));
    let tags = match rng.below(10) {
        0 => vec!["đề 2025".to_string()],
        1 => vec!["ôn tập".to_string(), "cấp xã".to_string()],
        _ => Vec::new(),
    };
    let points = if rng.below(10) == 0 {
        Decimal::new(50, 2)
    } else {
        Decimal::new(100, 2)
    };
    Item {
        topic: topic.path.to_string(),
        difficulty: Difficulty::new(level).expect("levels are 1 to 3"),
        kind,
        stem,
        options,
        answer,
        points,
        explanation,
        tags,
    }
    .validate()
    .expect("synthetic items are valid")
}

/// Four answers of the topic, one of them right; one item in twenty ends with a fixed "all of
/// the above" instead of a fourth answer.
fn single_choice(rng: &mut SplitMix64, topic: &Topic, level: u8) -> Body {
    let stem = single_stem(rng, topic, level);
    let with_all = rng.below(20) == 0;
    let drawn = rng.distinct(topic.answers.len(), if with_all { 3 } else { 4 });
    let key = rng.below(4);
    let mut options: Vec<ItemOption> = drawn
        .iter()
        .enumerate()
        .map(|(i, &a)| ItemOption {
            text: topic.answers[a].to_string(),
            correct: i == key,
            fixed: false,
        })
        .collect();
    if with_all {
        options.push(ItemOption {
            text: "Tất cả các phương án trên".into(),
            correct: key == 3,
            fixed: true,
        });
    }
    (stem, options, Vec::new())
}

/// A statement of the topic to judge, true or false at random.
fn true_false(rng: &mut SplitMix64, topic: &Topic, dieu: usize) -> Body {
    let source = topic.source;
    let statement = rng.pick(topic.statements);
    let stem = format!("Theo {source} (Điều {dieu}), {statement}. Nhận định trên đúng hay sai?");
    let true_is_correct = rng.below(2) == 0;
    let options = ["Đúng", "Sai"]
        .iter()
        .enumerate()
        .map(|(i, t)| ItemOption {
            text: (*t).to_string(),
            correct: (i == 0) == true_is_correct,
            fixed: false,
        })
        .collect();
    (stem, options, Vec::new())
}

/// A sentence of the topic with a blank and its one accepted answer.
fn fill_blank(rng: &mut SplitMix64, topic: &Topic, dieu: usize) -> Body {
    let (text, accepted) = topic.blanks[rng.below(topic.blanks.len())];
    let stem = format!("Điền vào chỗ trống (Điều {dieu} {}): {text}", topic.source);
    (stem, Vec::new(), vec![accepted.to_string()])
}

/// The deterministic 20,000-item bank, grouped by topic as a board's file usually is; the same
/// question (folded stem and options) never appears twice, since import refuses duplicates.
pub(super) fn bank() -> Vec<Item> {
    let mut rng = SplitMix64(BANK_SEED);
    let mut seen = HashSet::with_capacity(BANK_ITEMS);
    let mut items = Vec::with_capacity(BANK_ITEMS);
    for (t, topic) in TOPICS.iter().enumerate() {
        let share = BANK_ITEMS / TOPICS.len() + usize::from(t < BANK_ITEMS % TOPICS.len());
        let mut made = 0;
        while made < share {
            let level = 1 + (made % 3) as u8;
            let item = make_item(&mut rng, topic, level);
            if seen.insert(item.duplicate_key()) {
                items.push(item);
                made += 1;
            }
        }
    }
    items
}

/// 60 questions: 5 topics × 3 difficulties × 4 items, one section, seal 1.
pub(super) fn blueprint() -> Blueprint {
    let cells: Vec<serde_json::Value> = TOPICS[..BLUEPRINT_TOPICS]
        .iter()
        .flat_map(|t| {
            (1..=3).map(move |d| {
                serde_json::json!({"seal_id": 1, "topic": t.path, "difficulty": d, "count": 4})
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({"sections": [{
        "code": "KTC",
        "name": "Kiến thức chung",
        "duration_minutes": 60,
        "pass_ratio": "0.50",
        "cells": cells,
    }]}))
    .expect("the benchmark blueprint deserialises")
}
