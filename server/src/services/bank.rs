//! Question banks, along their seams:
//! - `banks`: banks and their topics;
//! - `items`: items and their versions (create, edit, read, list);
//! - `review`: the lifecycle draft → in review → approved → retired, with rejection back to
//!   draft; VN-29: nobody reviews an item they wrote any version of;
//! - `import` and `export`: files in the formats exam boards use, and the templates;
//! - `seals`: the SHA-256 root over the approved items' current versions (VN-20).
//!
//! Every change appends to the audit log in the transaction that makes it, through
//! `audit::Audited`.

mod banks;
mod export;
mod import;
mod items;
mod review;
mod seals;

pub use banks::{create_bank, get_bank, list_banks, list_topics, BankView, NewBank, TopicCount};
pub use export::{export_bank, template};
pub use import::{
    import_items, import_limits, Duplicate, ImportOutcome, ImportPreview, ImportRequest,
    ImportResult, PreviewItem,
};
pub use items::{
    create_item, get_item, list_items, list_versions, update_item, ItemContent, ItemList,
    ItemQuery, ItemView, OptionView, VersionSummary,
};
pub use review::{change_status, Rejection, Step};
pub use seals::{check_seal, list_seals, seal_bank, SealCheck, SealView};
