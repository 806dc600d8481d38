//! Paper assembly: drawing one candidate's paper from sealed pools (VN-20), reproducibly.
//!
//! This module owns the drawing algorithm, the per-ticket seed and the generator. A paper is a
//! pure function of (blueprint, pool, generator state): given the stored session secret and the
//! ticket number, anyone can rebuild a candidate's paper and check it against its published
//! SHA-256: randomness and time are injected, never drawn here.
//!
//! # Generator
//! [`PaperRng`] is ChaCha20 (`rand::rngs::ChaCha20Rng`, from the RustCrypto `chacha20` crate
//! that `rand` 0.10 itself uses): a named, portable algorithm whose output for a given seed does
//! not depend on the platform or on the `rand` release (unlike `StdRng`, which may change
//! algorithm in any release). On top of it we use only `next_u64`, with our own unbiased
//! rejection sampling and Fisher–Yates shuffles below, so no change to `rand`'s distribution
//! code can change a paper either. A pinned test vector and a pinned paper hash in the tests
//! guard both layers.
//!
//! # Algorithm (the order of random draws is part of the format)
//! 1. The pool is put in `(item_id, version_id)` order first, so the order in which the database
//!    returns rows does not matter.
//! 2. Cells are drawn from in order of decreasing topic depth (`Luật/Cán bộ` before `Luật`),
//!    ties in blueprint order. Drawing narrow cells first means a broad cell cannot use up the
//!    items a narrow cell needs when their pools overlap.
//! 3. Each cell draws `count` distinct items uniformly without replacement (partial
//!    Fisher–Yates) among matching items not already on the paper: an item matching two cells
//!    appears at most once.
//! 4. Each section's items are shuffled (Fisher–Yates), sections in blueprint order; numbers
//!    run 1, 2, 3… across the whole paper.
//! 5. In displayed order, each choice item gets an option permutation: options marked `fixed`
//!    ("all of the above") keep their position, the others are shuffled among the free
//!    positions. True/false items keep their authored order (Đúng before Sai) — shuffling two
//!    opposite statements only confuses candidates and protects nothing.

use std::collections::{HashMap, HashSet};

use hmac::{Hmac, KeyInit, Mac};
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use sha2::Sha256;

use crate::blueprint::{normalize_topic, topic_under, Blueprint};
use crate::error::{BankError, FieldError};
use crate::item::{Difficulty, Item, ItemKind};
use crate::paper::{Paper, PaperItem, PaperSection};

/// The generator papers are drawn with: ChaCha with 20 rounds, 256-bit seed, stream 0.
pub type PaperRng = rand::rngs::ChaCha20Rng;

/// Domain separation for [`derive_seed`]: the session secret may serve other purposes later.
const SEED_DOMAIN: &[u8] = b"thituyen-paper-seed-v1\n";

/// One sealed item version a cell may draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolItem {
    pub seal_id: i32,
    pub item_id: i32,
    pub version_id: i32,
    /// Validated content; its `topic` and `difficulty` decide which cells may draw it.
    pub item: Item,
}

impl PoolItem {
    pub fn new(seal_id: i32, item_id: i32, version_id: i32, item: Item) -> Self {
        Self {
            seal_id,
            item_id,
            version_id,
            item,
        }
    }
}

/// Seed of one ticket's paper: `HMAC-SHA-256(session_secret, "thituyen-paper-seed-v1\n" ||
/// ticket_no)`. Keyed by a per-session secret so that seats cannot predict each other's papers
/// from ticket numbers, yet the paper can be rebuilt for an audit from stored data alone.
pub fn derive_seed(session_secret: &[u8], ticket_no: &str) -> [u8; 32] {
    // HMAC accepts keys of any length (long keys are hashed first): this cannot fail.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(session_secret).expect("HMAC takes keys of any length");
    mac.update(SEED_DOMAIN);
    mac.update(ticket_no.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The reproducible generator for a seed (see the module docs for why ChaCha20).
pub fn rng_from_seed(seed: [u8; 32]) -> PaperRng {
    PaperRng::from_seed(seed)
}

/// Number of items of `pool` a cell on (`seal_id`, `topic`, `difficulty`) could draw: the
/// `pool_size` argument of [`Blueprint::check_pool`].
pub fn pool_size(pool: &[PoolItem], seal_id: i32, topic: &str, difficulty: Difficulty) -> usize {
    let topic = normalize_topic(topic);
    pool.iter()
        .filter(|p| {
            p.seal_id == seal_id
                && p.item.difficulty == difficulty
                && topic_under(&topic, &normalize_topic(&p.item.topic))
        })
        .count()
}

/// Uniform integer in `0..n` (`n ≥ 1`) by rejection sampling: values below
/// `2^64 mod n` are rejected so every residue is equally likely (no modulo bias).
fn below<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    let n = n as u64;
    let reject_below = n.wrapping_neg() % n;
    loop {
        let x = rng.next_u64();
        if x >= reject_below {
            // x % n < n ≤ usize::MAX: the cast is lossless.
            return (x % n) as usize;
        }
    }
}

/// Fisher–Yates (Durstenfeld) shuffle.
fn shuffle<T, R: Rng + ?Sized>(rng: &mut R, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i + 1);
        items.swap(i, j);
    }
}

/// Displayed position → original index, free options shuffled among the free positions.
fn option_permutation<R: Rng + ?Sized>(
    rng: &mut R,
    item: &Item,
    at: &str,
) -> Result<Vec<u8>, BankError> {
    let n = item.options.len();
    let mut perm = (0..n)
        .map(u8::try_from)
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| BankError::one(at, format!("an item cannot have {n} options")))?;
    if item.kind == ItemKind::TrueFalse {
        return Ok(perm);
    }
    let free: Vec<usize> = (0..n).filter(|&i| !item.options[i].fixed).collect();
    let mut values: Vec<u8> = free.iter().map(|&i| perm[i]).collect();
    shuffle(rng, &mut values);
    for (&position, value) in free.iter().zip(values) {
        perm[position] = value;
    }
    Ok(perm)
}

/// Draw one paper. Fails, listing every problem, when the blueprint is invalid, the pool holds
/// one item twice in a seal, or a cell cannot draw `count` items not already on the paper.
pub fn assemble<R: Rng + ?Sized>(
    blueprint: &Blueprint,
    pool: &[PoolItem],
    rng: &mut R,
) -> Result<Paper, BankError> {
    Assembler::new(blueprint, pool)?.draw(rng)
}

/// A blueprint and its pool prepared once for many papers: the checks, the canonical pool
/// order, the normalised topics and each cell's matching items (steps 1 and 2) do not depend
/// on the seed, so a session of a thousand candidates pays for them once. Drawing from an
/// `Assembler` gives exactly the paper [`assemble`] gives for the same generator state.
#[derive(Debug)]
pub struct Assembler<'a> {
    blueprint: &'a Blueprint,
    pool: &'a [PoolItem],
    /// (section, cell, matching pool indexes in canonical order), narrow topics first.
    cells: Vec<(usize, usize, Vec<usize>)>,
}

impl<'a> Assembler<'a> {
    /// Checks the blueprint and the pool and prepares the cells.
    pub fn new(blueprint: &'a Blueprint, pool: &'a [PoolItem]) -> Result<Self, BankError> {
        blueprint.validate()?;

        // Step 1: a canonical pool order, with each topic normalised once.
        let mut order: Vec<usize> = (0..pool.len()).collect();
        order.sort_by_key(|&i| (pool[i].item_id, pool[i].version_id, pool[i].seal_id));
        let topics: Vec<String> = pool
            .iter()
            .map(|p| normalize_topic(&p.item.topic))
            .collect();

        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        for &i in &order {
            if !seen.insert((pool[i].seal_id, pool[i].item_id)) {
                errors.push(FieldError::new(
                    "pool",
                    format!(
                        "item {} appears twice in seal {}",
                        pool[i].item_id, pool[i].seal_id
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(BankError::Invalid(errors));
        }

        // Step 2: narrow topics first, ties in blueprint order.
        let mut keys: Vec<(usize, usize, usize)> = Vec::new(); // (depth, section, cell)
        for (s, section) in blueprint.sections.iter().enumerate() {
            for (c, cell) in section.cells.iter().enumerate() {
                let depth = normalize_topic(&cell.topic).split('/').count();
                keys.push((depth, s, c));
            }
        }
        keys.sort_by(|a, b| b.0.cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        let cells = keys
            .into_iter()
            .map(|(_, s, c)| {
                let cell = &blueprint.sections[s].cells[c];
                let topic = normalize_topic(&cell.topic);
                let matching = order
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let p = &pool[i];
                        p.seal_id == cell.seal_id
                            && p.item.difficulty == cell.difficulty
                            && topic_under(&topic, &topics[i])
                    })
                    .collect();
                (s, c, matching)
            })
            .collect();
        Ok(Self {
            blueprint,
            pool,
            cells,
        })
    }

    /// Draws one paper (steps 3 to 5).
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<Paper, BankError> {
        let drawn = self.draw_cells(rng)?;
        self.lay_out(rng, &drawn)
    }

    /// Step 3: each cell's items, drawn without replacement; `used` keeps an item off the paper
    /// a second time even when two cells (or two seals) could draw it. Keyed by (section, cell).
    fn draw_cells<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<HashMap<(usize, usize), Vec<usize>>, BankError> {
        let (blueprint, pool) = (self.blueprint, self.pool);
        let mut used: HashSet<i32> = HashSet::new();
        let mut short: Vec<((usize, usize), FieldError)> = Vec::new();
        let mut drawn: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        for (s, c, matching) in &self.cells {
            let (s, c) = (*s, *c);
            let cell = &blueprint.sections[s].cells[c];
            let mut candidates: Vec<usize> = matching
                .iter()
                .copied()
                .filter(|&i| !used.contains(&pool[i].item_id))
                .collect();
            let count = cell.count as usize;
            if candidates.len() < count {
                short.push((
                    (s, c),
                    FieldError::new(
                        format!("sections[{s}].cells[{c}]"),
                        format!(
                            "only {} unused items match, the cell draws {count}",
                            candidates.len()
                        ),
                    ),
                ));
                continue;
            }
            for k in 0..count {
                let j = k + below(rng, candidates.len() - k);
                candidates.swap(k, j);
            }
            candidates.truncate(count);
            used.extend(candidates.iter().map(|&i| pool[i].item_id));
            drawn.insert((s, c), candidates);
        }
        if !short.is_empty() {
            // Report in blueprint order, whatever order the cells were drawn in.
            short.sort_by_key(|(at, _)| *at);
            return Err(BankError::Invalid(
                short.into_iter().map(|(_, e)| e).collect(),
            ));
        }
        Ok(drawn)
    }

    /// Steps 4 and 5: each section's items shuffled and numbered, each choice item's options
    /// permuted.
    fn lay_out<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        drawn: &HashMap<(usize, usize), Vec<usize>>,
    ) -> Result<Paper, BankError> {
        let (blueprint, pool) = (self.blueprint, self.pool);
        let mut sections = Vec::with_capacity(blueprint.sections.len());
        let mut no: u32 = 0;
        for (s, section) in blueprint.sections.iter().enumerate() {
            let mut picks: Vec<(usize, Decimal)> = Vec::new();
            for (c, cell) in section.cells.iter().enumerate() {
                for &i in drawn.get(&(s, c)).map(Vec::as_slice).unwrap_or_default() {
                    let mut points = cell.points.unwrap_or(pool[i].item.points);
                    // One textual form per value ("1.00"), so equal papers hash equal.
                    points.rescale(2);
                    picks.push((i, points));
                }
            }
            shuffle(rng, &mut picks);
            let mut items = Vec::with_capacity(picks.len());
            for (i, points) in picks {
                no += 1;
                let p = &pool[i];
                let permutation = if p.item.kind.has_options() {
                    option_permutation(rng, &p.item, &format!("items[no={no}]"))?
                } else {
                    Vec::new()
                };
                items.push(PaperItem {
                    no,
                    item_id: p.item_id,
                    version_id: p.version_id,
                    kind: p.item.kind,
                    points,
                    permutation,
                });
            }
            sections.push(PaperSection {
                code: section.code.clone(),
                name: section.name.clone(),
                items,
            });
        }
        Ok(Paper { sections })
    }

    /// The paper of one ticket (see [`assemble_for_ticket`]).
    pub fn for_ticket(&self, session_secret: &[u8], ticket_no: &str) -> Result<Paper, BankError> {
        self.draw(&mut rng_from_seed(derive_seed(session_secret, ticket_no)))
    }
}

/// The paper of one ticket: [`assemble`] with the generator seeded by [`derive_seed`].
pub fn assemble_for_ticket(
    blueprint: &Blueprint,
    pool: &[PoolItem],
    session_secret: &[u8],
    ticket_no: &str,
) -> Result<Paper, BankError> {
    Assembler::new(blueprint, pool)?.for_ticket(session_secret, ticket_no)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
