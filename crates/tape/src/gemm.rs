//! Bounds checks for the one `unsafe` call in the crate: the GEMM kernel of `matrixmultiply`.

/// Panics unless a strided `rows × cols` matrix with `strides` fits in `len` elements.
fn check(name: &str, rows: usize, cols: usize, len: usize, strides: (isize, isize)) {
    assert!(strides.0 >= 0 && strides.1 >= 0, "gemm: negative stride for {name}");
    if rows == 0 || cols == 0 {
        return;
    }
    let last = (rows - 1) * strides.0 as usize + (cols - 1) * strides.1 as usize;
    assert!(last < len, "gemm: {name} ({rows}×{cols}, strides {strides:?}) does not fit in {len} elements");
}

/// Asserts that the operands of `C[m×n] = A[m×k]·B[k×n]` fit their slices.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_extents(
    m: usize,
    k: usize,
    n: usize,
    a_len: usize,
    a_strides: (isize, isize),
    b_len: usize,
    b_strides: (isize, isize),
    c_len: usize,
) {
    check("a", m, k, a_len, a_strides);
    check("b", k, n, b_len, b_strides);
    assert!(c_len >= m * n, "gemm: c holds {c_len} < {m}×{n} elements");
}

#[cfg(test)]
mod tests {
    use crate::Float;

    /// Runs under Miri (`cargo +nightly miri test -p wengert-tape gemm`): exercises the
    /// unsafe GEMM call with plain, transposed and empty operands.
    #[test]
    fn gemm_strided_matches_naive() {
        let (m, k, n) = (3usize, 4usize, 2usize);
        let a: Vec<f64> = (0..m * k).map(|i| i as f64 * 0.5 - 1.0).collect();
        let b: Vec<f64> = (0..k * n).map(|i| 1.0 - i as f64 * 0.25).collect();
        let mut c = vec![1.0; m * n];
        f64::gemm(m, k, n, &a, (k as isize, 1), &b, (n as isize, 1), 0.0, &mut c);
        for i in 0..m {
            for j in 0..n {
                let want: f64 = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
                assert!((c[i * n + j] - want).abs() < 1e-12);
            }
        }
        // aᵀ stored as a k×m matrix read through strides: (aᵀ)ᵀ·b = a·b again.
        let at: Vec<f64> = (0..k * m).map(|idx| a[(idx % m) * k + idx / m]).collect();
        let mut c2 = vec![0.0; m * n];
        f64::gemm(m, k, n, &at, (1, m as isize), &b, (n as isize, 1), 0.0, &mut c2);
        assert_eq!(c, c2);
        let mut c3: Vec<f32> = vec![];
        f32::gemm(0, 3, 0, &[], (3, 1), &[], (0, 1), 0.0, &mut c3);
    }

    #[test]
    #[should_panic(expected = "does not fit")]
    fn gemm_rejects_short_slices() {
        let mut c = vec![0.0f64; 4];
        f64::gemm(2, 2, 2, &[1.0; 3], (2, 1), &[1.0; 4], (2, 1), 0.0, &mut c);
    }
}
