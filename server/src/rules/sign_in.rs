//! Who may sign in to a sitting, from where and until when (VN-21 and the platform's additions
//! of issue 16): the window after the end when a finished sitting shows its result only, the
//! lab lock of a session (allowed client networks), the client address behind a trusted proxy,
//! and the states of a move to another computer, which waits for the supervisor (VN-23).

use chrono::{DateTime, Duration, Utc};
use ipnet::IpNet;
use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

use super::sitting::Phase;

/// What a sign-in with the right credentials gets, by the sitting's phase and the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Before or during the test: the sitting itself.
    Live,
    /// Handed in or closed, within the window after its end: the result and the receipt only.
    ResultOnly,
    /// Past the window, or replaced by a re-sitting: nothing.
    Over,
}

/// A finished sitting shows its result for `window` after its end (`ends_at`, which
/// extensions move); after that the session code opens nothing. A sitting replaced by a
/// re-sitting (VN-23) opens nothing at all: the new ticket does.
pub fn access(
    phase: Phase,
    ends_at: DateTime<Utc>,
    window: Duration,
    now: DateTime<Utc>,
) -> Access {
    match phase {
        Phase::Waiting | Phase::Open => Access::Live,
        Phase::Void => Access::Over,
        Phase::Submitted | Phase::Closed if now < ends_at + window => Access::ResultOnly,
        Phase::Submitted | Phase::Closed => Access::Over,
    }
}

/// A move of a live sitting to another computer, as stored.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum MoveStatus {
    /// Asked from the new computer; the first one keeps working meanwhile.
    Pending,
    /// The supervisor approved it: the new computer holds the sitting, the first is locked.
    Approved,
    /// A newer request for the same sitting replaced it before any decision.
    Superseded,
}

impl MoveStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            MoveStatus::Pending => "pending",
            MoveStatus::Approved => "approved",
            MoveStatus::Superseded => "superseded",
        }
    }
}

/// Parses a lab lock: each entry a network in CIDR form (`10.1.2.0/24`) or a single address.
/// `Err` lists the position and the reason of each bad entry.
pub fn parse_networks(entries: &[String]) -> Result<Vec<IpNet>, Vec<(usize, String)>> {
    let mut nets = Vec::with_capacity(entries.len());
    let mut bad = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match parse_network(entry) {
            Some(net) => nets.push(net),
            None => bad.push((
                i,
                format!(
                    "'{}' is not a network in CIDR form (e.g. 10.1.2.0/24)",
                    entry.trim()
                ),
            )),
        }
    }
    if bad.is_empty() {
        Ok(nets)
    } else {
        Err(bad)
    }
}

fn parse_network(entry: &str) -> Option<IpNet> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .ok()
        .or_else(|| entry.parse::<IpAddr>().ok().map(IpNet::from))
        .map(|n| n.trunc())
}

/// Reads a stored or configured comma-separated list, skipping entries that do not parse
/// (what is stored was validated when it was set).
pub fn networks_of(list: Option<&str>) -> Vec<IpNet> {
    list.unwrap_or_default()
        .split(',')
        .filter_map(parse_network)
        .collect()
}

/// Whether a lab lock lets `client` sign in: no networks means no lock.
pub fn allowed_from(networks: &[IpNet], client: IpAddr) -> bool {
    let client = canonical(client);
    networks.is_empty() || networks.iter().any(|n| n.contains(&client))
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy; then the nearest
/// address of `X-Forwarded-For` (read from the right) that is not itself a trusted proxy.
/// Anyone can write the header, so it counts only when a proxy of ours wrote it.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_for.unwrap_or_default().split(',').rev();
    let mut client = peer;
    for hop in hops {
        let Ok(ip) = hop.trim().parse::<IpAddr>().map(canonical) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// An IPv4 address seen through an IPv6 socket (`::ffff:10.0.0.5`) as the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(min)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn vn_21_a_finished_sitting_shows_its_result_for_the_window_then_nothing() {
        let (end, window) = (at(60), Duration::minutes(30));
        assert_eq!(access(Phase::Open, end, window, at(10)), Access::Live);
        assert_eq!(access(Phase::Waiting, end, window, at(0)), Access::Live);
        assert_eq!(
            access(Phase::Submitted, end, window, at(40)),
            Access::ResultOnly
        );
        assert_eq!(
            access(Phase::Closed, end, window, at(89)),
            Access::ResultOnly
        );
        assert_eq!(access(Phase::Closed, end, window, at(90)), Access::Over);
        assert_eq!(access(Phase::Submitted, end, window, at(200)), Access::Over);
        assert_eq!(access(Phase::Void, end, window, at(10)), Access::Over);
    }

    #[test]
    fn a_lab_lock_takes_networks_and_single_addresses_and_names_bad_entries() {
        let nets = parse_networks(&["10.1.2.0/24".into(), " 192.168.5.7 ".into()]);
        let nets = nets.unwrap_or_default();
        assert_eq!(nets.len(), 2);
        assert!(allowed_from(&nets, ip("10.1.2.77")));
        assert!(allowed_from(&nets, ip("192.168.5.7")));
        assert!(allowed_from(&nets, ip("::ffff:10.1.2.3")));
        assert!(!allowed_from(&nets, ip("10.1.3.1")));
        assert!(allowed_from(&[], ip("8.8.8.8")), "no lock");
        let bad = parse_networks(&["10.0.0.0/24".into(), "10.0.0.0/33".into(), "lab".into()]);
        let bad: Vec<usize> = bad.err().unwrap_or_default().iter().map(|b| b.0).collect();
        assert_eq!(bad, vec![1, 2]);
    }

    #[test]
    fn forwarded_for_counts_only_when_the_peer_is_a_trusted_proxy() {
        let trusted = networks_of(Some("127.0.0.1/32,10.9.0.0/16"));
        // Not a proxy of ours: the header is whatever the client wrote.
        assert_eq!(
            client_address(ip("203.0.113.5"), Some("10.1.2.3"), &trusted),
            ip("203.0.113.5")
        );
        // Our proxy: the nearest address it saw, skipping our own proxies.
        assert_eq!(
            client_address(
                ip("127.0.0.1"),
                Some("1.1.1.1, 10.1.2.3, 10.9.0.4"),
                &trusted
            ),
            ip("10.1.2.3")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), None, &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), Some("junk"), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), Some("10.1.2.3"), &[]),
            ip("127.0.0.1")
        );
    }
}
