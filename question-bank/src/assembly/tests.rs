use super::*;
use crate::blueprint::{Cell, PassRule, Section};
use crate::item::ItemOption;
use crate::paper::{answer_key, CandidateItem};
use proptest::prelude::*;
use rust_decimal::dec;
use std::collections::BTreeSet;

const SECRET: &[u8] = b"session secret of HP-2026-CA1";

fn d(level: u8) -> Difficulty {
    Difficulty::new(level).unwrap()
}

/// A choice item with `options` options; which are correct depends on the kind and the id,
/// so that keys land on different original positions across the pool.
fn item(id: i32, topic: &str, level: u8, kind: ItemKind, options: usize, fixed_last: bool) -> Item {
    let n = options.max(2);
    let key = id.unsigned_abs() as usize % n;
    let (options, answer) = match kind {
        ItemKind::FillBlank => (vec![], vec![format!("Đáp án {id}")]),
        ItemKind::TrueFalse => (
            vec![
                ItemOption {
                    text: "Đúng".into(),
                    correct: id % 2 == 0,
                    fixed: false,
                },
                ItemOption {
                    text: "Sai".into(),
                    correct: id % 2 != 0,
                    fixed: false,
                },
            ],
            vec![],
        ),
        _ => (
            (0..n)
                .map(|i| ItemOption {
                    text: format!("Phương án {i} của câu {id}"),
                    correct: if kind == ItemKind::Multiple {
                        i == key || (i + 1) % 2 == 0
                    } else {
                        i == key
                    },
                    fixed: fixed_last && i + 1 == n,
                })
                .collect(),
            vec![],
        ),
    };
    Item {
        topic: topic.into(),
        difficulty: d(level),
        kind,
        stem: format!("Câu hỏi số {id}"),
        options,
        answer,
        points: Decimal::ONE,
        explanation: None,
        tags: vec![],
    }
    .validate()
    .unwrap()
}

fn cell(seal_id: i32, topic: &str, level: u8, count: u32) -> Cell {
    Cell {
        seal_id,
        topic: topic.into(),
        difficulty: d(level),
        count,
        points: None,
    }
}

fn section(code: &str, cells: Vec<Cell>) -> Section {
    Section {
        code: code.into(),
        name: format!("Phần {code}"),
        duration_minutes: None,
        pass_rule: PassRule::default(),
        cells,
    }
}

/// Legacy round 1 in miniature (VN-6): general knowledge in two cells, language in one.
fn round1() -> Blueprint {
    Blueprint {
        sections: vec![
            section("GK", vec![cell(1, "Luật", 1, 4), cell(1, "Tin học", 2, 2)]),
            section("NN", vec![cell(2, "Tiếng Anh", 2, 5)]),
        ],
    }
}

/// Exactly `factor` × count single-choice 4-option items per cell, on the cell's own
/// topic; ids run from 1 in blueprint order.
fn pool_for(bp: &Blueprint, factor: usize) -> Vec<PoolItem> {
    let mut pool = Vec::new();
    let mut id = 0;
    for s in &bp.sections {
        for c in &s.cells {
            for _ in 0..(c.count as usize * factor) {
                id += 1;
                pool.push(PoolItem::new(
                    c.seal_id,
                    id,
                    1000 + id,
                    item(
                        id,
                        &c.topic,
                        c.difficulty.level(),
                        ItemKind::Single,
                        4,
                        false,
                    ),
                ));
            }
        }
    }
    pool
}

fn ids(paper: &Paper) -> Vec<i32> {
    paper.items().map(|i| i.item_id).collect()
}

fn lookup(pool: &[PoolItem]) -> HashMap<i32, &Item> {
    pool.iter().map(|p| (p.version_id, &p.item)).collect()
}

#[test]
fn generator_is_chacha20_as_documented() {
    // ChaCha20 keystream for the all-zero key and nonce, block 0 (the reference test
    // vector 76 b8 e0 ad a0 f1 3d 90 ..., read as little-endian words).
    let mut rng = rng_from_seed([0; 32]);
    assert_eq!(rng.next_u32(), 0xade0_b876);
    assert_eq!(rng.next_u32(), 0x903d_f1a0);
}

#[test]
fn seed_is_hmac_sha256_of_the_domain_and_ticket() {
    use sha2::Digest;
    // HMAC by its definition (RFC 2104): H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)).
    let mut key = [0u8; 64];
    key[..SECRET.len()].copy_from_slice(SECRET);
    let inner = Sha256::new()
        .chain_update(key.map(|b| b ^ 0x36))
        .chain_update(b"thituyen-paper-seed-v1\nHP-0001")
        .finalize();
    let outer = Sha256::new()
        .chain_update(key.map(|b| b ^ 0x5c))
        .chain_update(inner)
        .finalize();
    assert_eq!(derive_seed(SECRET, "HP-0001").to_vec(), outer.to_vec());
    assert_ne!(
        derive_seed(SECRET, "HP-0001"),
        derive_seed(SECRET, "HP-0002")
    );
    assert_ne!(
        derive_seed(SECRET, "HP-0001"),
        derive_seed(b"another session", "HP-0001")
    );
}

#[test]
fn paper_follows_the_blueprint() {
    let bp = round1();
    let pool = pool_for(&bp, 3);
    let paper = assemble_for_ticket(&bp, &pool, SECRET, "HP-0001").unwrap();
    let codes: Vec<_> = paper.sections.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, vec!["GK", "NN"]);
    assert_eq!(paper.sections[0].items.len(), 6);
    assert_eq!(paper.sections[1].items.len(), 5);
    let numbers: Vec<u32> = paper.items().map(|i| i.no).collect();
    assert_eq!(numbers, (1..=11).collect::<Vec<_>>());
    // Cell membership: ids 1-12 are Luật, 13-18 Tin học, 19-33 Tiếng Anh.
    let gk = &paper.sections[0].items;
    assert_eq!(
        gk.iter().filter(|i| (1..=12).contains(&i.item_id)).count(),
        4
    );
    assert_eq!(
        gk.iter().filter(|i| (13..=18).contains(&i.item_id)).count(),
        2
    );
    assert!(paper.sections[1]
        .items
        .iter()
        .all(|i| (19..=33).contains(&i.item_id)));
    assert!(paper
        .items()
        .all(|i| i.points == dec!(1.00) && i.version_id == 1000 + i.item_id));
}

#[test]
fn the_same_seed_rebuilds_the_same_paper_whatever_the_pool_order() {
    let bp = round1();
    let pool = pool_for(&bp, 3);
    let paper = assemble_for_ticket(&bp, &pool, SECRET, "HP-0042").unwrap();
    let again = assemble_for_ticket(&bp, &pool, SECRET, "HP-0042").unwrap();
    assert_eq!(paper, again);
    assert_eq!(paper.sha256(), again.sha256());
    let mut reversed = pool.clone();
    reversed.reverse();
    assert_eq!(
        assemble_for_ticket(&bp, &reversed, SECRET, "HP-0042").unwrap(),
        paper
    );
}

#[test]
fn paper_hash_is_pinned_across_releases() {
    // If this changes, papers already published can no longer be rebuilt from their seeds:
    // a generator, algorithm or format change must be a new, versioned scheme instead.
    let bp = round1();
    let paper = assemble_for_ticket(&bp, &pool_for(&bp, 3), SECRET, "HP-0001").unwrap();
    assert_eq!(
        paper.sha256(),
        "4106899c0a5f69485616711da3ce5084b12f94e0f0a4ed3501c8e215e09a4737"
    );
}

#[test]
fn an_assembler_prepared_once_draws_the_papers_of_assemble() {
    let bp = round1();
    let pool = pool_for(&bp, 3);
    let assembler = Assembler::new(&bp, &pool).unwrap();
    for seat in 1..=20 {
        let ticket = format!("HP-{seat:04}");
        assert_eq!(
            assembler.for_ticket(SECRET, &ticket).unwrap(),
            assemble_for_ticket(&bp, &pool, SECRET, &ticket).unwrap()
        );
    }
}

#[test]
fn fixed_options_stay_in_place_and_true_false_keeps_its_order() {
    let pool: Vec<PoolItem> = (1..=30)
        .map(|id| {
            let kind = match id % 3 {
                0 => ItemKind::TrueFalse,
                1 => ItemKind::Single,
                _ => ItemKind::FillBlank,
            };
            PoolItem::new(1, id, id, item(id, "Luật", 1, kind, 5, true))
        })
        .collect();
    let bp = Blueprint {
        sections: vec![section("GK", vec![cell(1, "Luật", 1, 10)])],
    };
    let mut moved = false;
    for t in 0..20 {
        let paper = assemble_for_ticket(&bp, &pool, SECRET, &format!("HP-{t:04}")).unwrap();
        for pi in paper.items() {
            match pi.kind {
                ItemKind::Single => {
                    assert_eq!(pi.permutation[4], 4, "the fixed last option moved");
                    moved |= pi.permutation[..4] != [0, 1, 2, 3];
                }
                ItemKind::TrueFalse => assert_eq!(pi.permutation, vec![0, 1]),
                _ => assert!(pi.permutation.is_empty()),
            }
        }
    }
    assert!(moved, "free options are shuffled");
}

#[test]
fn a_cell_can_set_the_points_of_what_it_draws() {
    let mut bp = round1();
    bp.sections[0].cells[1].points = Some(dec!(2.5));
    let pool = pool_for(&bp, 3);
    let paper = assemble_for_ticket(&bp, &pool, SECRET, "HP-0001").unwrap();
    for pi in paper.items() {
        let expected = if (13..=18).contains(&pi.item_id) {
            "2.50"
        } else {
            "1.00"
        };
        assert_eq!(pi.points.to_string(), expected);
    }
}

#[test]
fn overlapping_cells_never_repeat_an_item_and_narrow_cells_draw_first() {
    // 6 items on Luật/Cán bộ and 3 on Luật/Viên chức; the broad Luật cell (listed first)
    // takes 6 and the narrow Cán bộ cell 3: only drawing the narrow cell first always works.
    let mut pool: Vec<PoolItem> = (1..=6)
        .map(|id| {
            PoolItem::new(
                1,
                id,
                id,
                item(id, "Luật/Cán bộ", 1, ItemKind::Single, 4, false),
            )
        })
        .collect();
    pool.extend((7..=9).map(|id| {
        PoolItem::new(
            1,
            id,
            id,
            item(id, "Luật/Viên chức", 1, ItemKind::Single, 4, false),
        )
    }));
    let bp = Blueprint {
        sections: vec![
            section("A", vec![cell(1, "Luật", 1, 6)]),
            section("B", vec![cell(1, "Luật/Cán bộ", 1, 3)]),
        ],
    };
    for t in 0..50 {
        let paper = assemble_for_ticket(&bp, &pool, SECRET, &format!("HP-{t:04}")).unwrap();
        let mut all = ids(&paper);
        all.sort();
        assert_eq!(all, (1..=9).collect::<Vec<_>>());
        assert!(paper.sections[1].items.iter().all(|i| i.item_id <= 6));
    }
}

#[test]
fn an_item_sealed_twice_appears_once() {
    // Item 1 is in seal 1 and in seal 2; each seal's cell draws its whole pool, so the
    // second cell must take item 3 instead of item 1 again.
    let pool = vec![
        PoolItem::new(1, 1, 10, item(1, "Luật", 1, ItemKind::Single, 4, false)),
        PoolItem::new(1, 2, 20, item(2, "Luật", 1, ItemKind::Single, 4, false)),
        PoolItem::new(2, 1, 10, item(1, "Luật", 1, ItemKind::Single, 4, false)),
        PoolItem::new(2, 3, 30, item(3, "Luật", 1, ItemKind::Single, 4, false)),
    ];
    let bp = Blueprint {
        sections: vec![section(
            "GK",
            vec![cell(1, "Luật", 1, 2), cell(2, "Luật", 1, 1)],
        )],
    };
    for t in 0..20 {
        let mut all = ids(&assemble_for_ticket(&bp, &pool, SECRET, &format!("{t}")).unwrap());
        all.sort();
        assert_eq!(all, vec![1, 2, 3]);
    }
}

#[test]
fn every_short_cell_is_reported() {
    let bp = round1();
    let pool: Vec<PoolItem> = pool_for(&bp, 3)
        .into_iter()
        .filter(|p| p.item_id % 4 == 0 || p.item_id > 18)
        .collect();
    let err = assemble_for_ticket(&bp, &pool, SECRET, "HP-0001").unwrap_err();
    let locations: Vec<_> = err.errors().iter().map(|e| e.location.as_str()).collect();
    assert_eq!(
        locations,
        vec!["sections[0].cells[0]", "sections[0].cells[1]"]
    );
    assert_eq!(
        err.errors()[1].message,
        "only 1 unused items match, the cell draws 2"
    );
}

#[test]
fn a_pool_with_an_item_twice_in_one_seal_is_refused() {
    let bp = round1();
    let mut pool = pool_for(&bp, 3);
    pool.push(pool[0].clone());
    let err = assemble_for_ticket(&bp, &pool, SECRET, "HP-0001").unwrap_err();
    assert_eq!(err.errors()[0].message, "item 1 appears twice in seal 1");
}

#[test]
fn an_invalid_blueprint_is_refused() {
    let mut bp = round1();
    bp.sections[1].code = "GK".into();
    let err = assemble_for_ticket(&bp, &pool_for(&round1(), 3), SECRET, "HP-0001").unwrap_err();
    assert_eq!(err.errors()[0].location, "sections[1].code");
}

#[test]
fn pool_size_counts_what_a_cell_could_draw() {
    let bp = round1();
    let pool = pool_for(&bp, 3);
    assert_eq!(pool_size(&pool, 1, "Luật", d(1)), 12);
    assert_eq!(pool_size(&pool, 2, "Luật", d(1)), 0);
    assert_eq!(pool_size(&pool, 1, "Luật", d(2)), 0);
    bp.check_pool(|s, t, d| pool_size(&pool, s, t, d)).unwrap();
    let err = bp
        .check_pool(|s, t, d| pool_size(&pool[1..], s, t, d))
        .unwrap_err();
    assert_eq!(
        err.errors()[0].message,
        "pool holds 11 items, needs at least 3 × 4 = 12 (VN-20)"
    );
}

#[test]
fn adjacent_seats_get_different_item_orders() {
    let bp = round1();
    let pool = pool_for(&bp, 3);
    for seat in 1..=200 {
        let a = assemble_for_ticket(&bp, &pool, SECRET, &format!("HP-{seat:04}")).unwrap();
        let b = assemble_for_ticket(&bp, &pool, SECRET, &format!("HP-{:04}", seat + 1)).unwrap();
        assert_ne!(
            ids(&a),
            ids(&b),
            "seats {seat} and {} see the same order",
            seat + 1
        );
        assert_ne!(a.sha256(), b.sha256());
    }
}

/// Pearson's statistic Σ (observed − expected)² / expected.
fn pearson(observed: &[u32], expected: f64) -> f64 {
    observed
        .iter()
        .map(|&o| (f64::from(o) - expected).powi(2) / expected)
        .sum()
}

#[test]
fn draws_and_shuffles_are_uniform_over_a_thousand_papers() {
    // Critical values of the chi-square distribution at α = 0.001 (computed from the
    // regularised incomplete gamma function; they match published tables). The seeds are
    // fixed, so the test is deterministic; α only says how unlucky a correct implementation
    // would have to be to fail it, and a biased one (say, never drawing the last item)
    // overshoots these values many times over. Draws without replacement make each count
    // less variable than the multinomial the statistic assumes (by a factor 1 − 1/3), so
    // the bound is more generous still.
    const CHI2_001: [(usize, f64); 3] = [(3, 16.266), (5, 20.515), (30, 59.703)];
    let critical = |df: usize| CHI2_001.iter().find(|c| c.0 == df).unwrap().1;

    const PAPERS: u32 = 1000;
    let bp = round1();
    let pool = pool_for(&bp, 3);
    let items = lookup(&pool);
    let mut drawn = vec![0u32; pool.len() + 1];
    let mut key_position = [0u32; 4];
    let mut tin_hoc_position = [0u32; 6];
    for t in 0..PAPERS {
        let paper = assemble_for_ticket(&bp, &pool, SECRET, &format!("HP-{t:04}")).unwrap();
        for (position, pi) in paper.sections[0].items.iter().enumerate() {
            if (13..=18).contains(&pi.item_id) {
                tin_hoc_position[position] += 1;
            }
        }
        for pi in paper.items() {
            drawn[pi.item_id as usize] += 1;
            let key = answer_key(pi, items[&pi.version_id]).unwrap();
            key_position[(key.correct_letters()[0] as u8 - b'A') as usize] += 1;
        }
    }

    // Each item of a cell drawing `count` of `n` is on a paper with probability count / n.
    let mut statistic = 0.0;
    let mut df = 0;
    let mut first = 1;
    for s in &bp.sections {
        for c in &s.cells {
            let n = c.count as usize * 3;
            let observed = &drawn[first..first + n];
            statistic += pearson(observed, f64::from(PAPERS * c.count) / n as f64);
            df += n - 1;
            first += n;
        }
    }
    assert_eq!(df, 30);
    assert!(
        statistic < critical(30),
        "item draws: χ² = {statistic:.2} ≥ {}",
        critical(30)
    );

    // Shuffled options: the key is on A, B, C or D equally often.
    let observations = 11.0 * f64::from(PAPERS);
    let chi = pearson(&key_position, observations / 4.0);
    assert!(
        chi < critical(3),
        "key positions {key_position:?}: χ² = {chi:.2}"
    );

    // Shuffled item order: the two Tin học items of GK are not stuck after the Luật ones.
    let chi = pearson(&tin_hoc_position, 2.0 * f64::from(PAPERS) / 6.0);
    assert!(
        chi < critical(5),
        "Tin học positions {tin_hoc_position:?}: χ² = {chi:.2}"
    );
}

/// A blueprint with disjoint cells (one topic each) and a pool of `count + extra` items per
/// cell, of mixed kinds, with the last option fixed on some.
fn disjoint_case() -> impl Strategy<Value = (Blueprint, Vec<PoolItem>)> {
    let cell_spec = (1u32..=5, 0usize..=4, 2usize..=6, any::<bool>(), 0u8..4);
    proptest::collection::vec(proptest::collection::vec(cell_spec, 1..=3), 1..=3).prop_map(
        |sections| {
            let mut pool = Vec::new();
            let mut id = 0;
            let mut blueprint = Blueprint { sections: vec![] };
            for (s, cells) in sections.iter().enumerate() {
                let mut sec = section(&format!("S{s}"), vec![]);
                for (c, &(count, extra, options, fixed, kind)) in cells.iter().enumerate() {
                    let topic = format!("Chủ đề {s}-{c}");
                    let level = (c % 3) as u8 + 1;
                    sec.cells.push(cell(1, &topic, level, count));
                    let kind = [
                        ItemKind::Single,
                        ItemKind::Multiple,
                        ItemKind::TrueFalse,
                        ItemKind::FillBlank,
                    ][kind as usize];
                    for _ in 0..count as usize + extra {
                        id += 1;
                        pool.push(PoolItem::new(
                            1,
                            id,
                            500 + id,
                            item(id, &topic, level, kind, options, fixed),
                        ));
                    }
                }
                blueprint.sections.push(sec);
            }
            (blueprint, pool)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn papers_are_well_formed((bp, pool) in disjoint_case(), seed in any::<[u8; 32]>()) {
        let paper = assemble(&bp, &pool, &mut rng_from_seed(seed)).unwrap();
        let items = lookup(&pool);
        let by_version: HashMap<i32, &PoolItem> = pool.iter().map(|p| (p.version_id, p)).collect();

        // No item twice; numbers 1..=N in order.
        let all = ids(&paper);
        prop_assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len());
        let numbers: Vec<u32> = paper.items().map(|i| i.no).collect();
        prop_assert_eq!(numbers, (1..=all.len() as u32).collect::<Vec<_>>());

        // Each cell contributes exactly `count` items to its own section.
        for (section, paper_section) in bp.sections.iter().zip(&paper.sections) {
            for cell in &section.cells {
                let n = paper_section.items.iter()
                    .filter(|pi| by_version[&pi.version_id].item.topic == cell.topic)
                    .count();
                prop_assert_eq!(n, cell.count as usize);
            }
        }

        for pi in paper.items() {
            let item = items[&pi.version_id];
            prop_assert_eq!(pi.kind, item.kind);
            // A valid permutation of the item's options, fixed options in place.
            let mut sorted = pi.permutation.clone();
            sorted.sort();
            prop_assert_eq!(sorted, (0..item.options.len() as u8).collect::<Vec<_>>());
            for (i, o) in item.options.iter().enumerate() {
                if o.fixed {
                    prop_assert_eq!(pi.permutation[i] as usize, i);
                }
            }
            // The key maps through the permutation: the texts under the correct letters are
            // exactly the texts of the correct options.
            let key = answer_key(pi, item).unwrap();
            let view = CandidateItem::new(pi, item).unwrap();
            let shown: BTreeSet<&str> = view.options.iter()
                .filter(|o| key.correct_letters().contains(&o.key))
                .map(|o| o.text.as_str())
                .collect();
            let authored: BTreeSet<&str> = item.options.iter()
                .filter(|o| o.correct)
                .map(|o| o.text.as_str())
                .collect();
            prop_assert_eq!(shown, authored);
        }

        // Same seed, same paper and hash, whatever order the pool comes in.
        let mut reversed = pool.clone();
        reversed.reverse();
        let again = assemble(&bp, &reversed, &mut rng_from_seed(seed)).unwrap();
        prop_assert_eq!(again.sha256(), paper.sha256());
        prop_assert_eq!(again, paper);
    }

    #[test]
    fn overlapping_cells_never_put_an_item_twice_on_a_paper(
        cells in proptest::collection::vec((0usize..4, 1u8..=2, 1u32..=3), 1..=4),
        pool_spec in proptest::collection::vec((0usize..6, 1u8..=2), 5..40),
        seed in any::<[u8; 32]>(),
    ) {
        const CELL_TOPICS: [&str; 4] = ["A", "A/B", "A/B/C", "D"];
        const ITEM_TOPICS: [&str; 6] = ["A", "A/B", "A/B/C", "A/X", "D", "E"];
        let bp = Blueprint {
            sections: vec![section(
                "S",
                cells.iter().map(|&(t, l, n)| cell(1, CELL_TOPICS[t], l, n)).collect(),
            )],
        };
        let pool: Vec<PoolItem> = pool_spec
            .iter()
            .enumerate()
            .map(|(i, &(t, l))| {
                let id = i as i32 + 1;
                PoolItem::new(1, id, id, item(id, ITEM_TOPICS[t], l, ItemKind::Single, 4, false))
            })
            .collect();
        match assemble(&bp, &pool, &mut rng_from_seed(seed)) {
            Ok(paper) => {
                let all = ids(&paper);
                prop_assert_eq!(all.len() as u64, bp.item_count());
                prop_assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len());
                for pi in paper.items() {
                    let it = &pool[pi.item_id as usize - 1].item;
                    prop_assert!(bp.sections[0].cells.iter().any(|c| c.matches(1, &it.topic, it.difficulty)));
                }
            }
            Err(err) => {
                for e in err.errors() {
                    prop_assert!(e.location.starts_with("sections[0].cells["), "{:?}", e);
                    prop_assert!(e.message.starts_with("only "), "{:?}", e);
                }
            }
        }
    }
}
