//! The integration tests: one binary, driving the real `wa-hook` binary.
mod common;

mod completions;
mod doctor;
mod emulate;
mod emulate_chaos;
mod emulate_inspector;
mod emulate_partner;
mod emulate_picky;
mod emulate_qikchat;
mod emulate_smartflow;
mod emulate_test;
mod emulate_unsaved;
mod emulator;
mod inspect;
mod inspect_browser;
mod listen;
mod partner;
mod receivers;
mod replay;
mod samples;
mod sign;
mod signals;
mod validate;
