//! Staff roles (README, "Roles"). Roles are deliberately not hierarchical: VN-29 keeps the steps of a
//! workflow in different hands, so even `admin` gets only what it is granted.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Author,
    Reviewer,
    Hr,
    Supervisor,
    Marker,
    Chair,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Author,
        Role::Reviewer,
        Role::Hr,
        Role::Supervisor,
        Role::Marker,
        Role::Chair,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Author => "author",
            Role::Reviewer => "reviewer",
            Role::Hr => "hr",
            Role::Supervisor => "supervisor",
            Role::Marker => "marker",
            Role::Chair => "chair",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown role '{s}' (expected one of: {})",
                    Role::ALL.map(|r| r.code()).join(", ")
                )
            })
    }
}

/// Parses the comma-separated form stored with a user.
pub fn parse_roles(s: &str) -> Vec<Role> {
    s.split(',').filter_map(|r| r.parse().ok()).collect()
}

pub fn join_roles(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}
