//! Matrix products: bounds checks for the one `unsafe` call in the crate (the GEMM kernel
//! of `matrixmultiply`), and the matrix-vector cases, which GEMM kernels handle poorly
//! (they pack the whole matrix into panels to multiply it by one vector).

use crate::float::Float;

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

/// `Σ x[i]·y[i]` with eight independent accumulators, so the loop vectorises.
fn dot<T: Float>(x: &[T], y: &[T]) -> T {
    let mut acc = [T::ZERO; 8];
    let (xc, yc) = (x.chunks_exact(8), y.chunks_exact(8));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for j in 0..8 {
            acc[j] += a[j] * b[j];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (a, b) in xr.iter().zip(yr) {
        s += *a * *b;
    }
    s
}

/// `y += alpha·x`.
fn axpy<T: Float>(alpha: T, x: &[T], y: &mut [T]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * *xi;
    }
}

/// Dot products of `x` with rows `0..rows` of a matrix stored from `a` with row stride
/// `rs`, written to `out[i·os]` (`out = β·out + product`), for rows shorter than one
/// SIMD vector (longer ones take [`dot_rows`]). Four rows at a time, with `L` = 4 lanes
/// per row, so each chunk of `x` is loaded once for four rows and every accumulator
/// stays in a register. The rows are read as arrays of `L` (`as_chunks`), so
/// the inner loop has no bounds checks: written with index ranges instead, LLVM kept or
/// dropped them depending on the surrounding code, and the same loop ran at half speed
/// in some builds.
#[allow(clippy::too_many_arguments)]
fn dots<T: Float>(rows: usize, a: &[T], rs: usize, x: &[T], beta: T, out: &mut [T], os: usize) {
    const L: usize = 4;
    let k = x.len();
    let (xc, xt) = x.as_chunks::<L>();
    let whole = k - xt.len();
    let put = |o: &mut T, d: T| *o = if beta == T::ZERO { d } else { beta * *o + d };
    let mut i = 0;
    while i + 4 <= rows {
        let r: [&[T]; 4] = std::array::from_fn(|q| &a[(i + q) * rs..(i + q) * rs + k]);
        let c: [&[[T; L]]; 4] = std::array::from_fn(|q| r[q].as_chunks::<L>().0);
        let mut acc = [[T::ZERO; L]; 4];
        for (p, xs) in xc.iter().enumerate() {
            for q in 0..4 {
                let rq = &c[q][p];
                for j in 0..L {
                    acc[q][j] += rq[j] * xs[j];
                }
            }
        }
        for q in 0..4 {
            let mut s = acc[q].iter().fold(T::ZERO, |s, &v| s + v);
            for (u, v) in r[q][whole..].iter().zip(xt) {
                s += *u * *v;
            }
            put(&mut out[(i + q) * os], s);
        }
        i += 4;
    }
    for i in i..rows {
        put(&mut out[i * os], dot(&a[i * rs..i * rs + k], x));
    }
}

/// `y += Σ_{p<k} alpha[p·s]·a[p·cs ..][..y.len()]`: a sum of `k` contiguous vectors stored
/// from `a` with stride `cs`, weighted by a strided `alpha`. A `y` of one to four SIMD
/// vectors goes to [`Float::sum_rows`] (`y` in vector registers). Otherwise a short `y`
/// (below 64 elements) takes eight vectors per pass over it, a long one
/// four (fewer streams at once): measured on 569 vectors of 30 (W3's Xᵀ·g), eight took
/// 3.0–3.9 µs against 4.0–5.0 with four; on 1024 of 1024, four took 100–207 µs against
/// 105–314 with eight.
fn axpys<T: Float>(k: usize, alpha: &[T], s: usize, a: &[T], cs: usize, y: &mut [T]) {
    let m = y.len();
    if m < 64 && T::sum_rows(k, alpha, s, a, cs, y) {
        return;
    }
    let mut p = 0;
    if m < 64 {
        while p + 8 <= k {
            let c: [&[T]; 8] = std::array::from_fn(|q| &a[(p + q) * cs..(p + q) * cs + m]);
            let w: [T; 8] = std::array::from_fn(|q| alpha[(p + q) * s]);
            for i in 0..m {
                y[i] += ((w[0] * c[0][i] + w[1] * c[1][i]) + (w[2] * c[2][i] + w[3] * c[3][i]))
                    + ((w[4] * c[4][i] + w[5] * c[5][i]) + (w[6] * c[6][i] + w[7] * c[7][i]));
            }
            p += 8;
        }
    }
    while p + 4 <= k {
        let c: [&[T]; 4] = std::array::from_fn(|q| &a[(p + q) * cs..(p + q) * cs + m]);
        let w: [T; 4] = std::array::from_fn(|q| alpha[(p + q) * s]);
        for (i, yi) in y.iter_mut().enumerate() {
            *yi += (w[0] * c[0][i] + w[1] * c[1][i]) + (w[2] * c[2][i] + w[3] * c[3][i]);
        }
        p += 4;
    }
    for p in p..k {
        axpy(alpha[p * s], &a[p * cs..p * cs + m], y);
    }
}

/// The matrix-vector dot products: [`Float::dot_rows`] (one SIMD vector per row, see
/// [`dot_rows`]) when a row holds at least one vector, else [`dots`].
#[allow(clippy::too_many_arguments)]
fn dots_auto<T: Float>(rows: usize, a: &[T], rs: usize, x: &[T], beta: T, out: &mut [T], os: usize) {
    if !T::dot_rows(rows, a, rs, x, beta, out, os) {
        dots(rows, a, rs, x, beta, out, os)
    }
}

/// Defines `$name(rows, a, rs, x, beta, out, os) -> bool`: [`dots`] with the `wide`
/// crate's vector type `$v` of `$l` lanes, or false when `x` is shorter than one vector.
/// One accumulator vector per row, updated with fused multiply-adds; the last `k mod $l`
/// elements of a row are read as one vector that ends at the row's end, multiplied by
/// `x`'s tail (zeros in front) and masked, so elements counted already (which may be
/// infinite: ∞·0 is NaN) contribute exact zeros.
///
/// The sums across lanes cost more than the products for short rows (W3's rows hold 30
/// elements), so `$l` rows go at a time and are reduced together: their `$l` accumulators
/// are transposed (one shuffle network), and lane j of the sum of the transposed vectors
/// is row j's result, its lanes added in order. A row outside a group adds its lanes in
/// the same order, so a row's result does not depend on its neighbours. On W3's 569×30
/// f32 `X·w`, about 10% faster than reducing each row alone; f32×16 vectors (AVX-512) were
/// no faster than f32×8 there.
macro_rules! dot_rows {
    ($name:ident, $t:ty, $v:ident, $l:literal) => {
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn $name(
            rows: usize,
            a: &[$t],
            rs: usize,
            x: &[$t],
            beta: $t,
            out: &mut [$t],
            os: usize,
        ) -> bool {
            use wide::$v as V;
            let k = x.len();
            if k < $l {
                return false;
            }
            let (xc, xt) = x.as_chunks::<$l>();
            let t = xt.len();
            let last =
                V::from(std::array::from_fn::<$t, $l, _>(|j| if j >= $l - t { x[k - $l + j] } else { 0.0 }));
            let mask = V::from(std::array::from_fn::<$t, $l, _>(|j| {
                if j >= $l - t {
                    <$t>::from_bits(!0)
                } else {
                    0.0
                }
            }));
            let tail = |r: &[$t]| {
                let end: &[$t; $l] = r[k - $l..].try_into().expect("a whole vector");
                (V::from(*end) * last) & mask
            };
            let put = |o: &mut $t, d: $t| *o = if beta == 0.0 { d } else { beta * *o + d };
            let row = |i: usize| &a[i * rs..i * rs + k];
            let mut i = 0;
            while i + $l <= rows {
                let c: [&[[$t; $l]]; $l] = std::array::from_fn(|q| row(i + q).as_chunks::<$l>().0);
                let mut acc = [V::ZERO; $l];
                for (p, xs) in xc.iter().enumerate() {
                    let xv = V::from(*xs);
                    for q in 0..$l {
                        acc[q] = V::from(c[q][p]).mul_add(xv, acc[q]);
                    }
                }
                if t > 0 {
                    for q in 0..$l {
                        acc[q] += tail(row(i + q));
                    }
                }
                let tr = V::transpose(acc);
                let mut sum = tr[0];
                for v in &tr[1..] {
                    sum += *v;
                }
                for (q, d) in sum.to_array().into_iter().enumerate() {
                    put(&mut out[(i + q) * os], d);
                }
                i += $l;
            }
            for i in i..rows {
                let r = row(i);
                let mut acc = V::ZERO;
                for (xs, p) in xc.iter().zip(r.as_chunks::<$l>().0) {
                    acc = V::from(*p).mul_add(V::from(*xs), acc);
                }
                if t > 0 {
                    acc += tail(r);
                }
                let lanes = acc.to_array();
                let mut d = lanes[0];
                for v in &lanes[1..] {
                    d += *v;
                }
                put(&mut out[i * os], d);
            }
            true
        }
    };
}

dot_rows!(dot_rows_f32, f32, f32x8, 8);
dot_rows!(dot_rows_f64, f64, f64x4, 4);

/// Defines `$name(k, alpha, s, a, cs, y) -> bool`: [`axpys`] for a `y` of one to four
/// vectors of `$l` lanes (`$l ≤ m ≤ 4·$l`), kept in registers: each vector of `y` is one
/// accumulator, updated with a fused multiply-add per row of `a`, in two sets (even and
/// odd rows, added at the end) so that consecutive rows do not wait for each other. A `y`
/// that is not a whole number of vectors takes a last vector that ends at its end and
/// overlaps the one before; only its new lanes are added to `y`. False (nothing written)
/// for other lengths. W3's `Xᵀ·g` (569 rows of 30 f32), with the rest of its small
/// backward sweep, took 1.2–1.4 µs against 2.0–2.2 µs with the generic loop of [`axpys`]
/// (best of 20,000 each, an AVX-512 CPU), whose 30-element inner loop LLVM vectorises
/// with a scalar remainder.
macro_rules! sum_rows {
    ($name:ident, $t:ty, $v:ident, $l:literal) => {
        pub(crate) fn $name(k: usize, alpha: &[$t], s: usize, a: &[$t], cs: usize, y: &mut [$t]) -> bool {
            #[inline(always)]
            fn go<const NV: usize>(k: usize, alpha: &[$t], s: usize, a: &[$t], cs: usize, y: &mut [$t]) {
                use wide::$v as V;
                let m = y.len();
                let start: [usize; NV] = std::array::from_fn(|j| (j * $l).min(m - $l));
                let row = |p: usize| -> [V; NV] {
                    let r = &a[p * cs..p * cs + m];
                    std::array::from_fn(|j| {
                        let v: &[$t; $l] = r[start[j]..start[j] + $l].try_into().expect("a whole vector");
                        V::from(*v)
                    })
                };
                let mut acc = [[V::ZERO; NV]; 2];
                let mut p = 0;
                while p + 2 <= k {
                    for h in 0..2 {
                        let w = V::splat(alpha[(p + h) * s]);
                        let r = row(p + h);
                        for j in 0..NV {
                            acc[h][j] = r[j].mul_add(w, acc[h][j]);
                        }
                    }
                    p += 2;
                }
                if p < k {
                    let w = V::splat(alpha[p * s]);
                    let r = row(p);
                    for j in 0..NV {
                        acc[0][j] = r[j].mul_add(w, acc[0][j]);
                    }
                }
                for j in 0..NV {
                    let v = (acc[0][j] + acc[1][j]).to_array();
                    for i in (j * $l)..(start[j] + $l) {
                        y[i] += v[i - start[j]];
                    }
                }
            }
            match y.len().div_ceil($l) {
                _ if y.len() < $l => return false,
                1 => go::<1>(k, alpha, s, a, cs, y),
                2 => go::<2>(k, alpha, s, a, cs, y),
                3 => go::<3>(k, alpha, s, a, cs, y),
                4 => go::<4>(k, alpha, s, a, cs, y),
                _ => return false,
            }
            true
        }
    };
}

sum_rows!(sum_rows_f32x16, f32, f32x16, 16);
sum_rows!(sum_rows_f32x8, f32, f32x8, 8);
sum_rows!(sum_rows_f64x8, f64, f64x8, 8);
sum_rows!(sum_rows_f64x4, f64, f64x4, 4);

/// [`axpys`] for a short `y` in f32: f32×16 vectors from 16 elements, f32×8 below.
pub(crate) fn sum_rows_f32(k: usize, alpha: &[f32], s: usize, a: &[f32], cs: usize, y: &mut [f32]) -> bool {
    sum_rows_f32x16(k, alpha, s, a, cs, y) || sum_rows_f32x8(k, alpha, s, a, cs, y)
}

/// [`axpys`] for a short `y` in f64: f64×8 vectors from 8 elements, f64×4 below.
pub(crate) fn sum_rows_f64(k: usize, alpha: &[f64], s: usize, a: &[f64], cs: usize, y: &mut [f64]) -> bool {
    sum_rows_f64x8(k, alpha, s, a, cs, y) || sum_rows_f64x4(k, alpha, s, a, cs, y)
}

/// Matrix-vector products (`n = 1` or `m = 1`) and outer products (`k = 1`) with unit-stride inner loops, for the
/// layouts the tape produces; returns false for anything else (GEMM handles it).
/// Operands are assumed checked by [`check_extents`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemv<T: Float>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    (rsa, csa): (isize, isize),
    b: &[T],
    (rsb, csb): (isize, isize),
    beta: T,
    c: &mut [T],
) -> bool {
    let (rsa, csa, rsb, csb) = (rsa as usize, csa as usize, rsb as usize, csb as usize);
    if n == 1 && (csa == 1 || k <= 1) && (rsb == 1 || k <= 1) {
        // c[i] = Σ_p a[i, p]·b[p]: a dot product per row of a.
        dots_auto(m, a, rsa, &b[..k], beta, c, 1);
        return true;
    }
    if n == 1 && (rsa == 1 || m <= 1) {
        // Column-contiguous a (a transposed view): c += b[p]·a[:, p] for each p.
        scale(beta, &mut c[..m]);
        axpys(k, b, rsb, a, csa, &mut c[..m]);
        return true;
    }
    if m == 1 && (csb == 1 || n <= 1) {
        // c[j] = Σ_p a[p]·b[p, j]: c += a[p]·b[p, :] for each row p of b.
        scale(beta, &mut c[..n]);
        axpys(k, a, csa, b, rsb, &mut c[..n]);
        return true;
    }
    if k == 1 && (csb == 1 || n <= 1) {
        // Outer product: c[i, :] = β·c[i, :] + a[i]·b[0, :].
        for i in 0..m {
            let row = &mut c[i * n..(i + 1) * n];
            scale(beta, row);
            axpy(a[i * rsa], &b[..n], row);
        }
        return true;
    }
    if m == 1 && (rsb == 1 || k <= 1) && (csa == 1 || k <= 1) {
        // Row-contiguous columns of b (b transposed view): a dot product per column.
        dots_auto(n, b, csb, &a[..k], beta, c, 1);
        return true;
    }
    false
}

/// `c = β·c` (zeros for β = 0, so NaN in stale output does not survive).
pub(crate) fn scale<T: Float>(beta: T, c: &mut [T]) {
    if beta == T::ZERO {
        c.fill(T::ZERO);
    } else if beta != T::ONE {
        c.iter_mut().for_each(|x| *x = beta * *x);
    }
}

/// The CBLAS backend (`blas` feature): maps strided operands onto CBLAS's row-major
/// (transpose, leading dimension) form.
#[cfg(feature = "blas")]
pub(crate) mod blas {
    use cblas_sys::CBLAS_TRANSPOSE;
    use std::os::raw::c_int;

    /// Smallest m·k·n handed to CBLAS: below it the library's call overhead and thread
    /// start-up outweigh its faster kernel.
    const MIN_WORK: usize = 64 * 64 * 64;

    /// A product in CBLAS's terms.
    pub(crate) struct Plan {
        pub ta: CBLAS_TRANSPOSE,
        pub tb: CBLAS_TRANSPOSE,
        pub m: c_int,
        pub n: c_int,
        pub k: c_int,
        pub lda: c_int,
        pub ldb: c_int,
    }

    /// One operand of `rows × cols` with strides `(rs, cs)`: row-major (`cs = 1`, ld = rs)
    /// or a transposed row-major matrix (`rs = 1`, ld = cs).
    fn operand(rows: usize, cols: usize, (rs, cs): (isize, isize)) -> Option<(CBLAS_TRANSPOSE, c_int)> {
        let (rs, cs) = (rs as usize, cs as usize);
        let (t, ld) = if cs == 1 && rs >= cols.max(1) {
            (CBLAS_TRANSPOSE::CblasNoTrans, rs)
        } else if rs == 1 && cs >= rows.max(1) {
            (CBLAS_TRANSPOSE::CblasTrans, cs)
        } else {
            return None;
        };
        Some((t, c_int::try_from(ld).ok()?))
    }

    /// The CBLAS form of `C[m×n] = A[m×k]·B[k×n]`, or `None` (too small, a layout CBLAS
    /// cannot express, or dimensions beyond a C int): then matrixmultiply runs it.
    pub(crate) fn plan(
        m: usize,
        k: usize,
        n: usize,
        a_strides: (isize, isize),
        b_strides: (isize, isize),
    ) -> Option<Plan> {
        if m.saturating_mul(k).saturating_mul(n) < MIN_WORK {
            return None;
        }
        let (ta, lda) = operand(m, k, a_strides)?;
        let (tb, ldb) = operand(k, n, b_strides)?;
        let dim = |x: usize| c_int::try_from(x).ok();
        Some(Plan { ta, tb, m: dim(m)?, n: dim(n)?, k: dim(k)?, lda, ldb })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// Where CBLAS (row-major) reads element (i, j) of a `trans`/`ld` operand.
        fn cblas_index(t: CBLAS_TRANSPOSE, ld: c_int, i: usize, j: usize) -> usize {
            match t {
                CBLAS_TRANSPOSE::CblasNoTrans => i * ld as usize + j,
                _ => j * ld as usize + i,
            }
        }

        /// The safety argument of the CBLAS call: for every layout `plan` accepts, CBLAS
        /// reads each element exactly where the strides put it (so `check_extents` covers
        /// its reads), and layouts it cannot express are refused. Pure Rust: runs under
        /// Miri, unlike the foreign call itself.
        #[test]
        fn plan_reads_exactly_the_strided_elements() {
            let (m, k, n) = (64usize, 65usize, 66usize);
            type Strides = (isize, isize);
            let cases: [(Strides, Strides, bool); 5] = [
                ((k as isize, 1), (n as isize, 1), true),
                ((1, m as isize), (n as isize, 1), true),
                ((k as isize + 3, 1), (1, k as isize + 1), true),
                ((2, 2 * m as isize), (n as isize, 1), false), // neither stride 1
                ((k as isize - 1, 1), (n as isize, 1), false), // rows overlap
            ];
            for (sa, sb, ok) in cases {
                let Some(p) = plan(m, k, n, sa, sb) else {
                    assert!(!ok, "{sa:?} {sb:?} refused");
                    continue;
                };
                assert!(ok, "{sa:?} {sb:?} accepted");
                assert_eq!((p.m, p.k, p.n), (m as c_int, k as c_int, n as c_int));
                for (i, j) in [(0, 0), (m - 1, 0), (0, k - 1), (m - 1, k - 1), (17, 40)] {
                    let want = i * sa.0 as usize + j * sa.1 as usize;
                    assert_eq!(cblas_index(p.ta, p.lda, i, j), want);
                }
                for (i, j) in [(0, 0), (k - 1, 0), (0, n - 1), (k - 1, n - 1), (40, 17)] {
                    let want = i * sb.0 as usize + j * sb.1 as usize;
                    assert_eq!(cblas_index(p.tb, p.ldb, i, j), want);
                }
            }
            assert!(plan(8, 8, 8, (8, 1), (8, 1)).is_none(), "small products stay in Rust");
        }
    }
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

    /// The matrix-vector paths agree with a naive product for every layout.
    #[test]
    fn gemv_layouts_match_naive() {
        let (m, k) = (5usize, 11usize);
        let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
        let v: Vec<f64> = (0..k).map(|i| (i as f64 * 0.91).cos()).collect();
        let want: Vec<f64> = (0..m).map(|i| (0..k).map(|p| a[i * k + p] * v[p]).sum()).collect();
        let close = |x: &[f64], y: &[f64]| x.iter().zip(y).all(|(p, q)| (p - q).abs() < 1e-12);
        // a·v (row-major a), aᵀ read through strides, and v·aᵀ as a 1×n product.
        let mut c = vec![0.0; m];
        f64::gemm(m, k, 1, &a, (k as isize, 1), &v, (1, 1), 0.0, &mut c);
        assert!(close(&c, &want));
        let at: Vec<f64> = (0..k * m).map(|idx| a[(idx % m) * k + idx / m]).collect();
        let mut c = vec![1.0; m];
        f64::gemm(m, k, 1, &at, (1, m as isize), &v, (1, 1), 1.0, &mut c);
        assert!(close(&c, &want.iter().map(|w| w + 1.0).collect::<Vec<_>>()));
        let mut c = vec![0.0; m];
        f64::gemm(1, k, m, &v, (k as isize, 1), &a, (1, k as isize), 0.0, &mut c);
        assert!(close(&c, &want));
        let mut c = vec![0.0; m];
        f64::gemm(1, k, m, &v, (k as isize, 1), &at, (m as isize, 1), 0.0, &mut c);
        assert!(close(&c, &want));
        // Outer product (k = 1), accumulating.
        let mut c = vec![1.0; m * k];
        f64::gemm(m, 1, k, &want, (1, 1), &v, (k as isize, 1), 1.0, &mut c);
        let outer: Vec<f64> = (0..m * k).map(|i| 1.0 + want[i / k] * v[i % k]).collect();
        assert!(close(&c, &outer));
    }

    /// Matrix-vector products on both sides of the lane switch (4 lanes below k = 64, 8 from
    /// it) and of the axpy switch (8 vectors per pass below m = 64, 4 from it), with tails
    /// of every length, leftover rows and vectors, padded rows and β ≠ 0.
    #[test]
    fn matrix_vector_products_match_naive_for_every_tail() {
        fn check<T: Float>(tol: f64) {
            // Fewer shapes under Miri (minutes otherwise): every path and tail kind still.
            let (ks, ms): (&[usize], &[usize]) = if cfg!(miri) {
                (&[1, 3, 4, 9, 30, 65], &[1, 4, 7])
            } else {
                (&[1, 3, 4, 7, 8, 9, 30, 63, 64, 65, 71, 72], &[1, 4, 7, 9, 63, 64, 70])
            };
            for &k in ks {
                for &m in ms {
                    let rs = k + 2; // rows padded: only k elements of each are read
                    let a: Vec<T> =
                        (0..m * rs).map(|i| T::from_f64(((i * 7 % 23) as f64 - 11.0) * 0.1)).collect();
                    let v: Vec<T> = (0..k).map(|i| T::from_f64(((i * 5 % 19) as f64 - 9.0) * 0.1)).collect();
                    for beta in [0.0, 0.5] {
                        let mut c: Vec<T> = (0..m).map(|i| T::from_f64(i as f64 - 2.0)).collect();
                        let want: Vec<f64> = (0..m)
                            .map(|i| {
                                let d: f64 = (0..k).map(|p| a[i * rs + p].to_f64() * v[p].to_f64()).sum();
                                beta * c[i].to_f64() + d
                            })
                            .collect();
                        let c0 = c.clone();
                        let b = T::from_f64(beta);
                        T::gemm(m, k, 1, &a, (rs as isize, 1), &v, (1, 1), b, &mut c);
                        for (i, (got, want)) in c.iter().zip(&want).enumerate() {
                            let d = (got.to_f64() - want).abs();
                            assert!(d < tol, "{} m {m} k {k} β {beta} row {i}: {got} vs {want}", T::NAME);
                            // A row's result does not depend on the rows computed with it.
                            let mut alone = [c0[i]];
                            T::gemm(1, k, 1, &a[i * rs..], (rs as isize, 1), &v, (1, 1), b, &mut alone);
                            assert_eq!(
                                got.to_f64().to_bits(),
                                alone[0].to_f64().to_bits(),
                                "m {m} k {k} row {i}"
                            );
                        }
                        // The same product with a stored transposed (k vectors of m, the axpy path).
                        let at: Vec<T> = (0..k * m).map(|idx| a[(idx % m) * rs + idx / m]).collect();
                        let mut c = c0;
                        T::gemm(m, k, 1, &at, (1, m as isize), &v, (1, 1), b, &mut c);
                        for (i, (got, want)) in c.iter().zip(&want).enumerate() {
                            let d = (got.to_f64() - want).abs();
                            assert!(d < tol, "{} aᵀ: m {m} k {k} β {beta} row {i}: {got} vs {want}", T::NAME);
                        }
                    }
                }
            }
        }
        check::<f32>(1e-4);
        check::<f64>(1e-12);
    }

    /// A row's last vector overlaps elements already summed (masked out): an infinite one
    /// there must not turn into ∞·0 = NaN, and the row sums to ∞ as it should; a NaN in
    /// the tail itself still gives NaN.
    #[test]
    fn matrix_vector_tails_keep_infinities() {
        fn check<T: Float>() {
            for k in [9usize, 30, 31] {
                let mut a = vec![T::ONE; 2 * k];
                let lanes = if T::NAME == "f32" { 8 } else { 4 };
                a[k - lanes] = T::INFINITY; // in a full chunk and in the last vector's reach
                a[k + k - 1] = T::NAN; // the second row's last element
                let v = vec![T::ONE; k];
                let mut c = vec![T::ZERO; 2];
                T::gemm(2, k, 1, &a, (k as isize, 1), &v, (1, 1), T::ZERO, &mut c);
                assert_eq!(c[0], T::INFINITY, "{} k {k}", T::NAME);
                assert!(c[1].is_nan(), "{} k {k}", T::NAME);
            }
        }
        check::<f32>();
        check::<f64>();
    }

    /// Products large enough for the CBLAS backend (`blas` feature; matrixmultiply
    /// without it) agree with a naive product in all four transpose combinations.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "minutes under Miri; it cannot call the foreign CBLAS library, and the small products above cover matrixmultiply's calls"
    )]
    fn large_products_match_naive_in_every_layout() {
        // With the `blas` feature, once through CBLAS (even where its kernel check would
        // send the products to matrixmultiply) and once as the check decides.
        #[cfg(feature = "blas")]
        {
            crate::blas::FORCE.with(|f| f.set(true));
            products_match_naive_in_every_layout();
            crate::blas::FORCE.with(|f| f.set(false));
        }
        products_match_naive_in_every_layout();
    }

    fn products_match_naive_in_every_layout() {
        let (m, k, n) = (70usize, 65usize, 66usize);
        let a: Vec<f64> = (0..m * k).map(|i| ((i * 7 % 23) as f64 - 11.0) * 0.1).collect();
        let b: Vec<f64> = (0..k * n).map(|i| ((i * 5 % 19) as f64 - 9.0) * 0.1).collect();
        let at: Vec<f64> = (0..k * m).map(|idx| a[(idx % m) * k + idx / m]).collect();
        let bt: Vec<f64> = (0..n * k).map(|idx| b[(idx % k) * n + idx / k]).collect();
        let want: Vec<f64> =
            (0..m * n).map(|ij| (0..k).map(|p| a[(ij / n) * k + p] * b[p * n + ij % n]).sum()).collect();
        let a_forms: [(&[f64], (isize, isize)); 2] = [(&a, (k as isize, 1)), (&at, (1, m as isize))];
        let b_forms: [(&[f64], (isize, isize)); 2] = [(&b, (n as isize, 1)), (&bt, (1, k as isize))];
        for (av, sa) in a_forms {
            for (bv, sb) in b_forms {
                let mut c = vec![f64::NAN; m * n]; // β = 0 must not read c
                f64::gemm(m, k, n, av, sa, bv, sb, 0.0, &mut c);
                assert!(c.iter().zip(&want).all(|(x, y)| (x - y).abs() < 1e-9), "{sa:?} {sb:?}");
                let mut c = vec![1.0; m * n];
                f64::gemm(m, k, n, av, sa, bv, sb, 1.0, &mut c);
                assert!(c.iter().zip(&want).all(|(x, y)| (x - y - 1.0).abs() < 1e-9), "{sa:?} {sb:?}");
                let af: Vec<f32> = av.iter().map(|&x| x as f32).collect();
                let bf: Vec<f32> = bv.iter().map(|&x| x as f32).collect();
                let mut cf = vec![f32::NAN; m * n];
                f32::gemm(m, k, n, &af, sa, &bf, sb, 0.0, &mut cf);
                assert!(cf.iter().zip(&want).all(|(x, y)| (*x as f64 - y).abs() < 1e-3), "f32 {sa:?} {sb:?}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "does not fit")]
    fn gemm_rejects_short_slices() {
        let mut c = vec![0.0f64; 4];
        f64::gemm(2, 2, 2, &[1.0; 3], (2, 1), &[1.0; 4], (2, 1), 0.0, &mut c);
    }
}
