// The sample corpus is embedded with include_dir, which cargo does not track.
fn main() {
    println!("cargo:rerun-if-changed=../../corpus/sample");
}
