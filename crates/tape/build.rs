//! Links the CBLAS library for the `blas` feature.

fn main() {
    println!("cargo:rerun-if-env-changed=WENGERT_BLAS_LIB");
    if std::env::var_os("CARGO_FEATURE_BLAS").is_some() {
        let lib = std::env::var("WENGERT_BLAS_LIB").unwrap_or_else(|_| "openblas".to_string());
        println!("cargo:rustc-link-lib={lib}");
        // OpenBLAS reports the kernel it chose (`openblas_get_corename`), which the GEMM
        // dispatch reads to refuse a fallback kernel on a CPU the library did not know.
        if lib == "openblas" {
            println!("cargo:rustc-cfg=wengert_openblas");
        }
    }
    println!("cargo:rustc-check-cfg=cfg(wengert_openblas)");
}
