//! `unfold2d` (im2col) and `fold2d` (col2im) against independent constructions.
//!
//! * unfold equals the gather it replaces (one `index_select` of the flattened input, with
//!   an appended padding element) bit for bit, in value and in both gradients (numeric and
//!   recorded), with padding, stride 2, dilation 2 and −∞ fill, in f64 and f32, on fixed
//!   and on random windows.
//! * fold equals a naive loop over the window positions; fold is unfold's transpose
//!   (⟨unfold(x), y⟩ = ⟨x, fold(y)⟩), and its gradient is unfold with zero fill.
//! * Both match values computed by PyTorch 2.15's `F.unfold`/`F.fold`.
//! * Errors name the op, the shapes and the node, and record nothing; the node stores its
//!   window (a few integers), not an index per element; the Wengert list prints the window.
//!
//! The finite-difference and second-order checks are the catalog's (`ops_fd.rs`,
//! `vjp_agreement.rs`: cases `unfold`, `unfold_neg_inf`, `fold`, `unfold_reuse`).

mod common;

use common::{config, weights, window_s};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use wengert_tape::trace::WengertList;
use wengert_tape::{Error, Float, PadFill, Tape, Tensor, Var, Window2d};

/// For `[N, C, H, W]` = `dims`: per element of the columns `[N, C·kh·kw, OH·OW]`, the
/// index of the input element it reads in the flattened input, or N·C·H·W (one past the
/// end) where it reads the padding.
fn indices(dims: [usize; 4], win: &Window2d) -> Vec<usize> {
    let [n, c, h, w] = dims;
    let [oh, ow] = win.output_size([h, w]).expect("the window fits");
    let (k, s, p, d) = (win.kernel, win.stride, win.padding, win.dilation);
    let mut idx = Vec::new();
    for plane in 0..n * c {
        for ki in 0..k[0] {
            for kj in 0..k[1] {
                for i in 0..oh {
                    for j in 0..ow {
                        let r = (i * s[0] + ki * d[0]).checked_sub(p[0]).filter(|&r| r < h);
                        let q = (j * s[1] + kj * d[1]).checked_sub(p[1]).filter(|&q| q < w);
                        idx.push(match (r, q) {
                            (Some(r), Some(q)) => plane * h * w + r * w + q,
                            _ => n * c * h * w,
                        });
                    }
                }
            }
        }
    }
    idx
}

fn fill_value<T: Float>(win: &Window2d) -> T {
    match win.fill {
        PadFill::Zero => T::ZERO,
        PadFill::NegInfinity => T::from_f64(f64::NEG_INFINITY),
    }
}

/// The columns as one `index_select` of the flattened input with the padding value
/// appended (the construction `unfold2d` replaces).
fn columns_by_gather<'t, T: Float>(x: Var<'t, T>, win: &Window2d) -> Var<'t, T> {
    let s = x.shape();
    let dims = [s[0], s[1], s[2], s[3]];
    let [oh, ow] = win.output_size([s[2], s[3]]).expect("the window fits");
    let flat = x.reshape(&[x.len()]);
    let src = Var::concat(&[flat, x.tape().constant_from(&[1], &[fill_value::<T>(win)])], 0);
    src.index_select(&indices(dims, win)).reshape(&[s[0], s[1] * win.kernel[0] * win.kernel[1], oh * ow])
}

/// The images of `cols` `[N, C·kh·kw, L]` folded to `size`, by a loop over every window
/// position and tap, in row-major order of the columns.
fn fold_naive(cols: &Tensor<f64>, size: [usize; 2], win: &Window2d) -> Tensor<f64> {
    let s = cols.shape();
    let kk = win.kernel[0] * win.kernel[1];
    let (n, c) = (s[0], s[1] / kk);
    let [h, w] = size;
    let dims = [n, c, h, w];
    let mut out = Tensor::zeros(&dims);
    for (e, &i) in indices(dims, win).iter().enumerate() {
        if i < n * c * h * w {
            out.data_mut()[i] += cols.data()[e];
        }
    }
    out
}

/// Bits of each element (f32 widened exactly), so that −0, ∞ and −∞ compare as themselves.
fn bits<T: Float>(t: &Tensor<T>) -> Vec<u64> {
    t.data().iter().map(|v| v.to_f64().to_bits()).collect()
}

/// A pseudo-random tensor of `shape` in the element type `T`.
fn input<T: Float>(shape: &[usize], salt: u64) -> Tensor<T> {
    let w = weights(shape, salt);
    Tensor::from_fn(shape, |i| T::from_f64(w.data()[i] * (1.0 + i as f64 / 7.0)))
}

/// unfold2d and the gather give the same bits: values, the numeric gradient for a random
/// seed, and the recorded gradient's value.
fn check_against_gather<T: Float>(x: &Tensor<T>, win: &Window2d) -> Result<(), String> {
    let tape = Tape::<T>::new();
    let xv = tape.var(x);
    let (a, b) = (xv.unfold2d(*win), columns_by_gather(xv, win));
    let what = format!("{win:?} on {:?}", x.shape());
    if a.shape() != b.shape() || bits(&a.value()) != bits(&b.value()) {
        return Err(format!("{what}: values\n  unfold: {:?}\n  gather: {:?}", a.value(), b.value()));
    }
    let seed: Tensor<T> = input(&a.shape(), 7);
    let (ga, gb) = (a.backward_with_seed(&seed).wrt(xv), b.backward_with_seed(&seed).wrt(xv));
    if bits(&ga) != bits(&gb) {
        return Err(format!("{what}: gradients\n  unfold: {ga:?}\n  gather: {gb:?}"));
    }
    let s = tape.constant(&seed);
    let (ra, rb) = (a.backward_graph_with_seed(s).wrt(xv), b.backward_graph_with_seed(s).wrt(xv));
    if bits(&ra.value()) != bits(&rb.value()) || bits(&ra.value()) != bits(&ga) {
        return Err(format!(
            "{what}: recorded gradients\n  unfold: {:?}\n  gather: {:?}",
            ra.value(),
            rb.value()
        ));
    }
    Ok(())
}

/// Windows with padding, stride 2, dilation 2, −∞ fill, unequal axes, a 1 × 1 kernel, and
/// windows that lie wholly in the padding.
fn fixed_windows() -> Vec<Window2d> {
    let w = Window2d::new;
    let neg = PadFill::NegInfinity;
    vec![
        w([3, 3]),
        w([3, 3]).padding([1, 1]),
        w([3, 3]).padding([1, 1]).fill(neg),
        w([2, 3]).stride([2, 2]),
        w([3, 2]).stride([2, 1]).padding([1, 2]),
        w([3, 3]).dilation([2, 2]),
        w([2, 3]).dilation([2, 1]).padding([2, 1]).stride([1, 2]).fill(neg),
        w([3, 3]).stride([3, 2]).padding([2, 2]).dilation([2, 2]).fill(neg),
        w([1, 1]),
        w([1, 1]).padding([1, 0]).stride([2, 2]),
        w([5, 6]),
        // Kernel 2, dilation 2, padding 2 on a 1-wide axis: some windows are all padding.
        w([2, 2]).dilation([2, 2]).padding([2, 2]).fill(neg),
    ]
}

#[test]
fn unfold_matches_the_gather_bit_for_bit_on_fixed_windows() {
    for win in fixed_windows() {
        for shape in [[2, 3, 5, 6], [1, 2, 1, 7], [1, 1, 6, 1]] {
            if win.output_size([shape[2], shape[3]]).is_none() {
                continue;
            }
            check_against_gather(&input::<f64>(&shape, 1), &win).unwrap();
            check_against_gather(&input::<f32>(&shape, 2), &win).unwrap();
        }
    }
}

#[test]
fn unfold_matches_the_gather_bit_for_bit_on_random_windows() {
    let gen = (window_s(), 1..=3usize, 1..=3usize, any::<bool>(), any::<u64>());
    TestRunner::new(config(256))
        .run(&gen, |((win, [h, w]), n, c, neg, salt)| {
            let win = if neg { win.fill(PadFill::NegInfinity) } else { win };
            check_against_gather(&input::<f64>(&[n, c, h, w], salt), &win).map_err(TestCaseError::fail)?;
            check_against_gather(&input::<f32>(&[n, c, h, w], salt), &win).map_err(TestCaseError::fail)
        })
        .unwrap();
}

#[test]
fn fold_matches_a_naive_loop_and_its_gradient_is_unfold() {
    let gen = (window_s(), 1..=3usize, 1..=3usize, any::<u64>());
    TestRunner::new(config(256))
        .run(&gen, |((win, size), n, c, salt)| {
            let [oh, ow] = win.output_size(size).unwrap();
            let cols = input::<f64>(&[n, c * win.kernel[0] * win.kernel[1], oh * ow], salt);
            let tape = Tape::<f64>::new();
            let cv = tape.var(&cols);
            let y = cv.fold2d(size, win);
            let want = fold_naive(&cols, size, &win);
            // The loop adds in the op's order, so the sums agree exactly.
            prop_assert_eq!(bits(&y.value()), bits(&want), "{:?} on {:?}", win, cols.shape());
            let seed = input::<f64>(&y.shape(), salt ^ 1);
            let g = y.backward_with_seed(&seed).wrt(cv);
            let x = Tape::<f64>::new();
            let gather = columns_by_gather(x.var(&seed), &win.fill(PadFill::Zero)).value();
            prop_assert_eq!(bits(&g), bits(&gather), "gradient of fold, {:?}", win);
            let r = y.backward_graph_with_seed(tape.constant(&seed)).wrt(cv).value();
            prop_assert_eq!(bits(&r), bits(&gather), "recorded gradient of fold, {:?}", win);
            Ok(())
        })
        .unwrap();
}

/// ⟨unfold(x), y⟩ = ⟨x, fold(y)⟩ for every window and fill-free x, y.
#[test]
fn fold_is_the_transpose_of_unfold() {
    let gen = (window_s(), 1..=2usize, 1..=3usize, any::<u64>());
    TestRunner::new(config(256))
        .run(&gen, |((win, [h, w]), n, c, salt)| {
            let tape = Tape::<f64>::new();
            let x = tape.var(&input(&[n, c, h, w], salt));
            let u = x.unfold2d(win);
            let y = tape.var(&input(&u.shape(), salt ^ 3));
            let f = y.fold2d([h, w], win);
            let (lhs, rhs) = ((u * y).sum().item(), (x * f).sum().item());
            prop_assert!((lhs - rhs).abs() <= 1e-12 * (1.0 + lhs.abs()), "{lhs} vs {rhs}, {win:?}");
            Ok(())
        })
        .unwrap();
}

/// The −∞ fill changes the padded values only: the gradient is the zero fill's.
#[test]
fn neg_inf_fill_changes_values_in_the_padding_only() {
    let x = input::<f64>(&[2, 2, 4, 5], 9);
    for win in fixed_windows() {
        if win.output_size([4, 5]).is_none() {
            continue;
        }
        let tape = Tape::<f64>::new();
        let xv = tape.var(&x);
        let (z, m) = (xv.unfold2d(win.fill(PadFill::Zero)), xv.unfold2d(win.fill(PadFill::NegInfinity)));
        let idx = indices([2, 2, 4, 5], &win);
        for ((&i, &a), &b) in idx.iter().zip(z.value().data()).zip(m.value().data()) {
            if i == x.len() {
                assert_eq!((a, b), (0.0, f64::NEG_INFINITY), "{win:?}");
            } else {
                assert_eq!(a, b, "{win:?}");
            }
        }
        let seed = input::<f64>(&z.shape(), 4);
        assert_eq!(bits(&z.backward_with_seed(&seed).wrt(xv)), bits(&m.backward_with_seed(&seed).wrt(xv)));
    }
}

/// Values from PyTorch 2.15: `x = arange(1, 41).reshape(1, 2, 4, 5)`,
/// `F.unfold(x, (2, 3), dilation=(1, 2), padding=(1, 1), stride=(2, 1))`, and `F.fold` of
/// `arange(1, 109).reshape(1, 12, 9)` to (4, 5) with the same window.
#[test]
fn unfold_and_fold_match_torch() {
    #[rustfmt::skip]
    let unfold = [
        0., 0., 0., 0., 6., 7., 0., 16., 17., 0., 0., 0., 7., 8., 9., 17., 18., 19., 0., 0., 0., 9., 10., 0., 19., 20.,
        0., 0., 1., 2., 0., 11., 12., 0., 0., 0., 2., 3., 4., 12., 13., 14., 0., 0., 0., 4., 5., 0., 14., 15., 0., 0.,
        0., 0., 0., 0., 0., 0., 26., 27., 0., 36., 37., 0., 0., 0., 27., 28., 29., 37., 38., 39., 0., 0., 0., 29., 30.,
        0., 39., 40., 0., 0., 21., 22., 0., 31., 32., 0., 0., 0., 22., 23., 24., 32., 33., 34., 0., 0., 0., 24., 25.,
        0., 34., 35., 0., 0., 0., 0.,
    ];
    #[rustfmt::skip]
    let fold = [
        29., 67., 38., 85., 47., 5., 19., 14., 37., 23., 32., 73., 41., 91., 50., 8., 25., 17., 43., 26., 83., 175.,
        92., 193., 101., 59., 127., 68., 145., 77., 86., 181., 95., 199., 104., 62., 133., 71., 151., 80.,
    ];
    let win = Window2d::new([2, 3]).dilation([1, 2]).padding([1, 1]).stride([2, 1]);
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from_fn(&[1, 2, 4, 5], |i| i as f64 + 1.0));
    let u = x.unfold2d(win);
    assert_eq!(u.shape().as_slice(), [1, 12, 9]);
    assert_eq!(u.value().data(), unfold);
    let y = tape.var(&Tensor::from_fn(&[1, 12, 9], |i| i as f64 + 1.0));
    let f = y.fold2d([4, 5], win);
    assert_eq!(f.shape().as_slice(), [1, 2, 4, 5]);
    assert_eq!(f.value().data(), fold);
}

/// On a reset tape, whose buffers hold the last step's numbers, fold (which adds into its
/// output) and unfold (which fills its padding) give what they give on a fresh tape, and
/// so do their gradients (fold's sets its input's adjoint on first contact).
#[test]
fn stale_buffers_do_not_leak() {
    let win = Window2d::new([3, 2]).padding([1, 1]).stride([2, 1]).fill(PadFill::NegInfinity);
    let x = input::<f64>(&[2, 3, 5, 4], 5);
    let run = |tape: &Tape<f64>| {
        let xv = tape.var(&x);
        let u = xv.unfold2d(win);
        let f = u.exp().fold2d([5, 4], win);
        let g = (f * xv).sum().backward();
        (bits(&u.value()), bits(&f.value()), bits(&g.wrt(xv)))
    };
    let fresh = run(&Tape::new());
    let mut tape = Tape::new();
    for salt in 0..3 {
        tape.reset();
        // Fill the buffers with other numbers first.
        {
            let junk = tape.var(&input::<f64>(&[4000], salt));
            let _ = (junk * 3.0).exp().sum().backward();
        }
        tape.reset();
        assert_eq!(run(&tape), fresh);
    }
}

/// Empty batches and channels give empty results of the right shapes, and gradients.
#[test]
fn empty_inputs() {
    let win = Window2d::new([2, 2]).padding([1, 1]);
    for shape in [[0, 2, 3, 3], [2, 0, 3, 3]] {
        let tape = Tape::<f64>::new();
        let x = tape.var(&Tensor::zeros(&shape));
        let u = x.unfold2d(win);
        assert_eq!(u.shape().as_slice(), [shape[0], shape[1] * 4, 16]);
        let f = u.fold2d([3, 3], win);
        assert_eq!(f.shape().as_slice(), shape);
        assert_eq!(f.sum().backward().wrt(x).shape(), shape);
    }
}

/// The node stores its window (nine integers), not an index per element.
#[test]
fn unfold_stores_its_window_not_indices() {
    let tape = Tape::<f32>::new();
    let x = tape.var(&Tensor::zeros(&[8, 16, 28, 28]));
    let before = tape.stats().aux_bytes;
    let u = x.unfold2d(Window2d::new([3, 3]).padding([1, 1]));
    let _ = u.fold2d([28, 28], Window2d::new([3, 3]).padding([1, 1]));
    let grown = tape.stats().aux_bytes - before;
    assert!(grown <= 2 * 16 * std::mem::size_of::<usize>(), "{grown} bytes of aux for two nodes");
    let per_op = tape.stats().per_op;
    assert!(per_op.contains(&("unfold", 1)) && per_op.contains(&("fold", 1)), "{per_op:?}");
}

/// The Wengert list and the reverse sweep print the window.
#[test]
fn trace_prints_the_window() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::ones(&[1, 1, 3, 4]));
    let win =
        Window2d::new([2, 3]).stride([1, 2]).padding([1, 0]).dilation([2, 1]).fill(PadFill::NegInfinity);
    let u = x.unfold2d(win);
    let f = u.exp().fold2d([3, 4], win);
    let y = f.sum();
    let list = WengertList::new(&tape);
    let text = list.to_string();
    assert!(
        text.contains(
            "v1 = unfold(v0, kernel [2, 3], stride [1, 2], padding [1, 0], dilation [2, 1], fill −∞)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "v3 = fold(v2, to [3, 4], kernel [2, 3], stride [1, 2], padding [1, 0], dilation [2, 1])"
        ),
        "{text}"
    );
    let sweep = list.reverse_sweep(y).unwrap().to_string();
    assert!(
        sweep.contains("unfold(v̄3, kernel [2, 3], stride [1, 2], padding [1, 0], dilation [2, 1])"),
        "{sweep}"
    );
    assert!(sweep.contains("fold(v̄1, to [3, 4], kernel [2, 3]"), "{sweep}");
}

/// An error message for `f`, with the check that nothing was recorded.
fn error_of<'t>(
    tape: &'t Tape<f64>,
    f: impl FnOnce() -> wengert_tape::Result<Var<'t, f64>>,
) -> (&'static str, String) {
    let len = tape.len();
    let e = f().expect_err("an error");
    assert_eq!(tape.len(), len, "recorded on error: {e}");
    match e {
        Error::InvalidArgument { op, msg } => (op, msg),
        e => panic!("unexpected error {e:?}"),
    }
}

#[test]
fn errors_name_the_op_the_shapes_and_the_node() {
    let tape = Tape::<f64>::new();
    let x3 = tape.var(&Tensor::zeros(&[2, 3, 4]));
    let x4 = tape.var(&Tensor::zeros(&[1, 2, 3, 4]));
    let w = Window2d::new([2, 2]);

    let (op, msg) = error_of(&tape, || x3.try_unfold2d(w));
    assert_eq!(op, "unfold2d");
    assert_eq!(msg, "expected a 4-d input [N, C, H, W], got 3-d input [2, 3, 4] (v0)");
    for (bad, what) in [
        (Window2d::new([0, 2]), "kernel size must be positive, got [0, 2]"),
        (w.stride([1, 0]), "stride must be positive, got [1, 0]"),
        (w.dilation([0, 1]), "dilation must be positive, got [0, 1]"),
    ] {
        assert_eq!(error_of(&tape, || x4.try_unfold2d(bad)), ("unfold2d", what.to_string()));
        assert_eq!(error_of(&tape, || x3.try_fold2d([3, 4], bad)), ("fold2d", what.to_string()));
    }
    let (op, msg) =
        error_of(&tape, || x4.try_unfold2d(Window2d::new([3, 2]).dilation([2, 1]).padding([0, 1])));
    assert_eq!(op, "unfold2d");
    assert_eq!(
        msg,
        "input [1, 2, 3, 4] (v1) padded by [0, 1] is 3 × 6 per channel, smaller than the kernel [3, 2] \
         (dilation [2, 1]: it spans 5 × 2)"
    );

    let (op, msg) = error_of(&tape, || x4.try_fold2d([3, 4], w));
    assert_eq!(op, "fold2d");
    assert_eq!(msg, "expected a 3-d input [N, C·kh·kw, L], got 4-d input [1, 2, 3, 4] (v1)");
    let (_, msg) = error_of(&tape, || x3.try_fold2d([3, 4], Window2d::new([1, 2])));
    assert_eq!(
        msg,
        "input [2, 3, 4] (v0) has 3 rows (dimension 1), not a multiple of kh·kw for the kernel [1, 2]"
    );
    let (_, msg) = error_of(&tape, || x3.try_fold2d([3, 5], Window2d::new([1, 1])));
    assert_eq!(
        msg,
        "input [2, 3, 4] (v0) has 4 columns (dimension 2), but kernel [1, 1], stride [1, 1], padding [0, 0], \
         dilation [1, 1] on output size [3, 5] places the window at 3 × 5 positions"
    );
    let (_, msg) = error_of(&tape, || x3.try_fold2d([1, 4], Window2d::new([3, 1])));
    assert_eq!(
        msg,
        "output size [1, 4] (of [2, 3, 4] (v0)) padded by [0, 0] is 1 × 4 per channel, smaller than the kernel \
         [3, 1] (dilation [1, 1]: it spans 3 × 1)"
    );
    // Sizes that overflow are refused, not wrapped.
    let huge = Window2d::new([2, 2]).padding([usize::MAX / 2, 0]);
    assert_eq!(error_of(&tape, || x4.try_unfold2d(huge)).0, "unfold2d");
    let wide = Window2d::new([usize::MAX, 1]);
    assert_eq!(error_of(&tape, || x4.try_unfold2d(wide)).0, "unfold2d");
}

#[test]
#[should_panic(expected = "unfold2d: expected a 4-d input")]
fn unfold_panics_where_try_unfold_fails() {
    let tape = Tape::<f64>::new();
    let _ = tape.var(&Tensor::zeros(&[3, 4])).unfold2d(Window2d::new([1, 1]));
}

#[test]
#[should_panic(expected = "fold2d: expected a 3-d input")]
fn fold_panics_where_try_fold_fails() {
    let tape = Tape::<f64>::new();
    let _ = tape.var(&Tensor::zeros(&[3, 4])).fold2d([1, 1], Window2d::new([1, 1]));
}
