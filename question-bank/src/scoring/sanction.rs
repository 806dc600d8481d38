//! Sanctions against a candidate for one test (VN-25) and the marks each leaves.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A sanction recorded against a candidate for one test (VN-25), under the name it is stored
/// and sent by (`none`, `reprimand`, `warning`, `suspension`, `not_signed`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sanction {
    #[default]
    None,
    /// Khiển trách: −25 % of the correct answers.
    Reprimand,
    /// Cảnh cáo: −50 % of the correct answers.
    Warning,
    /// Đình chỉ thi: the test is annulled.
    Suspension,
    /// The candidate did not sign the printed result list: the test scores 0.
    NotSigned,
}

impl Sanction {
    pub const ALL: [Sanction; 5] = [
        Sanction::None,
        Sanction::Reprimand,
        Sanction::Warning,
        Sanction::Suspension,
        Sanction::NotSigned,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Sanction::None => "none",
            Sanction::Reprimand => "reprimand",
            Sanction::Warning => "warning",
            Sanction::Suspension => "suspension",
            Sanction::NotSigned => "not_signed",
        }
    }

    /// Share of the correct answers (and points) the candidate keeps.
    pub fn kept(self) -> Decimal {
        match self {
            Sanction::None => Decimal::ONE,
            Sanction::Reprimand => Decimal::new(75, 2),
            Sanction::Warning => Decimal::new(50, 2),
            Sanction::Suspension | Sanction::NotSigned => Decimal::ZERO,
        }
    }

    /// Whether the test fails whatever was answered: suspension annuls it, not signing the
    /// result list gives 0.
    pub const fn annuls(self) -> bool {
        matches!(self, Sanction::Suspension | Sanction::NotSigned)
    }
}

impl std::fmt::Display for Sanction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no [`Sanction`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sanction '{0}'")]
pub struct UnknownSanction(pub String);

impl std::str::FromStr for Sanction {
    type Err = UnknownSanction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sanction::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownSanction(s.to_string()))
    }
}
