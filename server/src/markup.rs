//! Text put into HTML or XML that the server writes itself (printouts, report charts): one
//! escape for both, so a name with `<` or `&` prints as written wherever it appears.

/// Escapes text for HTML or XML element content and attribute values (quoted either way).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_characters_are_escaped_and_other_text_is_kept() {
        assert_eq!(
            escape(r#"Vòng 1 & <Kiến thức> "chung" 'A'"#),
            "Vòng 1 &amp; &lt;Kiến thức&gt; &quot;chung&quot; &#39;A&#39;"
        );
    }
}
