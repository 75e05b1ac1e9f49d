//! Samples and schemas are embedded with `include_dir!`, which cargo does not track: rebuild
//! when any of them changes, so a new sample or schema file is never silently left out.
fn main() {
    println!("cargo:rerun-if-changed=samples");
    println!("cargo:rerun-if-changed=src/providers");
}
