//! Who is calling: staff passwords (argon2id), signed tokens (HS256 JWT) and whether they
//! still stand, roles, and the login throttle.

pub mod accounts;
pub mod extract;
pub mod jwt;
pub mod password;
pub mod rate_limit;
pub mod role;

pub use extract::StaffUser;
pub use role::Role;
