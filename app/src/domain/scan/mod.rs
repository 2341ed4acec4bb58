//! "Check before you paste": what the scanner knows without the database — the checks that
//! tell a real card, IBAN or national ID number from one that merely looks right.

pub mod checks;
