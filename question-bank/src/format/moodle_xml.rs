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
    category_to_topic, meta_tags, option_index, parse_points, read_meta_tags, share_of_100,
    true_false_options, with_new_topics, Parsed, QuestionParts,
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

/// How problems of one question are located: `bank.xml, question 3, element answer[2]`.
type Locate<'l> = &'l dyn Fn(&str) -> String;

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
    let Some(kind) = question_kind(out, &at, q, qtype) else {
        return;
    };
    let stem = text_of(out, &loc, q.child("questiontext"), "html", "questiontext");
    let explanation = text_of(
        out,
        &loc,
        q.child("generalfeedback"),
        "html",
        "generalfeedback",
    );
    // Answers already reported are not reported again by validation (as empty or miscounted).
    let (answers, bad_answers) = read_answers(out, &loc, q, kind);
    let points = match q.child("defaultgrade") {
        None => rust_decimal::Decimal::new(100, 2),
        Some(g) => parse_points(&g.text()).unwrap_or_else(|e| {
            out.error(loc("defaultgrade"), e);
            rust_decimal::Decimal::ONE
        }),
    };
    let (meta, problems) = read_meta_tags(tags_of(q));
    for p in problems {
        out.error(loc("tags"), p);
    }
    let errors_before_options = out.problems();
    let (options, accepted) = options_of(out, &loc, kind, &answers, &meta.fixed);
    let parts = QuestionParts {
        kind,
        stem,
        options,
        answer: accepted,
        points,
        explanation,
    };
    let item = meta.into_item(out, loc("tags"), topic, parts);
    let had_errors = out.problems() > errors_before;
    let answers_refused = !bad_answers.is_empty() || out.problems() > errors_before_options;
    let mut checked = Parsed::default();
    checked.validate(item, at.clone(), label, |location, _| {
        place_in_moodle(location, kind, &bad_answers, answers_refused)
    });
    out.absorb(checked, !had_errors);
}

/// The item kind of a question type; an unsupported type is reported.
fn question_kind(out: &mut Parsed, at: &str, q: &Element, qtype: &str) -> Option<ItemKind> {
    match qtype {
        "multichoice" => {
            let single = q
                .child("single")
                .map(|s| s.text().trim().to_ascii_lowercase())
                .is_none_or(|s| s == "true" || s == "1");
            Some(if single {
                ItemKind::Single
            } else {
                ItemKind::Multiple
            })
        }
        "truefalse" => Some(ItemKind::TrueFalse),
        "shortanswer" => Some(ItemKind::FillBlank),
        other => {
            out.error(
                at,
                format!(
                    "question type '{other}' is not supported (multichoice, truefalse, \
                     shortanswer)"
                ),
            );
            None
        }
    }
}

/// [`formatted`], a problem reported at `place` (and the text left empty).
fn text_of(
    out: &mut Parsed,
    loc: Locate<'_>,
    el: Option<&Element>,
    default: &str,
    place: &str,
) -> String {
    formatted(el, default).unwrap_or_else(|e| {
        out.error(loc(place), e);
        String::new()
    })
}

/// Each `<answer>`'s text and fraction, and the answers with a problem already reported.
fn read_answers(
    out: &mut Parsed,
    loc: Locate<'_>,
    q: &Element,
    kind: ItemKind,
) -> (Vec<(String, f64)>, Vec<usize>) {
    let answer_format = if kind.has_options() && kind != ItemKind::TrueFalse {
        "html"
    } else {
        "moodle_auto_format"
    };
    let mut bad_answers = Vec::new();
    let mut answers = Vec::new();
    for (i, a) in q.children_named("answer").enumerate() {
        let before = out.problems();
        let place = format!("answer[{}]", i + 1);
        let text = text_of(out, loc, Some(a), answer_format, &place);
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
    (answers, bad_answers)
}

/// The texts of `<tags><tag><text>…`.
fn tags_of(q: &Element) -> Vec<String> {
    q.child("tags")
        .map(|t| {
            t.children_named("tag")
                .map(|tag| tag.child("text").map(Element::text).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

/// The options (choices, true/false) or accepted answers (short answer) the answers give;
/// partial credit is refused where an answer is either right or wrong.
fn options_of(
    out: &mut Parsed,
    loc: Locate<'_>,
    kind: ItemKind,
    answers: &[(String, f64)],
    fixed: &[usize],
) -> (Vec<ItemOption>, Vec<String>) {
    let partial = |out: &mut Parsed, i: usize, f: f64| {
        out.error(
            loc(&format!("answer[{}]", i + 1)),
            format!(
                "partial credit (fraction {f}) is not supported: give the answer fraction 100 \
                 or 0"
            ),
        );
    };
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
                    fixed: fixed.contains(&i),
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
    (options, accepted)
}

/// A problem validation finds, located as a Moodle element; `None` for one that follows from
/// an answer already reported.
fn place_in_moodle(
    location: &str,
    kind: ItemKind,
    bad_answers: &[usize],
    answers_refused: bool,
) -> Option<String> {
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
    for (new_topic, item) in with_new_topics(items) {
        if let Some(topic) = new_topic {
            out.push_str(&format!(
                "  <question type=\"category\">\n    <category><text>$course$/top/{}</text>\
                 </category>\n  </question>\n",
                esc(topic)
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
                        (true, false) => share_of_100(k),
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
mod tests;
