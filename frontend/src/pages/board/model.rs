//! Pure pieces of the exam-board pages: the topic tree, the item filters as a query string,
//! the editor's draft and the candidate's view of it. No rule of the bank lives here: the
//! server validates every item and answers with the fields at fault.

use crate::api::{
    encode_query_value, ApiError, CandidateItem, CandidateOption, FieldError, ItemContent,
    OptionView, TopicCount,
};

pub const KINDS: [&str; 4] = ["single", "multiple", "true_false", "fill_blank"];
pub const STATUSES: [&str; 4] = ["draft", "in_review", "approved", "retired"];

/// One line of the topic tree: a path prefix, its last level, its depth and the items under it.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicNode {
    pub path: String,
    pub name: String,
    pub depth: usize,
    pub count: i64,
}

/// Every level of the given topic paths, parents before children, each with the number of
/// items in it and below it.
pub fn topic_tree(topics: &[TopicCount]) -> Vec<TopicNode> {
    let mut nodes: std::collections::BTreeMap<Vec<String>, i64> = Default::default();
    for t in topics {
        let levels: Vec<String> = t
            .topic
            .split('/')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        for depth in 1..=levels.len() {
            *nodes.entry(levels[..depth].to_vec()).or_default() += t.count;
        }
    }
    nodes
        .into_iter()
        .map(|(levels, count)| TopicNode {
            path: levels.join("/"),
            name: levels.last().cloned().unwrap_or_default(),
            depth: levels.len() - 1,
            count,
        })
        .collect()
}

/// The filters of the item table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub topic: String,
    pub difficulty: String,
    pub kind: String,
    pub status: String,
    pub q: String,
    /// First row of the page shown: filters change it back to 0.
    pub offset: u64,
}

/// Rows per page of the item table.
pub const PAGE: u64 = 200;

/// `GET /api/v1/banks/{id}/items` with the filters that are set.
pub fn items_path(bank_id: i32, f: &Filters, limit: u32) -> String {
    let mut path = format!("/api/v1/banks/{bank_id}/items?limit={limit}");
    for (name, value) in [
        ("topic", &f.topic),
        ("difficulty", &f.difficulty),
        ("kind", &f.kind),
        ("status", &f.status),
        ("q", &f.q),
    ] {
        let value = value.trim();
        if !value.is_empty() {
            path.push_str(&format!("&{name}={}", encode_query_value(value)));
        }
    }
    if f.offset > 0 {
        path.push_str(&format!("&offset={}", f.offset));
    }
    path
}

/// What the item editor holds while the author types.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub topic: String,
    pub difficulty: u8,
    pub kind: String,
    pub stem: String,
    pub options: Vec<OptionView>,
    /// Accepted answers of a fill-in item, one per line.
    pub answers: String,
    pub points: String,
    pub explanation: String,
    /// Comma-separated.
    pub tags: String,
}

fn option(text: &str, correct: bool) -> OptionView {
    OptionView {
        text: text.to_string(),
        correct,
        fixed: false,
    }
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            topic: String::new(),
            difficulty: 1,
            kind: "single".into(),
            stem: String::new(),
            options: (0..4).map(|_| option("", false)).collect(),
            answers: String::new(),
            points: "1.00".into(),
            explanation: String::new(),
            tags: String::new(),
        }
    }
}

impl Draft {
    pub fn from_content(c: &ItemContent) -> Draft {
        Draft {
            topic: c.topic.clone(),
            difficulty: c.difficulty,
            kind: c.kind.clone(),
            stem: c.stem.clone(),
            options: c.options.clone(),
            answers: c.answer.join("\n"),
            points: c.points.clone(),
            explanation: c.explanation.clone().unwrap_or_default(),
            tags: c.tags.join(", "),
        }
    }

    /// The request body of create / update. Fill-in items send answers and no options; the
    /// others send options and no answers.
    pub fn to_content(&self) -> ItemContent {
        let fill = self.kind == "fill_blank";
        ItemContent {
            topic: self.topic.clone(),
            difficulty: self.difficulty,
            kind: self.kind.clone(),
            stem: self.stem.clone(),
            options: if fill { vec![] } else { self.options.clone() },
            answer: if fill {
                self.answers
                    .lines()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect()
            } else {
                vec![]
            },
            points: self.points.trim().to_string(),
            explanation: Some(self.explanation.trim().to_string()).filter(|e| !e.is_empty()),
            tags: self
                .tags
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    /// Switches the kind, giving the options the shape the new kind starts from: true/false
    /// items get *Đúng* / *Sai*, fill-in items none, choice items keep what they had (or four
    /// empty options).
    pub fn set_kind(&mut self, kind: &str) {
        let was = std::mem::replace(&mut self.kind, kind.to_string());
        match kind {
            "true_false" => self.options = vec![option("Đúng", true), option("Sai", false)],
            "fill_blank" => self.options.clear(),
            _ if was == "true_false" || was == "fill_blank" || self.options.is_empty() => {
                self.options = (0..4).map(|_| option("", false)).collect();
            }
            _ => {}
        }
        if kind == "single" || kind == "true_false" {
            // One correct option: keep the first one marked.
            if let Some(first) = self.options.iter().position(|o| o.correct) {
                for (j, o) in self.options.iter_mut().enumerate() {
                    o.correct = j == first;
                }
            }
        }
    }

    /// Marks option `i` correct (or not); a single-choice or true/false item keeps one.
    pub fn set_correct(&mut self, i: usize, correct: bool) {
        let only_one = self.kind != "multiple";
        for (j, o) in self.options.iter_mut().enumerate() {
            if j == i {
                o.correct = correct;
            } else if only_one && correct {
                o.correct = false;
            }
        }
    }
}

/// The letter shown for the option at `index` (A, B, …), as on the candidate's paper.
pub fn letter(index: usize) -> String {
    char::from(b'A' + (index % 26) as u8).to_string()
}

/// The question exactly as the candidate's page receives it: number, kind, stem and lettered
/// options, without the key.
pub fn candidate_view(no: u32, c: &ItemContent) -> CandidateItem {
    CandidateItem {
        no,
        kind: c.kind.clone(),
        stem: c.stem.clone(),
        options: c
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| CandidateOption {
                key: letter(i),
                text: o.text.clone(),
            })
            .collect(),
    }
}

/// The key of an item in the letters of [`candidate_view`] (or its accepted answers).
pub fn key_text(c: &ItemContent) -> String {
    if c.kind == "fill_blank" {
        return c.answer.join(" | ");
    }
    c.options
        .iter()
        .enumerate()
        .filter(|(_, o)| o.correct)
        .map(|(i, _)| letter(i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The messages the server gave for `field` (exactly that location).
pub fn messages_for(errors: &[FieldError], field: &str) -> Vec<String> {
    errors
        .iter()
        .filter(|e| e.location == field)
        .map(|e| e.message.clone())
        .collect()
}

/// A one-line account of a failed call.
pub fn problem_text(e: &ApiError) -> String {
    let mut text = if e.status == 0 {
        e.detail.clone()
    } else {
        format!("{} {}", e.status, e.detail)
    };
    for fe in &e.errors {
        text.push_str(&format!(" · {}: {}", fe.location, fe.message));
    }
    text
}

/// VN-29: the server refuses a reviewer who wrote the item.
pub fn is_self_review(e: &ApiError) -> bool {
    e.status == 403 && e.detail.contains("VN-29")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tc(topic: &str, count: i64) -> TopicCount {
        TopicCount {
            topic: topic.into(),
            count,
        }
    }

    #[test]
    fn the_topic_tree_has_every_level_with_the_items_below_it() {
        let tree = topic_tree(&[
            tc("Kiến thức chung/Luật Cán bộ, công chức", 5),
            tc("Kiến thức chung/Hiến pháp", 3),
            tc("Tin học", 2),
        ]);
        let lines: Vec<(usize, &str, i64)> = tree
            .iter()
            .map(|n| (n.depth, n.name.as_str(), n.count))
            .collect();
        assert_eq!(
            lines,
            vec![
                (0, "Kiến thức chung", 8),
                (1, "Hiến pháp", 3),
                (1, "Luật Cán bộ, công chức", 5),
                (0, "Tin học", 2),
            ]
        );
        assert_eq!(tree[2].path, "Kiến thức chung/Luật Cán bộ, công chức");
    }

    #[test]
    fn only_the_filters_that_are_set_reach_the_query() {
        let f = Filters {
            q: "luat can bo".into(),
            kind: "single".into(),
            ..Default::default()
        };
        assert_eq!(
            items_path(4, &f, 100),
            "/api/v1/banks/4/items?limit=100&kind=single&q=luat%20can%20bo"
        );
        assert_eq!(
            items_path(4, &Filters::default(), 50),
            "/api/v1/banks/4/items?limit=50"
        );
        let second_page = Filters {
            offset: 200,
            ..Default::default()
        };
        assert_eq!(
            items_path(4, &second_page, 200),
            "/api/v1/banks/4/items?limit=200&offset=200"
        );
    }

    #[test]
    fn a_fill_in_draft_sends_answers_and_no_options() {
        let mut d = Draft {
            stem: "Thủ đô là ___".into(),
            answers: "Hà Nội\n\n  Ha Noi \n".into(),
            tags: "địa lý, , thủ đô".into(),
            ..Default::default()
        };
        d.set_kind("fill_blank");
        let c = d.to_content();
        assert!(c.options.is_empty());
        assert_eq!(c.answer, vec!["Hà Nội", "Ha Noi"]);
        assert_eq!(c.tags, vec!["địa lý", "thủ đô"]);
        assert_eq!(c.explanation, None);
    }

    #[test]
    fn a_choice_draft_sends_options_and_no_answers() {
        let mut d = Draft {
            answers: "left over".into(),
            ..Default::default()
        };
        d.set_correct(1, true);
        let c = d.to_content();
        assert_eq!(c.options.len(), 4);
        assert!(c.answer.is_empty());
        assert_eq!(key_text(&c), "B");
    }

    #[test]
    fn a_single_choice_keeps_one_correct_option_and_a_multiple_many() {
        let mut d = Draft::default();
        d.set_correct(0, true);
        d.set_correct(2, true);
        assert_eq!(key_text(&d.to_content()), "C");
        d.set_kind("multiple");
        d.set_correct(0, true);
        assert_eq!(key_text(&d.to_content()), "A, C");
        d.set_kind("single");
        assert_eq!(key_text(&d.to_content()), "A");
    }

    #[test]
    fn true_false_starts_from_dung_and_sai() {
        let mut d = Draft::default();
        d.set_kind("true_false");
        let view = candidate_view(1, &d.to_content());
        let shown: Vec<(String, String)> =
            view.options.into_iter().map(|o| (o.key, o.text)).collect();
        assert_eq!(
            shown,
            vec![("A".into(), "Đúng".into()), ("B".into(), "Sai".into())]
        );
        d.set_kind("single");
        assert_eq!(d.options.len(), 4);
        assert!(d.options.iter().all(|o| o.text.is_empty()));
    }

    #[test]
    fn the_candidate_view_carries_no_key() {
        let mut d = Draft {
            stem: "Luật Cán bộ, công chức được thông qua năm nào?".into(),
            ..Default::default()
        };
        for (i, y) in ["2008", "2010", "2019", "2020"].iter().enumerate() {
            d.options[i].text = y.to_string();
        }
        d.set_correct(0, true);
        let json = serde_json::to_string(&candidate_view(7, &d.to_content())).unwrap();
        assert!(!json.contains("correct"), "{json}");
        assert!(json.contains(r#""key":"D","text":"2020""#), "{json}");
    }

    #[test]
    fn self_review_is_recognised_from_the_server_problem() {
        let e = ApiError {
            status: 403,
            detail: "VN-29: you wrote a version of item 3, so you may not approve it".into(),
            errors: vec![],
        };
        assert!(is_self_review(&e));
        assert!(problem_text(&e).starts_with("403 VN-29"));
    }
}
