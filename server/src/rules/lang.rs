//! The two languages the platform explains itself in: Vietnamese, the language of every official
//! document, and English for everyone else.

/// A language a reason, a chart or a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    /// The language a request asks for: `en` (any case) is English; anything else, or nothing,
    /// is Vietnamese, the official language.
    pub fn parse(code: Option<&str>) -> Lang {
        match code.map(str::trim) {
            Some(c) if c.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Vi,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_english_asked_for_by_name_is_english() {
        assert_eq!(Lang::parse(Some(" EN ")), Lang::En);
        assert_eq!(Lang::parse(Some("vi")), Lang::Vi);
        assert_eq!(Lang::parse(Some("fr")), Lang::Vi);
        assert_eq!(Lang::parse(None), Lang::Vi);
    }
}
