//! Links the CBLAS library for the `blas` feature.
//!
//! `WENGERT_BLAS_LIB` names the library (default `openblas`): a name such as `mkl_rt` is
//! passed to the linker as `-lmkl_rt`; a file name (one containing `.so`, such as
//! `libmkl_rt.so.3`, which is all Intel's wheels ship) is linked as that file.
//! `WENGERT_BLAS_DIR` adds a directory to the linker's search path (the same directory must
//! then be on `LD_LIBRARY_PATH` when the program runs).

fn main() {
    println!("cargo:rerun-if-env-changed=WENGERT_BLAS_LIB");
    println!("cargo:rerun-if-env-changed=WENGERT_BLAS_DIR");
    if std::env::var_os("CARGO_FEATURE_BLAS").is_some() {
        let lib = std::env::var("WENGERT_BLAS_LIB").unwrap_or_else(|_| "openblas".to_string());
        if let Some(dir) = std::env::var_os("WENGERT_BLAS_DIR") {
            println!("cargo:rustc-link-search=native={}", std::path::Path::new(&dir).display());
        }
        if lib.contains(".so") {
            println!("cargo:rustc-link-lib=dylib:+verbatim={lib}");
        } else {
            println!("cargo:rustc-link-lib={lib}");
        }
        // The name, for `blas::library()`.
        println!("cargo:rustc-env=WENGERT_BLAS_LINKED={lib}");
        // OpenBLAS reports the kernel it chose (`openblas_get_corename`), which the GEMM
        // dispatch reads to refuse a fallback kernel on a CPU the library did not know.
        if lib == "openblas" {
            println!("cargo:rustc-cfg=wengert_openblas");
        }
    }
    println!("cargo:rustc-check-cfg=cfg(wengert_openblas)");
}
