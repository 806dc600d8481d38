use super::test_support::*;
use super::*;

#[test]
fn format_codes_parse_and_print() {
    for f in Format::ALL {
        assert_eq!(f.code().parse::<Format>().unwrap(), f);
    }
    assert!("docx".parse::<Format>().unwrap_err().contains("moodle-xml"));
}

#[test]
fn file_over_max_bytes_is_refused_before_parsing() {
    let limits = ImportLimits {
        max_bytes: 10,
        ..ImportLimits::default()
    };
    for f in Format::ALL {
        let err = import(f, "big.bin", &[b'x'; 11], &limits).unwrap_err();
        assert_eq!(locations(&err), vec!["big.bin"]);
        assert!(err.errors()[0].message.contains("over the limit"));
    }
}

#[test]
fn too_many_items_are_refused() {
    let bytes = export(Format::Csv, &sample_items()).unwrap();
    let limits = ImportLimits {
        max_items: 3,
        ..ImportLimits::default()
    };
    let err = import(Format::Csv, "bank.csv", &bytes, &limits).unwrap_err();
    assert!(err.errors()[0]
        .message
        .contains("4 items, over the limit of 3"));
}

#[test]
fn round_trip_every_format_gives_back_equal_items() {
    let items = sample_items();
    for f in Format::ALL {
        let bytes = export(f, &items).unwrap();
        let back = import(f, "bank", &bytes, &ImportLimits::default())
            .unwrap_or_else(|e| panic!("{f}: {:?}", e.errors()));
        assert_eq!(back, items, "round trip through {f}");
    }
}

#[test]
fn category_paths_become_topics() {
    assert_eq!(
        category_to_topic("$course$/top/Kiến thức chung/Luật"),
        "Kiến thức chung/Luật"
    );
    assert_eq!(category_to_topic("top/A"), "A");
    assert_eq!(category_to_topic("A/B"), "A/B");
}

/// Headers can lie (see the archive module's tests): through the public entry point, a
/// bomb with patched sizes is refused by both zip formats.
#[test]
fn zip_bomb_with_lying_headers_is_refused_by_both_zip_formats() {
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let mut bytes = archive::tests::zip_of(&[("bomb.xml", &zeros)]);
    let patch = |bytes: &mut Vec<u8>, sig: &[u8; 4], offset: usize| {
        let at = bytes.windows(4).position(|w| w == sig).unwrap();
        bytes[at + offset..at + offset + 4].copy_from_slice(&100u32.to_le_bytes());
    };
    patch(&mut bytes, b"PK\x03\x04", 22);
    patch(&mut bytes, b"PK\x01\x02", 24);
    let limits = ImportLimits {
        max_unzipped_bytes: 1024 * 1024,
        ..ImportLimits::default()
    };
    assert!(import(Format::Qti, "p.zip", &bytes, &limits).is_err());
    assert!(import(Format::Xlsx, "p.xlsx", &bytes, &limits).is_err());
}

#[test]
fn problems_past_the_limit_are_counted_in_one_last_problem() {
    let mut csv = String::from("topic,difficulty,kind,stem\n");
    for i in 0..30 {
        csv.push_str(&format!("T,9,single,Câu {i}\n"));
    }
    let limits = ImportLimits {
        max_errors: 10,
        ..ImportLimits::default()
    };
    let err = import(Format::Csv, "bank.csv", csv.as_bytes(), &limits).unwrap_err();
    assert_eq!(err.errors().len(), 11);
    let last = &err.errors()[10];
    assert_eq!(last.location, "bank.csv");
    assert!(
        last.message
            .starts_with("80 more problem(s) are not listed"),
        "{last:?}"
    );
}

#[test]
fn items_past_the_limit_are_counted_not_kept() {
    let bytes = export(Format::Csv, &sample_items()).unwrap();
    let limits = ImportLimits {
        max_items: 1,
        ..ImportLimits::default()
    };
    let guard = Guard::new(&limits, &|| false);
    let parsed = csv::parse("bank.csv", &bytes, &guard);
    assert_eq!((parsed.items.len(), parsed.item_count()), (1, 4));
}

#[test]
fn every_format_stops_when_out_of_time() {
    let items: Vec<Item> = (0..500)
        .map(|i| {
            let mut item = sample_items()[3].clone();
            item.stem = format!("Câu hỏi số {i} ___.");
            item
        })
        .collect();
    for f in Format::ALL {
        let bytes = export(f, &items).unwrap();
        assert_eq!(
            import(f, "bank", &bytes, &ImportLimits::default())
                .unwrap()
                .len(),
            500
        );
        let err = import_within(f, "bank", &bytes, &ImportLimits::default(), &|| true).unwrap_err();
        assert_eq!(err.errors().len(), 1, "{f}: {:?}", err.errors());
        assert!(
            err.errors()[0].message.contains("time limit of an import"),
            "{f}: {:?}",
            err.errors()
        );
    }
}

#[test]
fn entity_bombs_and_external_entities_are_refused_by_the_xml_formats() {
    for fixture in [
        &include_bytes!("../../tests/fixtures/billion-laughs.xml")[..],
        &include_bytes!("../../tests/fixtures/xxe.xml")[..],
    ] {
        for f in [Format::MoodleXml, Format::Qti] {
            let err = import(f, "evil.xml", fixture, &ImportLimits::default()).unwrap_err();
            assert_eq!(locations(&err), vec!["evil.xml"]);
            assert_eq!(
                err.errors()[0].message,
                "DOCTYPE with entity declarations is not accepted"
            );
        }
    }
}

#[test]
fn meta_tags_round_trip() {
    let items = sample_items();
    let tags = meta_tags(&items[2], true);
    assert_eq!(tags, vec!["difficulty:3", "points:2.00", "fixed:E"]);
    let (meta, problems) = read_meta_tags(tags);
    assert!(problems.is_empty());
    assert_eq!(meta.difficulty, Some(items[2].difficulty));
    assert_eq!(meta.fixed, vec![4]);
    let (_, problems) = read_meta_tags(vec!["difficulty:9".into()]);
    assert_eq!(problems.len(), 1);
}
