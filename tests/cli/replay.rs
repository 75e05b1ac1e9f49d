//! `wa-hook replay` tests.
#[allow(unused_imports)]
use crate::common::*;
