//! One module per command.
pub mod completions;
pub mod doctor;
pub mod listen;
pub mod partner;
pub mod replay;
pub mod samples;
pub mod schemas;
pub mod sign;
pub mod validate;
