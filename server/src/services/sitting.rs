//! Use cases of this resource.
