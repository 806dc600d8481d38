use super::item::{decimal, CompactItem};
use super::*;
use crate::scoring::Answer;
use rust_decimal::dec;
use std::collections::BTreeMap;
use std::str::FromStr;

fn item(no: u32, kind: ItemKind, points: Decimal, permutation: Vec<u8>) -> PaperItem {
    PaperItem {
        no,
        item_id: 800 + no as i32,
        version_id: 3300 + no as i32,
        kind,
        points,
        permutation,
    }
}

fn paper() -> Paper {
    Paper {
        sections: vec![
            PaperSection {
                code: "GK".into(),
                name: "Kiến thức chung".into(),
                items: vec![
                    item(1, ItemKind::Single, dec!(1), vec![2, 0, 3, 1]),
                    item(2, ItemKind::Multiple, dec!(1.25), vec![4, 3, 2, 1, 0]),
                    item(3, ItemKind::TrueFalse, dec!(0.5), vec![1, 0]),
                    item(4, ItemKind::FillBlank, dec!(2.00), vec![]),
                ],
            },
            PaperSection {
                // Every separator in a code and a name.
                code: "N;N|1".into(),
                name: "Tin học,\tphần 2: \\ văn bản\nmới\u{1e}".into(),
                items: vec![item(5, ItemKind::Single, dec!(1), vec![0, 1, 2])],
            },
            PaperSection {
                code: "EMPTY".into(),
                name: String::new(),
                items: vec![],
            },
        ],
    }
}

#[test]
fn a_paper_reads_back_exactly_as_written() {
    let paper = paper();
    let compact = paper_to_compact(&paper);
    assert!(
        compact.starts_with("p2\nGK\tKiến thức chung\t@1 801=3301sCADB @1.25 802=3302mEDCBA "),
        "{compact}"
    );
    assert!(
        !compact
            .chars()
            .any(|c| c.is_control() && c != '\t' && c != '\n'),
        "no raw control character but the separators"
    );
    let back = paper_from_compact(&compact).unwrap();
    assert_eq!(back, paper);
    // Decimal scale is kept, so the canonical JSON (and its hash) is unchanged.
    assert_eq!(back.sha256(), paper.sha256());
    // The older form, which rows stored before `p2` hold, reads to the same paper.
    let older = paper_to_v1(&paper);
    assert!(older.starts_with("p1\nGK\tKiến thức chung\t1,801,3301,s,1,2.0.3.1 "));
    assert_eq!(paper_from_compact(&older).unwrap(), paper);
}

#[test]
fn the_short_form_writes_only_what_the_order_does_not_say() {
    let mut paper = paper();
    // Equal points of another scale are written again: the hash tells 1 from 1.00.
    paper.sections[0].items[1].points = dec!(1.00);
    paper.sections[0].items[2].points = dec!(1.00);
    // An item's first version has the item's id: written once.
    paper.sections[0].items[2].item_id = paper.sections[0].items[2].version_id;
    let compact = paper_to_compact(&paper);
    assert!(
        compact.starts_with("p2\nGK\tKiến thức chung\t@1 801=3301sCADB @1.00 802=3302mEDCBA 3303tBA @2.00 804=3304f\n"),
        "{compact}"
    );
    let back = paper_from_compact(&compact).unwrap();
    assert_eq!(back.sha256(), paper.sha256());
    assert_eq!(back, paper);
}

#[test]
fn a_paper_the_short_form_cannot_hold_is_written_in_the_older_one() {
    let mut gap = paper();
    gap.sections[1].items[0].no = 9;
    let mut wide = paper();
    wide.sections[0].items[0].permutation = vec![2, 0, 16, 1];
    for paper in [gap, wide] {
        let compact = paper_to_compact(&paper);
        assert!(compact.starts_with("p1\n"), "{compact}");
        assert_eq!(paper_from_compact(&compact).unwrap(), paper);
    }
}

#[test]
fn a_damaged_paper_is_refused_with_its_line_and_item() {
    let older = paper_to_v1(&paper());
    let e = paper_from_compact(&older.replacen(",s,", ",x,", 1)).unwrap_err();
    assert_eq!(e.errors()[0].location, "compact paper, line 2, item 1");
    assert!(e.errors()[0].message.contains("kind 'x'"));
    let e = paper_from_compact(&older.replacen("p1", "p9", 1)).unwrap_err();
    assert!(e.errors()[0].message.contains("version"));
    let e = paper_from_compact("p1\nGK\tname").unwrap_err();
    assert_eq!(e.errors()[0].location, "compact paper, line 2");
    let e = paper_from_compact("p1\nGK\tname\t1,2,3,s,one,0.1").unwrap_err();
    assert!(e.errors()[0].message.contains("points 'one'"));
    let current = paper_to_compact(&paper());
    for (damage, location, says) in [
        ("3302m", "item 2", "'802=3302xEDCBA'"),
        ("CADB", "item 1", "'801=3301sCaDB'"),
        ("@1.25", "line 2", "points '1.x5'"),
        ("@1 ", "item 1", "before any '@points'"),
        ("801=", "item 1", "'801==3301sCADB'"),
    ] {
        let damaged = match damage {
            "3302m" => current.replacen(damage, "3302x", 1),
            "CADB" => current.replacen(damage, "CaDB", 1),
            "@1.25" => current.replacen(damage, "@1.x5", 1),
            "@1 " => current.replacen(damage, "", 1),
            _ => current.replacen(damage, "801==", 1),
        };
        let e = paper_from_compact(&damaged).unwrap_err();
        assert!(
            e.errors()[0].location.ends_with(location),
            "{damaged}: {:?}",
            e.errors()
        );
        assert!(e.errors()[0].message.contains(says), "{:?}", e.errors());
    }
    let e = paper_from_compact(&current.replacen("CADB", "CADBEFGHIJKLMNOPA", 1)).unwrap_err();
    assert!(e.errors()[0].message.contains("more than 16 options"));
}

fn answer(choices: &str, text: Option<&str>) -> Answer {
    Answer {
        choices: choices.chars().collect(),
        text: text.map(str::to_string),
    }
}

#[test]
fn a_sheet_reads_back_every_answer_and_drops_only_blank_ones() {
    let mut sheet = BTreeMap::new();
    sheet.insert(1, answer("B", None));
    sheet.insert(2, answer("AD", None));
    sheet.insert(3, answer("", None));
    sheet.insert(4, answer("", Some("Hà Nội")));
    sheet.insert(5, answer("", Some("a;b|c:d\\e\nf, g")));
    sheet.insert(6, answer("", Some("")));
    sheet.insert(7, answer(";|", None));
    sheet.insert(8, answer("", Some("dán\u{1e}từ\u{1f}máy\u{7f}")));
    let compact = sheet_to_compact(&sheet);
    assert!(compact.starts_with("s1;1:B;2:AD;4:|Hà Nội;"), "{compact}");
    assert!(
        !compact.chars().any(char::is_control),
        "no raw control character: {compact}"
    );
    let back = sheet_from_compact(&compact).unwrap();
    sheet.remove(&3);
    assert_eq!(back, sheet);
    assert_eq!(
        sheet_from_compact("s1").unwrap(),
        BTreeMap::new(),
        "an empty sheet is a sheet"
    );
}

#[test]
fn a_damaged_sheet_is_refused_with_its_entry() {
    let e = sheet_from_compact("s1;1:A;x:B").unwrap_err();
    assert_eq!(e.errors()[0].location, "compact answer sheet, entry 2");
    assert!(e.errors()[0].message.contains("'x'"));
    let e = sheet_from_compact("s1;1:A;1:B").unwrap_err();
    assert!(e.errors()[0].message.contains("twice"));
    let e = sheet_from_compact("1:A").unwrap_err();
    assert!(e.errors()[0].message.contains("version"));
    let e = sheet_from_compact("s1;1:A;2:|ends with \\").unwrap_err();
    assert!(e.errors()[0].message.contains("ends the value"));
}

use crate::item::Item;

/// A tiny deterministic generator: the test must draw the same cases on every run.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn shuffled(&mut self, n: usize) -> Vec<u8> {
        let mut v: Vec<u8> = (0..n as u8).collect();
        for i in (1..n).rev() {
            v.swap(i, self.below(i + 1));
        }
        v
    }
}

/// Sealed items of every kind, by version id 1..=40 (item id = version id + 1000).
fn pool(draw: &mut Draw) -> std::collections::HashMap<i32, Item> {
    use crate::item::{Difficulty, ItemOption};
    (1..=40)
        .map(|v| {
            let kind = [
                ItemKind::Single,
                ItemKind::Multiple,
                ItemKind::TrueFalse,
                ItemKind::FillBlank,
            ][draw.below(4)];
            let n = match kind {
                ItemKind::TrueFalse => 2,
                ItemKind::Single => 2 + draw.below(5),
                ItemKind::Multiple => 2 + draw.below(7),
                ItemKind::FillBlank => 0,
            };
            let right = draw.below(n.max(1));
            let options = (0..n)
                .map(|i| ItemOption {
                    text: format!("Phương án {i}"),
                    correct: i == right || (kind == ItemKind::Multiple && draw.chance(40)),
                    fixed: false,
                })
                .collect();
            let item = Item {
                topic: "Kiến thức chung".into(),
                difficulty: Difficulty::new(1).unwrap(),
                kind,
                stem: format!("Câu {v}"),
                options,
                answer: if kind == ItemKind::FillBlank {
                    vec!["Hà Nội".into(), "a;b|c".into()]
                } else {
                    vec![]
                },
                points: Decimal::ONE,
                explanation: None,
                tags: vec![],
            }
            .validate()
            .unwrap();
            (v, item)
        })
        .collect()
}

fn random_paper(
    draw: &mut Draw,
    items: &std::collections::HashMap<i32, Item>,
) -> (Paper, BTreeMap<u32, Answer>) {
    let mut no = 0;
    let mut sheet = BTreeMap::new();
    let sections = ["GK", "N;N|1", "TA"]
        .iter()
        .take(1 + draw.below(3))
        .map(|code| PaperSection {
            code: code.to_string(),
            name: format!("Phần {code}"),
            items: (0..draw.below(12))
                .map(|_| {
                    no += 1;
                    let version_id = 1 + draw.below(40) as i32;
                    let content = &items[&version_id];
                    let permutation = draw.shuffled(content.options.len());
                    let letters = ["", "A", "b", "C", "AB", "BD", "ACE", "A;", "\\B", "Ă", "AA"];
                    let texts = [
                        None,
                        Some(""),
                        Some(" hà  NỘI"),
                        Some("Ha Noi"),
                        Some("a;b|c"),
                    ];
                    if draw.chance(85) {
                        sheet.insert(
                            no,
                            answer(
                                letters[draw.below(letters.len())],
                                texts[draw.below(texts.len())],
                            ),
                        );
                    }
                    PaperItem {
                        no,
                        // Mostly an item's first version, as in a bank: the same id.
                        item_id: version_id + if draw.chance(30) { 1000 } else { 0 },
                        version_id,
                        kind: content.kind,
                        points: [dec!(1), dec!(0.5), dec!(1.25), dec!(2.00)][draw.below(4)],
                        permutation,
                    }
                })
                .collect(),
        })
        .collect();
    (Paper { sections }, sheet)
}

/// Three sections passed at half: the second by points, the others by correct answers; the
/// second's code holds the separators the compact forms escape.
fn three_sections() -> Blueprint {
    use crate::blueprint::{PassBasis, PassRule, Section};
    Blueprint {
        sections: ["GK", "N;N|1", "TA"]
            .iter()
            .enumerate()
            .map(|(k, code)| Section {
                code: code.to_string(),
                name: code.to_string(),
                duration_minutes: None,
                pass_rule: PassRule {
                    ratio: dec!(0.5),
                    basis: if k == 1 {
                        PassBasis::Points
                    } else {
                        PassBasis::Correct
                    },
                },
                cells: vec![],
            })
            .collect(),
    }
}

/// A candidate's terms drawn at random: now and then a sanction that annuls the test, or an
/// exemption from the third section.
fn random_terms(draw: &mut Draw) -> CandidateTerms {
    use crate::scoring::Sanction;
    CandidateTerms {
        sanction: if draw.chance(10) {
            [Sanction::Suspension, Sanction::NotSigned][draw.below(2)]
        } else {
            [Sanction::None, Sanction::Reprimand, Sanction::Warning][draw.below(3)]
        },
        exempt_sections: if draw.chance(10) {
            ["TA".to_string()].into()
        } else {
            Default::default()
        },
    }
}

#[test]
fn grading_the_compact_forms_equals_grading_the_decoded_paper() {
    use crate::scoring::{grade, normalized_accepted, TextMatch};
    let mut draw = Draw(0x9e37_79b9_7f4a_7c15);
    let items = pool(&mut draw);
    let blueprint = three_sections();
    let markings = [
        ExamMarking::default(),
        ExamMarking {
            voided: [1001, 1002, 1003].into(),
            accepted_extra: [(1004, [0, 1].into()), (1005, [2].into())].into(),
            text_match: TextMatch::IgnoreDiacritics,
        },
    ];
    let prepared: std::collections::HashMap<(usize, i32), Vec<String>> = markings
        .iter()
        .enumerate()
        .flat_map(|(m, marking)| {
            items
                .iter()
                .map(move |(v, item)| ((m, *v), normalized_accepted(item, marking.text_match)))
        })
        .collect();
    let mut passes = [0, 0];
    for case in 0..3_000 {
        let (paper, sheet) = random_paper(&mut draw, &items);
        let marking = &markings[case % 2];
        let terms = random_terms(&mut draw);
        let decoded = grade(
            &blueprint,
            &paper,
            |pi| items.get(&pi.version_id),
            &sheet,
            marking,
            &terms,
        )
        .unwrap();
        let current = paper_to_compact(&paper);
        assert!(current.starts_with("p2\n"), "{current}");
        let answered = sheet
            .values()
            .filter(|a| !a.choices.is_empty() || a.text.is_some())
            .count();
        // The current form and the older one, still read for the rows that hold it.
        for form in [current, paper_to_v1(&paper)] {
            let compact = grade_compact(
                &blueprint,
                &form,
                &sheet_to_compact(&sheet),
                |v| {
                    // Half the cases with the accepted answers normalized beforehand, as
                    // a whole-exam regrade has them; half without.
                    let accepted = prepared.get(&(case % 2, v)).filter(|_| case % 4 < 2);
                    items.get(&v).map(|item| Sealed {
                        item,
                        accepted: accepted.map(Vec::as_slice),
                    })
                },
                marking,
                &terms,
            )
            .unwrap();
            assert_eq!(compact, (decoded.clone(), answered), "case {case}: {form}");
        }
        passes[usize::from(decoded.passed)] += 1;
    }
    // The cases are not all alike: some papers pass, some fail.
    assert!(passes[0] > 100 && passes[1] > 100, "{passes:?}");
}

/// A paper of one question worth a point: version `version_id` of item `1000 + version_id`, in
/// a section `code`.
fn one_question(code: &str, version_id: i32, kind: ItemKind, permutation: Vec<u8>) -> Paper {
    Paper {
        sections: vec![PaperSection {
            code: code.into(),
            name: String::new(),
            items: vec![PaperItem {
                no: 1,
                item_id: 1000 + version_id,
                version_id,
                kind,
                points: Decimal::ONE,
                permutation,
            }],
        }],
    }
}

#[test]
fn grading_compact_forms_refuses_what_grading_the_paper_refuses() {
    use crate::scoring::grade;
    let mut draw = Draw(7);
    let items = pool(&mut draw);
    let blueprint = Blueprint {
        sections: three_sections().sections.into_iter().take(1).collect(),
    };
    let grade_both = |paper: &Paper, sheet: &str, known: &dyn Fn(i32) -> bool| {
        let decoded = grade(
            &blueprint,
            paper,
            |pi| items.get(&pi.version_id).filter(|_| known(pi.version_id)),
            &sheet_from_compact(sheet).unwrap_or_default(),
            &ExamMarking::default(),
            &CandidateTerms::default(),
        );
        let compact = grade_compact(
            &blueprint,
            &paper_to_compact(paper),
            sheet,
            |v| {
                items.get(&v).filter(|_| known(v)).map(|item| Sealed {
                    item,
                    accepted: None,
                })
            },
            &ExamMarking::default(),
            &CandidateTerms::default(),
        );
        (
            decoded.map_err(|e| e.to_string()),
            compact.map(|(result, _)| result).map_err(|e| e.to_string()),
        )
    };
    let paper = |code: &str, version_id: i32, permutation: Vec<u8>| {
        one_question(code, version_id, items[&version_id].kind, permutation)
    };
    let n = items[&1].options.len();
    let fits = paper("GK", 1, (0..n as u8).collect());
    // A version the lookup does not have, a section the blueprint lacks, a permutation
    // that does not fit: the same error either way.
    for (paper, known) in [
        (&fits, &(|v: i32| v != 1) as &dyn Fn(i32) -> bool),
        (&paper("XX", 1, (0..n as u8).collect()), &|_| true),
        (&paper("GK", 1, vec![0; n + 1]), &|_| true),
    ] {
        let (decoded, compact) = grade_both(paper, "s1", known);
        assert!(decoded.is_err(), "{decoded:?}");
        assert_eq!(compact, decoded);
    }
    // A damaged sheet is refused, naming what is wrong.
    for (sheet, says) in [
        ("s1;1:A;1:B", "twice"),
        ("s1;x:A", "'x'"),
        ("1:A", "version"),
        ("s1;1:A\\", "ends the value"),
    ] {
        let e = grade_compact(
            &blueprint,
            &paper_to_compact(&fits),
            sheet,
            |v| {
                items.get(&v).map(|item| Sealed {
                    item,
                    accepted: None,
                })
            },
            &ExamMarking::default(),
            &CandidateTerms::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(says), "{sheet}: {e}");
    }
}

#[test]
fn points_read_directly_equal_points_read_by_from_str() {
    for text in [
        "1",
        "2.00",
        "0.5",
        "1.25",
        "007",
        "10.000",
        "999999999999999999",
        "1.",
        ".5",
        "-1",
        "1e2",
        "",
        "1.2.3",
        "x",
        "0.0000000000000001",
    ] {
        let direct = decimal(text);
        let standard = Decimal::from_str(text).ok();
        assert_eq!(direct, standard, "{text}");
        if let (Some(a), Some(b)) = (direct, standard) {
            assert_eq!(a.scale(), b.scale(), "{text}: the scale is kept");
        }
    }
}

#[test]
fn the_usual_items_read_as_any_item_reads() {
    let mut draw = Draw(11);
    let mut texts: Vec<String> = vec![
        "1,801,3301,s,1,2.0.3.1".into(),
        "60,2,3,f,2.00,".into(),
        "7,8,9,m,0.5,7.6.5.4.3.2.1.0".into(),
        "007,08,09,t,01.50,1.0".into(),
        "1,2,3,s,1.,0.1".into(),
        "1,2,3,s,.5,0.1".into(),
        "1,2,3,s,1,0..1".into(),
        "1,2,3,s,1,0.1.".into(),
        "1,2,3,s,1,256".into(),
        "1,2,3,s,1,0.1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16".into(),
        "1234567890,2,3,s,1,0".into(),
        "-1,2,3,s,1,0".into(),
        "+1,2,3,s,1,0".into(),
        "1,2,3,x,1,0".into(),
        "1,2,3,s,1,0,".into(),
        "1,2,3,s,1".into(),
        "1,2,3,ss,1,0".into(),
        String::new(),
    ];
    let bytes = b"0123456789.,smtfx-";
    for _ in 0..20_000 {
        let mut t = String::from("12,345,678,s,1.25,3.1.0.2");
        // Mutate a few bytes at random: most become other valid or invalid items.
        for _ in 0..1 + draw.below(3) {
            let at = draw.below(t.len());
            let c = bytes[draw.below(bytes.len())] as char;
            t.replace_range(at..=at, &c.to_string());
        }
        texts.push(t);
    }
    let mut plain = 0;
    for text in &texts {
        if let Some(item) = CompactItem::parse_plain(text.as_bytes()) {
            plain += 1;
            let any = CompactItem::parse_any(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(item.to_paper_item(), any.to_paper_item(), "{text}");
            assert_eq!(item.points.scale(), any.points.scale(), "{text}");
        }
    }
    assert!(plain > 1_000, "{plain} texts took the usual path");
}
