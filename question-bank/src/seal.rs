//! Seals: the fingerprint of a frozen bank snapshot (VN-20: "the bank is sealed — frozen,
//! hashed — before it is loaded for a session").
//!
//! This module owns the canonical JSON form of an item version, its SHA-256, and the seal root:
//! one SHA-256 over every `(item_id, version, sha256)` in the snapshot. Anyone holding the items
//! of a seal can recompute the root and prove that no item was changed after sealing.
//!
//! The canonical JSON writer is also used for papers ([`crate::paper::Paper::sha256`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::item::Item;

/// Domain tag hashed first into every seal root, so a seal root can never collide with the hash
/// of some other document (an item, a paper, an audit entry) that happens to share its bytes.
pub const SEAL_DOMAIN: &str = "thituyen-seal-v1";

/// Canonical JSON of a value: object keys sorted by their UTF-8 bytes, no whitespace, strings
/// escaped by `serde_json`. Sorting keys ourselves (rather than relying on struct field order or
/// on `serde_json`'s map type, which another crate in the build may switch to insertion order
/// with `preserve_order`) keeps hashes stable when a struct's fields are reordered.
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(value)?;
    let mut out = String::new();
    write_canonical(&value, &mut out)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut String) -> Result<(), serde_json::Error> {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key)?);
                out.push(':');
                write_canonical(v, out)?;
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out)?;
            }
            out.push(']');
        }
        scalar => out.push_str(&serde_json::to_string(scalar)?),
    }
    Ok(())
}

/// Canonical JSON of a validated item version: the exact bytes its SHA-256 is taken over.
///
/// Items are stored NFC-normalised by [`Item::validate`], so the same text typed in NFC or NFD
/// seals to the same hash.
pub fn canonical_item_json(item: &Item) -> String {
    // An Item holds only strings, booleans, a small integer and decimals serialised as strings:
    // serialisation cannot fail, and a failure here would be a programming error, not bad input.
    canonical_json(item).expect("an Item always serialises to JSON")
}

/// Lower-case hex SHA-256 of [`canonical_item_json`].
pub fn item_sha256(item: &Item) -> String {
    hex::encode(Sha256::digest(canonical_item_json(item).as_bytes()))
}

/// One item version in a seal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SealEntry {
    pub item_id: i32,
    pub version: i32,
    /// [`item_sha256`] of that version.
    pub sha256: String,
}

impl SealEntry {
    pub fn new(item_id: i32, version: i32, item: &Item) -> Self {
        Self {
            item_id,
            version,
            sha256: item_sha256(item),
        }
    }
}

/// Seal root: lower-case hex SHA-256 over
///
/// ```text
/// "thituyen-seal-v1\n"
/// "<item_id>:<version>:<sha256>\n"   for each entry, sorted by (item_id, version, sha256)
/// ```
///
/// Sorting makes the root independent of the order the database returns rows in; the text form
/// is simple enough to recompute with a shell one-liner when an auditor wants to check a seal.
pub fn seal_root(entries: &[SealEntry]) -> String {
    let mut sorted: Vec<&SealEntry> = entries.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    hasher.update(SEAL_DOMAIN.as_bytes());
    hasher.update(b"\n");
    for e in sorted {
        hasher.update(format!("{}:{}:{}\n", e.item_id, e.version, e.sha256).as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::item::Difficulty;
    use crate::test_support::{options, single_choice};
    use rust_decimal::Decimal;
    use unicode_normalization::UnicodeNormalization;

    fn item(stem: &str) -> Item {
        let mut options = options(&[
            ("Quốc hội", true),
            ("Chính phủ", false),
            ("Chủ tịch nước", false),
            ("Tất cả các phương án trên", false),
        ]);
        options[3].fixed = true;
        Item {
            topic: "Kiến thức chung/Luật Cán bộ, công chức".into(),
            difficulty: Difficulty::new(2).unwrap(),
            ..single_choice(stem, options)
        }
        .validate()
        .unwrap()
    }

    fn entries() -> Vec<SealEntry> {
        vec![
            SealEntry::new(7, 1, &item("Cơ quan nào ban hành Luật?")),
            SealEntry::new(3, 2, &item("Cơ quan nào thông qua Hiến pháp?")),
            SealEntry::new(3, 1, &item("Cơ quan nào thông qua Hiến pháp")),
        ]
    }

    #[test]
    fn canonical_json_sorts_keys_and_has_no_whitespace() {
        let json = canonical_item_json(&item("Câu hỏi?"));
        assert!(json.starts_with(r#"{"answer":[],"difficulty":2,"kind":"single","options":[{"#));
        assert!(
            json.contains(r#"{"correct":false,"fixed":true,"text":"Tất cả các phương án trên"}"#)
        );
        assert!(json.ends_with(
            r#""points":"1.00","stem":"Câu hỏi?","topic":"Kiến thức chung/Luật Cán bộ, công chức"}"#
        ));
        assert!(!json.contains(": "));
    }

    #[test]
    fn nfd_and_nfc_input_seal_to_the_same_hash() {
        let nfd: String = "Cơ quan nào thông qua Hiến pháp?".nfd().collect();
        assert_eq!(
            item_sha256(&item(&nfd)),
            item_sha256(&item("Cơ quan nào thông qua Hiến pháp?"))
        );
    }

    #[test]
    fn item_hash_is_lower_case_hex_sha256() {
        let h = item_sha256(&item("Câu hỏi?"));
        assert_eq!(h.len(), 64);
        assert!(h
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    }

    #[test]
    fn empty_seal_root_is_the_hash_of_the_domain_tag() {
        // printf 'thituyen-seal-v1\n' | sha256sum
        assert_eq!(
            seal_root(&[]),
            hex::encode(Sha256::digest(b"thituyen-seal-v1\n"))
        );
    }

    #[test]
    fn seal_root_follows_the_documented_text_form() {
        let e = entries();
        let text = format!(
            "thituyen-seal-v1\n3:1:{}\n3:2:{}\n7:1:{}\n",
            e[2].sha256, e[1].sha256, e[0].sha256
        );
        assert_eq!(seal_root(&e), hex::encode(Sha256::digest(text.as_bytes())));
    }

    #[test]
    fn seal_root_does_not_depend_on_entry_order() {
        let e = entries();
        let mut reversed = e.clone();
        reversed.reverse();
        let mut rotated = e.clone();
        rotated.rotate_left(1);
        assert_eq!(seal_root(&e), seal_root(&reversed));
        assert_eq!(seal_root(&e), seal_root(&rotated));
    }

    #[test]
    fn any_content_change_changes_the_root() {
        let e = entries();
        let root = seal_root(&e);

        // A changed option text.
        let mut changed = item("Cơ quan nào ban hành Luật?");
        changed.options[1].text = "Chính phủ.".into();
        let mut e2 = e.clone();
        e2[0] = SealEntry::new(7, 1, &changed);
        assert_ne!(seal_root(&e2), root);

        // A moved key: same texts, another option marked correct.
        let mut moved = item("Cơ quan nào ban hành Luật?");
        moved.options[0].correct = false;
        moved.options[1].correct = true;
        let mut e3 = e.clone();
        e3[0] = SealEntry::new(7, 1, &moved);
        assert_ne!(seal_root(&e3), root);

        // Changed points, a renumbered version, a dropped item.
        let mut pricier = item("Cơ quan nào ban hành Luật?");
        pricier.points = Decimal::new(200, 2);
        let mut e4 = e.clone();
        e4[0] = SealEntry::new(7, 1, &pricier);
        assert_ne!(seal_root(&e4), root);
        let mut e5 = e.clone();
        e5[0].version = 2;
        assert_ne!(seal_root(&e5), root);
        assert_ne!(seal_root(&e[1..]), root);
    }
}
