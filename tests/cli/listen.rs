//! `wa-hook listen` tests.
#[allow(unused_imports)]
use crate::common::*;
