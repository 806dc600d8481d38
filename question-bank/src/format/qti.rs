//! IMS QTI 2.1: a single `assessmentItem` XML file, or an IMS content package (a zip with
//! `imsmanifest.xml` listing `imsqti_item_xmlv2p1` resources).
//!
//! - `choiceInteraction` with `cardinality="single"` is `single` (or `true_false` when marked
//!   `class="true_false"` or its two choices are Đúng / Sai), with `cardinality="multiple"`
//!   `multiple`; the correct options are the `correctResponse` values (or positively mapped
//!   choices). `simpleChoice fixed="true"` keeps an option in place.
//! - `textEntryInteraction` is `fill_blank`: accepted answers are the `correctResponse` value and
//!   every positively mapped `mapEntry`. An interaction inside a sentence becomes `___` in the
//!   stem.
//! - The stem is the text of `itemBody` (paragraphs and `<br/>` become line breaks) and the
//!   interaction's `prompt`; `modalFeedback` is the explanation; points come from the
//!   `MAXSCORE` outcome's default value or the `SCORE` outcome's `normalMaximum` (default 1.00).
//!   Other interactions, several interactions in one item and embedded media are refused.
//! - Topic, difficulty and tags come from the LOM metadata of the item's resource in the
//!   manifest (`classification/taxonPath`, `educational/difficulty` as easy / medium /
//!   difficult, `general/keyword`); a lone item file has none, so it gets
//!   [`super::DEFAULT_TOPIC`] and difficulty 2.
//!
//! Problems are located as `package.zip: items/q1.xml, choiceInteraction`.

use std::collections::HashMap;
use std::io::{Cursor, Write};

use rust_decimal::Decimal;

use super::archive::Archive;
use super::limits::{Budget, Guard};
use super::xml::{self, esc, is_block, is_media, text_to_xhtml, Detach, Element, Node, TextSink};
use super::{default_difficulty, letter, option_index, parse_points, Parsed, DEFAULT_TOPIC};
use crate::error::{BankError, FieldError};
use crate::item::{Difficulty, Item, ItemKind, ItemOption};
use crate::text::fold;

/// Stands for an inline text entry while the stem is rendered.
const BLANK_MARK: char = '\u{FFFC}';

pub(crate) fn parse(file_name: &str, bytes: &[u8], guard: &Guard<'_>) -> Parsed {
    if bytes.starts_with(b"PK") {
        parse_package(file_name, bytes, guard)
    } else {
        let mut out = Parsed::new(guard.limits);
        match xml::parse(bytes, guard) {
            Ok(root) => read_item(&mut out, file_name, file_name, &root, &LomMeta::default()),
            Err(e) => out.error(file_name, e),
        }
        out
    }
}

/// What the manifest says about an item.
#[derive(Debug, Default)]
struct LomMeta {
    topic: Option<String>,
    difficulty: Option<Difficulty>,
    tags: Vec<String>,
}

fn read_lom(resource: &Element, at: &str, out: &mut Parsed) -> LomMeta {
    let mut meta = LomMeta::default();
    let mut loms = Vec::new();
    resource.descendants_named("lom", &mut loms);
    let Some(lom) = loms.first() else {
        return meta;
    };
    let strings = |el: &Element| -> Vec<String> {
        let mut found = Vec::new();
        el.descendants_named("string", &mut found);
        found.iter().map(|s| s.text().trim().to_string()).collect()
    };
    if let Some(general) = lom.child("general") {
        for keyword in general.children_named("keyword") {
            meta.tags
                .extend(strings(keyword).into_iter().filter(|s| !s.is_empty()));
        }
    }
    if let Some(value) = lom.path(&["educational", "difficulty", "value"]) {
        let value = value.text().trim().to_ascii_lowercase();
        meta.difficulty = match value.as_str() {
            "very easy" | "easy" => Difficulty::new(1).ok(),
            "medium" => Difficulty::new(2).ok(),
            "difficult" | "very difficult" => Difficulty::new(3).ok(),
            other => {
                out.error(
                    format!("{at}, educational/difficulty"),
                    format!("unknown LOM difficulty '{other}' (easy, medium, difficult)"),
                );
                None
            }
        };
    }
    let path = lom
        .children_named("classification")
        .find_map(|c| c.child("taxonPath"));
    if let Some(path) = path {
        let levels: Vec<String> = path
            .children_named("taxon")
            .filter_map(|t| t.child("entry"))
            .map(|e| strings(e).join(" "))
            .collect();
        meta.topic = Some(levels.join("/"));
    }
    meta
}

/// `href` of a manifest resource as an entry name: relative to the package root, `./` and
/// percent-escapes removed.
fn entry_name(href: &str) -> String {
    let mut out = Vec::new();
    let bytes = href.trim().as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let name = String::from_utf8_lossy(&out).into_owned();
    name.trim_start_matches("./").to_string()
}

/// A QTI item resource of the manifest: what is needed to read its file, and the problems of
/// its metadata (reported in manifest order, just before the item's own).
struct ItemResource {
    at: String,
    href: Option<String>,
    meta: LomMeta,
    problems: Parsed,
}

/// Read a package entry by entry: the manifest is streamed resource by resource (only what an
/// item needs is kept), then each item file is parsed and dropped in turn.
fn parse_package(file_name: &str, bytes: &[u8], guard: &Guard<'_>) -> Parsed {
    let mut archive = match Archive::open(file_name, bytes, guard) {
        Ok(archive) => archive,
        Err(errors) => return Parsed::from_errors(errors),
    };
    let Some(manifest) = archive.find("imsmanifest.xml") else {
        return parse_bare_items(file_name, &mut archive, guard);
    };
    let at_manifest = archive.location(manifest);
    let resources = match read_manifest(&mut archive, manifest, &at_manifest, guard) {
        Ok(resources) => resources,
        Err(e) => return Parsed::from_errors(vec![FieldError::new(at_manifest, e)]),
    };
    let mut out = Parsed::new(guard.limits);
    let found = resources.len();
    for resource in resources {
        out.absorb(resource.problems, false);
        let Some(href) = &resource.href else {
            out.error(resource.at.clone(), "the resource has no href");
            continue;
        };
        let name = entry_name(href);
        let Some(index) = archive.find(&name) else {
            out.error(
                resource.at.clone(),
                format!("the file '{href}' is not in the package"),
            );
            continue;
        };
        let at = archive.location(index);
        let parsed = archive.with_entry(index, |entry| xml::parse_reader(entry, guard));
        match parsed {
            _ if guard.expired() => return timed_out(file_name, guard),
            Ok(Ok(root)) => read_item(&mut out, &at, &name, &root, &resource.meta),
            Ok(Err(e)) => out.error(at, e),
            // A limit of the archive: nothing more can be read.
            Err(e) => return Parsed::from_errors(vec![FieldError::new(at, e)]),
        }
    }
    if found == 0 && out.errors.is_empty() {
        out.error(
            at_manifest,
            "the manifest lists no QTI 2.1 items (resources of type imsqti_item_xmlv2p1)",
        );
    }
    out
}

/// The QTI item resources of the manifest, in document order.
fn read_manifest(
    archive: &mut Archive<'_>,
    manifest: usize,
    at_manifest: &str,
    guard: &Guard<'_>,
) -> Result<Vec<ItemResource>, String> {
    let limits = guard.limits;
    let mut resources = Vec::new();
    let mut budget = Budget::new(limits.max_parsed_bytes);
    let mut keep = |resource: Element| {
        let kind = resource.attr("type").unwrap_or("");
        if !kind.starts_with("imsqti_item_xmlv2p") {
            return Ok(());
        }
        if resources.len() >= limits.max_zip_entries {
            return Err(format!(
                "the manifest lists more than {} items, more than the package may have entries \
                 (the limit)",
                limits.max_zip_entries
            ));
        }
        let id = resource.attr("identifier").unwrap_or("");
        let at = format!("{at_manifest}, resource '{id}'");
        let mut problems = Parsed::default();
        let meta = read_lom(&resource, &at, &mut problems);
        let href = resource.attr("href").map(str::to_string);
        let held = at.len()
            + href.as_ref().map_or(0, String::len)
            + meta.topic.as_ref().map_or(0, String::len)
            + meta.tags.iter().map(|t| t.len() + 24).sum::<usize>()
            + problems
                .errors
                .iter()
                .map(|e| e.location.len() + e.message.len() + 48)
                .sum::<usize>()
            + std::mem::size_of::<ItemResource>();
        budget.take(held, "the manifest's item resources")?;
        resources.push(ItemResource {
            at,
            href,
            meta,
            problems,
        });
        Ok(())
    };
    let mut detach = Detach {
        when: &|_, name| name == "resource",
        then: &mut keep,
    };
    archive.with_entry(manifest, |entry| {
        xml::parse_stream(entry, guard, &mut detach)
    })??;
    Ok(resources)
}

fn timed_out(file_name: &str, guard: &Guard<'_>) -> Parsed {
    Parsed::from_errors(vec![FieldError::new(file_name, guard.time_message())])
}

/// Some tools zip bare item files: take every `assessmentItem` found, in name order.
fn parse_bare_items(file_name: &str, archive: &mut Archive<'_>, guard: &Guard<'_>) -> Parsed {
    let mut out = Parsed::new(guard.limits);
    let mut names: Vec<(String, usize)> = archive
        .names()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.ends_with(".xml"))
        .map(|(i, n)| (n.clone(), i))
        .collect();
    names.sort();
    for (name, index) in names {
        let at = archive.location(index);
        let parsed = archive.with_entry(index, |entry| xml::parse_reader(entry, guard));
        match parsed {
            _ if guard.expired() => return timed_out(file_name, guard),
            Ok(Ok(root)) if root.name == "assessmentItem" => {
                read_item(&mut out, &at, &name, &root, &LomMeta::default());
            }
            // Files that are not items (or not XML) are not ours to judge.
            Ok(_) => {}
            Err(e) => return Parsed::from_errors(vec![FieldError::new(at, e)]),
        }
    }
    if out.items.is_empty() && out.errors.is_empty() {
        out.error(
            file_name,
            "the package has no imsmanifest.xml and no QTI assessmentItem files",
        );
    }
    out
}

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

fn read_item(out: &mut Parsed, at: &str, label: &str, root: &Element, meta: &LomMeta) {
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
    let Some(interaction) = supported.first().copied() else {
        if out.problems() == errors_before {
            out.error(
                loc("itemBody"),
                "the item has no choiceInteraction or textEntryInteraction",
            );
        }
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

    let mut options = Vec::new();
    let mut choice_ids = Vec::new();
    let mut answer = Vec::new();
    let kind = if interaction.name == "choiceInteraction" {
        let keys = if decl.correct.is_empty() {
            &decl.mapped
        } else {
            &decl.correct
        };
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
        let marked_tf = interaction
            .attr("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == "true_false"));
        let tf_texts: Vec<String> = options.iter().map(|o| fold(&o.text)).collect();
        let looks_tf = tf_texts == ["dung", "sai"] || tf_texts == ["true", "false"];
        match decl.cardinality.as_str() {
            "multiple" => ItemKind::Multiple,
            "single" if marked_tf || looks_tf => ItemKind::TrueFalse,
            "single" => ItemKind::Single,
            other => {
                out.error(
                    loc("responseDeclaration"),
                    format!("cardinality '{other}' is not supported (single, multiple)"),
                );
                return;
            }
        }
    } else {
        for value in decl.correct.iter().chain(&decl.mapped) {
            if !answer.contains(value) {
                answer.push(value.clone());
            }
        }
        ItemKind::FillBlank
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
        kind,
        stem,
        options,
        answer,
        points,
        explanation: Some(explanation).filter(|e| !e.is_empty()),
        tags: meta.tags.clone(),
    };
    let had_errors = out.problems() > errors_before;
    let interaction_name = interaction.name.clone();
    let mut checked = Parsed::default();
    checked.validate(item, at.to_string(), label.to_string(), |location, _| {
        Some(match location {
            "topic" => "manifest metadata (classification)".to_string(),
            "stem" => "itemBody".to_string(),
            "points" => "outcomeDeclaration MAXSCORE".to_string(),
            "answer" => "responseDeclaration".to_string(),
            "options" => interaction_name.clone(),
            other => match option_index(other) {
                Some(i) => format!(
                    "simpleChoice '{}'",
                    choice_ids.get(i).map(String::as_str).unwrap_or("")
                ),
                None => other.to_string(),
            },
        })
    });
    out.absorb(checked, !had_errors);
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

const QTI_NS: &str = "http://www.imsglobal.org/xsd/imsqti_v2p1";

fn item_xml(id: &str, item: &Item) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<assessmentItem xmlns=\"{QTI_NS}\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"{QTI_NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd\" \
         identifier=\"{id}\" title=\"{}\" adaptive=\"false\" timeDependent=\"false\">\n",
        esc(&super::moodle_xml::name_of(item))
    ));
    let points = item.points;
    match item.kind {
        ItemKind::FillBlank => {
            x.push_str(
                "  <responseDeclaration identifier=\"RESPONSE\" cardinality=\"single\" \
                 baseType=\"string\">\n",
            );
            if let Some(first) = item.answer.first() {
                x.push_str(&format!(
                    "    <correctResponse><value>{}</value></correctResponse>\n",
                    esc(first)
                ));
            }
            x.push_str("    <mapping defaultValue=\"0\">\n");
            for a in &item.answer {
                x.push_str(&format!(
                    "      <mapEntry mapKey=\"{}\" mappedValue=\"{points}\"/>\n",
                    esc(a)
                ));
            }
            x.push_str("    </mapping>\n  </responseDeclaration>\n");
        }
        kind => {
            let cardinality = if kind == ItemKind::Multiple {
                "multiple"
            } else {
                "single"
            };
            x.push_str(&format!(
                "  <responseDeclaration identifier=\"RESPONSE\" cardinality=\"{cardinality}\" \
                 baseType=\"identifier\">\n    <correctResponse>\n"
            ));
            for (i, o) in item.options.iter().enumerate() {
                if o.correct {
                    x.push_str(&format!("      <value>{}</value>\n", letter(i)));
                }
            }
            x.push_str("    </correctResponse>\n  </responseDeclaration>\n");
        }
    }
    x.push_str(&format!(
        "  <outcomeDeclaration identifier=\"SCORE\" cardinality=\"single\" baseType=\"float\" \
         normalMaximum=\"{points}\"><defaultValue><value>0</value></defaultValue>\
         </outcomeDeclaration>\n  <outcomeDeclaration identifier=\"MAXSCORE\" \
         cardinality=\"single\" baseType=\"float\"><defaultValue><value>{points}</value>\
         </defaultValue></outcomeDeclaration>\n"
    ));
    if item.explanation.is_some() {
        x.push_str(
            "  <outcomeDeclaration identifier=\"FEEDBACK\" cardinality=\"single\" \
             baseType=\"identifier\"/>\n",
        );
    }
    x.push_str("  <itemBody>\n");
    let stem = text_to_xhtml(&item.stem);
    match item.kind {
        ItemKind::FillBlank => {
            x.push_str(&format!("    <p>{stem}</p>\n"));
            x.push_str(
                "    <p><textEntryInteraction responseIdentifier=\"RESPONSE\" \
                 expectedLength=\"20\"/></p>\n",
            );
        }
        kind => {
            let max = if kind == ItemKind::Multiple { 0 } else { 1 };
            let class = if kind == ItemKind::TrueFalse {
                " class=\"true_false\""
            } else {
                ""
            };
            x.push_str(&format!(
                "    <choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\" \
                 maxChoices=\"{max}\"{class}>\n      <prompt>{stem}</prompt>\n"
            ));
            for (i, o) in item.options.iter().enumerate() {
                x.push_str(&format!(
                    "      <simpleChoice identifier=\"{}\" fixed=\"{}\">{}</simpleChoice>\n",
                    letter(i),
                    o.fixed,
                    text_to_xhtml(&o.text)
                ));
            }
            x.push_str("    </choiceInteraction>\n");
        }
    }
    x.push_str("  </itemBody>\n");
    let template = if item.kind == ItemKind::FillBlank {
        "map_response"
    } else {
        "match_correct"
    };
    x.push_str(&format!(
        "  <responseProcessing \
         template=\"http://www.imsglobal.org/question/qti_v2p1/rptemplates/{template}\"/>\n"
    ));
    if let Some(e) = &item.explanation {
        x.push_str(&format!(
            "  <modalFeedback outcomeIdentifier=\"FEEDBACK\" identifier=\"EXPLANATION\" \
             showHide=\"hide\">{}</modalFeedback>\n",
            text_to_xhtml(e)
        ));
    }
    x.push_str("</assessmentItem>\n");
    x
}

fn lom_xml(item: &Item) -> String {
    let difficulty = match item.difficulty.level() {
        1 => "easy",
        2 => "medium",
        _ => "difficult",
    };
    let mut x = String::from("        <imsmd:lom>\n          <imsmd:general>\n");
    for tag in &item.tags {
        x.push_str(&format!(
            "            <imsmd:keyword><imsmd:string>{}</imsmd:string></imsmd:keyword>\n",
            esc(tag)
        ));
    }
    x.push_str(&format!(
        "          </imsmd:general>\n          <imsmd:educational>\n            \
         <imsmd:difficulty><imsmd:source>LOMv1.0</imsmd:source><imsmd:value>{difficulty}\
         </imsmd:value></imsmd:difficulty>\n          </imsmd:educational>\n          \
         <imsmd:classification>\n            <imsmd:purpose><imsmd:source>LOMv1.0\
         </imsmd:source><imsmd:value>discipline</imsmd:value></imsmd:purpose>\n            \
         <imsmd:taxonPath>\n              <imsmd:source><imsmd:string>thituyen</imsmd:string>\
         </imsmd:source>\n"
    ));
    for level in item.topic.split('/') {
        x.push_str(&format!(
            "              <imsmd:taxon><imsmd:entry><imsmd:string>{}</imsmd:string>\
             </imsmd:entry></imsmd:taxon>\n",
            esc(level)
        ));
    }
    x.push_str(
        "            </imsmd:taxonPath>\n          </imsmd:classification>\n        \
         </imsmd:lom>\n",
    );
    x
}

/// An IMS content package: `imsmanifest.xml` and one `items/item-NNNN.xml` per item.
pub(crate) fn export(items: &[Item]) -> Result<Vec<u8>, BankError> {
    let mut manifest = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest \
         xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\" \
         xmlns:imsmd=\"http://ltsc.ieee.org/xsd/LOM\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         identifier=\"thituyen-export\">\n  <metadata>\n    <schema>QTIv2.1 Package</schema>\n    \
         <schemaversion>1.0.0</schemaversion>\n  </metadata>\n  <organizations/>\n  \
         <resources>\n",
    );
    let mut files = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let id = format!("item-{:04}", i + 1);
        let href = format!("items/{id}.xml");
        manifest.push_str(&format!(
            "    <resource identifier=\"{id}\" type=\"imsqti_item_xmlv2p1\" href=\"{href}\">\n      \
             <metadata>\n{}      </metadata>\n      <file href=\"{href}\"/>\n    </resource>\n",
            lom_xml(item)
        ));
        files.push((href, item_xml(&id, item)));
    }
    manifest.push_str("  </resources>\n</manifest>\n");

    let zip_error = |e: &dyn std::fmt::Display| {
        BankError::one("export", format!("cannot write the QTI package: {e}"))
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // A fixed timestamp makes the same bank export to the same bytes.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, content) in std::iter::once(("imsmanifest.xml".to_string(), manifest)).chain(files) {
        zip.start_file(name, options).map_err(|e| zip_error(&e))?;
        zip.write_all(content.as_bytes())
            .map_err(|e| zip_error(&e))?;
    }
    let cursor = zip.finish().map_err(|e| zip_error(&e))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{import, Format, ImportLimits};
    use super::*;

    fn read(name: &str, bytes: &[u8]) -> Result<Vec<Item>, BankError> {
        import(Format::Qti, name, bytes, &ImportLimits::default())
    }

    fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(data.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// Shaped like items from other authoring tools: stem in a paragraph, prompt, namespaces.
    const CHOICE: &str = include_str!("../../tests/fixtures/qti-choice-item.xml");

    #[test]
    fn single_item_file_is_read() {
        let items = read("q1.xml", CHOICE.as_bytes()).unwrap();
        let item = &items[0];
        assert_eq!(
            item.stem,
            "Theo Luật Cán bộ, công chức,\ncông chức được tuyển dụng thông qua hình thức nào?"
        );
        assert_eq!(item.kind, ItemKind::Single);
        assert_eq!(item.options[1].text, "Thi tuyển hoặc xét tuyển");
        assert!(item.options[1].correct && item.options[2].fixed);
        assert_eq!(item.points.to_string(), "2.00");
        assert_eq!(item.topic, DEFAULT_TOPIC);
    }

    #[test]
    fn inline_text_entry_becomes_a_blank() {
        let xml = r#"<assessmentItem identifier="q2" title="t">
  <responseDeclaration identifier="R" cardinality="single" baseType="string">
    <correctResponse><value>Hà Nội</value></correctResponse>
    <mapping defaultValue="0"><mapEntry mapKey="Ha Noi" mappedValue="1"/>
      <mapEntry mapKey="Huế" mappedValue="0"/></mapping>
  </responseDeclaration>
  <itemBody><p>Thủ đô là <textEntryInteraction responseIdentifier="R"/>.</p></itemBody>
</assessmentItem>"#;
        let items = read("q2.xml", xml.as_bytes()).unwrap();
        assert_eq!(items[0].kind, ItemKind::FillBlank);
        assert_eq!(items[0].stem, "Thủ đô là ___.");
        assert_eq!(items[0].answer, vec!["Hà Nội", "Ha Noi"]);
    }

    #[test]
    fn package_round_trip_gives_back_equal_items() {
        let items = sample_items();
        let bytes = export(&items).unwrap();
        assert_eq!(read("package.zip", &bytes).unwrap(), items);
    }

    #[test]
    fn nfd_package_is_imported_as_nfc() {
        let items = sample_items();
        let mut archive = zip::ZipArchive::new(Cursor::new(export(&items).unwrap())).unwrap();
        let mut entries = Vec::new();
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).unwrap();
            let mut s = String::new();
            std::io::Read::read_to_string(&mut f, &mut s).unwrap();
            entries.push((f.name().unwrap().to_string(), nfd(&s)));
        }
        let refs: Vec<(&str, &str)> = entries
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_str()))
            .collect();
        assert_eq!(read("package.zip", &zip_of(&refs)).unwrap(), items);
    }

    #[test]
    fn package_problems_name_the_entry_and_element() {
        let manifest = r#"<manifest><resources>
  <resource identifier="r1" type="imsqti_item_xmlv2p1" href="items/q1.xml"/>
  <resource identifier="r2" type="imsqti_item_xmlv2p1" href="items/q2.xml"/>
  <resource identifier="r3" type="imsqti_item_xmlv2p1" href="items/missing.xml"/>
  <resource identifier="r4" type="imsqti_item_xmlv2p1" href="items/q4.xml"/>
</resources></manifest>"#;
        let no_correct = CHOICE.replace("<value>ChoiceB</value>", "");
        let essay = r#"<assessmentItem identifier="q2" title="t"><itemBody>
            <extendedTextInteraction responseIdentifier="R"/></itemBody></assessmentItem>"#;
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>
<assessmentItem>&b;</assessmentItem>"#;
        let bytes = zip_of(&[
            ("imsmanifest.xml", manifest),
            ("items/q1.xml", &no_correct),
            ("items/q2.xml", essay),
            ("items/q4.xml", bomb),
        ]);
        let err = read("package.zip", &bytes).unwrap_err();
        assert_eq!(
            locations(&err),
            vec![
                "package.zip: items/q1.xml, choiceInteraction",
                "package.zip: items/q2.xml, extendedTextInteraction",
                "package.zip: imsmanifest.xml, resource 'r3'",
                "package.zip: items/q4.xml",
            ],
            "{:#?}",
            err.errors()
        );
        assert_eq!(
            err.errors()[3].message,
            "DOCTYPE with entity declarations is not accepted"
        );
    }

    #[test]
    fn zip_slip_and_zip_bomb_packages_are_refused() {
        let bytes = zip_of(&[("imsmanifest.xml", "<manifest/>"), ("../../evil.xml", "x")]);
        let err = read("package.zip", &bytes).unwrap_err();
        assert_eq!(locations(&err), vec!["package.zip: ../../evil.xml"]);

        let big = "a".repeat(2 * 1024 * 1024);
        let bytes = zip_of(&[("imsmanifest.xml", &big)]);
        let limits = ImportLimits {
            max_unzipped_bytes: 1024 * 1024,
            ..ImportLimits::default()
        };
        let err = import(Format::Qti, "package.zip", &bytes, &limits).unwrap_err();
        assert!(err.errors()[0].message.contains("over the limit"));
    }

    #[test]
    fn export_is_deterministic() {
        let items = sample_items();
        assert_eq!(export(&items).unwrap(), export(&items).unwrap());
    }
}
