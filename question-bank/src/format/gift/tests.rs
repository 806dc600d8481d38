use super::super::test_support::*;
use super::super::{Format, DEFAULT_TOPIC};
use super::*;
use crate::error::BankError;

fn read(gift: &str) -> Result<Vec<Item>, BankError> {
    import_as(Format::Gift, "bank.gift", gift.as_bytes())
}

const GIFT: &str = include_str!("../../../tests/fixtures/gift-sample.txt");

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
