use std::io::{Cursor, Write};

use super::super::test_support::*;
use super::super::{import, Format, ImportLimits, DEFAULT_TOPIC};
use super::*;
use crate::error::BankError;
use crate::item::{Item, ItemKind};

fn read(name: &str, bytes: &[u8]) -> Result<Vec<Item>, BankError> {
    import_as(Format::Qti, name, bytes)
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
const CHOICE: &str = include_str!("../../../tests/fixtures/qti-choice-item.xml");

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
