//! One module per command.
pub mod completions;
pub mod doctor;
pub mod emulate;
pub mod inspect;
pub mod listen;
pub mod partner;
pub mod replay;
pub mod samples;
pub mod schemas;
pub mod show;
pub mod sign;
pub mod validate;
