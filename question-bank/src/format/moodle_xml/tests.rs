use super::super::test_support::*;
use super::super::{Format, DEFAULT_TOPIC};
use super::*;
use crate::error::BankError;

fn read(xml: &str) -> Result<Vec<Item>, BankError> {
    import_as(Format::MoodleXml, "bank.xml", xml.as_bytes())
}

/// Shaped like a Moodle 4 export: HTML text in CDATA, 7-decimal grades and fractions.
const MOODLE: &str = include_str!("../../../tests/fixtures/moodle-sample.xml");

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
