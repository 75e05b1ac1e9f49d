//! `wa-hook partner` tests.
#[allow(unused_imports)]
use crate::common::*;
