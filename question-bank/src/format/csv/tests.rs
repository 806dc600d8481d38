use super::super::test_support::*;
use super::super::{import, Format, ImportLimits};
use super::*;

fn csv(text: &str) -> Result<Vec<Item>, BankError> {
    import_as(Format::Csv, "bank.csv", text.as_bytes())
}

const HEADER: &str =
    "topic,difficulty,kind,stem,option_a,option_b,option_c,option_d,correct,answer,points,explanation\n";

#[test]
fn template_imports_cleanly_and_covers_the_kinds() {
    let items = import(
        Format::Csv,
        "mau.csv",
        &csv_template(),
        &ImportLimits::default(),
    )
    .unwrap();
    let kinds: Vec<_> = items.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        vec![ItemKind::Single, ItemKind::TrueFalse, ItemKind::FillBlank]
    );
    assert_eq!(items[2].answer, vec!["Hà Nội", "Thành phố Hà Nội"]);
    assert!(csv_template().starts_with(b"\xEF\xBB\xBFtopic,difficulty,kind,stem,"));
}

#[test]
fn round_trip_gives_back_equal_items() {
    let items = sample_items();
    let bytes = export(&items).unwrap();
    assert_eq!(csv(std::str::from_utf8(&bytes).unwrap()).unwrap(), items);
}

#[test]
fn cells_a_spreadsheet_would_run_are_quoted_and_import_back_unchanged() {
    let mut items = sample_items();
    items[0].stem = "=HYPERLINK(\"http://x\") là gì?".into();
    items[0].options[0].text = "-5".into();
    items[0].options[1].text = "@SUM(A1)".into();
    items[0].options[3].text = "+84".into();
    items[2].stem = "'= giữ nguyên".into();
    let bytes = export(&items).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    for quoted in [
        "'=HYPERLINK",
        ",'-5,",
        ",'@SUM(A1),",
        ",'+84,",
        "''= giữ nguyên",
    ] {
        assert!(text.contains(quoted), "{quoted} in {text}");
    }
    assert_eq!(csv(text).unwrap(), items);
}

#[test]
fn three_different_errors_are_all_listed_and_nothing_is_imported() {
    let text = format!(
        "{HEADER}\
         Luật,5,single,Câu một?,a,b,c,d,A,,,\n\
         Luật,1,single,Câu hai?,a,b,c,d,E,,,\n\
         Luật,1,essay,Câu ba?,,,,,,,,\n\
         Luật,1,single,Câu bốn?,a,b,c,d,B,,,\n"
    );
    let err = csv(&text).unwrap_err();
    assert_eq!(
        locations(&err),
        vec![
            "bank.csv, row 2, column difficulty",
            "bank.csv, row 3, column correct",
            "bank.csv, row 4, column kind",
        ]
    );
    assert!(err.errors()[1].message.contains("option_e is empty"));
}

#[test]
fn the_bad_fixture_lists_its_three_errors_and_imports_nothing() {
    let bytes = include_bytes!("../../../tests/fixtures/bad-bank.csv");
    let err = import(Format::Csv, "bad-bank.csv", bytes, &ImportLimits::default())
        .expect_err("three rows are wrong");
    assert_eq!(
        locations(&err),
        vec![
            "bad-bank.csv, row 2, column difficulty",
            "bad-bank.csv, row 3, column correct",
            "bad-bank.csv, row 4, column kind",
        ]
    );
}

#[test]
fn validation_problems_are_named_by_column() {
    let text = format!(
        "{HEADER}\
         ,1,single,,a,,A,,A,,1.234,\n\
         T,1,multiple,Q?,a,b,c,d,,,,\n\
         T,1,single,Q?,only,,,,A,,,\n\
         T,1,fill_blank,Q ___?,a,,,,,,,\n"
    );
    let err = csv(&text).unwrap_err();
    let got: Vec<_> = err.errors().iter().map(|e| e.location.as_str()).collect();
    assert_eq!(
        got,
        vec![
            "bank.csv, row 2, column topic",
            "bank.csv, row 2, column stem",
            "bank.csv, row 2, column points",
            "bank.csv, row 2, column option_b",
            "bank.csv, row 2, column option_c",
            "bank.csv, row 3, column correct",
            "bank.csv, row 4, column option_b",
            "bank.csv, row 5, column option_a",
            "bank.csv, row 5, column answer",
        ],
        "{:#?}",
        err.errors()
    );
}

#[test]
fn nfd_input_is_imported_as_nfc() {
    let items = sample_items();
    let text = String::from_utf8(export(&items).unwrap()).unwrap();
    assert_eq!(csv(&nfd(&text)).unwrap(), items);
}

#[test]
fn bom_semicolons_defaults_and_true_false_words() {
    let text = "\u{feff}topic;difficulty;kind;stem;correct;points\n\
                Luật;khó;true_false;Câu?;Sai;\n";
    let items = csv(text).unwrap();
    assert_eq!(items[0].options, crate::format::true_false_options(false));
    assert_eq!(items[0].points.to_string(), "1.00");
    assert_eq!(items[0].difficulty.level(), 3);
    let items = csv("topic,difficulty,kind,stem,correct\nLuật,1,true_false,Câu?,A\n").unwrap();
    assert_eq!(items[0].options, crate::format::true_false_options(true));
}

#[test]
fn rows_are_numbered_as_a_spreadsheet_shows_them() {
    let text = format!(
        "{HEADER}\
         T,1,single,\"Dòng 1\nDòng 2\",a,b,,,A,,,\n\
         \n\
         T,1,single,Q,a,b,,,Z9,,,\r\n\r\n\
         T,1,single,Q2,a,b,,,Z9,,,\n"
    );
    let err = csv(&text).unwrap_err();
    assert_eq!(
        locations(&err),
        vec![
            "bank.csv, row 4, column correct",
            "bank.csv, row 6, column correct"
        ]
    );
}

#[test]
fn non_utf8_is_refused_with_a_clear_error() {
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend(b"Lu\xe2t,1,single,Q,a,b,,,A,,,\n");
    let err = import(Format::Csv, "bank.csv", &bytes, &ImportLimits::default()).unwrap_err();
    assert_eq!(locations(&err), vec!["bank.csv"]);
    assert!(err.errors()[0].message.contains("not UTF-8"));
}

#[test]
fn header_problems_are_reported_once() {
    let err = csv("topic,difficulty,kind,question\nT,1,single,Q\n").unwrap_err();
    assert_eq!(
        locations(&err),
        vec!["bank.csv, row 1, column 4", "bank.csv, row 1"]
    );
    assert!(csv("").unwrap_err().errors()[0]
        .message
        .contains("no header"));
}

#[test]
fn duplicates_within_the_file_are_reported() {
    let text = format!(
        "{HEADER}\
         T,1,single,Thủ đô là gì?,Hà Nội,Huế,,,A,,,\n\
         T,2,single,Thủ đô là gì?,Hà Nội,Huế,,,B,,,\n\
         T,1,single,THỦ ĐÔ  là gì?,ha noi,hue,,,A,,,\n"
    );
    let err = csv(&text).unwrap_err();
    assert_eq!(locations(&err), vec!["bank.csv, row 3", "bank.csv, row 4"]);
    assert!(err.errors()[0].message.contains("duplicate of row 2"));
}

#[test]
fn answers_may_contain_an_escaped_separator() {
    assert_eq!(split_list(r"a\|b | c |"), vec!["a|b", "c"]);
    assert_eq!(join_list(&["a|b".into(), "c".into()]), r"a\|b|c");
}

#[test]
fn layout_doc_names_every_column() {
    assert!(CSV_LAYOUT_DOC.contains(&CSV_COLUMNS.join(",")));
    for c in CSV_COLUMNS.iter().filter(|c| !c.starts_with("option_")) {
        assert!(CSV_LAYOUT_DOC.contains(&format!("`{c}`")), "{c}");
    }
}
