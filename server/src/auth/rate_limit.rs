//! Login throttle: after too many failures within a window, further attempts on that key are
//! refused until the window has passed. Keys fit who signs in:
//!
//! - staff: per username and per address;
//! - candidates: per ticket and per session (the typed session code), never per address: a
//!   lab's computers often reach the server through one address (NAT, a reverse proxy), and
//!   a few mistyped tickets must not lock the whole room out. The session's brake is set
//!   higher than a ticket's (a room of candidates may mistype a few times each).
//!
//! Kept in memory, bounded: entries expire with the window and are swept when the map is full;
//! if it is still full (a flood of distinct keys), the entries whose last failure is oldest go
//! first. A restart clears it, which is acceptable for a brake on guessing.

use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

/// Keys kept at most by default: far above the tickets of the largest exam day.
pub const DEFAULT_MAX_KEYS: usize = 50_000;

pub struct LoginThrottle {
    max_failures: usize,
    session_max_failures: usize,
    window: Duration,
    max_keys: usize,
    failures: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl LoginThrottle {
    /// `max_failures` per username, address or ticket; `session_max_failures` per session.
    pub fn new(max_failures: usize, session_max_failures: usize, window_seconds: i64) -> Self {
        LoginThrottle {
            max_failures: max_failures.max(1),
            session_max_failures: session_max_failures.max(1),
            window: Duration::seconds(window_seconds.max(1)),
            max_keys: DEFAULT_MAX_KEYS,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// The same with another bound on the keys kept.
    pub fn with_max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys.max(16);
        self
    }

    fn staff_keys(&self, username: &str, addr: &str) -> [(String, usize); 2] {
        [
            (
                format!("user:{}", username.trim().to_lowercase()),
                self.max_failures,
            ),
            (format!("addr:{addr}"), self.max_failures),
        ]
    }

    fn candidate_keys(&self, ticket_no: &str, session_code: &str) -> [(String, usize); 2] {
        [
            (format!("ticket:{}", ticket_no.trim()), self.max_failures),
            (
                format!("session:{}", session_code.trim().to_uppercase()),
                self.session_max_failures,
            ),
        ]
    }

    /// Staff: `Err(seconds to wait)` when the username or the address is blocked.
    pub fn check_staff(&self, username: &str, addr: &str, now: DateTime<Utc>) -> Result<(), u64> {
        self.check(&self.staff_keys(username, addr), now)
    }

    pub fn record_staff_failure(&self, username: &str, addr: &str, now: DateTime<Utc>) {
        self.record(&self.staff_keys(username, addr), now);
    }

    pub fn record_staff_success(&self, username: &str) {
        self.forget(&self.staff_keys(username, "")[0].0);
    }

    /// Candidates: `Err(seconds to wait)` when the ticket or the session is blocked.
    pub fn check_candidate(
        &self,
        ticket_no: &str,
        session_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), u64> {
        self.check(&self.candidate_keys(ticket_no, session_code), now)
    }

    pub fn record_candidate_failure(
        &self,
        ticket_no: &str,
        session_code: &str,
        now: DateTime<Utc>,
    ) {
        self.record(&self.candidate_keys(ticket_no, session_code), now);
    }

    pub fn record_candidate_success(&self, ticket_no: &str) {
        self.forget(&self.candidate_keys(ticket_no, "")[0].0);
    }

    /// Keys held right now (for the bound's tests and the operator).
    pub fn len(&self) -> usize {
        self.map().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, VecDeque<DateTime<Utc>>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn check(&self, keys: &[(String, usize)], now: DateTime<Utc>) -> Result<(), u64> {
        let mut map = self.map();
        let mut wait = 0i64;
        for (key, limit) in keys {
            let Some(q) = map.get_mut(key) else { continue };
            while q.front().is_some_and(|t| *t + self.window <= now) {
                q.pop_front();
            }
            if q.len() >= *limit {
                if let Some(first) = q.front() {
                    wait = wait.max((*first + self.window - now).num_seconds().max(1));
                }
            }
        }
        if wait > 0 {
            Err(wait as u64)
        } else {
            Ok(())
        }
    }

    fn record(&self, keys: &[(String, usize)], now: DateTime<Utc>) {
        let mut map = self.map();
        for (key, limit) in keys {
            if !map.contains_key(key) && map.len() >= self.max_keys {
                self.make_room(&mut map, now);
            }
            let q = map.entry(key.clone()).or_default();
            q.push_back(now);
            // More failures than the limit block no longer: keep no more than that.
            while q.len() > *limit {
                q.pop_front();
            }
        }
    }

    fn forget(&self, key: &str) {
        self.map().remove(key);
    }

    /// Drops expired entries; if the map is still full, the quarter whose last failure is
    /// oldest (a flood of distinct keys must not grow the map without end).
    fn make_room(&self, map: &mut HashMap<String, VecDeque<DateTime<Utc>>>, now: DateTime<Utc>) {
        let window = self.window;
        map.retain(|_, q| q.back().is_some_and(|t| *t + window > now));
        if map.len() < self.max_keys {
            return;
        }
        let mut by_age: Vec<(DateTime<Utc>, String)> = map
            .iter()
            .map(|(k, q)| (q.back().copied().unwrap_or(now), k.clone()))
            .collect();
        let cut = map.len() / 4;
        by_age.select_nth_unstable(cut);
        for (_, key) in &by_age[..=cut] {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_are_blocked_per_username_and_per_address_until_the_window_passes() {
        let t = LoginThrottle::new(3, 30, 60);
        let now = Utc::now();
        for _ in 0..3 {
            assert!(t.check_staff("hr", "1.2.3.4", now).is_ok());
            t.record_staff_failure("hr", "1.2.3.4", now);
        }
        assert!(
            t.check_staff("hr", "9.9.9.9", now).is_err(),
            "same username elsewhere"
        );
        assert!(
            t.check_staff("other", "1.2.3.4", now).is_err(),
            "same address"
        );
        assert!(t.check_staff("other", "9.9.9.9", now).is_ok());
        assert!(t
            .check_staff("hr", "1.2.3.4", now + Duration::seconds(61))
            .is_ok());
    }

    #[test]
    fn candidates_are_blocked_per_ticket_and_per_session_never_per_address() {
        let t = LoginThrottle::new(5, 20, 300);
        let now = Utc::now();
        // Six wrong tickets in one room: each ticket has one failure, the session six.
        for seat in 1..=6 {
            t.record_candidate_failure(&format!("0001{seat:03}"), "ABC234", now);
        }
        assert!(t.check_candidate("0001007", "abc234", now).is_ok());
        // One ticket tried again and again is blocked, and only that ticket.
        for _ in 0..5 {
            t.record_candidate_failure("0001009", "ABC234", now);
        }
        assert!(t.check_candidate("0001009", "ABC234", now).is_err());
        assert!(t.check_candidate("0001010", "ABC234", now).is_ok());
        // A session guessed at from every ticket is blocked as a whole.
        for seat in 100..120 {
            t.record_candidate_failure(&format!("0001{seat:03}"), "ABC234", now);
        }
        assert!(t.check_candidate("0001010", "ABC234", now).is_err());
        assert!(t.check_candidate("0001010", "XYZ789", now).is_ok());
    }

    #[test]
    fn a_hundred_thousand_distinct_keys_keep_the_map_bounded() {
        let t = LoginThrottle::new(5, 50, 300).with_max_keys(10_000);
        let start = Utc::now();
        for i in 0..100_000i64 {
            let now = start + Duration::milliseconds(i);
            t.record_candidate_failure(&format!("ticket-{i}"), &format!("code-{i}"), now);
            t.record_staff_failure(
                &format!("user-{i}"),
                &format!("10.{}.{}.1", i / 256 % 256, i % 256),
                now,
            );
            assert!(t.len() <= 10_000, "{} keys after {i}", t.len());
        }
        // The newest failures are still counted.
        let now = start + Duration::milliseconds(100_000);
        for _ in 0..4 {
            t.record_candidate_failure("ticket-99999", "code-x", now);
        }
        assert!(t.check_candidate("ticket-99999", "code-y", now).is_err());
        // Once the window has passed, a sweep empties the map of them.
        let later = now + Duration::seconds(301);
        let t2 = LoginThrottle::new(5, 50, 300).with_max_keys(16);
        for i in 0..8 {
            t2.record_staff_failure(&format!("u{i}"), &format!("a{i}"), now);
        }
        assert_eq!(t2.len(), 16);
        t2.record_staff_failure("fresh", "b", later);
        assert_eq!(t2.len(), 2, "expired entries swept");
    }
}
