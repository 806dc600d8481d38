//! sea-orm entities, one per table, mirroring the migrations. Only `repo` uses them.

pub mod agencies;
pub mod answers;
pub mod applications;
pub mod audit_log;
pub mod banks;
pub mod exams;
pub mod head_decisions;
pub mod incidents;
pub mod item_versions;
pub mod items;
pub mod marks;
pub mod positions;
pub mod publication_documents;
pub mod publications;
pub mod reviews;
pub mod rounds;
pub mod seal_items;
pub mod seals;
pub mod sessions;
pub mod sitting_papers;
pub mod sittings;
pub mod strike_offs;
pub mod users;
pub mod voided_items;
