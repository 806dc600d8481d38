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

use super::archive::Archive;
use super::limits::{Budget, Guard};
use super::xml::{self, Detach, Element};
use super::Parsed;
use crate::error::FieldError;
use crate::item::Difficulty;

mod export;
mod item;

pub(crate) use export::export;
use item::read_item;

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

#[cfg(test)]
mod tests;
