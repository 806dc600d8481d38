//! Automatic seat assignment (issue 5, acceptance 5): which session and which seat each eligible
//! candidate gets. Pure: plain data in, a plan out, no I/O, no randomness.
//!
//! The rules, in order of precedence:
//! 1. No session receives more candidates than it has seats; if the seats of all sessions
//!    together are fewer than the candidates, nothing is planned ([`Shortfall`]).
//! 2. Every candidate is seated exactly once.
//! 3. Sessions are filled in proportion to their seats, and each position's candidates are
//!    spread over the sessions in proportion to the sessions' sizes: every session holds its
//!    fair share of every position rounded down or up (a candidate is never in a room full of
//!    rivals for the same vacancy while another room has none).
//! 4. Inside a room, seats `n` and `n + 1` never hold two candidates of the same position when
//!    another arrangement avoids it — always possible exactly when the largest position holds at
//!    most ⌈m/2⌉ of the room's m candidates. When it holds more, the others are used as
//!    separators as far as they go.
//! 5. The same input gives the same plan: candidates of a position are taken by ascending id,
//!    positions are ordered by size (largest first) and then by code.

use std::collections::BTreeMap;

pub mod print;

/// One candidate to seat: the application id and the position they compete for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: i32,
    pub position: String,
}

/// The seats of all sessions together are fewer than the candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    pub candidates: usize,
    pub seats: usize,
}

impl Shortfall {
    pub fn missing(&self) -> usize {
        self.candidates.saturating_sub(self.seats)
    }
}

/// `plan[s][k]` is the application id seated in seat `k + 1` of session `s` (sessions in the
/// order of `capacities`).
pub type Plan = Vec<Vec<i32>>;

/// Plans seats for `candidates` over sessions with these `capacities` (seats per room).
pub fn assign(candidates: &[Candidate], capacities: &[usize]) -> Result<Plan, Shortfall> {
    let seats: usize = capacities.iter().sum();
    if candidates.len() > seats {
        return Err(Shortfall {
            candidates: candidates.len(),
            seats,
        });
    }
    let groups = groups_of(candidates);
    let sizes = session_sizes(candidates.len(), capacities);
    let sizes_of_groups: Vec<usize> = groups.iter().map(Vec::len).collect();
    let shares = apportion(&sizes_of_groups, &sizes);

    let mut next_of_group = vec![0usize; groups.len()];
    let mut plan = Vec::with_capacity(sizes.len());
    for s in 0..sizes.len() {
        let counts: Vec<usize> = shares.iter().map(|row| row[s]).collect();
        let seats = arrange(&counts)
            .into_iter()
            .filter_map(|g| {
                let id = groups[g].get(next_of_group[g]).copied();
                next_of_group[g] += 1;
                id
            })
            .collect();
        plan.push(seats);
    }
    Ok(plan)
}

/// How many candidates of each group each session receives: `shares[g][s]` is the fair share
/// `group[g] · session[s] / n` rounded down or up, with every group and every session total
/// exact. Such a rounding always exists (a matrix with integer row and column sums can be
/// rounded cell by cell keeping them); the cells to round up are found as a flow from groups
/// to sessions over the cells with a fractional share, larger fractions tried first.
fn apportion(groups: &[usize], sessions: &[usize]) -> Vec<Vec<usize>> {
    let n: usize = groups.iter().sum();
    if n == 0 {
        return vec![vec![0; sessions.len()]; groups.len()];
    }
    let mut shares: Vec<Vec<usize>> = groups
        .iter()
        .map(|p| sessions.iter().map(|m| p * m / n).collect())
        .collect();
    // Units still to place per group and per session (equal in total).
    let mut group_left: Vec<usize> = groups
        .iter()
        .zip(&shares)
        .map(|(p, row)| p - row.iter().sum::<usize>())
        .collect();
    let mut session_left: Vec<usize> = sessions
        .iter()
        .enumerate()
        .map(|(s, m)| m - shares.iter().map(|row| row[s]).sum::<usize>())
        .collect();
    // Candidate cells per group, larger fractional part first (then the earlier session).
    let cells: Vec<Vec<usize>> = groups
        .iter()
        .map(|p| {
            let mut cols: Vec<usize> = (0..sessions.len())
                .filter(|&s| !(p * sessions[s]).is_multiple_of(n))
                .collect();
            cols.sort_by_key(|&s| std::cmp::Reverse(p * sessions[s] % n));
            cols
        })
        .collect();
    // `up[g][s]`: this cell is rounded up. Augmenting paths alternate between rounding a cell
    // up and taking another cell of the same session back down.
    let mut up = vec![vec![false; sessions.len()]; groups.len()];
    for (g, left) in group_left.iter_mut().enumerate() {
        while *left > 0 {
            let mut seen = vec![false; sessions.len()];
            if !augment(g, &cells, &mut up, &mut session_left, &mut seen) {
                break;
            }
            *left -= 1;
        }
    }
    for (g, row) in up.iter().enumerate() {
        for (s, &is_up) in row.iter().enumerate() {
            if is_up {
                shares[g][s] += 1;
            }
        }
    }
    // Never reached when the theorem holds; keeps the totals exact regardless.
    for g in 0..groups.len() {
        for s in 0..sessions.len() {
            while group_left[g] > 0 && session_left[s] > 0 {
                shares[g][s] += 1;
                group_left[g] -= 1;
                session_left[s] -= 1;
            }
        }
    }
    shares
}

/// Finds room for one more rounded-up cell of group `g`: a session with a unit left, or one
/// whose rounded-up cell of another group can move elsewhere.
fn augment(
    g: usize,
    cells: &[Vec<usize>],
    up: &mut [Vec<bool>],
    session_left: &mut [usize],
    seen: &mut [bool],
) -> bool {
    for &s in &cells[g] {
        if up[g][s] || seen[s] {
            continue;
        }
        seen[s] = true;
        if session_left[s] > 0 {
            session_left[s] -= 1;
            up[g][s] = true;
            return true;
        }
        for h in 0..up.len() {
            if h != g && up[h][s] {
                up[h][s] = false;
                if augment(h, cells, up, session_left, seen) {
                    up[g][s] = true;
                    return true;
                }
                up[h][s] = true;
            }
        }
    }
    false
}

/// Candidate ids per position, each ascending; positions largest first, then by code.
fn groups_of(candidates: &[Candidate]) -> Vec<Vec<i32>> {
    let mut by_position: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for c in candidates {
        by_position.entry(&c.position).or_default().push(c.id);
    }
    let mut groups: Vec<(&str, Vec<i32>)> = by_position.into_iter().collect();
    for (_, ids) in &mut groups {
        ids.sort_unstable();
    }
    // Stable sort: equal sizes keep the code order of the BTreeMap.
    groups.sort_by_key(|(_, ids)| std::cmp::Reverse(ids.len()));
    groups.into_iter().map(|(_, ids)| ids).collect()
}

/// How many of `n` candidates each session receives: in proportion to its seats, largest
/// remainders first (ties to the earlier session). Never above a session's capacity when
/// `n` does not exceed the total.
pub fn session_sizes(n: usize, capacities: &[usize]) -> Vec<usize> {
    let total: usize = capacities.iter().sum();
    if total == 0 || n == 0 {
        return vec![0; capacities.len()];
    }
    let mut sizes: Vec<usize> = capacities.iter().map(|c| n * c / total).collect();
    let mut left = n - sizes.iter().sum::<usize>();
    let mut by_remainder: Vec<usize> = (0..capacities.len()).collect();
    by_remainder.sort_by_key(|&s| std::cmp::Reverse(n * capacities[s] % total));
    for s in by_remainder {
        if left == 0 {
            break;
        }
        if sizes[s] < capacities[s] {
            sizes[s] += 1;
            left -= 1;
        }
    }
    sizes
}

/// The group of each seat of one room, given how many candidates of each group it holds:
/// each seat takes the group with the most candidates left that differs from the previous
/// seat (ties to the larger group overall, i.e. the lower index).
fn arrange(counts: &[usize]) -> Vec<usize> {
    let mut left = counts.to_vec();
    let total: usize = counts.iter().sum();
    let mut seats = Vec::with_capacity(total);
    let mut last: Option<usize> = None;
    for _ in 0..total {
        let pick = (0..left.len())
            .filter(|&g| left[g] > 0 && Some(g) != last)
            .max_by(|&a, &b| left[a].cmp(&left[b]).then(b.cmp(&a)))
            .or(last.filter(|&g| left[g] > 0));
        let Some(g) = pick else { break };
        left[g] -= 1;
        seats.push(g);
        last = Some(g);
    }
    seats
}

/// Pairs of neighbouring seats (n, n+1) holding the same position, for checks and reports.
pub fn same_position_neighbours(seats: &[&str]) -> usize {
    seats.windows(2).filter(|w| w[0] == w[1]).count()
}

/// The fewest same-position neighbours any arrangement of a room can have: zero when the
/// largest position holds at most ⌈m/2⌉ of its m candidates, else 2·largest − m − 1.
pub fn unavoidable_neighbours(counts: &[usize]) -> usize {
    let m: usize = counts.iter().sum();
    let largest = counts.iter().copied().max().unwrap_or(0);
    (2 * largest).saturating_sub(m + 1)
}

/// Every seated id, sorted (tests).
#[cfg(test)]
fn flatten(plan: &Plan) -> Vec<i32> {
    let mut all: Vec<i32> = plan.iter().flatten().copied().collect();
    all.sort_unstable();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn candidates(spec: &[(&str, usize)]) -> Vec<Candidate> {
        let mut id = 0;
        let mut out = Vec::new();
        for (position, n) in spec {
            for _ in 0..*n {
                id += 1;
                out.push(Candidate {
                    id,
                    position: position.to_string(),
                });
            }
        }
        out
    }

    fn positions_of<'a>(cands: &'a [Candidate], seats: &[i32]) -> Vec<&'a str> {
        let by_id: HashMap<i32, &str> = cands.iter().map(|c| (c.id, c.position.as_str())).collect();
        seats.iter().map(|id| by_id[id]).collect()
    }

    fn counts_in_room(cands: &[Candidate], seats: &[i32]) -> Vec<usize> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for p in positions_of(cands, seats) {
            *counts.entry(p).or_default() += 1;
        }
        counts.into_values().collect()
    }

    #[test]
    fn too_few_seats_plans_nothing_and_names_the_shortfall() {
        let c = candidates(&[("KT", 7), ("VP", 4)]);
        let err = assign(&c, &[5, 5]).unwrap_err();
        assert_eq!(
            err,
            Shortfall {
                candidates: 11,
                seats: 10
            }
        );
        assert_eq!(err.missing(), 1);
    }

    #[test]
    fn two_positions_alternate_seat_by_seat() {
        let c = candidates(&[("KT", 5), ("VP", 5)]);
        let plan = assign(&c, &[10]).unwrap();
        assert_eq!(
            positions_of(&c, &plan[0]),
            ["KT", "VP", "KT", "VP", "KT", "VP", "KT", "VP", "KT", "VP"]
        );
    }

    #[test]
    fn the_largest_position_takes_every_other_seat_when_it_is_half_the_room() {
        let c = candidates(&[("A", 5), ("B", 2), ("C", 2)]);
        let plan = assign(&c, &[9]).unwrap();
        let seats = positions_of(&c, &plan[0]);
        assert_eq!(same_position_neighbours(&seats), 0, "{seats:?}");
        assert_eq!(seats.iter().filter(|p| **p == "A").count(), 5);
        assert_eq!(seats[0], "A");
        assert_eq!(seats[8], "A");
    }

    #[test]
    fn an_overwhelming_position_is_broken_up_as_far_as_the_others_allow() {
        let c = candidates(&[("A", 6), ("B", 2)]);
        let plan = assign(&c, &[8]).unwrap();
        let seats = positions_of(&c, &plan[0]);
        assert_eq!(
            same_position_neighbours(&seats),
            unavoidable_neighbours(&[6, 2])
        );
        assert_eq!(unavoidable_neighbours(&[6, 2]), 3);
    }

    #[test]
    fn sessions_fill_in_proportion_to_their_seats() {
        assert_eq!(session_sizes(30, &[40, 20]), vec![20, 10]);
        assert_eq!(session_sizes(7, &[3, 3, 3]), vec![3, 2, 2]);
        assert_eq!(session_sizes(9, &[3, 3, 3]), vec![3, 3, 3]);
        assert_eq!(session_sizes(0, &[3, 3]), vec![0, 0]);
    }

    #[test]
    fn each_position_is_shared_between_sessions_in_proportion() {
        let c = candidates(&[("KT", 20), ("VP", 10), ("TC", 6)]);
        let plan = assign(&c, &[18, 18]).unwrap();
        for room in &plan {
            let seats = positions_of(&c, room);
            let n = |p: &str| seats.iter().filter(|s| **s == p).count();
            assert_eq!((n("KT"), n("VP"), n("TC")), (10, 5, 3), "{seats:?}");
        }
    }

    #[test]
    fn candidates_of_a_position_are_seated_in_id_order() {
        let c = candidates(&[("KT", 4), ("VP", 4)]);
        let plan = assign(&c, &[4, 4]).unwrap();
        // KT are ids 1..=4, VP 5..=8: the first room gets the lower half of each.
        assert_eq!(plan[0], vec![1, 5, 2, 6]);
        assert_eq!(plan[1], vec![3, 7, 4, 8]);
    }

    fn arb_case() -> impl Strategy<Value = (Vec<Candidate>, Vec<usize>)> {
        (
            prop::collection::vec(0usize..40, 1..6),
            prop::collection::vec(1usize..60, 1..5),
            any::<u64>(),
        )
            .prop_map(|(sizes, capacities, shuffle)| {
                let mut out = Vec::new();
                let mut id = 0i32;
                for (p, n) in sizes.iter().enumerate() {
                    for _ in 0..*n {
                        id += 1;
                        // Ids interleave positions in an arbitrary but seeded way.
                        let mixed = (id as u64).wrapping_mul(shuffle | 1) % 1_000_003;
                        out.push(Candidate {
                            id: mixed as i32 * 100 + id,
                            position: format!("P{p}"),
                        });
                    }
                }
                (out, capacities)
            })
    }

    proptest! {
        #[test]
        fn capacity_is_never_exceeded_and_everyone_is_seated_once((cands, caps) in arb_case()) {
            match assign(&cands, &caps) {
                Err(short) => {
                    prop_assert!(cands.len() > caps.iter().sum::<usize>());
                    prop_assert_eq!(short.candidates, cands.len());
                }
                Ok(plan) => {
                    prop_assert_eq!(plan.len(), caps.len());
                    for (room, cap) in plan.iter().zip(&caps) {
                        prop_assert!(room.len() <= *cap);
                    }
                    let mut ids: Vec<i32> = cands.iter().map(|c| c.id).collect();
                    ids.sort_unstable();
                    prop_assert_eq!(flatten(&plan), ids);
                }
            }
        }

        #[test]
        fn neighbours_share_a_position_only_when_unavoidable((cands, caps) in arb_case()) {
            if let Ok(plan) = assign(&cands, &caps) {
                for room in &plan {
                    let seats = positions_of(&cands, room);
                    let counts = counts_in_room(&cands, room);
                    prop_assert_eq!(
                        same_position_neighbours(&seats),
                        unavoidable_neighbours(&counts),
                        "{:?}", seats
                    );
                }
            }
        }

        #[test]
        fn positions_are_spread_over_sessions_in_proportion((cands, caps) in arb_case()) {
            if let Ok(plan) = assign(&cands, &caps) {
                let n = cands.len() as f64;
                let mut total: HashMap<&str, usize> = HashMap::new();
                for c in &cands {
                    *total.entry(c.position.as_str()).or_default() += 1;
                }
                for room in &plan {
                    let seats = positions_of(&cands, room);
                    for (p, all) in &total {
                        let here = seats.iter().filter(|s| *s == p).count() as f64;
                        let fair = *all as f64 * room.len() as f64 / n;
                        prop_assert!((here - fair).abs() < 1.0, "{p}: {here} vs {fair}");
                    }
                }
            }
        }

        #[test]
        fn the_same_input_gives_the_same_plan((cands, caps) in arb_case()) {
            let mut reversed = cands.clone();
            reversed.reverse();
            prop_assert_eq!(assign(&cands, &caps), assign(&reversed, &caps));
        }
    }
}
