use super::text_answer::{normalize_slowly, quick_lower, quick_normal_form};
use super::*;
use crate::blueprint::{Cell, PassRule, Section};
use crate::item::{Difficulty, ItemOption};
use crate::paper::{answer_key, PaperSection};
use crate::test_support::{options, single_choice};
use rust_decimal::dec;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

#[test]
fn the_quick_normal_form_is_the_full_one_for_every_letter_it_takes() {
    let letters: Vec<char> = ('\u{0}'..='\u{24F}')
        .chain('\u{1E00}'..='\u{1EFF}')
        .filter(|&c| quick_lower(c).is_some() && !c.is_whitespace())
        .collect();
    assert!(letters.len() > 700, "{} letters", letters.len());
    for &c in &letters {
        let one = c.to_string();
        let quick = quick_normal_form(&one, TextMatch::Exact).unwrap();
        assert_eq!(
            quick,
            normalize_slowly(&one, TextMatch::Exact),
            "U+{:04X}",
            c as u32
        );
    }
    // Texts of those letters and spaces: the same form both ways, in both modes.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut below = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let spaces = [' ', '\t', '\n', '\u{3000}'];
    let mut quick = 0;
    for _ in 0..20_000 {
        let text: String = (0..below(12))
            .map(|_| match below(5) {
                0 => spaces[below(spaces.len())],
                1 => (b'A' + below(26) as u8) as char,
                2 => ['\u{301}', '\u{323}', 'İ', '\u{2160}'][below(4)],
                _ => letters[below(letters.len())],
            })
            .collect();
        for mode in [TextMatch::Exact, TextMatch::IgnoreDiacritics] {
            if let Some(q) = quick_normal_form(&text, mode) {
                quick += 1;
                assert_eq!(q, normalize_slowly(&text, mode), "{text:?} {mode:?}");
            }
            assert_eq!(
                normalize_text_answer(&text, mode),
                normalize_slowly(&text, mode)
            );
        }
    }
    assert!(quick > 5_000, "{quick} texts took the quick path");
    // What Vietnamese candidates type, in any case and spacing.
    assert_eq!(
        quick_normal_form("  HÀ   Nội ", TextMatch::Exact).as_deref(),
        Some("hà nội")
    );
    // Decomposed input and other scripts take the full path.
    assert_eq!(quick_normal_form("Ha\u{300}", TextMatch::Exact), None);
    assert_eq!(quick_normal_form("Hà", TextMatch::IgnoreDiacritics), None);
}

/// Question 1 of a paper, worth one point: item `id` (in its version `id`) shown in
/// `permutation`.
fn question_one(id: i32, kind: ItemKind, permutation: Vec<u8>) -> PaperItem {
    PaperItem {
        no: 1,
        item_id: id,
        version_id: id,
        kind,
        points: dec!(1.00),
        permutation,
    }
}

/// A 4-option single-choice item whose first authored option is the correct one.
fn single(id: i32) -> Item {
    let texts: Vec<String> = (0..4).map(|i| format!("Phương án {i}")).collect();
    let options = options(&[
        (&texts[0], true),
        (&texts[1], false),
        (&texts[2], false),
        (&texts[3], false),
    ]);
    single_choice(format!("Câu {id}"), options)
        .validate()
        .unwrap()
}

/// An exam and a paper where every item is displayed in reverse authored order, so the
/// correct answer (authored first) is shown as D.
struct Exam {
    blueprint: Blueprint,
    paper: Paper,
    items: HashMap<i32, Item>,
}

impl Exam {
    fn new(parts: &[(&str, usize)]) -> Self {
        let mut sections = Vec::new();
        let mut paper = Vec::new();
        let mut items = HashMap::new();
        let mut no = 0;
        for (code, n) in parts {
            sections.push(Section {
                code: code.to_string(),
                name: code.to_string(),
                duration_minutes: None,
                pass_rule: PassRule::default(),
                cells: vec![Cell {
                    seal_id: 1,
                    topic: "Kiến thức chung".into(),
                    difficulty: Difficulty::new(1).unwrap(),
                    count: *n as u32,
                    points: None,
                }],
            });
            let mut paper_items = Vec::new();
            for _ in 0..*n {
                no += 1;
                let id = no as i32;
                items.insert(id, single(id));
                paper_items.push(PaperItem {
                    no,
                    item_id: id,
                    version_id: id,
                    kind: ItemKind::Single,
                    points: dec!(1.00),
                    permutation: vec![3, 2, 1, 0],
                });
            }
            paper.push(PaperSection {
                code: code.to_string(),
                name: code.to_string(),
                items: paper_items,
            });
        }
        Exam {
            blueprint: Blueprint { sections },
            paper: Paper { sections: paper },
            items,
        }
    }

    /// Answer the first `right` items of section `s` correctly (D) and the rest wrongly (A).
    fn answers(&self, per_section: &[usize]) -> BTreeMap<u32, Answer> {
        let mut out = BTreeMap::new();
        for (section, &right) in self.paper.sections.iter().zip(per_section) {
            for (i, pi) in section.items.iter().enumerate() {
                let letter = if i < right { 'D' } else { 'A' };
                out.insert(pi.no, choice(letter));
            }
        }
        out
    }

    fn grade(
        &self,
        answers: &BTreeMap<u32, Answer>,
        marking: &ExamMarking,
        terms: &CandidateTerms,
    ) -> PaperResult {
        grade(
            &self.blueprint,
            &self.paper,
            |pi| self.items.get(&pi.version_id),
            answers,
            marking,
            terms,
        )
        .unwrap()
    }
}

fn choice(letter: char) -> Answer {
    Answer {
        choices: vec![letter],
        text: None,
    }
}

fn sanctioned(sanction: Sanction) -> CandidateTerms {
    CandidateTerms {
        sanction,
        ..CandidateTerms::default()
    }
}

#[test]
fn e6_round_one_passes_from_thirty_of_sixty() {
    let exam = Exam::new(&[("GK", 60)]);
    let none = ExamMarking::default();
    let terms = CandidateTerms::default();
    let r29 = exam.grade(&exam.answers(&[29]), &none, &terms);
    assert_eq!(r29.sections[0].correct, dec!(29));
    assert!(!r29.sections[0].passed && !r29.passed);
    let r30 = exam.grade(&exam.answers(&[30]), &none, &terms);
    assert!(r30.sections[0].passed && r30.passed);
    assert_eq!(r30.sections[0].score.to_string(), "30.00");
    assert_eq!(r30.sections[0].max_score.to_string(), "60.00");
}

#[test]
fn e6_legacy_round_one_needs_each_part_unless_exempt() {
    let exam = Exam::new(&[("GK", 60), ("NN", 30)]);
    let none = ExamMarking::default();
    let failed = exam.grade(&exam.answers(&[40, 14]), &none, &CandidateTerms::default());
    assert!(failed.sections[0].passed);
    assert!(!failed.sections[1].passed);
    assert!(!failed.passed);

    let exempt = CandidateTerms {
        exempt_sections: ["NN".to_string()].into(),
        ..CandidateTerms::default()
    };
    let passed = exam.grade(&exam.answers(&[40, 14]), &none, &exempt);
    assert!(passed.sections[1].exempt && passed.sections[1].passed);
    assert!(passed.passed);
    // Exempt from the language part does not excuse general knowledge.
    let failed = exam.grade(&exam.answers(&[29, 30]), &none, &exempt);
    assert!(!failed.passed);
}

#[test]
fn e7_sanctions_reduce_correct_answers_before_the_threshold() {
    let exam = Exam::new(&[("GK", 60)]);
    let none = ExamMarking::default();
    let answers = exam.answers(&[40]);

    let reprimand = exam.grade(&answers, &none, &sanctioned(Sanction::Reprimand));
    assert_eq!(reprimand.sections[0].correct, dec!(30));
    assert_eq!(reprimand.sections[0].correct.to_string(), "30");
    assert!(reprimand.passed);

    let warning = exam.grade(&answers, &none, &sanctioned(Sanction::Warning));
    assert_eq!(warning.sections[0].correct, dec!(20));
    assert_eq!(warning.sections[0].score.to_string(), "20.00");
    assert!(!warning.passed);
}

#[test]
fn vn25_suspension_and_not_signing_annul_the_test_whatever_was_answered() {
    let exam = Exam::new(&[("GK", 60), ("NN", 30)]);
    let none = ExamMarking::default();
    for sanction in [Sanction::Suspension, Sanction::NotSigned] {
        let terms = CandidateTerms {
            sanction,
            exempt_sections: ["NN".to_string()].into(),
        };
        let r = exam.grade(&exam.answers(&[60, 30]), &none, &terms);
        assert!(!r.passed, "{sanction}");
        for s in &r.sections {
            assert_eq!(s.correct.to_string(), "0");
            assert_eq!(s.score.to_string(), "0.00");
            assert!(!s.passed, "{sanction}: even an exempt part fails");
        }
        assert_eq!(r.sections[0].max_score.to_string(), "60.00");
        assert!(r.sections[1].exempt);
    }
}

#[test]
fn every_sanction_reads_back_from_its_stored_name() {
    for sanction in Sanction::ALL {
        assert_eq!(sanction.as_str().parse::<Sanction>(), Ok(sanction));
        let json = serde_json::to_string(&sanction).unwrap();
        assert_eq!(json, format!("\"{}\"", sanction.as_str()));
    }
    assert_eq!(
        "expelled".parse::<Sanction>(),
        Err(UnknownSanction("expelled".into()))
    );
}

#[test]
fn vn25_sanctioned_counts_stay_exact_fractions() {
    let exam = Exam::new(&[("GK", 60)]);
    let none = ExamMarking::default();
    let r = exam.grade(
        &exam.answers(&[41]),
        &none,
        &sanctioned(Sanction::Reprimand),
    );
    assert_eq!(r.sections[0].correct.to_string(), "30.75");
    assert!(r.passed);
    let r = exam.grade(
        &exam.answers(&[39]),
        &none,
        &sanctioned(Sanction::Reprimand),
    );
    assert_eq!(r.sections[0].correct.to_string(), "29.25");
    assert!(
        !r.passed,
        "29.25 is below 30 even though it would round to 29.3"
    );
    let r = exam.grade(&exam.answers(&[59]), &none, &sanctioned(Sanction::Warning));
    assert_eq!(r.sections[0].correct.to_string(), "29.5");
    assert!(!r.passed);
}

/// Every permutation of `0..n`.
fn permutations(n: u8) -> Vec<Vec<u8>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for at in 0..=p.len() {
            let mut q = p.clone();
            q.insert(at, n - 1);
            out.push(q);
        }
    }
    out
}

#[test]
fn marking_without_a_key_agrees_with_the_key_on_every_answer() {
    use crate::item::ItemOption;
    // Items of each choice kind, with one or several correct options.
    let shapes: &[(ItemKind, &[bool])] = &[
        (ItemKind::Single, &[true, false, false, false]),
        (ItemKind::Single, &[false, false, true]),
        (ItemKind::TrueFalse, &[false, true]),
        (ItemKind::Multiple, &[true, false, true, false]),
        (ItemKind::Multiple, &[false, true, true, true, false]),
        (ItemKind::Multiple, &[true, false]),
    ];
    let markings = [
        ExamMarking::default(),
        ExamMarking {
            voided: [5].into(),
            ..ExamMarking::default()
        },
        ExamMarking {
            accepted_extra: [(5, [1].into())].into(),
            ..ExamMarking::default()
        },
        ExamMarking {
            accepted_extra: [(5, [0, 3, 9].into())].into(),
            ..ExamMarking::default()
        },
    ];
    let mut checked = 0;
    for (kind, correct) in shapes {
        let item = Item {
            kind: *kind,
            options: correct
                .iter()
                .enumerate()
                .map(|(i, c)| ItemOption {
                    text: format!("Phương án {i}"),
                    correct: *c,
                    fixed: false,
                })
                .collect(),
            ..single(5)
        };
        let n = correct.len() as u8;
        for permutation in permutations(n) {
            let pi = question_one(5, *kind, permutation);
            let key = answer_key(&pi, &item).unwrap();
            // Every set of letters A to F, plus lower case, repeats and a foreign sign.
            let mut answers: Vec<Option<Answer>> = vec![None];
            for set in 0u32..64 {
                let letters: Vec<char> = (0..6)
                    .filter(|b| set & (1 << b) != 0)
                    .map(|b| (b'A' + b as u8) as char)
                    .collect();
                let lower = letters.iter().map(|c| c.to_ascii_lowercase()).collect();
                let mut twice = letters.clone();
                twice.extend(letters.iter().take(1));
                let mut foreign = letters.clone();
                foreign.push('Ă');
                for choices in [letters, lower, twice, foreign] {
                    answers.push(Some(Answer {
                        choices,
                        text: None,
                    }));
                }
            }
            for marking in &markings {
                for answer in &answers {
                    assert_eq!(
                        marks(&pi, &item, answer.as_ref(), marking).unwrap(),
                        is_correct(&key, answer.as_ref(), marking),
                        "{kind:?} {correct:?} {:?} {answer:?} {marking:?}",
                        pi.permutation
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100_000, "{checked} cases");
}

#[test]
fn marking_without_a_key_takes_typed_answers_as_the_key_does() {
    let item = Item {
        kind: ItemKind::FillBlank,
        options: vec![],
        answer: vec!["Hà Nội".into(), "Thủ đô".into()],
        ..single(7)
    };
    let pi = question_one(7, ItemKind::FillBlank, vec![]);
    let key = answer_key(&pi, &item).unwrap();
    for text in [
        None,
        Some(""),
        Some("  hà   NỘI "),
        Some("Ha Noi"),
        Some("thủ đô"),
        Some("x"),
    ] {
        for text_match in [TextMatch::Exact, TextMatch::IgnoreDiacritics] {
            let marking = ExamMarking {
                text_match,
                ..ExamMarking::default()
            };
            let answer = Answer {
                choices: vec![],
                text: text.map(str::to_string),
            };
            assert_eq!(
                marks(&pi, &item, Some(&answer), &marking).unwrap(),
                is_correct(&key, Some(&answer), &marking),
                "{text:?} {text_match:?}"
            );
        }
    }
    let mut wrong_kind = pi.clone();
    wrong_kind.kind = ItemKind::Single;
    assert!(marks(&wrong_kind, &item, None, &ExamMarking::default()).is_err());
}

#[test]
fn vn24_a_voided_item_scores_for_everyone() {
    let exam = Exam::new(&[("GK", 60)]);
    let voided = ExamMarking {
        voided: [1].into(),
        ..ExamMarking::default()
    };
    let terms = CandidateTerms::default();
    // Answered item 1 wrongly: still counted.
    let mut answers = exam.answers(&[29]);
    answers.insert(1, choice('A'));
    assert_eq!(
        exam.grade(&answers, &voided, &terms).sections[0].correct,
        dec!(29)
    );
    // Left item 1 blank: still counted.
    answers.remove(&1);
    assert_eq!(
        exam.grade(&answers, &voided, &terms).sections[0].correct,
        dec!(29)
    );
    // Answered a non-voided wrong item: the voiding of item 1 turns 29 into 30 → pass.
    let answers = exam.answers(&[0]);
    let mut with_29 = answers.clone();
    for no in 2..=30 {
        with_29.insert(no, choice('D'));
    }
    let r = exam.grade(&with_29, &voided, &terms);
    assert_eq!(r.sections[0].correct, dec!(30));
    assert!(r.passed);
}

#[test]
fn vn24_when_two_options_are_correct_either_scores() {
    let exam = Exam::new(&[("GK", 4)]);
    // Authored option 2 ("Phương án 2") is also right; with the reversed display it is B.
    let marking = ExamMarking {
        accepted_extra: [(1, [2].into())].into(),
        ..ExamMarking::default()
    };
    let key = answer_key(&exam.paper.sections[0].items[0], &exam.items[&1]).unwrap();
    assert_eq!(key.letter_of_original(2), Some('B'));
    for (letter, right) in [('D', true), ('B', true), ('A', false), ('C', false)] {
        assert_eq!(
            is_correct(&key, Some(&choice(letter)), &marking),
            right,
            "{letter}"
        );
    }
    // Choosing both is still not a single answer.
    let both = Answer {
        choices: vec!['B', 'D'],
        text: None,
    };
    assert!(!is_correct(&key, Some(&both), &marking));
    // Other items are unaffected.
    let key2 = answer_key(&exam.paper.sections[0].items[1], &exam.items[&2]).unwrap();
    assert!(!is_correct(&key2, Some(&choice('B')), &marking));
}

#[test]
fn single_choice_needs_exactly_the_correct_letter() {
    let exam = Exam::new(&[("GK", 1)]);
    let key = answer_key(&exam.paper.sections[0].items[0], &exam.items[&1]).unwrap();
    let none = ExamMarking::default();
    assert!(is_correct(&key, Some(&choice('D')), &none));
    assert!(is_correct(&key, Some(&choice('d')), &none));
    assert!(!is_correct(&key, Some(&choice('A')), &none));
    assert!(!is_correct(&key, Some(&choice('Z')), &none));
    assert!(!is_correct(&key, Some(&Answer::default()), &none));
    assert!(!is_correct(&key, None, &none));
    let two = Answer {
        choices: vec!['D', 'A'],
        text: None,
    };
    assert!(!is_correct(&key, Some(&two), &none));
}

fn multiple() -> Item {
    Item {
        kind: ItemKind::Multiple,
        options: ["Quốc hội", "Chính phủ", "Tòa án", "Viện kiểm sát"]
            .iter()
            .enumerate()
            .map(|(i, t)| ItemOption {
                text: t.to_string(),
                correct: i == 0 || i == 2,
                fixed: false,
            })
            .collect(),
        ..single(1)
    }
    .validate()
    .unwrap()
}

#[test]
fn multiple_choice_needs_exactly_the_correct_set() {
    let item = multiple();
    // Displayed: A = Tòa án (2), B = Quốc hội (0), C = Viện kiểm sát (3), D = Chính phủ (1).
    let pi = question_one(1, ItemKind::Multiple, vec![2, 0, 3, 1]);
    let key = answer_key(&pi, &item).unwrap();
    let none = ExamMarking::default();
    let pick = |letters: &[char]| Answer {
        choices: letters.to_vec(),
        text: None,
    };
    assert!(is_correct(&key, Some(&pick(&['A', 'B'])), &none));
    assert!(is_correct(&key, Some(&pick(&['B', 'A', 'B'])), &none));
    assert!(!is_correct(&key, Some(&pick(&['A'])), &none));
    assert!(!is_correct(&key, Some(&pick(&['A', 'B', 'C'])), &none));
    // VN-24: the board also accepts Viện kiểm sát (authored 3, shown as C): with or without
    // it the answer scores, but the official options are still required.
    let extra = ExamMarking {
        accepted_extra: [(1, [3].into())].into(),
        ..ExamMarking::default()
    };
    assert!(is_correct(&key, Some(&pick(&['A', 'B', 'C'])), &extra));
    assert!(is_correct(&key, Some(&pick(&['A', 'B'])), &extra));
    assert!(!is_correct(&key, Some(&pick(&['A', 'C'])), &extra));
    assert!(!is_correct(&key, Some(&pick(&['A', 'B', 'D'])), &extra));
}

#[test]
fn option_shuffle_keeps_the_correct_answer_mapped() {
    // Whatever the permutation, the letter showing "Phương án 0" is the one that scores.
    let item = single(1);
    let none = ExamMarking::default();
    for permutation in [
        [0, 1, 2, 3],
        [1, 0, 3, 2],
        [2, 3, 0, 1],
        [3, 2, 1, 0],
        [1, 2, 3, 0],
    ] {
        let pi = question_one(1, ItemKind::Single, permutation.to_vec());
        let view = crate::paper::CandidateItem::new(&pi, &item).unwrap();
        let key = answer_key(&pi, &item).unwrap();
        for option in &view.options {
            let right = option.text == "Phương án 0";
            assert_eq!(
                is_correct(&key, Some(&choice(option.key)), &none),
                right,
                "{permutation:?} {}",
                option.key
            );
        }
    }
}

fn fill_blank() -> Item {
    Item {
        kind: ItemKind::FillBlank,
        options: vec![],
        answer: vec!["Hà Nội".into(), "Thủ đô Hà Nội".into()],
        ..single(1)
    }
    .validate()
    .unwrap()
}

fn typed(text: &str) -> Answer {
    Answer {
        choices: vec![],
        text: Some(text.into()),
    }
}

#[test]
fn fill_blank_ignores_unicode_form_case_and_spacing_but_not_diacritics() {
    let pi = question_one(1, ItemKind::FillBlank, vec![]);
    let key = answer_key(&pi, &fill_blank()).unwrap();
    let exact = ExamMarking::default();
    let nfd: String = "HÀ NỘI".nfd().collect();
    assert_ne!(nfd, "HÀ NỘI");
    for ok in [
        "Hà Nội",
        "  hà   nội ",
        "HÀ NỘI",
        nfd.as_str(),
        "thủ đô hà nội",
    ] {
        assert!(is_correct(&key, Some(&typed(ok)), &exact), "{ok:?}");
    }
    for wrong in ["Ha Noi", "Hà Nôi", "Hải Phòng", "", "   "] {
        assert!(!is_correct(&key, Some(&typed(wrong)), &exact), "{wrong:?}");
    }
    assert!(!is_correct(&key, Some(&choice('A')), &exact));

    let folded = ExamMarking {
        text_match: TextMatch::IgnoreDiacritics,
        ..ExamMarking::default()
    };
    assert!(is_correct(&key, Some(&typed("ha noi")), &folded));
    assert!(!is_correct(&key, Some(&typed("   ")), &folded));
}

#[test]
fn points_basis_compares_exact_points_and_rounds_half_away_from_zero() {
    let mut exam = Exam::new(&[("NV", 10)]);
    exam.blueprint.sections[0].pass_rule = PassRule {
        ratio: dec!(0.50),
        basis: PassBasis::Points,
    };
    for pi in &mut exam.paper.sections[0].items {
        pi.points = dec!(1.25);
    }
    let none = ExamMarking::default();
    // 7 × 1.25 = 8.75; a reprimand keeps 6.5625 ≥ 0.5 × 12.50 = 6.25.
    let r = exam.grade(&exam.answers(&[7]), &none, &sanctioned(Sanction::Reprimand));
    assert_eq!(r.sections[0].score.to_string(), "6.56");
    assert_eq!(r.sections[0].max_score.to_string(), "12.50");
    assert_eq!(r.sections[0].correct.to_string(), "5.25");
    assert!(r.passed);
    // 5 × 1.25 = 6.25 under a warning is 3.125: published as 3.13, not banker's 3.12.
    let r = exam.grade(&exam.answers(&[5]), &none, &sanctioned(Sanction::Warning));
    assert_eq!(r.sections[0].score.to_string(), "3.13");
    assert!(!r.passed);
    // 5 of 10 on points: exactly half passes.
    let r = exam.grade(&exam.answers(&[5]), &none, &CandidateTerms::default());
    assert!(r.passed);
}

#[test]
fn a_section_missing_from_the_blueprint_or_an_unknown_item_is_an_error() {
    let exam = Exam::new(&[("GK", 2)]);
    let mut other = exam.blueprint.clone();
    other.sections[0].code = "NN".into();
    let none = ExamMarking::default();
    let terms = CandidateTerms::default();
    let err = grade(
        &other,
        &exam.paper,
        |pi| exam.items.get(&pi.version_id),
        &BTreeMap::new(),
        &none,
        &terms,
    )
    .unwrap_err();
    assert_eq!(err.errors()[0].location, "sections[0]");
    let err = grade(
        &exam.blueprint,
        &exam.paper,
        |_| None,
        &BTreeMap::new(),
        &none,
        &terms,
    )
    .unwrap_err();
    assert_eq!(err.errors()[0].location, "items[no=1]");
}

#[test]
fn results_serialise_as_the_api_shows_them() {
    let exam = Exam::new(&[("GK", 60)]);
    let r = exam.grade(
        &exam.answers(&[40]),
        &ExamMarking::default(),
        &sanctioned(Sanction::Reprimand),
    );
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"{"sections":[{"code":"GK","correct":"30","total":60,"score":"30.00","max_score":"60.00","passed":true}],"passed":true}"#
    );
    let answer: Answer = serde_json::from_str(r#"{"choices":["B"]}"#).unwrap();
    assert_eq!(answer, choice('B'));
    let sanction: Sanction = serde_json::from_str(r#""reprimand""#).unwrap();
    assert_eq!(sanction, Sanction::Reprimand);
}
