//! Cells that a spreadsheet would run as a formula ("CSV injection"): a text that begins with
//! `=`, `+`, `-`, `@`, a tab or a carriage return. Exported CSV prefixes such a cell with `'`,
//! which spreadsheets show as text and do not evaluate; the CSV importer removes that one `'`
//! again, so an exported bank imports back unchanged. A cell that itself begins with `'`
//! followed by one of those characters (or by another `'`) gets a `'` too, so the rule can be
//! undone exactly. Excel files need no prefix: every text is written as a string cell, which
//! is never a formula.

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_LEAD: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn is_lead(c: char) -> bool {
    FORMULA_LEAD.contains(&c)
}

/// Whether the importer would take a leading `'` of `cell` away.
fn stripped_on_import(cell: &str) -> bool {
    cell.strip_prefix('\'')
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c == '\'' || is_lead(c))
}

/// `cell` as it must be written to CSV.
pub fn escape(cell: &str) -> Cow<'_, str> {
    let needs = cell.chars().next().is_some_and(is_lead) || stripped_on_import(cell);
    if needs {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV cell as it was before [`escape`].
pub fn unescape(cell: &str) -> &str {
    if stripped_on_import(cell) {
        &cell[1..]
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_leading_cells_get_a_quote_and_lose_it_on_import() {
        for cell in ["=1+1", "+84 912", "-5", "@SUM(A1)", "\tx", "\rx"] {
            let escaped = escape(cell);
            assert_eq!(escaped, format!("'{cell}"));
            assert_eq!(unescape(&escaped), cell);
        }
    }

    #[test]
    fn other_cells_are_left_alone() {
        for cell in ["", "Hà Nội", "'abc", "1-2", "a=b", "'"] {
            assert_eq!(escape(cell), cell);
            assert_eq!(unescape(cell), cell);
        }
    }

    #[test]
    fn escaping_is_undone_exactly_even_for_cells_that_look_escaped() {
        for cell in ["'=1", "''=1", "''", "'''x", "'-"] {
            assert_eq!(unescape(&escape(cell)), cell, "{cell:?}");
        }
        // A hand-made file with '=1 imports as =1: what the spreadsheet itself shows.
        assert_eq!(unescape("'=1"), "=1");
    }
}
