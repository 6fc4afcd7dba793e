//! Links libhact: the shared library (default) or the static archive.
//!   HACT_LIB_DIR  the directory holding libhact.so / libhact.a (default: <repo>/build/lib, what
//!                 scripts/build.sh makes)
//!   HACT_LINK     "dylib" (libhact.so, with an rpath to HACT_LIB_DIR) or "static" (libhact.a:
//!                 self-contained, needs only libc, libm, libpthread, libdl)
use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=HACT_LIB_DIR");
    println!("cargo:rerun-if-env-changed=HACT_LINK");
    let dir = match env::var_os("HACT_LIB_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../build/lib"),
    };
    let link = env::var("HACT_LINK").unwrap_or_else(|_| "dylib".to_string());
    let file = match link.as_str() {
        "dylib" => "libhact.so",
        "static" => "libhact.a",
        other => panic!("HACT_LINK={other}: use \"dylib\" or \"static\""),
    };
    let lib = dir.join(file);
    if !lib.exists() {
        panic!(
            "hact: {} not found: build hact first (scripts/build.sh) or set HACT_LIB_DIR",
            lib.display()
        );
    }
    println!("cargo:rerun-if-changed={}", lib.display());
    println!("cargo:rustc-link-search=native={}", dir.display());
    if link == "static" {
        println!("cargo:rustc-link-lib=static=hact");
        for sys in ["pthread", "dl", "m"] {
            println!("cargo:rustc-link-lib=dylib={sys}");
        }
    } else {
        println!("cargo:rustc-link-lib=dylib=hact");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }
}
