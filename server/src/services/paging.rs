//! The one paging rule of the list endpoints: `limit` defaults to 50 and is kept within 1 to
//! 500, `offset` defaults to 0.

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

/// The slice of a list a client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: u64,
    pub offset: u64,
}

impl Page {
    pub fn new(limit: Option<u64>, offset: Option<u64>) -> Page {
        Page {
            limit: limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
            offset: offset.unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_50_by_default_and_never_over_500_or_empty() {
        assert_eq!(
            Page::new(None, None),
            Page {
                limit: 50,
                offset: 0
            }
        );
        assert_eq!(Page::new(Some(10_000), Some(7)).limit, 500);
        assert_eq!(Page::new(Some(0), None).limit, 1);
        assert_eq!(Page::new(Some(20), Some(40)).offset, 40);
    }
}
