//! Published results as documents: a workbook (xlsx) and a printable A4 PDF with an embedded
//! font, both made from the stored publication, never from the live ranking, so a printout
//! shows exactly what the web shows and carries the same SHA-256 and audit-chain head.
//!
//! Pure: the published data (`model`) in, bytes out; the service reads the publication and
//! picks the format.

pub mod model;
pub mod pdf;
pub mod xlsx;

pub use model::{
    entry_views, PublicResults, PublishedDocument, PublishedPosition, RankingEntryView,
};

/// The outcome of a ranking entry in words, as printed (Vietnamese, the official language of
/// the documents).
pub fn outcome_vi(code: &str) -> &'static str {
    match code {
        "winner" => "Trúng tuyển",
        "tied_pending" => "Chờ Thủ trưởng quyết định",
        "reserve" => "Không trúng tuyển (dự bị)",
        "struck_off" => "Bị hủy kết quả trúng tuyển",
        "ineligible" => "Không đủ điều kiện trúng tuyển",
        "failed_round1" => "Không đạt vòng 1",
        _ => "",
    }
}

/// A file name made of the round code and the publication id, safe in a header.
pub fn file_stem(round_code: &str, publication_id: i32) -> String {
    let code: String = round_code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("ket-qua-{code}-{publication_id}")
}

/// The rank as printed: empty for entries without one.
pub(crate) fn rank_text(e: &RankingEntryView) -> String {
    e.rank.map(|r| r.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_stem("HP-2026", 3), "ket-qua-HP-2026-3");
        assert_eq!(file_stem("Kỳ 1\"", 1), "ket-qua-K--1--1");
    }

    #[test]
    fn every_outcome_has_words() {
        for code in [
            "winner",
            "tied_pending",
            "reserve",
            "struck_off",
            "ineligible",
            "failed_round1",
        ] {
            assert!(!outcome_vi(code).is_empty(), "{code}");
        }
    }
}
