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
    category_to_topic, meta_tags, option_index, read_meta_tags, share_of_100, true_false_options,
    utf8_text, with_new_topics, Parsed, QuestionParts,
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

/// Where a question stands in the file, and whether its texts are HTML.
struct Question {
    /// The location of its problems, e.g. `bank.gift, question 3 (line 12)`.
    at: String,
    label: String,
    html: bool,
}

impl Question {
    fn loc(&self, place: &str) -> String {
        format!("{}, {place}", self.at)
    }

    /// A text of the question as plain text (HTML converted, a conversion problem reported).
    fn as_text(&self, out: &mut Parsed, s: String, place: &str) -> String {
        if !self.html {
            return s;
        }
        html_to_text(&s).unwrap_or_else(|e| {
            out.error(self.loc(place), e);
            String::new()
        })
    }
}

/// The options or accepted answers the answer block gives, and the answers already reported
/// (validation does not report them again).
struct AnswerBlock {
    kind: ItemKind,
    options: Vec<ItemOption>,
    accepted: Vec<String>,
    bad_answers: Vec<usize>,
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
    let (title, body) = split_title(&toks);
    let at = if title.is_empty() {
        format!("{file_name}, question {n} (line {line})")
    } else {
        format!("{file_name}, question {n} (line {line}, title '{title}')")
    };
    let errors_before = out.problems();
    let Some((open, close)) = answer_block(out, &at, body) else {
        return;
    };
    let (html, before) = format_marker(text(&body[..open]));
    let q = Question {
        at,
        label: format!("question {n}"),
        html,
    };
    let after = text(&body[close + 1..]);
    let stem_source = if after.trim().is_empty() {
        before
    } else {
        format!("{before}___{after}")
    };
    let stem = q.as_text(out, stem_source, "question text");
    let (inside, explanation) = split_feedback(out, &q, &body[open + 1..close]);
    let (meta, problems) = read_meta_tags(comment_tags(comments));
    for p in problems {
        out.error(q.loc("tags"), p);
    }
    let Some(block) = read_answers(out, &q, inside, &meta.fixed) else {
        return;
    };
    let parts = QuestionParts {
        kind: block.kind,
        stem,
        options: block.options,
        answer: block.accepted,
        points: Decimal::new(100, 2),
        explanation,
    };
    let item = meta.into_item(out, q.loc("tags"), topic, parts);
    let had_errors = out.problems() > errors_before;
    let mut checked = Parsed::default();
    let bad_answers = block.bad_answers;
    checked.validate(item, q.at.clone(), q.label, |location, _| {
        place_in_gift(location, &bad_answers)
    });
    out.absorb(checked, !had_errors);
}

/// `::title::` in front of a question: the title, and the question after it.
fn split_title(toks: &[Tok]) -> (String, &[Tok]) {
    let body = trim(toks);
    if is(body.first(), ':') && is(body.get(1), ':') {
        if let Some(end) = find_seq(&body[2..], "::") {
            let title = text(&body[2..2 + end]).trim().to_string();
            return (title, trim(&body[end + 4..]));
        }
    }
    (String::new(), body)
}

/// Where the answer block `{…}` opens and closes; a question without one is reported.
fn answer_block(out: &mut Parsed, at: &str, body: &[Tok]) -> Option<(usize, usize)> {
    let Some(open) = find(body, '{') else {
        out.error(
            at,
            "no answer block {…}: descriptions and essay questions are not supported",
        );
        return None;
    };
    let Some(close) = find(&body[open..], '}').map(|i| open + i) else {
        out.error(
            format!("{at}, answer block"),
            "the answer block '{' is not closed",
        );
        return None;
    };
    Some((open, close))
}

/// The text format marker in front of a question (`[html]`, `[plain]`…): whether the texts
/// are HTML, and the question text without the marker.
fn format_marker(before: String) -> (bool, String) {
    for (prefix, is_html) in [
        ("[html]", true),
        ("[moodle]", false),
        ("[plain]", false),
        ("[markdown]", false),
    ] {
        if let Some(rest) = before.trim_start().strip_prefix(prefix) {
            return (is_html, rest.to_string());
        }
    }
    (false, before)
}

/// The answers of an answer block and its general feedback (`####text`), the explanation.
fn split_feedback<'t>(out: &mut Parsed, q: &Question, inside: &'t [Tok]) -> (&'t [Tok], String) {
    match find_seq(inside, "####") {
        Some(i) => {
            let explanation = q.as_text(out, text(&inside[i + 4..]), "general feedback");
            (trim(&inside[..i]), explanation)
        }
        None => (trim(inside), String::new()),
    }
}

/// What the answer block makes of the question: true/false, fill-in or choices. Essay,
/// numerical and matching questions, and blocks with too many answers, are reported.
fn read_answers(
    out: &mut Parsed,
    q: &Question,
    inside: &[Tok],
    fixed: &[usize],
) -> Option<AnswerBlock> {
    let head = text(&inside[..find(inside, '#').unwrap_or(inside.len())]);
    let true_false = match head.trim() {
        "T" | "TRUE" => Some(true),
        "F" | "FALSE" => Some(false),
        _ => None,
    };
    if let Some(value) = true_false {
        return Some(AnswerBlock {
            kind: ItemKind::TrueFalse,
            options: true_false_options(value),
            accepted: Vec::new(),
            bad_answers: Vec::new(),
        });
    }
    let refused = if inside.is_empty() {
        Some("an empty answer block is an essay question, which is not supported".to_string())
    } else if is(inside.first(), '#') {
        Some("numerical questions are not supported".to_string())
    } else if inside
        .iter()
        .filter(|&&(c, escaped)| !escaped && (c == '~' || c == '='))
        .count()
        > MAX_ANSWERS
    {
        Some(format!(
            "the answer block has more than {MAX_ANSWERS} answers"
        ))
    } else {
        None
    };
    if let Some(message) = refused {
        out.error(q.loc("answer block"), message);
        return None;
    }
    let answers = split_answers(out, q, inside);
    if let Some(i) = answers.iter().position(|a| a.text.contains("->")) {
        out.error(
            q.loc(&format!("answer {}", i + 1)),
            "matching questions are not supported",
        );
        return None;
    }
    Some(if answers.iter().all(|a| a.marker == '=') {
        accepted_answers(out, q, answers)
    } else {
        choices(out, q, answers, fixed)
    })
}

/// Answers all marked `=`: a fill-in question, each answer accepted; partial credit refused.
fn accepted_answers(out: &mut Parsed, q: &Question, answers: Vec<Answer>) -> AnswerBlock {
    let mut accepted = Vec::new();
    let mut bad_answers = Vec::new();
    for (i, a) in answers.into_iter().enumerate() {
        match a.weight {
            Some(w) if w < 99.999 => {
                out.error(
                    q.loc(&format!("answer {}", i + 1)),
                    format!("partial credit ({w}%) is not supported"),
                );
                bad_answers.push(i);
            }
            _ => accepted.push(q.as_text(out, a.text, &format!("answer {}", i + 1))),
        }
    }
    AnswerBlock {
        kind: ItemKind::FillBlank,
        options: Vec::new(),
        accepted,
        bad_answers,
    }
}

/// Right (`=` or a positive weight) and wrong answers: a choice question, multiple when a `~`
/// answer has a positive weight.
fn choices(out: &mut Parsed, q: &Question, answers: Vec<Answer>, fixed: &[usize]) -> AnswerBlock {
    let multiple = answers
        .iter()
        .any(|a| a.marker == '~' && a.weight.is_some_and(|w| w > 0.0));
    let mut options = Vec::new();
    let mut bad_answers = Vec::new();
    for (i, a) in answers.into_iter().enumerate() {
        let correct = a.marker == '=' || a.weight.is_some_and(|w| w > 0.0);
        let before = out.problems();
        let text = q.as_text(out, a.text, &format!("answer {}", i + 1));
        if out.problems() > before {
            bad_answers.push(i);
        }
        options.push(ItemOption {
            text,
            correct,
            fixed: fixed.contains(&i),
        });
    }
    AnswerBlock {
        kind: if multiple {
            ItemKind::Multiple
        } else {
            ItemKind::Single
        },
        options,
        accepted: Vec::new(),
        bad_answers,
    }
}

/// A problem validation finds, located in GIFT's terms; `None` for one that follows from an
/// answer already reported.
fn place_in_gift(location: &str, bad_answers: &[usize]) -> Option<String> {
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
}

/// Split the inside of an answer block at each unescaped `~` or `=`; per-answer feedback
/// (after `#`) is dropped, `%weight%` read.
fn split_answers(out: &mut Parsed, q: &Question, inside: &[Tok]) -> Vec<Answer> {
    let starts: Vec<usize> = inside
        .iter()
        .enumerate()
        .filter(|(_, &(c, escaped))| !escaped && (c == '~' || c == '='))
        .map(|(i, _)| i)
        .collect();
    let first = starts.first().copied().unwrap_or(inside.len());
    if !text(&inside[..first]).trim().is_empty() {
        out.error(
            q.loc("answer block"),
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
                        q.loc(&format!("answer {}", k + 1)),
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

pub(crate) fn export(items: &[Item]) -> Vec<u8> {
    let mut out = String::from("// Ngân hàng câu hỏi xuất từ thituyen (GIFT)\n\n");
    for (new_topic, item) in with_new_topics(items) {
        if let Some(topic) = new_topic {
            out.push_str(&format!("$CATEGORY: $course$/top/{topic}\n\n"));
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
                        out.push_str(&format!("~%{}%{}\n", share_of_100(k), esc(&o.text)));
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
mod tests;
