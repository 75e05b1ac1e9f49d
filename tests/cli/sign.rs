//! `wa-hook sign` tests.
#[allow(unused_imports)]
use crate::common::*;
