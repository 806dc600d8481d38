//! A file the API sends back: a bank export or template, the applications template, admission
//! tickets and seat lists, published results. Services build one; `http::download` is the one
//! place that turns it into a response with its `Content-Type` and `Content-Disposition`.

/// A file ready to send.
#[derive(Debug)]
pub struct Download {
    pub content_type: &'static str,
    /// ASCII only, safe inside a quoted `Content-Disposition` filename ([`safe_file_name`]).
    pub file_name: String,
    /// Shown by the browser (a page for the print dialog, a PDF) rather than saved.
    pub inline: bool,
    pub bytes: Vec<u8>,
}

impl Download {
    /// A file the browser saves.
    pub fn attachment(file_name: String, content_type: &'static str, bytes: Vec<u8>) -> Download {
        Download {
            content_type,
            file_name,
            inline: false,
            bytes,
        }
    }

    /// A file the browser shows.
    pub fn inline(file_name: String, content_type: &'static str, bytes: Vec<u8>) -> Download {
        Download {
            content_type,
            file_name,
            inline: true,
            bytes,
        }
    }

    /// A printable HTML page, shown for the browser's print dialog.
    pub fn html(file_name: String, text: String) -> Download {
        Download::inline(file_name, "text/html; charset=utf-8", text.into_bytes())
    }
}

/// `stem.extension` with every character of `stem` other than an ASCII letter, a digit, `.`,
/// `_` or `-` replaced by `_`: codes chosen by users may hold anything.
pub fn safe_file_name(stem: &str, extension: &str) -> String {
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_header_safe_characters() {
        assert_eq!(safe_file_name("KTC-2026_v1.2", "csv"), "KTC-2026_v1.2.csv");
        assert_eq!(
            safe_file_name("ngân hàng \"A\"", "gift.txt"),
            "ng_n_h_ng__A_.gift.txt"
        );
    }
}
