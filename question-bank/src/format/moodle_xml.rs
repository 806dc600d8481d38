//! Moodle XML (`<quiz>` of `<question>` elements), the exchange format of Moodle question banks.
//!
//! - `multichoice` with `<single>true</single>` becomes `single` (the option(s) with fraction
//!   100 are correct; partial credit is refused), with `<single>false</single>` `multiple`
//!   (every option with a positive fraction is correct); `truefalse` becomes `true_false` with
//!   options Đúng / Sai; `shortanswer` becomes `fill_blank` (answers with fraction 100 are
//!   accepted, fraction 0 answers are ignored). Other types are refused, named.
//! - `<question type="category">` sets the topic of the questions after it
//!   (`$course$/top/Kiến thức chung/Luật` → `Kiến thức chung/Luật`); before any category the
//!   topic is [`super::DEFAULT_TOPIC`].
//! - `defaultgrade` gives the points, `generalfeedback` the explanation, `tags` the tags. Moodle
//!   has no difficulty: the tag `difficulty:N` carries it (default 2), and `fixed:D` the options
//!   kept in place.
//! - Text in `format="html"` is converted to plain text (paragraphs and `<br>` become line
//!   breaks); embedded images are refused. Export writes `plain_text`, which keeps the exact
//!   text.
//!
//! Problems are located as `bank.xml, question 3 (name 'Câu 3'), element answer[2]`; questions
//! are numbered from 1, not counting category entries.

use super::limits::Guard;
use super::xml::{self, esc, html_to_text, Detach, Element};
use super::{
    category_to_topic, default_difficulty, meta_tags, option_index, parse_points, read_meta_tags,
    true_false_options, Parsed, DEFAULT_TOPIC,
};
use crate::error::FieldError;
use crate::item::{Item, ItemKind, ItemOption};

/// Read a Moodle XML file question by question: each `<question>` is handed over as soon as it
/// closes and dropped once read, so memory follows the largest question, not the file.
pub(crate) fn parse(file_name: &str, bytes: &[u8], guard: &Guard<'_>) -> Parsed {
    let text = match super::utf8_text(bytes) {
        Ok(text) => text,
        Err(e) => return Parsed::from_errors(vec![FieldError::new(file_name, e)]),
    };
    let mut out = Parsed::new(guard.limits);
    let mut topic: Option<String> = None;
    let mut n = 0;
    let mut read_question = |q: Element| {
        let qtype = q.attr("type").unwrap_or("");
        if qtype == "category" {
            let path = q
                .path(&["category", "text"])
                .map(Element::text)
                .unwrap_or_default();
            topic = Some(category_to_topic(&path));
            return Ok(());
        }
        n += 1;
        let name = q
            .path(&["name", "text"])
            .map(|e| e.text().trim().to_string())
            .unwrap_or_default();
        let label = if name.is_empty() {
            format!("question {n}")
        } else {
            format!("question {n} (name '{name}')")
        };
        parse_question(&mut out, &q, qtype, file_name, label, topic.as_deref());
        Ok(())
    };
    let mut detach = Detach {
        when: &|depth, name| depth == 1 && name == "question",
        then: &mut read_question,
    };
    let input = std::io::BufReader::new(text.as_bytes());
    let root = match xml::parse_stream(input, guard, &mut detach) {
        Ok(root) => root,
        Err(e) => return Parsed::from_errors(vec![FieldError::new(file_name, e)]),
    };
    if root.name != "quiz" {
        return Parsed::from_errors(vec![FieldError::new(
            file_name,
            format!(
                "the root element is <{}>; a Moodle XML file starts with <quiz>",
                root.name
            ),
        )]);
    }
    out
}

/// Moodle's full mark; fractions are written with 7 decimals, so compare with tolerance.
fn is_full(fraction: f64) -> bool {
    fraction >= 99.999
}

/// The text of a Moodle text element (`<questiontext format="html"><text>…</text>`), as
/// plain text.
fn formatted(el: Option<&Element>, default_format: &str) -> Result<String, String> {
    let Some(el) = el else {
        return Ok(String::new());
    };
    let raw = el.child("text").map(Element::text).unwrap_or_default();
    match el.attr("format").unwrap_or(default_format) {
        "html" => html_to_text(&raw),
        _ => Ok(raw),
    }
}

fn parse_question(
    out: &mut Parsed,
    q: &Element,
    qtype: &str,
    file_name: &str,
    label: String,
    topic: Option<&str>,
) {
    let at = format!("{file_name}, {label}");
    let loc = |el: &str| format!("{at}, element {el}");
    let errors_before = out.problems();
    let kind = match qtype {
        "multichoice" => {
            let single = q
                .child("single")
                .map(|s| s.text().trim().to_ascii_lowercase())
                .is_none_or(|s| s == "true" || s == "1");
            if single {
                ItemKind::Single
            } else {
                ItemKind::Multiple
            }
        }
        "truefalse" => ItemKind::TrueFalse,
        "shortanswer" => ItemKind::FillBlank,
        other => {
            out.error(
                at.clone(),
                format!(
                    "question type '{other}' is not supported (multichoice, truefalse, \
                     shortanswer)"
                ),
            );
            return;
        }
    };
    let text_of = |out: &mut Parsed, el: Option<&Element>, default: &str, place: &str| {
        formatted(el, default).unwrap_or_else(|e| {
            out.error(loc(place), e);
            String::new()
        })
    };
    let stem = text_of(out, q.child("questiontext"), "html", "questiontext");
    let explanation = text_of(out, q.child("generalfeedback"), "html", "generalfeedback");
    let answer_format = if kind.has_options() && kind != ItemKind::TrueFalse {
        "html"
    } else {
        "moodle_auto_format"
    };
    // Answers already reported are not reported again by validation (as empty or miscounted).
    let mut bad_answers = Vec::new();
    let mut answers: Vec<(String, f64)> = Vec::new();
    for (i, a) in q.children_named("answer").enumerate() {
        let before = out.problems();
        let place = format!("answer[{}]", i + 1);
        let text = text_of(out, Some(a), answer_format, &place);
        let raw = a.attr("fraction").unwrap_or("0").trim();
        let fraction = raw.parse::<f64>().unwrap_or_else(|_| {
            out.error(loc(&place), format!("fraction '{raw}' is not a number"));
            0.0
        });
        answers.push((text, fraction));
        if out.problems() > before {
            bad_answers.push(i);
        }
    }
    let points = match q.child("defaultgrade") {
        None => rust_decimal::Decimal::new(100, 2),
        Some(g) => parse_points(&g.text()).unwrap_or_else(|e| {
            out.error(loc("defaultgrade"), e);
            rust_decimal::Decimal::ONE
        }),
    };
    let tags: Vec<String> = q
        .child("tags")
        .map(|t| {
            t.children_named("tag")
                .map(|tag| tag.child("text").map(Element::text).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let (meta, problems) = read_meta_tags(tags);
    for p in problems {
        out.error(loc("tags"), p);
    }

    let partial = |out: &mut Parsed, i: usize, f: f64| {
        out.error(
            loc(&format!("answer[{}]", i + 1)),
            format!(
                "partial credit (fraction {f}) is not supported: give the answer fraction 100 \
                 or 0"
            ),
        );
    };
    let errors_before_options = out.problems();
    let mut options = Vec::new();
    let mut accepted = Vec::new();
    match kind {
        ItemKind::Single | ItemKind::Multiple => {
            for (i, (text, f)) in answers.iter().enumerate() {
                if kind == ItemKind::Single && *f > 0.0 && !is_full(*f) {
                    partial(out, i, *f);
                }
                let correct = if kind == ItemKind::Single {
                    is_full(*f)
                } else {
                    *f > 0.0
                };
                options.push(ItemOption {
                    text: text.clone(),
                    correct,
                    fixed: meta.fixed.contains(&i),
                });
            }
        }
        ItemKind::TrueFalse => {
            let full = |word: &str| {
                answers
                    .iter()
                    .any(|(t, f)| t.trim().eq_ignore_ascii_case(word) && is_full(*f))
            };
            match (full("true"), full("false")) {
                (true, false) => options = true_false_options(true),
                (false, true) => options = true_false_options(false),
                _ => out.error(
                    loc("answer"),
                    "a truefalse question needs exactly one of the answers 'true' and 'false' \
                     with fraction 100",
                ),
            }
        }
        ItemKind::FillBlank => {
            for (i, (text, f)) in answers.iter().enumerate() {
                if is_full(*f) {
                    accepted.push(text.clone());
                } else if *f > 0.0 {
                    partial(out, i, *f);
                }
            }
        }
    }
    if let Some(&i) = meta.fixed.iter().find(|&&i| i >= options.len()) {
        out.error(
            loc("tags"),
            format!("fixed option {} does not exist", super::letter(i)),
        );
    }

    let item = Item {
        topic: topic.unwrap_or(DEFAULT_TOPIC).to_string(),
        difficulty: meta.difficulty.unwrap_or_else(default_difficulty),
        kind,
        stem,
        options,
        answer: accepted,
        points: meta.points.unwrap_or(points),
        explanation: Some(explanation).filter(|e| !e.trim().is_empty()),
        tags: meta.tags,
    };
    let had_errors = out.problems() > errors_before;
    let answers_refused = !bad_answers.is_empty() || out.problems() > errors_before_options;
    let mut checked = Parsed::default();
    checked.validate(item, at.clone(), label, |location, _| {
        let repeated = match option_index(location) {
            Some(i) => bad_answers.contains(&i),
            None => (location == "options" || location == "answer") && answers_refused,
        };
        if repeated {
            return None;
        }
        let element = match location {
            "topic" => "category".to_string(),
            "stem" => "questiontext".to_string(),
            "points" => "defaultgrade".to_string(),
            "answer" | "options" => "answer".to_string(),
            other => match option_index(other) {
                Some(i) if kind != ItemKind::TrueFalse => format!("answer[{}]", i + 1),
                Some(_) => "answer".to_string(),
                None => other.to_string(),
            },
        };
        Some(format!("element {element}"))
    });
    out.absorb(checked, !had_errors);
}

/// A question name for Moodle's bank listing: the start of the stem's first line.
pub(crate) fn name_of(item: &Item) -> String {
    let first = item.stem.lines().next().unwrap_or("");
    if first.chars().count() > 80 {
        format!("{}…", first.chars().take(79).collect::<String>())
    } else {
        first.to_string()
    }
}

/// Moodle's fraction for each of `k` correct options of a multiple-answer question: they must
/// add up to 100, and Moodle accepts 100/k for k up to 10 written with 5 decimals.
fn share(k: usize) -> String {
    let s = format!("{:.5}", 100.0 / k.max(1) as f64);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn text_element(tag: &str, text: &str) -> String {
    format!(
        "<{tag} format=\"plain_text\"><text>{}</text></{tag}>",
        esc(text)
    )
}

fn answer(fraction: &str, text: &str) -> String {
    format!(
        "    <answer fraction=\"{fraction}\" format=\"plain_text\"><text>{}</text>\
         <feedback format=\"plain_text\"><text></text></feedback></answer>\n",
        esc(text)
    )
}

pub(crate) fn export(items: &[Item]) -> Vec<u8> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    let mut topic: Option<&str> = None;
    for item in items {
        if topic != Some(item.topic.as_str()) {
            topic = Some(&item.topic);
            out.push_str(&format!(
                "  <question type=\"category\">\n    <category><text>$course$/top/{}</text>\
                 </category>\n  </question>\n",
                esc(&item.topic)
            ));
        }
        let qtype = match item.kind {
            ItemKind::Single | ItemKind::Multiple => "multichoice",
            ItemKind::TrueFalse => "truefalse",
            ItemKind::FillBlank => "shortanswer",
        };
        out.push_str(&format!("  <question type=\"{qtype}\">\n"));
        out.push_str(&format!(
            "    <name><text>{}</text></name>\n",
            esc(&name_of(item))
        ));
        out.push_str(&format!(
            "    {}\n",
            text_element("questiontext", &item.stem)
        ));
        out.push_str(&format!(
            "    {}\n",
            text_element(
                "generalfeedback",
                item.explanation.as_deref().unwrap_or_default()
            )
        ));
        out.push_str(&format!(
            "    <defaultgrade>{}</defaultgrade>\n    <penalty>0</penalty>\n    \
             <hidden>0</hidden>\n",
            item.points
        ));
        match item.kind {
            ItemKind::Single | ItemKind::Multiple => {
                let single = item.kind == ItemKind::Single;
                out.push_str(&format!(
                    "    <single>{single}</single>\n    <shuffleanswers>true</shuffleanswers>\n    \
                     <answernumbering>ABCD</answernumbering>\n"
                ));
                let k = item.options.iter().filter(|o| o.correct).count();
                for o in &item.options {
                    let fraction = match (o.correct, single) {
                        (false, _) => "0".to_string(),
                        (true, true) => "100".to_string(),
                        (true, false) => share(k),
                    };
                    out.push_str(&answer(&fraction, &o.text));
                }
            }
            ItemKind::TrueFalse => {
                let true_correct = item.options.first().is_some_and(|o| o.correct);
                out.push_str(&answer(if true_correct { "100" } else { "0" }, "true"));
                out.push_str(&answer(if true_correct { "0" } else { "100" }, "false"));
            }
            ItemKind::FillBlank => {
                out.push_str("    <usecase>0</usecase>\n");
                for a in &item.answer {
                    out.push_str(&answer("100", a));
                }
            }
        }
        out.push_str("    <tags>\n");
        for tag in meta_tags(item, false) {
            out.push_str(&format!("      <tag><text>{}</text></tag>\n", esc(&tag)));
        }
        out.push_str("    </tags>\n  </question>\n");
    }
    out.push_str("</quiz>\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{import, Format, ImportLimits};
    use super::*;
    use crate::error::BankError;

    fn read(xml: &str) -> Result<Vec<Item>, BankError> {
        import(
            Format::MoodleXml,
            "bank.xml",
            xml.as_bytes(),
            &ImportLimits::default(),
        )
    }

    /// Shaped like a Moodle 4 export: HTML text in CDATA, 7-decimal grades and fractions.
    const MOODLE: &str = include_str!("../../tests/fixtures/moodle-sample.xml");

    #[test]
    fn moodle_export_is_read_with_categories_as_topics() {
        let items = read(MOODLE).unwrap();
        let topics: Vec<_> = items.iter().map(|i| i.topic.as_str()).collect();
        assert_eq!(
            topics,
            vec![
                "Kiến thức chung/Luật Cán bộ, công chức",
                "Kiến thức chung/Luật Cán bộ, công chức",
                "Tin học",
                "Tin học"
            ]
        );
        assert_eq!(items[0].stem, "Cán bộ, công chức có bao nhiêu nghĩa vụ?");
        assert_eq!(items[0].kind, ItemKind::Single);
        assert_eq!(items[0].points.to_string(), "2.00");
        assert_eq!(items[0].options[0].text, "Một");
        assert!(items[0].options[1].correct);
        assert_eq!(items[0].difficulty.level(), 2);
        assert_eq!(items[1].kind, ItemKind::Multiple);
        let correct: Vec<bool> = items[1].options.iter().map(|o| o.correct).collect();
        assert_eq!(correct, vec![true, false, true]);
        assert_eq!(items[2].kind, ItemKind::TrueFalse);
        assert_eq!(items[2].options, true_false_options(true));
        assert_eq!(items[2].difficulty.level(), 1);
        assert_eq!(items[2].tags, vec!["tin học"]);
        assert_eq!(items[3].kind, ItemKind::FillBlank);
        assert_eq!(items[3].stem, "Phím tắt sao chép là ___");
        assert_eq!(items[3].answer, vec!["Ctrl+C", "Ctrl + C"]);
    }

    #[test]
    fn round_trip_gives_back_equal_items() {
        let items = sample_items();
        let bytes = export(&items);
        assert_eq!(read(std::str::from_utf8(&bytes).unwrap()).unwrap(), items);
    }

    #[test]
    fn nfd_input_is_imported_as_nfc() {
        let items = sample_items();
        let text = String::from_utf8(export(&items)).unwrap();
        assert_eq!(read(&nfd(&text)).unwrap(), items);
    }

    #[test]
    fn every_problem_is_located_by_question_and_element() {
        let xml = r#"<quiz>
  <question type="multichoice"><name><text>Câu 1</text></name>
    <questiontext><text>Hỏi?</text></questiontext>
    <answer fraction="100"><text>A</text></answer>
    <answer fraction="0"><text></text></answer>
  </question>
  <question type="essay"><name><text>Câu 2</text></name></question>
  <question type="multichoice">
    <questiontext><text>Hỏi 3?</text></questiontext>
    <answer fraction="50"><text>x</text></answer>
    <answer fraction="50"><text>y</text></answer>
  </question>
  <question type="truefalse"><name><text>Câu 4</text></name>
    <questiontext><text>Đúng không?</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
</quiz>"#;
        let err = read(xml).unwrap_err();
        assert_eq!(
            locations(&err),
            vec![
                "bank.xml, question 1 (name 'Câu 1'), element answer[2]",
                "bank.xml, question 2 (name 'Câu 2')",
                "bank.xml, question 3, element answer[1]",
                "bank.xml, question 3, element answer[2]",
                "bank.xml, question 4 (name 'Câu 4'), element answer",
            ],
            "{:#?}",
            err.errors()
        );
        assert!(err.errors()[1].message.contains("'essay' is not supported"));
    }

    #[test]
    fn questions_without_category_get_the_default_topic() {
        let xml = r#"<quiz><question type="shortanswer"><questiontext><text>Thủ đô?</text>
            </questiontext><answer fraction="100"><text>Hà Nội</text></answer></question></quiz>"#;
        assert_eq!(read(xml).unwrap()[0].topic, DEFAULT_TOPIC);
    }

    #[test]
    fn entity_declarations_and_images_are_refused() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<quiz><question type="shortanswer"><questiontext><text>&x;</text></questiontext></question></quiz>"#;
        let err = read(xxe).unwrap_err();
        assert_eq!(locations(&err), vec!["bank.xml"]);
        assert_eq!(
            err.errors()[0].message,
            "DOCTYPE with entity declarations is not accepted"
        );
        let img = r#"<quiz><question type="shortanswer"><name><text>Ảnh</text></name>
            <questiontext format="html"><text><![CDATA[<p><img src="@@PLUGINFILE@@/a.png"></p>]]>
            </text></questiontext><answer fraction="100"><text>x</text></answer></question></quiz>"#;
        let err = read(img).unwrap_err();
        assert_eq!(
            locations(&err)[0],
            "bank.xml, question 1 (name 'Ảnh'), element questiontext"
        );
    }

    #[test]
    fn duplicates_within_the_file_are_reported() {
        let items = sample_items();
        let doubled = [items.clone(), items[..1].to_vec()].concat();
        let err = read(std::str::from_utf8(&export(&doubled)).unwrap()).unwrap_err();
        assert_eq!(err.errors().len(), 1);
        assert!(err.errors()[0].location.starts_with("bank.xml, question 5"));
        assert!(err.errors()[0].message.contains("duplicate of question 1"));
    }
}
