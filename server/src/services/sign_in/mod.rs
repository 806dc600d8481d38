//! Sign-in security around the sitting path (issue 16, VN-21, VN-23): the security log of
//! every sign-in, the moves of a live sitting to another computer that wait for the
//! supervisor, the lab lock of a session and the re-issue of a candidate's PIN.
//!
//! - [`log`]: the bounded security log, written in batches, read by supervisors and admins;
//! - [`moves`]: a second sign-in to a live sitting waits; the supervisor approves the move;
//! - [`lab`]: the session's allowed networks, and the PIN re-issue.

pub mod lab;
pub mod log;
pub mod moves;

use std::net::IpAddr;

/// Who is signing in, as the server sees them: the client's address (through a trusted proxy
/// when there is one) and the browser's user agent.
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: IpAddr,
    pub user_agent: String,
}

impl Client {
    pub fn address(&self) -> String {
        self.ip.to_string()
    }
}
