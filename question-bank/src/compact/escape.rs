//! Escaping of the values both compact forms hold, and splitting at separators not escaped.

use std::borrow::Cow;

/// Characters that separate the values of either form (commas and spaces separate only
/// numbers, never an escaped value).
pub(super) fn special(c: char) -> bool {
    matches!(c, '\\' | '\t' | '\n' | ';' | '|' | ':')
}

pub(super) fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c if special(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// `value` without its escapes (borrowed when it has none, as nearly every value).
pub(super) fn unescape(value: &str) -> Result<Cow<'_, str>, String> {
    if !value.contains('\\') {
        return Ok(Cow::Borrowed(value));
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let c = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("'\\u{hex}' is not a character"))?;
                out.push(c);
            }
            // Any other escaped character stands for itself.
            Some(c) => out.push(c),
            None => return Err("a '\\' ends the value".to_string()),
        }
    }
    Ok(Cow::Owned(out))
}

/// The parts of a text between separators not escaped by a backslash (each part keeps its
/// escapes, for [`unescape`]).
pub(super) struct Unescaped<'a> {
    rest: Option<&'a str>,
    /// An ASCII separator.
    sep: u8,
}

impl<'a> Unescaped<'a> {
    pub(super) fn new(text: &'a str, sep: u8) -> Self {
        debug_assert!(sep.is_ascii());
        Self {
            rest: Some(text),
            sep,
        }
    }
}

impl<'a> Iterator for Unescaped<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.rest?;
        // The separators and the backslash are ASCII, and no byte of a multi-byte UTF-8
        // character is: scanning bytes finds exactly the characters.
        let sep = self.sep;
        let mut escaped = false;
        for (i, &b) in text.as_bytes().iter().enumerate() {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == sep {
                self.rest = Some(&text[i + 1..]);
                return Some(&text[..i]);
            }
        }
        self.rest = None;
        Some(text)
    }
}
