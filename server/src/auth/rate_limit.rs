//! Login throttle: after too many failures within a window, further attempts for that username
//! or from that address are refused until the window has passed. Kept in memory: a restart
//! clears it, which is acceptable for a brake on guessing.

use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

pub struct LoginThrottle {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl LoginThrottle {
    pub fn new(max_failures: usize, window_seconds: i64) -> Self {
        LoginThrottle {
            max_failures: max_failures.max(1),
            window: Duration::seconds(window_seconds.max(1)),
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, addr: &str) -> [String; 2] {
        [
            format!("user:{}", username.trim().to_lowercase()),
            format!("addr:{addr}"),
        ]
    }

    /// `Err(seconds to wait)` when either the username or the address is blocked.
    pub fn check(&self, username: &str, addr: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let Ok(mut map) = self.failures.lock() else {
            return Ok(());
        };
        let mut wait = 0i64;
        for key in Self::keys(username, addr) {
            if let Some(q) = map.get_mut(&key) {
                while q.front().is_some_and(|t| *t + self.window <= now) {
                    q.pop_front();
                }
                if q.len() >= self.max_failures {
                    if let Some(first) = q.front() {
                        wait = wait.max((*first + self.window - now).num_seconds().max(1));
                    }
                }
            }
        }
        if wait > 0 {
            Err(wait as u64)
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, username: &str, addr: &str, now: DateTime<Utc>) {
        if let Ok(mut map) = self.failures.lock() {
            for key in Self::keys(username, addr) {
                map.entry(key).or_default().push_back(now);
            }
        }
    }

    pub fn record_success(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("user:{}", username.trim().to_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_until_the_window_passes() {
        let t = LoginThrottle::new(3, 60);
        let now = Utc::now();
        for _ in 0..3 {
            assert!(t.check("hr", "1.2.3.4", now).is_ok());
            t.record_failure("hr", "1.2.3.4", now);
        }
        assert!(
            t.check("hr", "9.9.9.9", now).is_err(),
            "same username elsewhere"
        );
        assert!(t.check("other", "1.2.3.4", now).is_err(), "same address");
        assert!(t.check("other", "9.9.9.9", now).is_ok());
        assert!(t
            .check("hr", "1.2.3.4", now + Duration::seconds(61))
            .is_ok());
    }
}
