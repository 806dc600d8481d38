use super::cell::unescape_excel;
use super::*;

#[test]
fn number_formats_that_show_dates_are_recognised() {
    for code in [
        "dd/mm/yyyy",
        "yyyy-mm-dd",
        "d-mmm-yy",
        "h:mm AM/PM",
        "[$-42A]dd/mm/yyyy",
    ] {
        assert_eq!(custom_format_kind(code), NumberKind::Date, "{code}");
    }
    for code in ["[h]:mm:ss", "[mm]:ss"] {
        assert_eq!(custom_format_kind(code), NumberKind::Duration, "{code}");
    }
    for code in [
        "0.00",
        "#,##0",
        "\"days\" 0",
        "[Red]0.00",
        "0;\"dd\"",
        "@",
        "0\\d",
    ] {
        assert_eq!(custom_format_kind(code), NumberKind::Plain, "{code}");
    }
    assert_eq!(builtin_format_kind(14), NumberKind::Date);
    assert_eq!(builtin_format_kind(2), NumberKind::Plain);
}

#[test]
fn cell_references_and_targets_resolve() {
    assert_eq!(cell_position("A1"), Some((1, 1)));
    assert_eq!(cell_position("XFD1048576"), Some((1_048_576, 16_384)));
    assert_eq!(cell_position("b12"), Some((12, 2)));
    for bad in ["", "A", "12", "A0", "ABCD1", "A1B"] {
        assert_eq!(cell_position(bad), None, "{bad}");
    }
    assert_eq!(declared_extent("A1:L20001"), Some((20_001, 12)));
    assert_eq!(
        resolve("xl/workbook.xml", "worksheets/sheet1.xml"),
        "xl/worksheets/sheet1.xml"
    );
    assert_eq!(resolve("xl/workbook.xml", "/xl/sheet.xml"), "xl/sheet.xml");
    assert_eq!(resolve("xl/workbook.xml", "../other/s.xml"), "other/s.xml");
    assert_eq!(rels_of("xl/workbook.xml"), "xl/_rels/workbook.xml.rels");
}

#[test]
fn excel_escapes_are_undone() {
    assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
    assert_eq!(unescape_excel("_xD83D__xDE00_"), "😀");
    assert_eq!(unescape_excel("my_xvalue_"), "my_xvalue_");
    assert_eq!(unescape_excel("plain"), "plain");
}
