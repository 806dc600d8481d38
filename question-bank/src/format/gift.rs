//! GIFT, Moodle's plain-text question format: one question per block of lines, blocks separated
//! by blank lines, lines starting with `//` are comments.
//!
//! - `$CATEGORY: $course$/top/Kiến thức chung` sets the topic of the questions after it
//!   (before any, the topic is [`super::DEFAULT_TOPIC`]).
//! - `::title::` is optional and ignored; `[html]` text is converted to plain text, `[plain]`,
//!   `[moodle]` and `[markdown]` text is taken as written.
//! - `{=right ~wrong ~wrong}` is `single`; `{~%50%right ~%50%right ~wrong}` (positive weights)
//!   is `multiple`; `{T}` / `{TRUE}` / `{F}` / `{FALSE}` is `true_false` (options Đúng / Sai);
//!   `{=answer =other answer}` (no `~`) is `fill_blank`. Text after the answer block makes a
//!   "missing word" question: the block becomes `___` in the stem. `####text` in the block is
//!   the explanation; per-answer `#feedback` is ignored. Numeric, matching and essay questions
//!   are refused, named.
//! - GIFT has no difficulty or points: a comment before the question with Moodle's tag syntax
//!   carries them, with the item's tags (`// [tag:difficulty:2] [tag:points:0.50] [tag:Luật]`).
//!   Without one, difficulty is 2 and points 1.00.
//! - Escapes: `\~ \= \# \{ \} \: \\` and `\n` (a line break).
//!
//! Problems are located as `bank.gift, question 3 (line 12), answer 2`.

use rust_decimal::Decimal;

use super::limits::Guard;
use super::xml::html_to_text;
use super::{
    category_to_topic, default_difficulty, meta_tags, option_index, read_meta_tags,
    true_false_options, utf8_text, Parsed, DEFAULT_TOPIC,
};
use crate::error::FieldError;
use crate::item::{Item, ItemKind, ItemOption};

/// A character of the question text and whether it was escaped (escaped characters are never
/// syntax).
type Tok = (char, bool);

fn lex(s: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push((c, false));
            continue;
        }
        match chars.peek().copied() {
            Some(n) if "~=#{}:\\".contains(n) => {
                out.push((n, true));
                chars.next();
            }
            Some('n') => {
                out.push(('\n', true));
                chars.next();
            }
            _ => out.push(('\\', true)),
        }
    }
    out
}

fn text(toks: &[Tok]) -> String {
    toks.iter().map(|(c, _)| *c).collect()
}

fn is(tok: Option<&Tok>, c: char) -> bool {
    tok.is_some_and(|&(t, escaped)| t == c && !escaped)
}

fn find(toks: &[Tok], c: char) -> Option<usize> {
    toks.iter().position(|&(t, escaped)| t == c && !escaped)
}

fn find_seq(toks: &[Tok], seq: &str) -> Option<usize> {
    let seq: Vec<char> = seq.chars().collect();
    toks.windows(seq.len()).position(|w| {
        w.iter()
            .zip(&seq)
            .all(|(&(t, escaped), &c)| t == c && !escaped)
    })
}

fn trim(toks: &[Tok]) -> &[Tok] {
    let start = toks
        .iter()
        .position(|(c, _)| !c.is_whitespace())
        .unwrap_or(toks.len());
    let end = toks
        .iter()
        .rposition(|(c, _)| !c.is_whitespace())
        .map_or(start, |i| i + 1);
    &toks[start..end.max(start)]
}

/// More answers than any question can have (a choice takes at most 8 options): a block with
/// more is refused before its answers are laid out.
const MAX_ANSWERS: usize = 64;

pub(crate) fn parse(file_name: &str, bytes: &[u8], guard: &Guard<'_>) -> Parsed {
    let text = match utf8_text(bytes) {
        Ok(t) => t,
        Err(e) => return Parsed::from_errors(vec![FieldError::new(file_name, e)]),
    };
    let mut out = Parsed::new(guard.limits);
    let mut topic: Option<String> = None;
    let mut n = 0;
    let mut block: Vec<(usize, &str)> = Vec::new();
    let mut block_bytes = 0usize;
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).peekable();
    while let Some((line_no, line)) = lines.next() {
        if let Err(e) = guard.tick() {
            return Parsed::from_errors(vec![FieldError::new(
                format!("{file_name}, line {line_no}"),
                e,
            )]);
        }
        if !line.trim().is_empty() {
            block.push((line_no, line));
            block_bytes += line.len() + 1;
            if block_bytes > guard.limits.max_text_bytes {
                let start = block.first().map_or(line_no, |(no, _)| *no);
                return Parsed::from_errors(vec![FieldError::new(
                    format!("{file_name}, line {start}"),
                    format!(
                        "the question starting here is longer than {} bytes, over the limit of \
                         text; questions are separated by blank lines",
                        guard.limits.max_text_bytes
                    ),
                )]);
            }
        }
        let ends_block = lines.peek().is_none_or(|(_, next)| next.trim().is_empty());
        if ends_block && !block.is_empty() {
            read_block(&mut out, file_name, &block, &mut topic, &mut n);
            block.clear();
            block_bytes = 0;
        }
    }
    out
}

/// One block of non-blank lines: a `$CATEGORY` command and/or a question, with its comments.
fn read_block(
    out: &mut Parsed,
    file_name: &str,
    block: &[(usize, &str)],
    topic: &mut Option<String>,
    n: &mut usize,
) {
    let mut comments = Vec::new();
    let mut lines = Vec::new();
    for &(no, line) in block {
        match line.trim_start().strip_prefix("//") {
            Some(comment) => comments.push(comment),
            None => lines.push((no, line)),
        }
    }
    if let Some((_, first)) = lines.first() {
        if let Some(path) = first.trim().strip_prefix("$CATEGORY:") {
            *topic = Some(category_to_topic(path));
            lines.remove(0);
        }
    }
    let Some(&(start_line, _)) = lines.first() else {
        return;
    };
    *n += 1;
    let source = lines.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("\n");
    read_question(
        out,
        file_name,
        *n,
        start_line,
        &source,
        &comments,
        topic.as_deref(),
    );
}

/// Moodle's GIFT tag syntax inside comments: `[tag:name]`.
fn comment_tags(comments: &[&str]) -> Vec<String> {
    let mut tags = Vec::new();
    for c in comments {
        let mut rest = *c;
        while let Some(start) = rest.find("[tag:") {
            let after = &rest[start + 5..];
            match after.find(']') {
                Some(end) => {
                    tags.push(after[..end].trim().to_string());
                    rest = &after[end + 1..];
                }
                None => break,
            }
        }
    }
    tags
}

struct Answer {
    marker: char,
    weight: Option<f64>,
    text: String,
}

fn read_question(
    out: &mut Parsed,
    file_name: &str,
    n: usize,
    line: usize,
    source: &str,
    comments: &[&str],
    topic: Option<&str>,
) {
    let toks = lex(source);
    let mut body = trim(&toks);
    let mut title = String::new();
    if is(body.first(), ':') && is(body.get(1), ':') {
        if let Some(end) = find_seq(&body[2..], "::") {
            title = text(&body[2..2 + end]).trim().to_string();
            body = trim(&body[end + 4..]);
        }
    }
    let label = format!("question {n}");
    let at = if title.is_empty() {
        format!("{file_name}, {label} (line {line})")
    } else {
        format!("{file_name}, {label} (line {line}, title '{title}')")
    };
    let loc = |place: &str| format!("{at}, {place}");
    let errors_before = out.problems();

    let Some(open) = find(body, '{') else {
        out.error(
            at.clone(),
            "no answer block {…}: descriptions and essay questions are not supported",
        );
        return;
    };
    let Some(close) = find(&body[open..], '}').map(|i| open + i) else {
        out.error(loc("answer block"), "the answer block '{' is not closed");
        return;
    };
    let mut before = text(&body[..open]);
    let after = text(&body[close + 1..]);
    let mut html = false;
    for (prefix, is_html) in [
        ("[html]", true),
        ("[moodle]", false),
        ("[plain]", false),
        ("[markdown]", false),
    ] {
        if let Some(rest) = before.trim_start().strip_prefix(prefix) {
            html = is_html;
            before = rest.to_string();
            break;
        }
    }
    let as_text = |out: &mut Parsed, s: String, place: &str| -> String {
        if !html {
            return s;
        }
        html_to_text(&s).unwrap_or_else(|e| {
            out.error(loc(place), e);
            String::new()
        })
    };
    let stem_source = if after.trim().is_empty() {
        before
    } else {
        format!("{before}___{after}")
    };
    let stem = as_text(out, stem_source, "question text");

    let mut inside = &body[open + 1..close];
    let mut explanation = String::new();
    if let Some(i) = find_seq(inside, "####") {
        explanation = as_text(out, text(&inside[i + 4..]), "general feedback");
        inside = &inside[..i];
    }
    let inside = trim(inside);
    let head = text(&inside[..find(inside, '#').unwrap_or(inside.len())]);
    let true_false = match head.trim() {
        "T" | "TRUE" => Some(true),
        "F" | "FALSE" => Some(false),
        _ => None,
    };

    let (meta, problems) = read_meta_tags(comment_tags(comments));
    for p in problems {
        out.error(loc("tags"), p);
    }

    let mut options = Vec::new();
    let mut accepted = Vec::new();
    let mut bad_answers = Vec::new();
    let kind = if let Some(value) = true_false {
        options = true_false_options(value);
        ItemKind::TrueFalse
    } else if inside.is_empty() {
        out.error(
            loc("answer block"),
            "an empty answer block is an essay question, which is not supported",
        );
        return;
    } else if is(inside.first(), '#') {
        out.error(loc("answer block"), "numerical questions are not supported");
        return;
    } else if inside
        .iter()
        .filter(|&&(c, escaped)| !escaped && (c == '~' || c == '='))
        .count()
        > MAX_ANSWERS
    {
        out.error(
            loc("answer block"),
            format!("the answer block has more than {MAX_ANSWERS} answers"),
        );
        return;
    } else {
        let answers = split_answers(out, &loc, inside);
        for (i, a) in answers.iter().enumerate() {
            if a.text.contains("->") {
                out.error(
                    loc(&format!("answer {}", i + 1)),
                    "matching questions are not supported",
                );
                return;
            }
        }
        if answers.iter().all(|a| a.marker == '=') {
            for (i, a) in answers.into_iter().enumerate() {
                match a.weight {
                    Some(w) if w < 99.999 => {
                        out.error(
                            loc(&format!("answer {}", i + 1)),
                            format!("partial credit ({w}%) is not supported"),
                        );
                        bad_answers.push(i);
                    }
                    _ => {
                        let text = as_text(out, a.text, &format!("answer {}", i + 1));
                        accepted.push(text);
                    }
                }
            }
            ItemKind::FillBlank
        } else {
            let multiple = answers
                .iter()
                .any(|a| a.marker == '~' && a.weight.is_some_and(|w| w > 0.0));
            for (i, a) in answers.into_iter().enumerate() {
                let correct = a.marker == '=' || a.weight.is_some_and(|w| w > 0.0);
                let before = out.problems();
                let text = as_text(out, a.text, &format!("answer {}", i + 1));
                if out.problems() > before {
                    bad_answers.push(i);
                }
                options.push(ItemOption {
                    text,
                    correct,
                    fixed: meta.fixed.contains(&i),
                });
            }
            if multiple {
                ItemKind::Multiple
            } else {
                ItemKind::Single
            }
        }
    };
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
        points: meta.points.unwrap_or(Decimal::new(100, 2)),
        explanation: Some(explanation).filter(|e| !e.trim().is_empty()),
        tags: meta.tags,
    };
    let had_errors = out.problems() > errors_before;
    let mut checked = Parsed::default();
    checked.validate(item, at.clone(), label, |location, _| {
        let place = match location {
            "topic" => "$CATEGORY".to_string(),
            "stem" => "question text".to_string(),
            "points" => "tags".to_string(),
            "answer" | "options" if !bad_answers.is_empty() => return None,
            "answer" | "options" => "answer block".to_string(),
            other => match option_index(other) {
                Some(i) if bad_answers.contains(&i) => return None,
                Some(i) => format!("answer {}", i + 1),
                None => other.to_string(),
            },
        };
        Some(place)
    });
    out.absorb(checked, !had_errors);
}

/// Split the inside of an answer block at each unescaped `~` or `=`; per-answer feedback
/// (after `#`) is dropped, `%weight%` read.
fn split_answers(out: &mut Parsed, loc: &dyn Fn(&str) -> String, inside: &[Tok]) -> Vec<Answer> {
    let starts: Vec<usize> = inside
        .iter()
        .enumerate()
        .filter(|(_, &(c, escaped))| !escaped && (c == '~' || c == '='))
        .map(|(i, _)| i)
        .collect();
    let first = starts.first().copied().unwrap_or(inside.len());
    if !text(&inside[..first]).trim().is_empty() {
        out.error(
            loc("answer block"),
            "text before the first answer; start each answer with = (right) or ~ (wrong)",
        );
    }
    let mut answers = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(inside.len());
        let marker = inside[start].0;
        let mut body = trim(&inside[start + 1..end]);
        let mut weight = None;
        if is(body.first(), '%') {
            if let Some(close) = find(&body[1..], '%') {
                let raw = text(&body[1..1 + close]);
                match raw.trim().parse::<f64>() {
                    Ok(w) => weight = Some(w),
                    Err(_) => out.error(
                        loc(&format!("answer {}", k + 1)),
                        format!("weight '%{raw}%' is not a number"),
                    ),
                }
                body = &body[close + 2..];
            }
        }
        let body = &body[..find(body, '#').unwrap_or(body.len())];
        answers.push(Answer {
            marker,
            weight,
            text: text(trim(body)),
        });
    }
    answers
}

/// Escape GIFT's special characters; line breaks become `\n` so a question stays one block.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Weight of each of `k` correct options of a multiple-answer question (they add up to 100).
fn share(k: usize) -> String {
    let s = format!("{:.5}", 100.0 / k.max(1) as f64);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub(crate) fn export(items: &[Item]) -> Vec<u8> {
    let mut out = String::from("// Ngân hàng câu hỏi xuất từ thituyen (GIFT)\n\n");
    let mut topic: Option<&str> = None;
    for item in items {
        if topic != Some(item.topic.as_str()) {
            topic = Some(&item.topic);
            out.push_str(&format!("$CATEGORY: $course$/top/{}\n\n", item.topic));
        }
        let tags: Vec<String> = meta_tags(item, true)
            .iter()
            .map(|t| format!("[tag:{}]", t.replace(']', ")")))
            .collect();
        out.push_str(&format!("// {}\n", tags.join(" ")));
        // A stem starting with '[' would be read as a format marker, with "//" as a comment,
        // with "$" possibly as a command; a format marker in front keeps it question text.
        if item.stem.starts_with(['[', '$']) || item.stem.starts_with("//") {
            out.push_str("[plain]");
        }
        out.push_str(&esc(&item.stem));
        out.push_str(" {\n");
        match item.kind {
            ItemKind::TrueFalse => {
                let t = item.options.first().is_some_and(|o| o.correct);
                out.push_str(if t { "TRUE\n" } else { "FALSE\n" });
            }
            ItemKind::FillBlank => {
                for a in &item.answer {
                    out.push_str(&format!("={}\n", esc(a)));
                }
            }
            ItemKind::Single => {
                for o in &item.options {
                    let marker = if o.correct { '=' } else { '~' };
                    out.push_str(&format!("{marker}{}\n", esc(&o.text)));
                }
            }
            ItemKind::Multiple => {
                let k = item.options.iter().filter(|o| o.correct).count();
                for o in &item.options {
                    if o.correct {
                        out.push_str(&format!("~%{}%{}\n", share(k), esc(&o.text)));
                    } else {
                        out.push_str(&format!("~{}\n", esc(&o.text)));
                    }
                }
            }
        }
        if let Some(e) = &item.explanation {
            out.push_str(&format!("####{}\n", esc(e)));
        }
        out.push_str("}\n\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{import, Format, ImportLimits};
    use super::*;
    use crate::error::BankError;

    fn read(gift: &str) -> Result<Vec<Item>, BankError> {
        import(
            Format::Gift,
            "bank.gift",
            gift.as_bytes(),
            &ImportLimits::default(),
        )
    }

    const GIFT: &str = include_str!("../../tests/fixtures/gift-sample.txt");

    #[test]
    fn multiple_choice_true_false_short_answer_and_categories() {
        let items = read(GIFT).unwrap();
        assert_eq!(items.len(), 5);
        assert_eq!(items[0].topic, "Kiến thức chung/Hiến pháp");
        assert_eq!(items[0].kind, ItemKind::Single);
        assert_eq!(items[0].stem, "Hiến pháp hiện hành được thông qua năm nào?");
        let texts: Vec<_> = items[0].options.iter().map(|o| o.text.as_str()).collect();
        assert_eq!(texts, vec!["1992", "2013", "2001"]);
        assert!(items[0].options[1].correct);
        assert_eq!(
            items[0].explanation.as_deref(),
            Some("Quốc hội khóa XIII thông qua.")
        );
        assert_eq!(items[1].kind, ItemKind::TrueFalse);
        assert_eq!(items[1].options, true_false_options(true));
        assert_eq!(items[1].difficulty.level(), 3);
        assert_eq!(items[1].tags, vec!["Điều 69"]);
        assert_eq!(items[2].topic, "Tư duy");
        assert_eq!(items[2].kind, ItemKind::Multiple);
        let correct: Vec<bool> = items[2].options.iter().map(|o| o.correct).collect();
        assert_eq!(correct, vec![true, false, true]);
        assert_eq!(items[3].kind, ItemKind::FillBlank);
        assert_eq!(items[3].stem, "Thủ đô của Việt Nam là ___.");
        assert_eq!(items[3].answer, vec!["Hà Nội", "Thành phố Hà Nội"]);
        assert_eq!(items[4].stem, "Tỉ lệ 1:2 viết là {1/2}?");
        assert_eq!(items[4].options, true_false_options(false));
    }

    #[test]
    fn questions_before_any_category_get_the_default_topic() {
        let items = read("Thủ đô? {=Hà Nội}").unwrap();
        assert_eq!(items[0].topic, DEFAULT_TOPIC);
        assert_eq!(items[0].difficulty.level(), 2);
    }

    #[test]
    fn round_trip_gives_back_equal_items() {
        let items = sample_items();
        let bytes = export(&items);
        assert_eq!(read(std::str::from_utf8(&bytes).unwrap()).unwrap(), items);
    }

    #[test]
    fn nfd_input_is_imported_as_nfc() {
        let expected = read(GIFT).unwrap();
        assert_eq!(read(&nfd(GIFT)).unwrap(), expected);
    }

    #[test]
    fn unsupported_and_broken_questions_are_located() {
        let gift = "Tuổi? {#30}\n\nViết cảm nghĩ. {}\n\nGhép {=a -> 1 =b -> 2}\n\n\
                    ::C4:: Chọn {=a ~a}\n\nThiếu ngoặc {=a\n";
        let err = read(gift).unwrap_err();
        assert_eq!(
            locations(&err),
            vec![
                "bank.gift, question 1 (line 1), answer block",
                "bank.gift, question 2 (line 3), answer block",
                "bank.gift, question 3 (line 5), answer 1",
                "bank.gift, question 4 (line 7, title 'C4'), answer 2",
                "bank.gift, question 5 (line 9), answer block",
            ],
            "{:#?}",
            err.errors()
        );
    }

    #[test]
    fn stems_that_look_like_syntax_survive_export() {
        let mut items = sample_items();
        items[0].stem = "// [html] $CATEGORY: không phải chú thích".into();
        items[1].stem = "[html] <b>không</b> phải HTML".into();
        let back = read(std::str::from_utf8(&export(&items)).unwrap()).unwrap();
        assert_eq!(back, items);
    }

    #[test]
    fn html_questions_are_converted() {
        let items = read("[html]<p>Chọn <b>một</b></p> {=<i>Có</i> ~Không}").unwrap();
        assert_eq!(items[0].stem, "Chọn một");
        assert_eq!(items[0].options[0].text, "Có");
    }
}
