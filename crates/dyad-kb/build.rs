// The knowledge base files are embedded with include_dir, which cargo does not track.
fn main() {
    println!("cargo:rerun-if-changed=../../data/kb");
}
