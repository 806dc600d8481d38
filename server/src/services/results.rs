//! Round-2 marks, ranking per position, head decisions and publication of results.
