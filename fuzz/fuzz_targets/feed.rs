#![no_main]

libfuzzer_sys::fuzz_target!(init: dyad_fuzz::init(), |data: &[u8]| dyad_fuzz::feed(data));
