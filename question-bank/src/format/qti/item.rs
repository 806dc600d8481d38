//! One `assessmentItem` read into an item: its interaction, response declaration, texts and
//! points.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::super::xml::{is_block, is_media, Element, Node, TextSink};
use super::super::{default_difficulty, option_index, parse_points, Parsed, DEFAULT_TOPIC};
use super::{LomMeta, BLANK_MARK};
use crate::item::{Item, ItemKind, ItemOption};
use crate::text::fold;

#[derive(Debug, Default)]
struct ResponseDecl {
    cardinality: String,
    correct: Vec<String>,
    /// `mapEntry` keys with a positive mapped value.
    mapped: Vec<String>,
}

fn response_declarations(root: &Element) -> HashMap<String, ResponseDecl> {
    root.children_named("responseDeclaration")
        .map(|d| {
            let values = |path: &[&str]| -> Vec<String> {
                d.path(path)
                    .map(|c| c.children_named("value").map(|v| v.text()).collect())
                    .unwrap_or_default()
            };
            let mapped = d
                .child("mapping")
                .map(|m| {
                    m.children_named("mapEntry")
                        .filter(|e| {
                            e.attr("mappedValue")
                                .and_then(|v| v.trim().parse::<f64>().ok())
                                .is_some_and(|v| v > 0.0)
                        })
                        .filter_map(|e| e.attr("mapKey").map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            (
                d.attr("identifier").unwrap_or("").to_string(),
                ResponseDecl {
                    cardinality: d.attr("cardinality").unwrap_or("single").to_string(),
                    correct: values(&["correctResponse"]),
                    mapped,
                },
            )
        })
        .collect()
}

/// Render XHTML content as plain text. Interactions other than the prompt of a choice and the
/// blank of a text entry, feedback and rubric blocks are not part of the question text.
fn render(el: &Element, sink: &mut TextSink, media: &mut Vec<String>) {
    for child in &el.children {
        let e = match child {
            Node::Text(t) => {
                sink.text(t);
                continue;
            }
            Node::Element(e) => e,
        };
        match e.name.as_str() {
            "choiceInteraction" => {
                if let Some(prompt) = e.child("prompt") {
                    sink.block_break();
                    render(prompt, sink, media);
                    sink.block_break();
                }
            }
            "textEntryInteraction" => sink.text(&BLANK_MARK.to_string()),
            "br" => sink.line_break(),
            "feedbackBlock" | "feedbackInline" | "rubricBlock" | "modalFeedback"
            | "templateBlock" | "templateInline" | "printedVariable" => {}
            name if name.ends_with("Interaction") => {}
            name if is_media(name) => media.push(name.to_string()),
            name => {
                let block = is_block(name);
                if block {
                    sink.block_break();
                }
                render(e, sink, media);
                if block {
                    sink.block_break();
                }
            }
        }
    }
}

fn render_text(el: &Element, out: &mut Parsed, at: &str) -> String {
    let mut sink = TextSink::default();
    let mut media = Vec::new();
    render(el, &mut sink, &mut media);
    for m in media {
        out.error(
            at.to_string(),
            format!("embedded <{m}> content (pictures, media, formulas) is not supported"),
        );
    }
    sink.finish()
}

/// The stem with the text entry blank: dropped when it stands on its own line, `___` inside a
/// sentence.
fn place_blank(stem: &str) -> String {
    stem.lines()
        .filter(|l| l.trim() != BLANK_MARK.to_string())
        .collect::<Vec<_>>()
        .join("\n")
        .replace(BLANK_MARK, "___")
        .trim()
        .to_string()
}

/// What the interaction and its response declaration make of an item: its kind, options (with
/// the identifiers of their choices) and accepted answers.
struct Responses {
    kind: ItemKind,
    options: Vec<ItemOption>,
    choice_ids: Vec<String>,
    answer: Vec<String>,
}

pub(super) fn read_item(out: &mut Parsed, at: &str, label: &str, root: &Element, meta: &LomMeta) {
    let loc = |place: &str| format!("{at}, {place}");
    if root.name != "assessmentItem" {
        out.error(
            at.to_string(),
            format!(
                "the root element is <{}>; a QTI 2.1 item is an <assessmentItem>",
                root.name
            ),
        );
        return;
    }
    let errors_before = out.problems();
    let Some(body) = root.child("itemBody") else {
        out.error(loc("itemBody"), "the item has no itemBody");
        return;
    };
    let Some(interaction) = the_interaction(out, &loc, body, errors_before) else {
        return;
    };
    let decls = response_declarations(root);
    let response_id = interaction.attr("responseIdentifier").unwrap_or("");
    let Some(decl) = decls.get(response_id) else {
        out.error(
            loc(&interaction.name),
            format!("no responseDeclaration '{response_id}' for the interaction"),
        );
        return;
    };
    let stem = place_blank(&render_text(body, out, &loc("itemBody")));
    let Some(responses) = read_responses(out, &loc, interaction, decl) else {
        return;
    };
    let points = match points_of(root) {
        Ok(p) => p,
        Err(e) => {
            out.error(loc("outcomeDeclaration MAXSCORE"), e);
            Decimal::ONE
        }
    };
    let explanation = root
        .children_named("modalFeedback")
        .map(|f| render_text(f, out, &loc("modalFeedback")))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let item = Item {
        topic: meta.topic.clone().unwrap_or_else(|| DEFAULT_TOPIC.into()),
        difficulty: meta.difficulty.unwrap_or_else(default_difficulty),
        kind: responses.kind,
        stem,
        options: responses.options,
        answer: responses.answer,
        points,
        explanation: Some(explanation).filter(|e| !e.is_empty()),
        tags: meta.tags.clone(),
    };
    let had_errors = out.problems() > errors_before;
    let mut checked = Parsed::default();
    checked.validate(item, at.to_string(), label.to_string(), |location, _| {
        Some(place_in_qti(
            location,
            &interaction.name,
            &responses.choice_ids,
        ))
    });
    out.absorb(checked, !had_errors);
}

/// The one supported interaction of an item body; unsupported ones, a second one, or none at
/// all (when nothing else was reported) are reported.
fn the_interaction<'b>(
    out: &mut Parsed,
    loc: &dyn Fn(&str) -> String,
    body: &'b Element,
    errors_before: usize,
) -> Option<&'b Element> {
    let mut interactions = Vec::new();
    collect_interactions(body, &mut interactions);
    let mut supported = Vec::new();
    for i in interactions {
        if i.name == "choiceInteraction" || i.name == "textEntryInteraction" {
            supported.push(i);
        } else {
            out.error(
                loc(&i.name),
                format!(
                    "{} is not supported (choiceInteraction, textEntryInteraction)",
                    i.name
                ),
            );
        }
    }
    if supported.len() > 1 {
        out.error(
            loc("itemBody"),
            "items with more than one interaction are not supported",
        );
    }
    let first = supported.first().copied();
    if first.is_none() && out.problems() == errors_before {
        out.error(
            loc("itemBody"),
            "the item has no choiceInteraction or textEntryInteraction",
        );
    }
    first
}

/// The options of a choice interaction or the accepted answers of a text entry; an
/// unsupported cardinality is reported.
fn read_responses(
    out: &mut Parsed,
    loc: &dyn Fn(&str) -> String,
    interaction: &Element,
    decl: &ResponseDecl,
) -> Option<Responses> {
    if interaction.name != "choiceInteraction" {
        let mut answer = Vec::new();
        for value in decl.correct.iter().chain(&decl.mapped) {
            if !answer.contains(value) {
                answer.push(value.clone());
            }
        }
        return Some(Responses {
            kind: ItemKind::FillBlank,
            options: Vec::new(),
            choice_ids: Vec::new(),
            answer,
        });
    }
    let keys = if decl.correct.is_empty() {
        &decl.mapped
    } else {
        &decl.correct
    };
    let (options, choice_ids) = read_choices(out, loc, interaction, keys);
    let marked_tf = interaction
        .attr("class")
        .is_some_and(|c| c.split_whitespace().any(|c| c == "true_false"));
    let tf_texts: Vec<String> = options.iter().map(|o| fold(&o.text)).collect();
    let looks_tf = tf_texts == ["dung", "sai"] || tf_texts == ["true", "false"];
    let kind = match decl.cardinality.as_str() {
        "multiple" => ItemKind::Multiple,
        "single" if marked_tf || looks_tf => ItemKind::TrueFalse,
        "single" => ItemKind::Single,
        other => {
            out.error(
                loc("responseDeclaration"),
                format!("cardinality '{other}' is not supported (single, multiple)"),
            );
            return None;
        }
    };
    Some(Responses {
        kind,
        options,
        choice_ids,
        answer: Vec::new(),
    })
}

/// The `simpleChoice`s as options, those `keys` name correct, with their identifiers; a key
/// naming no choice is reported.
fn read_choices(
    out: &mut Parsed,
    loc: &dyn Fn(&str) -> String,
    interaction: &Element,
    keys: &[String],
) -> (Vec<ItemOption>, Vec<String>) {
    let mut options = Vec::new();
    let mut choice_ids = Vec::new();
    for choice in interaction.children_named("simpleChoice") {
        let id = choice.attr("identifier").unwrap_or("").to_string();
        let text = render_text(choice, out, &loc(&format!("simpleChoice '{id}'")));
        options.push(ItemOption {
            text,
            correct: keys.iter().any(|k| k.trim() == id),
            fixed: choice.attr("fixed").is_some_and(|f| f.trim() == "true"),
        });
        choice_ids.push(id);
    }
    for key in keys {
        if !choice_ids.iter().any(|id| id == key.trim()) {
            out.error(
                loc("responseDeclaration"),
                format!("the correct response '{key}' names no simpleChoice"),
            );
        }
    }
    (options, choice_ids)
}

/// A problem validation finds, located as the QTI element that holds the value.
fn place_in_qti(location: &str, interaction: &str, choice_ids: &[String]) -> String {
    match location {
        "topic" => "manifest metadata (classification)".to_string(),
        "stem" => "itemBody".to_string(),
        "points" => "outcomeDeclaration MAXSCORE".to_string(),
        "answer" => "responseDeclaration".to_string(),
        "options" => interaction.to_string(),
        other => match option_index(other) {
            Some(i) => format!(
                "simpleChoice '{}'",
                choice_ids.get(i).map(String::as_str).unwrap_or("")
            ),
            None => other.to_string(),
        },
    }
}

fn collect_interactions<'a>(el: &'a Element, out: &mut Vec<&'a Element>) {
    for e in el.elements() {
        if e.name.ends_with("Interaction") {
            out.push(e);
        } else {
            collect_interactions(e, out);
        }
    }
}

fn points_of(root: &Element) -> Result<Decimal, String> {
    let outcome = |id: &str| {
        root.children_named("outcomeDeclaration")
            .find(|o| o.attr("identifier") == Some(id))
    };
    if let Some(value) = outcome("MAXSCORE").and_then(|o| o.path(&["defaultValue", "value"])) {
        return parse_points(&value.text());
    }
    if let Some(max) = outcome("SCORE").and_then(|o| o.attr("normalMaximum")) {
        return parse_points(max);
    }
    Ok(Decimal::new(100, 2))
}
