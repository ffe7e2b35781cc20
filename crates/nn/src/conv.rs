//! Convolution, pooling and resizing: [`Conv2d`], [`Conv1d`], their transposes
//! [`ConvTranspose2d`] and [`ConvTranspose1d`], [`MaxPool2d`], [`AvgPool2d`],
//! [`AdaptiveAvgPool2d`], [`Upsample`], with [`Flatten`] and
//! [`BatchNorm2d`] to build a small convolutional network, all as PyTorch's layers of the
//! same names and all from tape ops. A transposed convolution is the same construction
//! run backwards: a product per input position, then one [`Var::fold2d`] (col2im).
//!
//! Every sliding-window layer is one gather of the windows (im2col) and one reduction:
//!
//! 1. The input `[N, C, H, W]` becomes the columns `[N, C·kh·kw, OH·OW]` with **one**
//!    [`Var::unfold2d`], the tape's im2col (an element covered by several windows appears
//!    several times; the op's backward rule, col2im, adds their gradients up). Where a
//!    window reaches into the padding it reads PyTorch's padding value: 0 for a
//!    convolution and an average, −∞ for a maximum ([`PadFill`]). A convolution's other
//!    paddings (a [`PaddingMode`] other than zeros, or the uneven zeros of `'same'`) are
//!    added to the input first, one `pad` or `gather` per axis, and the windows taken
//!    without padding.
//! 2. A convolution multiplies the weight `[O, C·kh·kw]` with those columns (one batched
//!    [`Var::matmul`], the weight shared across the batch), adds the bias `[O, 1]` and
//!    reshapes to `[N, O, OH, OW]`; with g groups the columns are seen as
//!    `[N·g, (C/g)·kh·kw, OH·OW]` (a column's channel axis is its slowest, so a group's
//!    rows are consecutive) and the weight, `[g, O/g, (C/g)·kh·kw]`, is repeated for each
//!    sample: one product per sample and group, then the bias `[O, 1]` added. A pooling layer sees the columns as `[N, C, kh·kw, OH·OW]` and takes
//!    [`Var::max_axis`] or [`Var::mean_axis`] over the kh·kw axis.
//!
//! The unfold node holds the window's geometry (a few integers), not an index per element,
//! so a layer keeps no state beyond its parameters and settings. The output size along an
//! axis of input size n is PyTorch's ⌊(n + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1.

use rand::Rng;
use wengert_tape::{Error, Float, PadFill, Result, Tensor, Var, Window2d};

use crate::init::Init;
use crate::layers::{no_params, unbound, visit_affine, BatchNorm1d};
use crate::module::Module;

/// A size per spatial axis of a 2-d layer (kernel, stride, padding, dilation): one number
/// for both axes (`3`) or a pair (height, width) (`(3, 2)`), as PyTorch takes `int` or
/// `tuple`.
pub trait Size2 {
    /// The (height, width) pair.
    fn pair(self) -> (usize, usize);
}

impl Size2 for usize {
    fn pair(self) -> (usize, usize) {
        (self, self)
    }
}

impl Size2 for (usize, usize) {
    fn pair(self) -> (usize, usize) {
        self
    }
}

impl Size2 for [usize; 2] {
    fn pair(self) -> (usize, usize) {
        (self[0], self[1])
    }
}

/// What a convolution reads where its windows reach past the input: PyTorch's
/// `padding_mode`. Shown on a row `[a, b, c]` padded by 2 at each end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PaddingMode {
    /// Zeros: `[0, 0, a, b, c, 0, 0]` (PyTorch's `'zeros'`, the default).
    #[default]
    Zeros,
    /// The input mirrored at its edge, the edge element not repeated:
    /// `[c, b, a, b, c, b, a]` (`'reflect'`). Each padding must be less than the input's
    /// size along its axis.
    Reflect,
    /// The edge element repeated: `[a, a, a, b, c, c, c]` (`'replicate'`).
    Replicate,
    /// The input wrapped around: `[b, c, a, b, c, a, b]` (`'circular'`). Each padding must
    /// be at most the input's size along its axis.
    Circular,
}

impl std::fmt::Display for PaddingMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PaddingMode::Zeros => "zeros",
            PaddingMode::Reflect => "reflect",
            PaddingMode::Replicate => "replicate",
            PaddingMode::Circular => "circular",
        })
    }
}

impl PaddingMode {
    /// The element of an axis of size `n` (≥ 1) that position `i` (counted from the
    /// input's first element, negative in the leading padding) reads, for a mode other than
    /// zeros and a padding within the mode's limit.
    fn source(self, i: isize, n: usize) -> usize {
        let n = n as isize;
        let j = match self {
            PaddingMode::Reflect if i < 0 => -i,
            PaddingMode::Reflect if i >= n => 2 * (n - 1) - i,
            PaddingMode::Replicate => i.clamp(0, n - 1),
            PaddingMode::Circular => i.rem_euclid(n),
            _ => i,
        };
        j as usize
    }

    /// `None` if `pad` elements of this mode fit an axis of size `n`, else what the mode
    /// needs (PyTorch's limits).
    fn misfit(self, pad: usize, n: usize) -> Option<String> {
        match self {
            PaddingMode::Reflect if pad >= n => {
                Some(format!("must be less than the input's size {n} along it"))
            }
            PaddingMode::Circular if pad > n => {
                Some(format!("must be at most the input's size {n} along it"))
            }
            PaddingMode::Replicate if pad > 0 && n == 0 => {
                Some("needs an input of positive size along it".into())
            }
            _ => None,
        }
    }
}

/// The geometry of a sliding window over the last two axes of `[N, C, H, W]`. A 1-d layer
/// is the 2-d one with H = 1 and a window of height 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Window {
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: [usize; 2],
}

impl Window {
    /// The span of the dilated kernel along axis `a`.
    fn span(&self, a: usize) -> usize {
        self.dilation[a].saturating_mul(self.kernel[a] - 1).saturating_add(1)
    }

    /// The output length along axis `a` for input length `n`, or `None` if the dilated
    /// kernel does not fit in the padded input.
    fn out_len(&self, a: usize, n: usize) -> Option<usize> {
        let padded = n.saturating_add(self.padding[a].saturating_mul(2));
        let span = self.span(a);
        (padded >= span).then(|| (padded - span) / self.stride[a] + 1)
    }

    /// The tape's window of this geometry, padding filled with `fill`.
    fn tape_window(&self, fill: PadFill) -> Window2d {
        Window2d {
            kernel: self.kernel,
            stride: self.stride,
            padding: self.padding,
            dilation: self.dilation,
            fill,
        }
    }
}

/// The windows of `x` (`[N, C, H, W]` = `dims`) as `[N, C·kh·kw, OH·OW]`, padding filled
/// with `fill`: one [`Var::unfold2d`] (a 1-d layer's `[N, C, L]` seen as `[N, C, 1, L]`).
fn columns<'t, T: Float>(x: Var<'t, T>, dims: [usize; 4], win: &Window, fill: PadFill) -> Result<Var<'t, T>> {
    let x = if x.shape().len() == 4 { x } else { x.try_reshape(&dims)? };
    x.try_unfold2d(win.tape_window(fill))
}

/// How a layer is told apart in errors and how its sizes are printed: 1 or 2 spatial axes.
#[derive(Clone, Copy)]
struct Layout {
    op: &'static str,
    spatial: usize,
}

impl Layout {
    /// A per-axis size as the user gave it: `3` for a 1-d layer, `(3, 2)` for a 2-d one.
    fn size(&self, s: [usize; 2]) -> String {
        if self.spatial == 1 {
            s[1].to_string()
        } else {
            format!("({}, {})", s[0], s[1])
        }
    }

    fn bad(&self, msg: String) -> Error {
        Error::InvalidArgument { op: self.op, msg }
    }

    /// The first checks of [`Layout::check`]: a positive kernel, stride and dilation, then
    /// [`Layout::dims`]. Records nothing.
    fn input<T: Float>(
        &self,
        x: Var<'_, T>,
        win: &Window,
        channels: Option<(usize, &dyn Fn() -> String)>,
    ) -> Result<[usize; 4]> {
        for (what, v) in [("kernel size", win.kernel), ("stride", win.stride), ("dilation", win.dilation)] {
            if v.contains(&0) {
                return Err(self.bad(format!("{what} must be positive, got {}", self.size(v))));
            }
        }
        self.dims(x, channels)
    }

    /// The input's rank (batched, or unbatched without N) and, with `channels`, its channel
    /// count (described by `takes`); returns the input as `[N, C, H, W]` (N = 1 unbatched,
    /// H = 1 for a 1-d layer). Records nothing.
    fn dims<T: Float>(
        &self,
        x: Var<'_, T>,
        channels: Option<(usize, &dyn Fn() -> String)>,
    ) -> Result<[usize; 4]> {
        let shape = x.shape();
        let want = 2 + self.spatial;
        if shape.len() != want && shape.len() != want - 1 {
            let form =
                if self.spatial == 1 { "[N, C, L] or 2-d [C, L]" } else { "[N, C, H, W] or 3-d [C, H, W]" };
            return Err(self.bad(format!(
                "expected a {want}-d input {form}, got {}-d input {:?} ({})",
                shape.len(),
                &shape[..],
                x.node()
            )));
        }
        // An unbatched input is one sample: N = 1.
        let mut dims = [1; 4];
        let (c_axis, rest) = if shape.len() == want { (1, &shape[2..]) } else { (0, &shape[1..]) };
        if shape.len() == want {
            dims[0] = shape[0];
        }
        dims[1] = shape[c_axis];
        dims[4 - rest.len()..].copy_from_slice(rest);
        if let Some((c, takes)) = channels {
            if dims[1] != c {
                return Err(self.bad(format!(
                    "input {:?} ({}) has {} channels (dimension {c_axis}), but {}",
                    &shape[..],
                    x.node(),
                    dims[1],
                    takes()
                )));
            }
        }
        Ok(dims)
    }

    /// `v` (a per-axis setting given as (height, width)) as the layer uses it: a 1-d
    /// layer's height entry is `fill` (the value that leaves a height-1 axis alone).
    fn per_axis(&self, v: [usize; 2], fill: usize) -> [usize; 2] {
        if self.spatial == 1 {
            [fill, v[1]]
        } else {
            v
        }
    }

    /// The window of a layer with these settings: for a 1-d layer height 1, stride 1, no
    /// padding, dilation 1 along the height.
    fn window(
        &self,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
        dilation: [usize; 2],
    ) -> Window {
        Window {
            kernel,
            stride: self.per_axis(stride, 1),
            padding: self.per_axis(padding, 0),
            dilation: self.per_axis(dilation, 1),
        }
    }

    /// The kernel (kh, kw) of a weight `[·, ·, k…]` of this layout (kh = 1 for a 1-d layer).
    fn kernel(&self, weight: &[usize]) -> [usize; 2] {
        if self.spatial == 1 {
            [1, weight[2]]
        } else {
            [weight[2], weight[3]]
        }
    }

    /// The output shape of a layer with `c` output channels and spatial size (oh, ow) for
    /// the input `x`: `[N, c, OH, OW]` (`[N, c, OL]` for a 1-d layer), without N for an
    /// unbatched input.
    fn out_shape<T: Float>(&self, x: Var<'_, T>, n: usize, c: usize, (oh, ow): (usize, usize)) -> Vec<usize> {
        let batched = x.shape().len() == 2 + self.spatial;
        let spatial: &[usize] = if self.spatial == 1 { &[ow] } else { &[oh, ow] };
        let lead: &[usize] = if batched { &[n, c] } else { &[c] };
        [lead, spatial].concat()
    }

    /// Checks the geometry and the input (its rank, and with `channels` its channel count,
    /// described by `takes`), and returns the input as `[N, C, H, W]` and the output's
    /// spatial size. Records nothing.
    fn check<T: Float>(
        &self,
        x: Var<'_, T>,
        win: &Window,
        channels: Option<(usize, &dyn Fn() -> String)>,
    ) -> Result<([usize; 4], (usize, usize))> {
        let dims = self.input(x, win, channels)?;
        let shape = x.shape();
        // Sizes near usize::MAX would saturate the arithmetic below; no real input has them.
        let limit = isize::MAX as usize / 16;
        if win.padding.iter().chain(&win.stride).chain(&win.dilation).chain(&win.kernel).any(|&v| v > limit) {
            return Err(self.bad(format!(
                "kernel {}, stride {}, padding {} or dilation {} too large",
                self.size(win.kernel),
                self.size(win.stride),
                self.size(win.padding),
                self.size(win.dilation)
            )));
        }
        match (win.out_len(0, dims[2]), win.out_len(1, dims[3])) {
            (Some(oh), Some(ow)) => {
                // Checked here too, so that the error names the layer (the tape's unfold2d
                // refuses such a size as well, naming itself).
                let count = [dims[0], dims[1], win.kernel[0], win.kernel[1], oh, ow]
                    .iter()
                    .try_fold(1usize, |a, &b| a.checked_mul(b))
                    .filter(|&n| n <= limit);
                match count {
                    Some(_) => Ok((dims, (oh, ow))),
                    None => Err(self.bad(format!(
                        "the windows of input {:?} ({}), [N, C, kh·kw, OH·OW] = [{}, {}, {}, {}], have more \
                         elements than fit in memory",
                        &shape[..],
                        x.node(),
                        dims[0],
                        dims[1],
                        win.kernel[0].saturating_mul(win.kernel[1]),
                        oh.saturating_mul(ow)
                    ))),
                }
            }
            _ => {
                let padded = [dims[2] + 2 * win.padding[0], dims[3] + 2 * win.padding[1]];
                let per = if self.spatial == 1 {
                    format!("has length {}", padded[1])
                } else {
                    format!("is {} × {}", padded[0], padded[1])
                };
                Err(self.bad(format!(
                    "input {:?} ({}) padded by {} {per} per channel, smaller than the kernel {} (dilation {}: it spans {})",
                    &shape[..],
                    x.node(),
                    self.size(win.padding),
                    self.size(win.kernel),
                    self.size(win.dilation),
                    self.size([win.span(0), win.span(1)])
                )))
            }
        }
    }
}

/// What a convolution layer has beyond its parameters: stride, padding, dilation and the
/// number of groups. Shared by [`Conv1d`] and [`Conv2d`].
#[derive(Clone, Debug)]
struct ConvCore {
    stride: [usize; 2],
    /// The padding at each end of each axis, unless `same`.
    padding: [usize; 2],
    /// PyTorch's `padding='same'`: the output as large as the input (stride 1), the padding
    /// d·(k − 1) per axis, half of it (rounded down) before and the rest after.
    same: bool,
    mode: PaddingMode,
    dilation: [usize; 2],
    /// Always ≥ 1 and a divisor of the weight's O (checked where it is set, and again by
    /// [`ConvCore::check_layout`] at each forward pass, as the weight is a public field).
    groups: usize,
}

impl ConvCore {
    fn new() -> Self {
        ConvCore {
            stride: [1, 1],
            padding: [0, 0],
            same: false,
            mode: PaddingMode::Zeros,
            dilation: [1, 1],
            groups: 1,
        }
    }

    /// A core of `groups` groups (stride 1, no padding, dilation 1) for a layer from
    /// `in_channels` to `out_channels`: PyTorch's checks at construction, in its order,
    /// that `groups` is positive and divides both.
    fn grouped(lay: Layout, in_channels: usize, out_channels: usize, groups: usize) -> Result<Self> {
        Self::check_groups(lay, groups)?;
        for (what, n) in [("in_channels", in_channels), ("out_channels", out_channels)] {
            if !n.is_multiple_of(groups) {
                return Err(lay.bad(format!("{what} {n} must be divisible by groups {groups}")));
            }
        }
        Ok(ConvCore { groups, ..ConvCore::new() })
    }

    /// An error unless `groups` is positive (PyTorch's first check of it).
    fn check_groups(lay: Layout, groups: usize) -> Result<()> {
        if groups == 0 {
            return Err(lay.bad("groups must be positive, got 0".to_string()));
        }
        Ok(())
    }

    /// An error unless the weight is `[O, C/groups, k…]` (2 + `spatial` axes) with O
    /// divisible by `groups` (≥ 1), and the bias `[O]`.
    fn check_layout<T: Float>(
        lay: Layout,
        weight: &Tensor<T>,
        bias: Option<&Tensor<T>>,
        groups: usize,
    ) -> Result<()> {
        let ws = weight.shape();
        if ws.len() != 2 + lay.spatial {
            let form = if lay.spatial == 1 { "[out, in/groups, k]" } else { "[out, in/groups, kh, kw]" };
            return Err(lay.bad(format!("weight must be {form}, got shape {ws:?}")));
        }
        Self::check_groups(lay, groups)?;
        if !ws[0].is_multiple_of(groups) {
            return Err(lay.bad(format!(
                "out_channels {} (weight {ws:?}) must be divisible by groups {groups}",
                ws[0]
            )));
        }
        if ws[1].checked_mul(groups).is_none() {
            return Err(lay.bad(format!("in_channels {} × groups {groups} (weight {ws:?}) overflows", ws[1])));
        }
        match bias {
            Some(b) if b.shape() != [ws[0]] => Err(lay.bad(format!(
                "bias must have shape [{}] for weight {ws:?}, got {:?}",
                ws[0],
                b.shape()
            ))),
            _ => Ok(()),
        }
    }

    /// The forward pass of a convolution with weight `[O, C/g, k…]` (g = `self.groups`)
    /// and optional bias. For g = 1 the weight `[O, C·kh·kw]` times the columns
    /// `[N, C·kh·kw, L]` (L = OH·OW); for g > 1 the weight `[g, O/g, (C/g)·kh·kw]`,
    /// repeated over N, times the columns seen as `[N·g, (C/g)·kh·kw, L]` (the channel
    /// axis is the slowest of a column, so group γ's rows are consecutive), a product per
    /// (n, γ) giving `[N·g, O/g, L]`, which is `[N, O, L]` with output channel γ·O/g + m.
    fn forward<'t, T: Float>(
        &self,
        lay: Layout,
        weight: &Tensor<T>,
        bias: Option<&Tensor<T>>,
        params: &[Var<'t, T>],
        x: Var<'t, T>,
    ) -> Result<Var<'t, T>> {
        check_params(lay, weight, bias, params)?;
        let g = self.groups;
        Self::check_layout(lay, weight, bias, g)?;
        let own = weight.shape();
        let w = params[0];
        // c is the weight's channels per group; the layer takes c·g.
        let (o, c) = (own[0], own[1]);
        let kernel = lay.kernel(own);
        let takes = || {
            if g == 1 {
                format!("weight {own:?} ({}) takes {c}", w.node())
            } else {
                format!("weight {own:?} ({}) with groups {g} takes {c}·{g} = {}", w.node(), c * g)
            }
        };
        // Zero padding the same at both ends is the window's own; any other is added to the
        // input first (a `pad` for zeros, a `gather` for the other modes).
        let unpadded = self.window(lay, kernel, [0, 0]);
        let input = lay.input(x, &unpadded, Some((c * g, &takes)))?;
        let pads = self.pads(lay, &unpadded)?;
        let (x, win) = if pads.iter().all(|&[b, a]| b == a && (b == 0 || self.mode == PaddingMode::Zeros)) {
            (x, self.window(lay, kernel, [pads[0][0], pads[1][0]]))
        } else {
            (self.pad_input(lay, x, input, pads, &unpadded)?, unpadded)
        };
        let (dims, (oh, ow)) = lay.check(x, &win, Some((c * g, &takes)))?;
        let cols = columns(x, dims, &win, PadFill::Zero)?;
        let k = c * kernel[0] * kernel[1];
        let y = if g == 1 {
            let w2 = w.try_reshape(&[o, k])?;
            match params.get(1) {
                Some(&b) => w2.try_matmul_add(cols, b.try_reshape(&[o, 1])?)?,
                None => w2.try_matmul(cols)?,
            }
        } else {
            // The columns as [N·g, (C/g)·kh·kw, L], one view, and the weight broadcast to
            // [N·g, O/g, (C/g)·kh·kw] (N copies of the weight, small beside the columns):
            // a 3-d product of equal batches is one node, where 4-d operands would add a
            // second view of the columns, and with it a pass over their gradient.
            let n = dims[0];
            let cols = cols.try_reshape(&[n * g, k, oh * ow])?;
            let wb = w
                .try_reshape(&[1, g, o / g, k])?
                .try_broadcast_to(&[n, g, o / g, k])?
                .try_reshape(&[n * g, o / g, k])?;
            let y = wb.try_matmul(cols)?.try_reshape(&[n, o, oh * ow])?;
            match params.get(1) {
                Some(&b) => y.try_add(b.try_reshape(&[o, 1])?)?,
                None => y,
            }
        };
        y.try_reshape(&lay.out_shape(x, dims[0], o, (oh, ow)))
    }

    /// The window of a kernel `kernel` with symmetric zero padding `padding`.
    fn window(&self, lay: Layout, kernel: [usize; 2], padding: [usize; 2]) -> Window {
        lay.window(kernel, self.stride, padding, self.dilation)
    }

    /// The padding [before, after] of each axis (height, width) for the window `win`
    /// (unpadded, checked positive): the layer's padding at both ends, or for `'same'`
    /// d·(k − 1) split as PyTorch splits it, which needs stride 1.
    fn pads(&self, lay: Layout, win: &Window) -> Result<[[usize; 2]; 2]> {
        if !self.same {
            let p = lay.per_axis(self.padding, 0);
            return Ok([[p[0], p[0]], [p[1], p[1]]]);
        }
        if win.stride != [1, 1] {
            return Err(lay.bad(format!("padding 'same' needs stride 1, got {}", lay.size(win.stride))));
        }
        Ok([0, 1].map(|a| {
            let total = win.span(a) - 1;
            [total / 2, total - total / 2]
        }))
    }

    /// `x` (`[N, C, H, W]` = `dims`, or `[N, C, L]`) padded by `pads` in the layer's mode:
    /// one `pad` (zeros) or `gather` (the others) per padded axis. Checks first, recording
    /// nothing on error, that the mode's limits hold and that the padded input holds the
    /// window `win`.
    fn pad_input<'t, T: Float>(
        &self,
        lay: Layout,
        x: Var<'t, T>,
        dims: [usize; 4],
        pads: [[usize; 2]; 2],
        win: &Window,
    ) -> Result<Var<'t, T>> {
        let shape = x.shape();
        let described = || {
            let each = |[b, a]: [usize; 2]| format!("{b} before and {a} after");
            let how = if lay.spatial == 1 {
                each(pads[1])
            } else {
                format!("{} along the height and {} along the width", each(pads[0]), each(pads[1]))
            };
            format!("{} padding ({how}) of input {:?} ({})", self.mode, &shape[..], x.node())
        };
        let mut padded = [0; 2];
        for a in 0..2 {
            let n = dims[2 + a];
            let [b, e] = pads[a];
            let Some(m) =
                n.checked_add(b).and_then(|m| m.checked_add(e)).filter(|&m| m <= isize::MAX as usize / 16)
            else {
                return Err(lay.bad(format!("the {} is too large", described())));
            };
            if let Some(need) = self.mode.misfit(b.max(e), n) {
                let axis = if lay.spatial == 1 { "the length" } else { ["the height", "the width"][a] };
                return Err(lay.bad(format!("the {} {need} ({axis})", described())));
            }
            padded[a] = m;
        }
        if padded[0] < win.span(0) || padded[1] < win.span(1) {
            let per = if lay.spatial == 1 {
                format!("has length {}", padded[1])
            } else {
                format!("is {} × {}", padded[0], padded[1])
            };
            return Err(lay.bad(format!(
                "the input after the {} {per} per channel, smaller than the kernel {} (dilation {}: it spans {})",
                described(),
                lay.size(win.kernel),
                lay.size(win.dilation),
                lay.size([win.span(0), win.span(1)])
            )));
        }
        let mut x = x;
        let rank = shape.len();
        for a in (2 - lay.spatial)..2 {
            let [b, e] = pads[a];
            if b == 0 && e == 0 {
                continue;
            }
            let axis = rank - 2 + a;
            let n = dims[2 + a];
            x = if self.mode == PaddingMode::Zeros {
                x.try_pad(axis as isize, b, padded[a])?
            } else {
                let map: Vec<usize> =
                    (0..padded[a]).map(|j| self.mode.source(j as isize - b as isize, n)).collect();
                take_along(x, axis, &map)?
            };
        }
        Ok(x)
    }
}

/// An error unless `params` are the bound weight and (if the layer has one) bias, of the
/// layer's shapes.
fn check_params<T: Float>(
    lay: Layout,
    weight: &Tensor<T>,
    bias: Option<&Tensor<T>>,
    params: &[Var<'_, T>],
) -> Result<()> {
    let want = 1 + bias.is_some() as usize;
    if params.len() != want {
        return Err(lay.bad(format!("{} parameter variables given, the layer has {want}", params.len())));
    }
    for (what, p, own) in [("weight", params[0], weight.shape())]
        .into_iter()
        .chain(params.get(1).zip(bias).map(|(&p, b)| ("bias", p, b.shape())))
    {
        if p.shape()[..] != *own {
            return Err(unbound(lay.op, what, p, own));
        }
    }
    Ok(())
}

/// `x` with axis `axis` replaced by `map.len()` positions, position j reading `x`'s element
/// `map[j]` along that axis: one [`Var::gather`] (its backward rule adds the gradient of
/// every copy into its source).
fn take_along<'t, T: Float>(x: Var<'t, T>, axis: usize, map: &[usize]) -> Result<Var<'t, T>> {
    let mut out = x.shape().to_vec();
    out[axis] = map.len();
    let outer: usize = out[..axis].iter().product();
    let inner: usize = out[axis + 1..].iter().product();
    let mut index = Vec::with_capacity(outer * map.len() * inner);
    for _ in 0..outer {
        for &src in map {
            index.extend(std::iter::repeat_n(src, inner));
        }
    }
    x.try_gather(axis as isize, &out, &index)
}

const CONV2D: Layout = Layout { op: "Conv2d", spatial: 2 };
const CONV1D: Layout = Layout { op: "Conv1d", spatial: 1 };

/// A 2-d convolution (cross-correlation, as every deep-learning library's), as
/// `torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation,
/// groups, bias=...)`: input `[N, C, H, W]`, output `[N, O, OH, OW]` with
/// OH = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1 (and OW likewise),
///
/// ```text
/// out[n, o, i, j] = bias[o] + Σ_{c, a, b} weight[o, c, a, b] · x[n, γ·C/g + c, i·s₀ − p₀ + a·d₀, j·s₁ − p₁ + b·d₁]
/// ```
///
/// the input taken as 0 outside (zero padding; p₀, p₁ the padding before; other modes read
/// the input as [`PaddingMode`] says), with g the number of groups and
/// γ = ⌊o / (O/g)⌋ the group of output channel o. With g = 1 (the default, [`Conv2d::new`])
/// every output channel sees every input channel; with g groups
/// ([`Conv2d::new_grouped`], [`Conv2d::from_tensors_grouped`], PyTorch's `groups=g`) the
/// channels split into g consecutive blocks, output block γ seeing input block γ only;
/// g = C is a depthwise convolution. Parameters, in PyTorch's state-dict order: `weight`
/// `[O, C/g, kh, kw]` (PyTorch's layout, so weights move between the two unchanged) and
/// `bias` `[O]` (optional).
///
/// Written as one gather of the input's windows and one batched matrix product (see the
/// [module documentation](self)), so its gradients are the tape's.
///
/// The padding is a number per axis ([`Conv2d::padding`]) or PyTorch's `'same'`
/// ([`Conv2d::padding_same`]), filled with zeros or as [`PaddingMode`] says
/// ([`Conv2d::padding_mode`]: reflect, replicate, circular). Zero padding equal at both
/// ends is the window's own; any other is one `pad` or `gather` of the input per padded
/// axis before the windows are taken. An unbatched input `[C, H, W]` (one sample) gives
/// `[O, OH, OW]`, as in PyTorch.
///
/// ```
/// use rand::{rngs::StdRng, SeedableRng};
/// use wengert_nn::{Conv2d, Init, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let mut rng = StdRng::seed_from_u64(0);
/// let conv = Conv2d::<f64>::new(3, 8, (3, 3), Init::TorchDefault, &mut rng).padding(1).stride(2);
/// assert_eq!(conv.weight.shape(), [8, 3, 3, 3]);
/// let names: Vec<String> = conv.state_dict().keys().cloned().collect();
/// assert_eq!(names, ["weight", "bias"]);
///
/// let tape = Tape::new();
/// let p = conv.bind(&tape);
/// let x = tape.var(&Tensor::ones(&[2, 3, 5, 6]));
/// let y = conv.forward(&p, x)?; // OH = ⌊(5 + 2 − 2 − 1)/2⌋ + 1 = 3, OW = ⌊(6 + 2 − 2 − 1)/2⌋ + 1 = 3
/// assert_eq!(y.shape().as_slice(), [2, 8, 3, 3]);
///
/// // A 1×1 kernel of ones sums the channels.
/// let sum = Conv2d::from_tensors(Tensor::ones(&[1, 3, 1, 1]), None)?;
/// let x = tape.var(&Tensor::from_fn(&[1, 3, 1, 2], |i| i as f64));
/// let y = sum.forward_with(&[tape.var(&sum.weight)], x)?;
/// assert_eq!(y.value().data(), [0.0 + 2.0 + 4.0, 1.0 + 3.0 + 5.0]);
///
/// // Depthwise: 3 groups of one channel, weight [3, 1, 1, 1]; each channel scaled alone.
/// let scale = Conv2d::from_tensors_grouped(Tensor::new(&[3, 1, 1, 1], vec![1.0, 10.0, 100.0])?, None, 3)?;
/// assert_eq!(scale.in_channels(), 3);
/// let y = scale.forward_with(&[tape.var(&scale.weight)], x)?;
/// assert_eq!(y.value().data(), [0.0, 1.0, 20.0, 30.0, 400.0, 500.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// From [`Module::forward`], an `InvalidArgument` naming `Conv2d` and the shapes, before
/// anything is recorded, for an input that is not 4-d
/// (`Conv2d: expected a 4-d input [N, C, H, W] or 3-d [C, H, W], got 2-d input [5, 6] (v2)`),
/// whose channel dimension (1, or 0 unbatched) is not the layer's C, the weight's dimension 1 times the groups
/// (`Conv2d: input [2, 4, 5, 6] (v2) has 4 channels (dimension 1), but weight [8, 3, 3, 3] (v0) takes 3`,
/// `... but weight [6, 2, 3, 3] (v0) with groups 2 takes 2·2 = 4`),
/// or too small for the kernel
/// (`Conv2d: input [1, 3, 2, 6] (v2) padded by (0, 0) is 2 × 6 per channel, smaller than the kernel (3, 3) ...`);
/// for a padding beyond its mode's limit
/// (`Conv2d: the reflect padding (… 3 before and 3 after along the width) of input [1, 2, 5, 3] (v2) must be less than the input's size 3 along it (the width)`)
/// or `'same'` with a stride other than 1 (`Conv2d: padding 'same' needs stride 1, got (1, 2)`);
/// for a kernel, stride or dilation of 0, a weight or bias of another layout (or a weight
/// whose O the groups no longer divide), and bound parameters that are not this layer's.
/// The constructors with groups refuse, as PyTorch's, a number of groups that is 0 or does
/// not divide the channel counts.
#[derive(Clone, Debug)]
pub struct Conv2d<T: Float = f64> {
    /// Weight, `[O, C/groups, kh, kw]` (as PyTorch's).
    pub weight: Tensor<T>,
    /// Bias, `[O]`, or `None` (PyTorch's `bias=False`).
    pub bias: Option<Tensor<T>>,
    core: ConvCore,
}

impl<T: Float> Conv2d<T> {
    /// A convolution from `in_channels` to `out_channels` with a `kernel_size` kernel
    /// (`3` or `(3, 2)`), stride 1, no padding, dilation 1, with a bias. The weight is drawn
    /// from `init` with fan_in = C·kh·kw and fan_out = O·kh·kw (PyTorch's fans for a
    /// convolution), then the bias as [`crate::Linear::new`] draws it:
    /// [`Init::TorchDefault`] gives PyTorch's default, U(±1/√fan_in) for both (its
    /// `kaiming_uniform_(a=√5)`). [`Conv2d::new_grouped`] builds a grouped convolution.
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel_size: impl Size2,
        init: Init,
        rng: &mut impl Rng,
    ) -> Self {
        Self::new_grouped(in_channels, out_channels, kernel_size, 1, init, rng)
            .expect("groups = 1 divides any count")
    }

    /// A grouped convolution, as `torch.nn.Conv2d(in_channels, out_channels, kernel_size,
    /// groups=groups)`: the channels split into `groups` blocks, each output block seeing
    /// its input block only (`groups = in_channels` is a depthwise convolution). Stride 1,
    /// no padding, dilation 1, with a bias; the weight `[O, C/groups, kh, kw]` is drawn from
    /// `init` with PyTorch's fans for it, fan_in = (C/groups)·kh·kw and fan_out = O·kh·kw,
    /// then the bias as [`Conv2d::new`] draws it ([`Init::TorchDefault`]: U(±1/√fan_in) for
    /// both). `new_grouped(c, o, k, 1, init, rng)` is `new(c, o, k, init, rng)`.
    ///
    /// ```
    /// use rand::{rngs::StdRng, SeedableRng};
    /// use wengert_nn::{Conv2d, Init};
    ///
    /// let mut rng = StdRng::seed_from_u64(0);
    /// let depthwise = Conv2d::<f64>::new_grouped(4, 8, 3, 4, Init::TorchDefault, &mut rng)?;
    /// assert_eq!(depthwise.weight.shape(), [8, 1, 3, 3]);
    /// assert_eq!((depthwise.in_channels(), depthwise.groups()), (4, 4));
    /// let e = Conv2d::<f64>::new_grouped(4, 6, 3, 4, Init::TorchDefault, &mut rng).unwrap_err();
    /// assert_eq!(e.to_string(), "Conv2d: out_channels 6 must be divisible by groups 4");
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    ///
    /// # Errors
    /// `InvalidArgument` naming `Conv2d` and the numbers, where PyTorch refuses: `groups`
    /// of 0 (`Conv2d: groups must be positive, got 0`), or `in_channels` or `out_channels`
    /// not divisible by it (`Conv2d: in_channels 5 must be divisible by groups 2`).
    pub fn new_grouped(
        in_channels: usize,
        out_channels: usize,
        kernel_size: impl Size2,
        groups: usize,
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let core = ConvCore::grouped(CONV2D, in_channels, out_channels, groups)?;
        let (kh, kw) = kernel_size.pair();
        let cg = in_channels / groups;
        let (fan_in, fan_out) = (cg * kh * kw, out_channels * kh * kw);
        let weight = init.tensor(&[out_channels, cg, kh, kw], fan_in, fan_out, rng);
        let bias = init.for_bias().tensor(&[out_channels], fan_in, fan_out, rng);
        Ok(Conv2d { weight, bias: Some(bias), core })
    }

    /// A convolution from given tensors: weight `[O, C, kh, kw]`, bias `[O]`.
    ///
    /// # Errors
    /// `InvalidArgument` for tensors of other shapes.
    pub fn from_tensors(weight: Tensor<T>, bias: Option<Tensor<T>>) -> Result<Self> {
        Self::from_tensors_grouped(weight, bias, 1)
    }

    /// A grouped convolution from given tensors in PyTorch's layout: weight
    /// `[O, C/groups, kh, kw]`, bias `[O]`; the layer takes C = (the weight's dimension 1)
    /// · `groups` channels, as a PyTorch layer built with `groups=groups` whose state dict
    /// holds these tensors. `from_tensors_grouped(w, b, 1)` is `from_tensors(w, b)`.
    ///
    /// # Errors
    /// `InvalidArgument` naming `Conv2d` for tensors of other shapes, `groups` of 0, or a
    /// weight whose O is not divisible by `groups`
    /// (`Conv2d: out_channels 6 (weight [6, 2, 3, 3]) must be divisible by groups 4`).
    pub fn from_tensors_grouped(weight: Tensor<T>, bias: Option<Tensor<T>>, groups: usize) -> Result<Self> {
        ConvCore::check_layout(CONV2D, &weight, bias.as_ref(), groups)?;
        Ok(Conv2d { weight, bias, core: ConvCore { groups, ..ConvCore::new() } })
    }

    /// Without bias (PyTorch's `bias=False`).
    pub fn without_bias(mut self) -> Self {
        self.bias = None;
        self
    }

    /// Sets the stride (`2` or `(2, 1)`; default 1).
    pub fn stride(mut self, stride: impl Size2) -> Self {
        self.core.stride = stride.pair().into();
        self
    }

    /// Sets the padding added at both ends of each axis (`1` or `(1, 0)`; default 0),
    /// filled as [`Conv2d::padding_mode`] says (zeros by default). Replaces
    /// [`Conv2d::padding_same`]; `padding(0)` is PyTorch's `padding='valid'`.
    pub fn padding(mut self, padding: impl Size2) -> Self {
        self.core.padding = padding.pair().into();
        self.core.same = false;
        self
    }

    /// PyTorch's `padding='same'`: the output as large as the input. Each axis is padded
    /// by d·(k − 1) in all (d its dilation, k its kernel size), ⌊d·(k − 1)/2⌋ before and
    /// the rest after (one more after for an even kernel), as PyTorch splits it. Needs
    /// stride 1: the forward pass refuses another. Replaces [`Conv2d::padding`].
    ///
    /// ```
    /// use rand::{rngs::StdRng, SeedableRng};
    /// use wengert_nn::{Conv2d, Init, Module, PaddingMode};
    /// use wengert_tape::{Tape, Tensor};
    ///
    /// let mut rng = StdRng::seed_from_u64(0);
    /// let conv = Conv2d::<f64>::new(3, 4, (4, 3), Init::TorchDefault, &mut rng)
    ///     .padding_same()
    ///     .padding_mode(PaddingMode::Reflect);
    /// let tape = Tape::new();
    /// let x = tape.var(&Tensor::ones(&[2, 3, 7, 5]));
    /// assert_eq!(conv.forward(&conv.bind(&tape), x)?.shape().as_slice(), [2, 4, 7, 5]);
    ///
    /// let p = conv.bind(&tape);
    /// let e = conv.stride(2).forward(&p, x).unwrap_err();
    /// assert_eq!(e.to_string(), "Conv2d: padding 'same' needs stride 1, got (2, 2)");
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    pub fn padding_same(mut self) -> Self {
        self.core.same = true;
        self
    }

    /// Sets what the padding reads (PyTorch's `padding_mode`): [`PaddingMode::Zeros`] (the
    /// default), [`PaddingMode::Reflect`], [`PaddingMode::Replicate`] or
    /// [`PaddingMode::Circular`]. Reflect needs each padding less than the input's size
    /// along its axis, circular at most that size (PyTorch's limits); the forward pass
    /// refuses a larger one.
    pub fn padding_mode(mut self, mode: PaddingMode) -> Self {
        self.core.mode = mode;
        self
    }

    /// Sets the dilation, the spacing of the kernel's taps (`2` or `(1, 2)`; default 1).
    pub fn dilation(mut self, dilation: impl Size2) -> Self {
        self.core.dilation = dilation.pair().into();
        self
    }

    /// The number of input channels C: the weight's dimension 1 times the groups.
    ///
    /// # Panics
    /// If `weight` was assigned a tensor that is not 4-d.
    pub fn in_channels(&self) -> usize {
        self.weight.shape()[1] * self.core.groups
    }

    /// The number of groups g (1 unless built by [`Conv2d::new_grouped`] or
    /// [`Conv2d::from_tensors_grouped`]).
    pub fn groups(&self) -> usize {
        self.core.groups
    }

    /// The number of output channels O.
    ///
    /// # Panics
    /// If `weight` was assigned a tensor that is not 4-d.
    pub fn out_channels(&self) -> usize {
        self.weight.shape()[0]
    }

    /// The kernel size (kh, kw).
    ///
    /// # Panics
    /// If `weight` was assigned a tensor that is not 4-d.
    pub fn kernel_size(&self) -> (usize, usize) {
        (self.weight.shape()[2], self.weight.shape()[3])
    }
}

/// The `Module` impl of a convolution: its weight and optional bias, and [`ConvCore`]'s
/// forward pass with the layout `$layout`.
macro_rules! conv_module {
    ($name:ident, $layout:expr) => {
        impl<T: Float> Module<T> for $name<T> {
            fn visit_params<'a>(&'a self, prefix: &str, f: &mut dyn FnMut(String, &'a Tensor<T>)) {
                visit_affine(Some(&self.weight), self.bias.as_ref(), prefix, f);
            }

            fn visit_params_mut<'a>(
                &'a mut self,
                prefix: &str,
                f: &mut dyn FnMut(String, &'a mut Tensor<T>),
            ) {
                visit_affine(Some(&mut self.weight), self.bias.as_mut(), prefix, f);
            }

            fn num_tensors(&self) -> usize {
                1 + self.bias.is_some() as usize
            }

            #[track_caller]
            fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
                self.core.forward($layout, &self.weight, self.bias.as_ref(), params, x)
            }
        }
    };
}

conv_module!(Conv2d, CONV2D);

/// A 1-d convolution, as `torch.nn.Conv1d(in_channels, out_channels, kernel_size, stride,
/// padding, dilation, groups, bias=...)`: input `[N, C, L]`, output `[N, O, OL]` with
/// OL = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1. Parameters `weight`
/// `[O, C/groups, k]` and `bias` `[O]` (optional), as PyTorch's; groups as [`Conv2d`]'s
/// ([`Conv1d::new_grouped`], [`Conv1d::from_tensors_grouped`]).
///
/// It is [`Conv2d`]'s computation (the same code) on the input seen as `[N, C, 1, L]` with a
/// kernel of height 1, with the same paddings (a number, or `'same'`; in any
/// [`PaddingMode`]), unbatched input (`[C, L]` gives `[O, OL]`) and errors, naming
/// `Conv1d`.
///
/// ```
/// use wengert_nn::{Conv1d, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// // A difference filter [−1, 1] over one channel, padded by 1.
/// let diff = Conv1d::from_tensors(Tensor::new(&[1, 1, 2], vec![-1.0, 1.0])?, None)?.padding(1);
/// let tape = Tape::new();
/// let p = diff.bind(&tape);
/// let y = diff.forward(&p, tape.var(&Tensor::new(&[1, 1, 3], vec![1.0, 4.0, 9.0])?))?;
/// assert_eq!(y.value().data(), [1.0, 3.0, 5.0, -9.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// As [`Conv2d`]'s: `Conv1d: expected a 3-d input [N, C, L] or 2-d [C, L], got ...`, a channel count
/// other than the layer's (the weight's dimension 1 times the groups), an input shorter
/// than the dilated kernel after padding, a kernel, stride or dilation of 0, parameters of
/// another layout or bound from another layer.
#[derive(Clone, Debug)]
pub struct Conv1d<T: Float = f64> {
    /// Weight, `[O, C/groups, k]` (as PyTorch's).
    pub weight: Tensor<T>,
    /// Bias, `[O]`, or `None` (PyTorch's `bias=False`).
    pub bias: Option<Tensor<T>>,
    core: ConvCore,
}

impl<T: Float> Conv1d<T> {
    /// A convolution from `in_channels` to `out_channels` with a kernel of `kernel_size`,
    /// stride 1, no padding, dilation 1, with a bias; initialised as [`Conv2d::new`]
    /// (fan_in = C·k, fan_out = O·k; [`Init::TorchDefault`] is PyTorch's default).
    /// [`Conv1d::new_grouped`] builds a grouped convolution.
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel_size: usize,
        init: Init,
        rng: &mut impl Rng,
    ) -> Self {
        Self::new_grouped(in_channels, out_channels, kernel_size, 1, init, rng)
            .expect("groups = 1 divides any count")
    }

    /// A grouped convolution, as `torch.nn.Conv1d(in_channels, out_channels, kernel_size,
    /// groups=groups)`: weight `[O, C/groups, k]`, initialised as [`Conv2d::new_grouped`]
    /// (fan_in = (C/groups)·k, fan_out = O·k). `new_grouped(c, o, k, 1, init, rng)` is
    /// `new(c, o, k, init, rng)`.
    ///
    /// # Errors
    /// As [`Conv2d::new_grouped`]'s, naming `Conv1d`
    /// (`Conv1d: in_channels 3 must be divisible by groups 2`).
    pub fn new_grouped(
        in_channels: usize,
        out_channels: usize,
        kernel_size: usize,
        groups: usize,
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let core = ConvCore::grouped(CONV1D, in_channels, out_channels, groups)?;
        let cg = in_channels / groups;
        let (fan_in, fan_out) = (cg * kernel_size, out_channels * kernel_size);
        let weight = init.tensor(&[out_channels, cg, kernel_size], fan_in, fan_out, rng);
        let bias = init.for_bias().tensor(&[out_channels], fan_in, fan_out, rng);
        Ok(Conv1d { weight, bias: Some(bias), core })
    }

    /// A convolution from given tensors: weight `[O, C, k]`, bias `[O]`.
    ///
    /// # Errors
    /// `InvalidArgument` for tensors of other shapes.
    pub fn from_tensors(weight: Tensor<T>, bias: Option<Tensor<T>>) -> Result<Self> {
        Self::from_tensors_grouped(weight, bias, 1)
    }

    /// A grouped convolution from given tensors in PyTorch's layout: weight
    /// `[O, C/groups, k]`, bias `[O]`; the layer takes (the weight's dimension 1) · `groups`
    /// channels, as [`Conv2d::from_tensors_grouped`].
    ///
    /// # Errors
    /// As [`Conv2d::from_tensors_grouped`]'s, naming `Conv1d`.
    pub fn from_tensors_grouped(weight: Tensor<T>, bias: Option<Tensor<T>>, groups: usize) -> Result<Self> {
        ConvCore::check_layout(CONV1D, &weight, bias.as_ref(), groups)?;
        Ok(Conv1d { weight, bias, core: ConvCore { groups, ..ConvCore::new() } })
    }

    /// Without bias (PyTorch's `bias=False`).
    pub fn without_bias(mut self) -> Self {
        self.bias = None;
        self
    }

    /// Sets the stride (default 1).
    pub fn stride(mut self, stride: usize) -> Self {
        self.core.stride = [1, stride];
        self
    }

    /// Sets the padding added at both ends (default 0), filled as
    /// [`Conv1d::padding_mode`] says (zeros by default). Replaces [`Conv1d::padding_same`].
    pub fn padding(mut self, padding: usize) -> Self {
        self.core.padding = [0, padding];
        self.core.same = false;
        self
    }

    /// PyTorch's `padding='same'`, as [`Conv2d::padding_same`]: d·(k − 1) in all,
    /// ⌊d·(k − 1)/2⌋ before and the rest after; needs stride 1.
    pub fn padding_same(mut self) -> Self {
        self.core.same = true;
        self
    }

    /// Sets what the padding reads (PyTorch's `padding_mode`), as
    /// [`Conv2d::padding_mode`].
    pub fn padding_mode(mut self, mode: PaddingMode) -> Self {
        self.core.mode = mode;
        self
    }

    /// Sets the dilation, the spacing of the kernel's taps (default 1).
    pub fn dilation(mut self, dilation: usize) -> Self {
        self.core.dilation = [1, dilation];
        self
    }

    /// The number of input channels C: the weight's dimension 1 times the groups.
    ///
    /// # Panics
    /// If `weight` was assigned a tensor that is not 3-d.
    pub fn in_channels(&self) -> usize {
        self.weight.shape()[1] * self.core.groups
    }

    /// The number of groups g (1 unless built by [`Conv1d::new_grouped`] or
    /// [`Conv1d::from_tensors_grouped`]).
    pub fn groups(&self) -> usize {
        self.core.groups
    }

    /// The number of output channels O.
    ///
    /// # Panics
    /// If `weight` was assigned a tensor that is not 3-d.
    pub fn out_channels(&self) -> usize {
        self.weight.shape()[0]
    }

    /// The kernel size k.
    ///
    /// # Panics
    /// If `weight` was assigned a tensor that is not 3-d.
    pub fn kernel_size(&self) -> usize {
        self.weight.shape()[2]
    }
}

conv_module!(Conv1d, CONV1D);

/// What a transposed convolution has beyond its parameters: stride, padding, output
/// padding, dilation and groups. Shared by [`ConvTranspose1d`] and [`ConvTranspose2d`].
#[derive(Clone, Debug)]
struct TransposeCore {
    stride: [usize; 2],
    padding: [usize; 2],
    output_padding: [usize; 2],
    dilation: [usize; 2],
    /// Always ≥ 1 where set; checked again at each forward pass against the weight.
    groups: usize,
}

impl TransposeCore {
    fn new(groups: usize) -> Self {
        TransposeCore { stride: [1, 1], padding: [0, 0], output_padding: [0, 0], dilation: [1, 1], groups }
    }

    /// An error unless the weight is `[C, O/groups, k…]` (PyTorch's layout for a
    /// transposed convolution: input channels first) with C divisible by `groups` (≥ 1),
    /// and the bias `[O]`.
    fn check_layout<T: Float>(
        lay: Layout,
        weight: &Tensor<T>,
        bias: Option<&Tensor<T>>,
        groups: usize,
    ) -> Result<()> {
        let ws = weight.shape();
        if ws.len() != 2 + lay.spatial {
            let form = if lay.spatial == 1 { "[in, out/groups, k]" } else { "[in, out/groups, kh, kw]" };
            return Err(lay.bad(format!("weight must be {form}, got shape {ws:?}")));
        }
        ConvCore::check_groups(lay, groups)?;
        if !ws[0].is_multiple_of(groups) {
            return Err(lay
                .bad(format!("in_channels {} (weight {ws:?}) must be divisible by groups {groups}", ws[0])));
        }
        let Some(out) = ws[1].checked_mul(groups) else {
            return Err(
                lay.bad(format!("out_channels {} × groups {groups} (weight {ws:?}) overflows", ws[1]))
            );
        };
        match bias {
            Some(b) if b.shape() != [out] => {
                Err(lay.bad(format!("bias must have shape [{out}] for weight {ws:?}, got {:?}", b.shape())))
            }
            _ => Ok(()),
        }
    }

    /// The forward pass: the input's channels `[N, C, L]` (L = H·W) multiplied by the
    /// weight seen as `[C, O·kh·kw]`, transposed, gives one column `[O·kh·kw]` per input
    /// position, and [`Var::fold2d`] (col2im) adds the columns into the output image
    /// `[N, O, OH, OW]`, OH = (H − 1)·s − 2p + d·(kh − 1) + output_padding + 1: the exact
    /// transpose of [`Conv2d`]'s unfold-and-multiply. With g groups the input is
    /// `[N·g, C/g, L]` and the weight `[g, (O/g)·kh·kw, C/g]`, repeated for each sample.
    fn forward<'t, T: Float>(
        &self,
        lay: Layout,
        weight: &Tensor<T>,
        bias: Option<&Tensor<T>>,
        params: &[Var<'t, T>],
        x: Var<'t, T>,
    ) -> Result<Var<'t, T>> {
        check_params(lay, weight, bias, params)?;
        let g = self.groups;
        Self::check_layout(lay, weight, bias, g)?;
        let own = weight.shape();
        let w = params[0];
        let (c, og) = (own[0], own[1]);
        let o = og * g;
        let kernel = lay.kernel(own);
        let win = lay.window(kernel, self.stride, self.padding, self.dilation);
        let output_padding = lay.per_axis(self.output_padding, 0);
        let takes = || format!("weight {own:?} ({}) takes {c}", w.node());
        let dims = lay.input(x, &win, Some((c, &takes)))?;
        let limit = isize::MAX as usize / 16;
        let mut out = [0; 2];
        for a in 0..2 {
            let (n, s, p, op) = (dims[2 + a], win.stride[a], win.padding[a], output_padding[a]);
            if op >= s {
                return Err(lay.bad(format!(
                    "output_padding {} must be smaller than the stride {}",
                    lay.size(output_padding),
                    lay.size(win.stride)
                )));
            }
            // (n − 1)·s + d·(k − 1) + op + 1 − 2p, in checked steps.
            let full = n
                .checked_sub(1)
                .and_then(|m| m.checked_mul(s))
                .and_then(|m| m.checked_add(win.span(a)))
                .and_then(|m| m.checked_add(op))
                .filter(|&m| m <= limit && [p, win.dilation[a], win.kernel[a]].iter().all(|&v| v <= limit));
            match full.map(|f| f.checked_sub(2 * p)) {
                Some(Some(len)) if len > 0 => out[a] = len,
                _ => {
                    let shape = x.shape();
                    return Err(lay.bad(format!(
                        "input {:?} ({}) gives no output: (size − 1)·stride − 2·padding + dilation·(kernel − 1) + \
                         output_padding + 1 with stride {}, padding {}, dilation {}, kernel {}, output_padding {} is \
                         not positive",
                        &shape[..],
                        x.node(),
                        lay.size(win.stride),
                        lay.size(win.padding),
                        lay.size(win.dilation),
                        lay.size(win.kernel),
                        lay.size(output_padding)
                    )));
                }
            }
        }
        let [n, _, h, wd] = dims;
        let k = kernel[0] * kernel[1];
        let x3 = x.try_reshape(&[n, c, h * wd])?;
        let cols = if g == 1 {
            w.try_reshape(&[c, o * k])?.try_transpose()?.try_matmul(x3)?
        } else {
            let wt = w
                .try_reshape(&[g, c / g, og * k])?
                .try_transpose()?
                .try_reshape(&[1, g, og * k, c / g])?
                .try_broadcast_to(&[n, g, og * k, c / g])?
                .try_reshape(&[n * g, og * k, c / g])?;
            wt.try_matmul(x3.try_reshape(&[n * g, c / g, h * wd])?)?.try_reshape(&[n, o * k, h * wd])?
        };
        let y = cols.try_fold2d(out, win.tape_window(PadFill::Zero))?;
        let y = match params.get(1) {
            Some(&b) => y.try_add(b.try_reshape(&[o, 1, 1])?)?,
            None => y,
        };
        y.try_reshape(&lay.out_shape(x, n, o, (out[0], out[1])))
    }
}

const CONV_T2D: Layout = Layout { op: "ConvTranspose2d", spatial: 2 };
const CONV_T1D: Layout = Layout { op: "ConvTranspose1d", spatial: 1 };

/// A 2-d transposed convolution, as `torch.nn.ConvTranspose2d(in_channels, out_channels,
/// kernel_size, stride, padding, output_padding, groups, bias, dilation)`: the gradient of
/// [`Conv2d`] with respect to its input, used to upsample (decoders, U-Nets, GANs). Input
/// `[N, C, H, W]` (or unbatched `[C, H, W]`), output `[N, O, OH, OW]` with
/// OH = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1 (and OW
/// likewise),
///
/// ```text
/// out[n, γ·O/g + m, i, j] = bias[γ·O/g + m]
///     + Σ_{c, a, b : i = u·s₀ − p₀ + a·d₀, j = v·s₁ − p₁ + b·d₁} weight[γ·C/g + c, m, a, b] · x[n, γ·C/g + c, u, v]
/// ```
///
/// Parameters, in PyTorch's order and layout: `weight` `[C, O/g, kh, kw]` (input channels
/// first, unlike [`Conv2d`]) and `bias` `[O]` (optional). Each input position's channels
/// times the weight give a column of O·kh·kw values, and one [`Var::fold2d`] (col2im) adds
/// the columns into the output: the transpose of [`Conv2d`]'s construction, all tape ops,
/// so its gradients are the tape's.
///
/// Differences from PyTorch: `output_padding` must be smaller than the stride (PyTorch
/// also allows it below the dilation instead); zero padding only, as PyTorch's
/// (`padding_mode` is `'zeros'` there too); no `output_size` argument to the forward pass.
///
/// ```
/// use rand::{rngs::StdRng, SeedableRng};
/// use wengert_nn::{ConvTranspose2d, Init, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let mut rng = StdRng::seed_from_u64(0);
/// // Doubles the resolution: stride 2, kernel 3, padding 1, output_padding 1.
/// let up = ConvTranspose2d::<f64>::new(8, 4, 3, Init::TorchDefault, &mut rng).stride(2).padding(1).output_padding(1);
/// assert_eq!(up.weight.shape(), [8, 4, 3, 3]);
/// let tape = Tape::new();
/// let x = tape.var(&Tensor::ones(&[2, 8, 5, 7]));
/// assert_eq!(up.forward(&up.bind(&tape), x)?.shape().as_slice(), [2, 4, 10, 14]);
///
/// // A 2×2 kernel of ones with stride 2 copies each pixel into a 2×2 block.
/// let blocks = ConvTranspose2d::from_tensors(Tensor::ones(&[1, 1, 2, 2]), None)?.stride(2);
/// let x = tape.var(&Tensor::new(&[1, 1, 1, 2], vec![1.0, 2.0])?);
/// let y = blocks.forward_with(&[tape.var(&blocks.weight)], x)?;
/// assert_eq!(y.value().data(), [1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// From [`Module::forward`], an `InvalidArgument` naming `ConvTranspose2d` and the shapes,
/// before anything is recorded, for an input that is not 4-d or 3-d or whose channel count
/// is not the weight's dimension 0, an `output_padding` not smaller than the stride, an
/// output size that is not positive, a kernel, stride or dilation of 0, a weight or bias of
/// another layout, and bound parameters that are not this layer's. The grouped
/// constructors refuse, as PyTorch's, a number of groups that is 0 or does not divide the
/// channel counts.
#[derive(Clone, Debug)]
pub struct ConvTranspose2d<T: Float = f64> {
    /// Weight, `[C, O/groups, kh, kw]` (as PyTorch's).
    pub weight: Tensor<T>,
    /// Bias, `[O]`, or `None` (PyTorch's `bias=False`).
    pub bias: Option<Tensor<T>>,
    core: TransposeCore,
}

/// A 1-d transposed convolution, as `torch.nn.ConvTranspose1d`: [`ConvTranspose2d`]'s
/// computation on `[N, C, L]` (or unbatched `[C, L]`) seen as height 1, weight `[C, O/g, k]`,
/// output length (L − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.
///
/// ```
/// use wengert_nn::{ConvTranspose1d, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// // Each sample spread over a kernel [1, 2, 1] with stride 2: a linear upsampling.
/// let up = ConvTranspose1d::from_tensors(Tensor::new(&[1, 1, 3], vec![0.5, 1.0, 0.5])?, None)?.stride(2).padding(1);
/// let tape = Tape::new();
/// let y = up.forward_with(&[tape.var(&up.weight)], tape.var(&Tensor::new(&[1, 1, 3], vec![2.0, 4.0, 6.0])?))?;
/// assert_eq!(y.value().data(), [2.0, 3.0, 4.0, 5.0, 6.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// As [`ConvTranspose2d`]'s, naming `ConvTranspose1d`.
#[derive(Clone, Debug)]
pub struct ConvTranspose1d<T: Float = f64> {
    /// Weight, `[C, O/groups, k]` (as PyTorch's).
    pub weight: Tensor<T>,
    /// Bias, `[O]`, or `None` (PyTorch's `bias=False`).
    pub bias: Option<Tensor<T>>,
    core: TransposeCore,
}

/// The constructors and accessors of a transposed convolution `$name` with layout `$lay`,
/// kernel given as `$k` (a [`Size2`] or a length) and weight dimensions `$dims`.
macro_rules! transposed {
    ($name:ident, $lay:expr, $kty:ty, |$k:ident| $kdims:expr) => {
        impl<T: Float> $name<T> {
            /// A transposed convolution from `in_channels` to `out_channels` with a
            /// `kernel_size` kernel, stride 1, no padding, no output padding, dilation 1,
            /// with a bias, drawn from `init` with PyTorch's fans for its weight
            /// `[C, O, k…]`: fan_in = O·k (the weight's dimension 1 times the kernel's
            /// size), fan_out = C·k; [`Init::TorchDefault`] is PyTorch's default,
            /// U(±1/√fan_in) for weight and bias.
            pub fn new(
                in_channels: usize,
                out_channels: usize,
                kernel_size: $kty,
                init: Init,
                rng: &mut impl Rng,
            ) -> Self {
                Self::new_grouped(in_channels, out_channels, kernel_size, 1, init, rng)
                    .expect("groups = 1 divides any count")
            }

            /// A grouped transposed convolution (PyTorch's `groups`): weight
            /// `[C, O/groups, k…]`, fan_in = (O/groups)·k, fan_out = C·k.
            ///
            /// # Errors
            /// `InvalidArgument` naming the layer where PyTorch refuses: `groups` of 0, or
            /// `in_channels` or `out_channels` not divisible by it.
            pub fn new_grouped(
                in_channels: usize,
                out_channels: usize,
                kernel_size: $kty,
                groups: usize,
                init: Init,
                rng: &mut impl Rng,
            ) -> Result<Self> {
                ConvCore::grouped($lay, in_channels, out_channels, groups)?;
                let $k = kernel_size;
                let kdims: Vec<usize> = $kdims;
                let k: usize = kdims.iter().product();
                let og = out_channels / groups;
                let (fan_in, fan_out) = (og * k, in_channels * k);
                let shape = [&[in_channels, og][..], &kdims].concat();
                let weight = init.tensor(&shape, fan_in, fan_out, rng);
                let bias = init.for_bias().tensor(&[out_channels], fan_in, fan_out, rng);
                Ok($name { weight, bias: Some(bias), core: TransposeCore::new(groups) })
            }

            /// A transposed convolution from given tensors: weight `[C, O, k…]`, bias `[O]`.
            ///
            /// # Errors
            /// `InvalidArgument` for tensors of other shapes.
            pub fn from_tensors(weight: Tensor<T>, bias: Option<Tensor<T>>) -> Result<Self> {
                Self::from_tensors_grouped(weight, bias, 1)
            }

            /// A grouped transposed convolution from tensors in PyTorch's layout: weight
            /// `[C, O/groups, k…]`, bias `[O]`.
            ///
            /// # Errors
            /// `InvalidArgument` for tensors of other shapes, `groups` of 0, or a weight
            /// whose C is not divisible by `groups`.
            pub fn from_tensors_grouped(
                weight: Tensor<T>,
                bias: Option<Tensor<T>>,
                groups: usize,
            ) -> Result<Self> {
                TransposeCore::check_layout($lay, &weight, bias.as_ref(), groups)?;
                Ok($name { weight, bias, core: TransposeCore::new(groups) })
            }

            /// Without bias (PyTorch's `bias=False`).
            pub fn without_bias(mut self) -> Self {
                self.bias = None;
                self
            }

            /// The number of input channels C (the weight's dimension 0).
            ///
            /// # Panics
            /// If `weight` was assigned a tensor of rank 0.
            pub fn in_channels(&self) -> usize {
                self.weight.shape()[0]
            }

            /// The number of output channels O: the weight's dimension 1 times the groups.
            ///
            /// # Panics
            /// If `weight` was assigned a tensor of rank below 2.
            pub fn out_channels(&self) -> usize {
                self.weight.shape()[1] * self.core.groups
            }

            /// The number of groups g.
            pub fn groups(&self) -> usize {
                self.core.groups
            }
        }

        impl<T: Float> Module<T> for $name<T> {
            fn visit_params<'a>(&'a self, prefix: &str, f: &mut dyn FnMut(String, &'a Tensor<T>)) {
                visit_affine(Some(&self.weight), self.bias.as_ref(), prefix, f);
            }

            fn visit_params_mut<'a>(
                &'a mut self,
                prefix: &str,
                f: &mut dyn FnMut(String, &'a mut Tensor<T>),
            ) {
                visit_affine(Some(&mut self.weight), self.bias.as_mut(), prefix, f);
            }

            fn num_tensors(&self) -> usize {
                1 + self.bias.is_some() as usize
            }

            #[track_caller]
            fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
                self.core.forward($lay, &self.weight, self.bias.as_ref(), params, x)
            }
        }
    };
}

transposed!(ConvTranspose2d, CONV_T2D, impl Size2, |k| {
    let (kh, kw) = k.pair();
    vec![kh, kw]
});
transposed!(ConvTranspose1d, CONV_T1D, usize, |k| vec![k]);

impl<T: Float> ConvTranspose2d<T> {
    /// Sets the stride (`2` or `(2, 1)`; default 1): the output's spacing of the input's
    /// positions.
    pub fn stride(mut self, stride: impl Size2) -> Self {
        self.core.stride = stride.pair().into();
        self
    }

    /// Sets the padding (default 0): `dilation·(k − 1) − padding` zeros around the input
    /// of the equivalent convolution, i.e. `padding` rows and columns taken off each side
    /// of the full output.
    pub fn padding(mut self, padding: impl Size2) -> Self {
        self.core.padding = padding.pair().into();
        self
    }

    /// Sets the output padding (default 0), added to one side of the output (smaller than
    /// the stride): it picks among the output sizes a strided convolution maps to the same
    /// input size.
    pub fn output_padding(mut self, output_padding: impl Size2) -> Self {
        self.core.output_padding = output_padding.pair().into();
        self
    }

    /// Sets the dilation, the spacing of the kernel's taps (default 1).
    pub fn dilation(mut self, dilation: impl Size2) -> Self {
        self.core.dilation = dilation.pair().into();
        self
    }

    /// The kernel size (kh, kw).
    ///
    /// # Panics
    /// If `weight` was assigned a tensor that is not 4-d.
    pub fn kernel_size(&self) -> (usize, usize) {
        (self.weight.shape()[2], self.weight.shape()[3])
    }
}

impl<T: Float> ConvTranspose1d<T> {
    /// Sets the stride (default 1).
    pub fn stride(mut self, stride: usize) -> Self {
        self.core.stride = [1, stride];
        self
    }

    /// Sets the padding (default 0), as [`ConvTranspose2d::padding`].
    pub fn padding(mut self, padding: usize) -> Self {
        self.core.padding = [0, padding];
        self
    }

    /// Sets the output padding (default 0; smaller than the stride).
    pub fn output_padding(mut self, output_padding: usize) -> Self {
        self.core.output_padding = [0, output_padding];
        self
    }

    /// Sets the dilation (default 1).
    pub fn dilation(mut self, dilation: usize) -> Self {
        self.core.dilation = [1, dilation];
        self
    }

    /// The kernel size k.
    ///
    /// # Panics
    /// If `weight` was assigned a tensor that is not 3-d.
    pub fn kernel_size(&self) -> usize {
        self.weight.shape()[2]
    }
}

/// What the two pooling layers share: the window, and whether the output size rounds up.
#[derive(Clone, Debug)]
struct Pool {
    win: Window,
    /// PyTorch's `ceil_mode`: the output size rounded up, a last window reaching past the
    /// padding, as long as it starts inside the input or the leading padding.
    ceil_mode: bool,
}

/// What a pooling layer's reduction is given: the windows `[N, C, kh·kw, OH·OW]`, the
/// input's spatial size (H, W) and the output's (OH, OW).
type Windows<'t, T> = (Var<'t, T>, [usize; 2], [usize; 2]);

impl Pool {
    fn new(kernel: (usize, usize)) -> Self {
        let kernel: [usize; 2] = kernel.into();
        Pool { win: Window { kernel, stride: kernel, padding: [0, 0], dilation: [1, 1] }, ceil_mode: false }
    }

    /// The output length along axis `a` for input length `n` (which holds the window):
    /// PyTorch's `pooling_output_shape`, rounded up in ceil mode.
    fn out_len(&self, a: usize, n: usize) -> usize {
        let w = &self.win;
        let (p, s) = (w.padding[a], w.stride[a]);
        let room = n + 2 * p - w.span(a);
        if !self.ceil_mode {
            return room / s + 1;
        }
        let out = room.div_ceil(s) + 1;
        // The last window must start inside the input or the leading padding.
        if (out - 1) * s >= n + p {
            out - 1
        } else {
            out
        }
    }

    /// The windows of `x` reduced by `reduce` over the window axis, padding filled with
    /// `fill`; PyTorch's check that the padding is at most half the dilated kernel's span,
    /// dilation·(kernel − 1) + 1. In ceil mode, where the last windows reach past the
    /// padding, the input is first extended at the end of the axis by `fill` values (one
    /// `concat` with a constant).
    fn forward<'t, T: Float>(
        &self,
        op: &'static str,
        params: &[Var<'t, T>],
        x: Var<'t, T>,
        fill: PadFill,
        reduce: impl FnOnce(Windows<'t, T>) -> Result<Var<'t, T>>,
    ) -> Result<Var<'t, T>> {
        let lay = Layout { op, spatial: 2 };
        no_params(op, params)?;
        let w = &self.win;
        let span = [w.span(0), w.span(1)];
        if w.padding.iter().zip(&span).any(|(&p, &s)| p > s / 2) {
            return Err(lay.bad(format!(
                "padding {} must be at most half the kernel's span {} (kernel {}, dilation {})",
                lay.size(w.padding),
                lay.size(span),
                lay.size(w.kernel),
                lay.size(w.dilation)
            )));
        }
        let (mut dims, _) = lay.check(x, w, None)?;
        let [n, c, h, wd] = dims;
        let out = [self.out_len(0, h), self.out_len(1, wd)];
        let mut xe = x;
        for a in 0..2 {
            // What the last window needs beyond the padded input.
            let extra = ((out[a] - 1) * w.stride[a] + span[a]).saturating_sub(dims[2 + a] + 2 * w.padding[a]);
            if extra > 0 {
                let axis = xe.shape().len() - 2 + a;
                let mut shape = xe.shape().to_vec();
                shape[axis] = extra;
                let v = match fill {
                    PadFill::Zero => T::ZERO,
                    PadFill::NegInfinity => T::from_f64(f64::NEG_INFINITY),
                };
                let block = xe.tape().constant(&Tensor::full(&shape, v));
                xe = Var::try_concat(&[xe, block], axis as isize)?;
                dims[2 + a] += extra;
            }
        }
        let cols =
            columns(xe, dims, w, fill)?.try_reshape(&[n, c, w.kernel[0] * w.kernel[1], out[0] * out[1]])?;
        reduce((cols, [h, wd], out))?.try_reshape(&lay.out_shape(x, n, c, (out[0], out[1])))
    }
}

/// 2-d max pooling, as `torch.nn.MaxPool2d(kernel_size, stride=None, padding=0,
/// dilation=1)`: each output element is the maximum of its window of `[N, C, H, W]`, per
/// channel; the stride is the kernel size unless set, the padding is −∞ (it never wins) and
/// at most half the dilated kernel's span, dilation·(kernel − 1) + 1, and the output size is
/// [`Conv2d`]'s formula. No parameters. A dilated window can still fall entirely on padding
/// (kernel 2, dilation 2, padding 1 on an input of width 1): its maximum is −∞, as in
/// PyTorch.
///
/// One gather of the windows, then the tape's [`Var::max_axis`]. Its gradient goes to the
/// maximum of each window (summed where windows overlap). **Ties differ from PyTorch's**:
/// where several elements of one window are equal to its maximum, the tape's `max_axis`
/// splits the gradient evenly between them, where PyTorch sends all of it to the first
/// (in row-major order). The values are the same. [`MaxPool2d::ceil_mode`] rounds the
/// output size up, as PyTorch's `ceil_mode`. Not provided: `return_indices`. An unbatched
/// input `[C, H, W]` gives `[C, OH, OW]`, as in PyTorch.
///
/// ```
/// use wengert_nn::{MaxPool2d, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let pool = MaxPool2d::new(2);
/// let tape = Tape::<f64>::new();
/// let x = tape.var(&Tensor::from_fn(&[1, 1, 2, 4], |i| [3., 1., 0., 2., 4., 0., 5., 1.][i]));
/// let y = pool.forward_with(&[], x)?;
/// assert_eq!(y.value().data(), [4.0, 5.0]);
/// assert_eq!(y.sum().backward().wrt(x).data(), [0., 0., 0., 0., 1., 0., 1., 0.]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// `InvalidArgument` naming `MaxPool2d` and the shapes for an input that is not 4-d or 3-d, or is
/// smaller than the dilated kernel after padding, a padding above half the kernel, a
/// kernel, stride or dilation of 0, or any parameter variables.
#[derive(Clone, Debug)]
pub struct MaxPool2d {
    pool: Pool,
}

impl MaxPool2d {
    /// Max pooling over `kernel_size` windows (`2` or `(3, 2)`), stride = kernel size, no
    /// padding, dilation 1.
    pub fn new(kernel_size: impl Size2) -> Self {
        MaxPool2d { pool: Pool::new(kernel_size.pair()) }
    }

    /// Rounds the output size up (PyTorch's `ceil_mode=True`; default false): a last
    /// window may reach past the padding if it starts inside the input or the leading
    /// padding; what lies beyond is −∞, as padding is.
    pub fn ceil_mode(mut self, ceil_mode: bool) -> Self {
        self.pool.ceil_mode = ceil_mode;
        self
    }

    /// Sets the stride (default: the kernel size).
    pub fn stride(mut self, stride: impl Size2) -> Self {
        self.pool.win.stride = stride.pair().into();
        self
    }

    /// Sets the padding (−∞) on both sides of each axis, at most half the dilated kernel's
    /// span (default 0).
    pub fn padding(mut self, padding: impl Size2) -> Self {
        self.pool.win.padding = padding.pair().into();
        self
    }

    /// Sets the dilation, the spacing of the window's elements (default 1).
    pub fn dilation(mut self, dilation: impl Size2) -> Self {
        self.pool.win.dilation = dilation.pair().into();
        self
    }
}

impl<T: Float> Module<T> for MaxPool2d {
    fn visit_params<'a>(&'a self, _prefix: &str, _f: &mut dyn FnMut(String, &'a Tensor<T>)) {}
    fn visit_params_mut<'a>(&'a mut self, _prefix: &str, _f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {}
    fn num_tensors(&self) -> usize {
        0
    }

    #[track_caller]
    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        self.pool.forward("MaxPool2d", params, x, PadFill::NegInfinity, |(c, ..)| c.try_max_axis(2, false))
    }
}

/// 2-d average pooling, as `torch.nn.AvgPool2d(kernel_size, stride=None, padding=0,
/// ceil_mode=False, count_include_pad=True, divisor_override=None)`: each output element
/// is the mean of its window of `[N, C, H, W]`, per channel, the zero padding counted by
/// default (the divisor kh·kw); the stride is the kernel size unless set, the padding at
/// most half the kernel, and the output size is [`Conv2d`]'s formula (dilation 1), rounded
/// up with [`AvgPool2d::ceil_mode`]. No parameters.
///
/// One gather of the windows, then the tape's [`Var::mean_axis`]; where PyTorch's divisor
/// is not kh·kw for every window ([`AvgPool2d::count_include_pad`] false, a ceil-mode
/// window past the padding, [`AvgPool2d::divisor_override`]), [`Var::sum_axis`] divided by
/// a constant of the divisors. An unbatched input `[C, H, W]` gives `[C, OH, OW]`, as in
/// PyTorch.
///
/// ```
/// use wengert_nn::{AvgPool2d, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let pool = AvgPool2d::new((1, 2));
/// let tape = Tape::<f64>::new();
/// let x = tape.var(&Tensor::from_fn(&[1, 1, 1, 4], |i| i as f64));
/// assert_eq!(pool.forward_with(&[], x)?.value().data(), [0.5, 2.5]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// As [`MaxPool2d`]'s, naming `AvgPool2d`.
#[derive(Clone, Debug)]
pub struct AvgPool2d {
    pool: Pool,
    count_include_pad: bool,
    divisor_override: Option<usize>,
}

impl AvgPool2d {
    /// Average pooling over `kernel_size` windows (`2` or `(3, 2)`), stride = kernel size,
    /// no padding, the padding counted in each mean.
    pub fn new(kernel_size: impl Size2) -> Self {
        AvgPool2d { pool: Pool::new(kernel_size.pair()), count_include_pad: true, divisor_override: None }
    }

    /// Rounds the output size up (PyTorch's `ceil_mode=True`; default false): a last
    /// window may reach past the padding if it starts inside the input or the leading
    /// padding, and its mean divides by the part of it inside the padded input (or, without
    /// [`AvgPool2d::count_include_pad`], inside the input).
    pub fn ceil_mode(mut self, ceil_mode: bool) -> Self {
        self.pool.ceil_mode = ceil_mode;
        self
    }

    /// Whether the zero padding counts in each mean's divisor (PyTorch's
    /// `count_include_pad`; default true). With false a window's mean divides by the
    /// number of its elements inside the input.
    pub fn count_include_pad(mut self, count_include_pad: bool) -> Self {
        self.count_include_pad = count_include_pad;
        self
    }

    /// Divides every window's sum by `divisor` instead (PyTorch's `divisor_override`);
    /// the forward pass refuses 0.
    pub fn divisor_override(mut self, divisor: usize) -> Self {
        self.divisor_override = Some(divisor);
        self
    }

    /// Each window's sum over its kh·kw values (of `cols`, `[N, C, kh·kw, L]`) divided by
    /// PyTorch's divisor for it, for an input of spatial size `size` and output `out`: the
    /// override, or per axis the window's length inside the padded input
    /// (`count_include_pad`) or inside the input, multiplied. Where every divisor is kh·kw
    /// this is [`Var::mean_axis`].
    fn average<'t, T: Float>(
        &self,
        cols: Var<'t, T>,
        size: [usize; 2],
        out: [usize; 2],
    ) -> Result<Var<'t, T>> {
        let w = &self.pool.win;
        let along = |a: usize| -> Vec<usize> {
            (0..out[a])
                .map(|i| {
                    // Window i covers [start, start + k) of the input padded by p at each end.
                    let start = i * w.stride[a];
                    let end = (start + w.kernel[a]).min(size[a] + 2 * w.padding[a]);
                    if self.count_include_pad {
                        end - start
                    } else {
                        end.min(size[a] + w.padding[a]).saturating_sub(start.max(w.padding[a]))
                    }
                })
                .collect()
        };
        let (rows, columns) = (along(0), along(1));
        let divisor: Vec<usize> = match self.divisor_override {
            Some(d) => vec![d; out[0] * out[1]],
            None => rows.iter().flat_map(|&r| columns.iter().map(move |&c| r * c)).collect(),
        };
        if divisor.iter().all(|&d| d == w.kernel[0] * w.kernel[1]) {
            return cols.try_mean_axis(2, false);
        }
        // A window with no input element (none here: the padding is at most half the
        // kernel) sums to 0, and 0 is PyTorch's output for it.
        let d = Tensor::from_fn(&[divisor.len()], |i| T::from_f64(divisor[i].max(1) as f64));
        cols.try_sum_axis(2, false)?.try_div(cols.tape().constant(&d))
    }

    /// Sets the stride (default: the kernel size).
    pub fn stride(mut self, stride: impl Size2) -> Self {
        self.pool.win.stride = stride.pair().into();
        self
    }

    /// Sets the zero padding on both sides of each axis, at most half the kernel (default
    /// 0); it counts in each mean.
    pub fn padding(mut self, padding: impl Size2) -> Self {
        self.pool.win.padding = padding.pair().into();
        self
    }
}

impl<T: Float> Module<T> for AvgPool2d {
    fn visit_params<'a>(&'a self, _prefix: &str, _f: &mut dyn FnMut(String, &'a Tensor<T>)) {}
    fn visit_params_mut<'a>(&'a mut self, _prefix: &str, _f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {}
    fn num_tensors(&self) -> usize {
        0
    }

    #[track_caller]
    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        if self.divisor_override == Some(0) {
            return Err(Error::InvalidArgument {
                op: "AvgPool2d",
                msg: "divisor_override must be positive, got 0".into(),
            });
        }
        self.pool
            .forward("AvgPool2d", params, x, PadFill::Zero, |(cols, size, out)| self.average(cols, size, out))
    }
}

/// How [`Upsample`] computes a new pixel from the input's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpsampleMode {
    /// The nearest input pixel (PyTorch's `'nearest'`): output index i reads input index
    /// ⌊i·scale⌋ (at most the last), with scale = 1/scale_factor, or in/out when a size is
    /// given; computed in f32 as PyTorch computes it.
    Nearest,
    /// Bilinear interpolation of the four nearest input pixels (PyTorch's `'bilinear'`):
    /// output index i sits at input coordinate scale·(i + ½) − ½ (clamped at 0) without
    /// `align_corners`, or at i·(in − 1)/(out − 1) with it, which maps the corner pixels
    /// onto each other.
    Bilinear {
        /// PyTorch's `align_corners`.
        align_corners: bool,
    },
}

/// Resizes the spatial axes of `[N, C, H, W]` (PyTorch's `nn.Upsample`, i.e.
/// `F.interpolate` in the modes `'nearest'` and `'bilinear'`) to a given size or by a
/// scale factor, per channel. No parameters.
///
/// Nearest is one [`Var::gather`] per axis (its gradient adds up every copy of a pixel).
/// Bilinear is separable: the output is A_h · x · A_wᵀ with A_h `[OH, H]` and A_w `[OW, W]`
/// constant interpolation matrices (two weights per row), two batched products, so its
/// gradient is the transposed interpolation. With a scale factor the output size is
/// ⌊in·scale_factor⌋ and the coordinates use 1/scale_factor, as PyTorch does when it is not
/// asked to recompute the scale.
///
/// ```
/// use wengert_nn::{Module, Upsample, UpsampleMode};
/// use wengert_tape::{Tape, Tensor};
///
/// let tape = Tape::<f64>::new();
/// let x = tape.var(&Tensor::new(&[1, 1, 2, 2], vec![1.0, 2.0, 3.0, 4.0])?);
/// let near = Upsample::new(UpsampleMode::Nearest).scale_factor(2.0);
/// let y = near.forward_with(&[], x)?;
/// assert_eq!(y.shape().as_slice(), [1, 1, 4, 4]);
/// assert_eq!(&y.value().data()[..4], [1.0, 1.0, 2.0, 2.0]);
///
/// let corners = Upsample::new(UpsampleMode::Bilinear { align_corners: true }).size((3, 3));
/// let y = corners.forward_with(&[], x)?;
/// assert_eq!(y.value().data(), [1.0, 1.5, 2.0, 2.0, 2.5, 3.0, 3.0, 3.5, 4.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// `InvalidArgument` naming `Upsample`, before anything is recorded, for an input that is
/// not 4-d, neither or both of a size and a scale factor, a scale factor that is not
/// finite and positive, an output size of 0, or any parameter variables.
#[derive(Clone, Debug)]
pub struct Upsample {
    mode: UpsampleMode,
    size: Option<[usize; 2]>,
    scale_factor: Option<[f64; 2]>,
}

/// A scale factor per spatial axis: one for both (`2.0`) or a pair (`(2.0, 1.5)`).
pub trait Scale2 {
    /// The (height, width) pair.
    fn pair(self) -> (f64, f64);
}

impl Scale2 for f64 {
    fn pair(self) -> (f64, f64) {
        (self, self)
    }
}

impl Scale2 for (f64, f64) {
    fn pair(self) -> (f64, f64) {
        self
    }
}

impl Upsample {
    /// An upsampling layer of mode `mode`; give it a size ([`Upsample::size`]) or a scale
    /// factor ([`Upsample::scale_factor`]).
    pub fn new(mode: UpsampleMode) -> Self {
        Upsample { mode, size: None, scale_factor: None }
    }

    /// Sets the output's spatial size (OH, OW) (`8` or `(8, 6)`).
    pub fn size(mut self, size: impl Size2) -> Self {
        self.size = Some(size.pair().into());
        self
    }

    /// Sets the scale factor per axis (`2.0` or `(2.0, 1.5)`): the output size is
    /// ⌊in·scale_factor⌋.
    pub fn scale_factor(mut self, scale_factor: impl Scale2) -> Self {
        self.scale_factor = Some(scale_factor.pair().into());
        self
    }

    /// The output size along axis `a` for input size `n`, and the scale of the
    /// coordinates (`None`: in/out), or an error.
    fn geometry(&self, lay: Layout, a: usize, n: usize) -> Result<(usize, Option<f64>)> {
        match (self.size, self.scale_factor) {
            (Some(size), None) => Ok((size[a], None)),
            (None, Some(f)) => {
                if !(f[a] > 0.0 && f[a].is_finite()) {
                    return Err(lay.bad(format!("scale_factor must be finite and positive, got {}", f[a])));
                }
                let out = (n as f64 * f[a]).floor();
                if out > (isize::MAX as usize / 16) as f64 {
                    return Err(lay.bad(format!("scale_factor {} of size {n} is too large", f[a])));
                }
                Ok((out as usize, Some(1.0 / f[a])))
            }
            (Some(_), Some(_)) => Err(lay.bad("only one of size and scale_factor may be given".into())),
            (None, None) => Err(lay.bad("a size or a scale_factor must be given".into())),
        }
    }
}

impl<T: Float> Module<T> for Upsample {
    fn visit_params<'a>(&'a self, _prefix: &str, _f: &mut dyn FnMut(String, &'a Tensor<T>)) {}
    fn visit_params_mut<'a>(&'a mut self, _prefix: &str, _f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {}
    fn num_tensors(&self) -> usize {
        0
    }

    #[track_caller]
    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        const OP: &str = "Upsample";
        let lay = Layout { op: OP, spatial: 2 };
        no_params(OP, params)?;
        let shape = x.shape();
        if shape.len() != 4 {
            return Err(lay.bad(format!(
                "expected a 4-d input [N, C, H, W], got {}-d input {:?} ({})",
                shape.len(),
                &shape[..],
                x.node()
            )));
        }
        let geo = [self.geometry(lay, 0, shape[2])?, self.geometry(lay, 1, shape[3])?];
        if geo.iter().any(|&(out, _)| out == 0) {
            return Err(lay.bad(format!(
                "input {:?} ({}) would give an output of size {} × {}",
                &shape[..],
                x.node(),
                geo[0].0,
                geo[1].0
            )));
        }
        let mut y = x;
        match self.mode {
            UpsampleMode::Nearest => {
                for (a, &(out, scale)) in geo.iter().enumerate() {
                    let n = shape[2 + a];
                    if out == n {
                        continue;
                    }
                    let map: Vec<usize> = if out == 2 * n {
                        (0..out).map(|i| i >> 1).collect()
                    } else {
                        // PyTorch's nearest_idx, in f32.
                        let s = scale.map_or(n as f32 / out as f32, |s| s as f32);
                        (0..out).map(|i| ((i as f32 * s).floor() as usize).min(n - 1)).collect()
                    };
                    y = take_along(y, 2 + a, &map)?;
                }
            }
            UpsampleMode::Bilinear { align_corners } => {
                let matrix = |a: usize| -> Tensor<T> {
                    let (out, scale) = geo[a];
                    let n = shape[2 + a];
                    let s = if align_corners {
                        if out > 1 {
                            (n as f64 - 1.0) / (out as f64 - 1.0)
                        } else {
                            0.0
                        }
                    } else {
                        scale.unwrap_or(n as f64 / out as f64)
                    };
                    let mut m = vec![T::ZERO; out * n];
                    for i in 0..out {
                        let src =
                            if align_corners { s * i as f64 } else { (s * (i as f64 + 0.5) - 0.5).max(0.0) };
                        let i0 = (src.floor() as usize).min(n - 1);
                        let i1 = if i0 < n - 1 { i0 + 1 } else { i0 };
                        // PyTorch's guard_index_and_lambda.
                        let l1 = (src - i0 as f64).clamp(0.0, 1.0);
                        m[i * n + i0] += T::from_f64(1.0 - l1);
                        m[i * n + i1] += T::from_f64(l1);
                    }
                    Tensor::new(&[out, n], m).expect("out × n entries")
                };
                y = separable(y, &matrix(0), &matrix(1))?;
            }
        }
        Ok(y)
    }
}

/// A_h · x · A_wᵀ for x `[…, H, W]` and constant matrices A_h `[OH, H]`, A_w `[OW, W]`:
/// a linear map of the spatial axes that acts on each axis alone (interpolation,
/// adaptive averaging), two batched products.
fn separable<'t, T: Float>(x: Var<'t, T>, ah: &Tensor<T>, aw: &Tensor<T>) -> Result<Var<'t, T>> {
    let tape = x.tape();
    tape.constant(ah).try_matmul(x)?.try_matmul(tape.constant(aw).try_transpose()?)
}

/// 2-d adaptive average pooling, as `torch.nn.AdaptiveAvgPool2d(output_size)`: the output
/// `[N, C, OH, OW]` (or `[C, OH, OW]` for an unbatched input) has the given size whatever
/// the input's, output row i averaging input rows ⌊i·H/OH⌋ up to ⌈(i + 1)·H/OH⌉ (windows
/// that may overlap and differ in size), and likewise along W. `new(1)` is the global
/// average pooling of a classifier's head. No parameters.
///
/// Written as A_h · x · A_wᵀ with constant averaging matrices (each row 1/length over its
/// window), two batched products, so its gradient spreads each output's gradient evenly
/// over its window.
///
/// ```
/// use wengert_nn::{AdaptiveAvgPool2d, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let tape = Tape::<f64>::new();
/// let x = tape.var(&Tensor::from_fn(&[1, 1, 3, 4], |i| i as f64));
/// let global = AdaptiveAvgPool2d::new(1).forward_with(&[], x)?;
/// assert_eq!(global.value().data(), [5.5]);
/// // Rows {0, 1} and {1, 2}: the middle row is in both windows.
/// let y = AdaptiveAvgPool2d::new((2, 1)).forward_with(&[], x)?;
/// assert_eq!(y.value().data(), [3.5, 7.5]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// `InvalidArgument` naming `AdaptiveAvgPool2d` for an input that is not 4-d or 3-d or has
/// an empty spatial axis, an output size of 0, or any parameter variables.
#[derive(Clone, Debug)]
pub struct AdaptiveAvgPool2d {
    size: [usize; 2],
}

impl AdaptiveAvgPool2d {
    /// Adaptive average pooling to `output_size` (`1` or `(2, 3)`).
    pub fn new(output_size: impl Size2) -> Self {
        AdaptiveAvgPool2d { size: output_size.pair().into() }
    }
}

impl<T: Float> Module<T> for AdaptiveAvgPool2d {
    fn visit_params<'a>(&'a self, _prefix: &str, _f: &mut dyn FnMut(String, &'a Tensor<T>)) {}
    fn visit_params_mut<'a>(&'a mut self, _prefix: &str, _f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {}
    fn num_tensors(&self) -> usize {
        0
    }

    #[track_caller]
    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        const OP: &str = "AdaptiveAvgPool2d";
        let lay = Layout { op: OP, spatial: 2 };
        no_params(OP, params)?;
        let [_, _, h, w] = lay.dims(x, None)?;
        let input = [h, w];
        if self.size.contains(&0) || input.contains(&0) {
            let shape = x.shape();
            return Err(lay.bad(format!(
                "input {:?} ({}) to output size {}: both must be positive along each axis",
                &shape[..],
                x.node(),
                lay.size(self.size)
            )));
        }
        let matrix = |a: usize| -> Tensor<T> {
            let (n, out) = (input[a], self.size[a]);
            let mut m = vec![T::ZERO; out * n];
            for i in 0..out {
                // PyTorch's start_index and end_index.
                let (start, end) = (i * n / out, ((i + 1) * n).div_ceil(out));
                let w = T::ONE / T::from_f64((end - start) as f64);
                m[i * n + start..i * n + end].fill(w);
            }
            Tensor::new(&[out, n], m).expect("out × n entries")
        };
        separable(x, &matrix(0), &matrix(1))
    }
}

/// Flattens a range of dimensions into one, as `torch.nn.Flatten(start_dim=1,
/// end_dim=-1)`: `[N, C, H, W]` becomes `[N, C·H·W]` (a reshape, so the gradient is the
/// incoming one reshaped back). Dimensions count from 0, negative ones from the end. No
/// parameters.
///
/// ```
/// use wengert_nn::{Flatten, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let tape = Tape::<f64>::new();
/// let x = tape.var(&Tensor::zeros(&[2, 3, 4, 5]));
/// assert_eq!(Flatten::default().forward_with(&[], x)?.shape().as_slice(), [2, 60]);
/// assert_eq!(Flatten::new(0, 1).forward_with(&[], x)?.shape().as_slice(), [6, 4, 5]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// `InvalidArgument` naming `Flatten` and the input's shape for a dimension out of range,
/// a start after the end, or any parameter variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flatten {
    /// The first dimension flattened (PyTorch's `start_dim`, default 1).
    pub start_dim: isize,
    /// The last dimension flattened (PyTorch's `end_dim`, default −1).
    pub end_dim: isize,
}

impl Flatten {
    /// Flattens dimensions `start_dim..=end_dim`.
    pub fn new(start_dim: isize, end_dim: isize) -> Self {
        Flatten { start_dim, end_dim }
    }
}

impl Default for Flatten {
    /// `Flatten::new(1, -1)`, PyTorch's default: everything but the batch dimension.
    fn default() -> Self {
        Flatten::new(1, -1)
    }
}

impl<T: Float> Module<T> for Flatten {
    fn visit_params<'a>(&'a self, _prefix: &str, _f: &mut dyn FnMut(String, &'a Tensor<T>)) {}
    fn visit_params_mut<'a>(&'a mut self, _prefix: &str, _f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {}
    fn num_tensors(&self) -> usize {
        0
    }

    #[track_caller]
    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        let bad = |msg: String| Error::InvalidArgument { op: "Flatten", msg };
        no_params("Flatten", params)?;
        let shape = x.shape();
        // PyTorch takes a 0-d tensor as 1-d here.
        let rank = shape.len().max(1) as isize;
        let resolve = |d: isize| {
            let r = if d < 0 { d + rank } else { d };
            (0..rank).contains(&r).then_some(r as usize)
        };
        let (Some(s), Some(e)) = (resolve(self.start_dim), resolve(self.end_dim)) else {
            return Err(bad(format!(
                "dimensions {}..={} out of range for input {:?} ({}) of rank {}",
                self.start_dim,
                self.end_dim,
                &shape[..],
                x.node(),
                shape.len()
            )));
        };
        if s > e {
            return Err(bad(format!(
                "start_dim {} comes after end_dim {} for input {:?} ({})",
                self.start_dim,
                self.end_dim,
                &shape[..],
                x.node()
            )));
        }
        if shape.is_empty() {
            return x.try_reshape(&[1]);
        }
        let mut out: Vec<usize> = shape[..s].to_vec();
        out.push(shape[s..=e].iter().product());
        out.extend_from_slice(&shape[e + 1..]);
        x.try_reshape(&out)
    }
}

/// Batch normalization over the channels of `[N, C, H, W]` inputs, as
/// `torch.nn.BatchNorm2d(C)`: [`BatchNorm1d`] on the input seen as `[N, C, H·W]` (the same
/// code, so the same statistics: the mean and biased variance of the N·H·W values of each
/// channel in training, the running ones in evaluation), reshaped back.
///
/// Parameters `weight` γ and `bias` β `[C]`, buffers `running_mean`, `running_var`,
/// `num_batches_tracked`, named and ordered as PyTorch's; the options (`eps`, `momentum`,
/// `without_affine`, `without_running_stats`) and the running statistics are
/// [`BatchNorm1d`]'s, through [`BatchNorm2d::inner`] and [`BatchNorm2d::inner_mut`].
///
/// ```
/// use wengert_nn::{BatchNorm2d, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let bn = BatchNorm2d::<f64>::new(2);
/// let names: Vec<String> = bn.state_dict().keys().cloned().collect();
/// assert_eq!(names, ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
/// let tape = Tape::new();
/// let x = tape.var(&Tensor::from_fn(&[2, 2, 2, 2], |i| (i * i) as f64));
/// let y = bn.forward(&bn.bind(&tape), x)?;
/// assert_eq!(y.shape().as_slice(), [2, 2, 2, 2]);
/// assert_eq!(bn.inner().num_batches_tracked(), Some(1.0));
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// `InvalidArgument` naming `BatchNorm2d` and the shapes for an input that is not 4-d or
/// whose dimension 1 is not C, for fewer than two values per channel in training, and
/// [`BatchNorm1d`]'s other errors (bad ε or momentum, parameters bound from another layer),
/// named `BatchNorm2d`. On an error the running statistics are unchanged, and nothing is
/// recorded, except for [`BatchNorm1d`]'s own checks, which come after the input's reshape
/// to `[N, C, H·W]` (one view node).
#[derive(Clone, Debug)]
pub struct BatchNorm2d<T: Float = f64> {
    inner: BatchNorm1d<T>,
}

impl<T: Float> BatchNorm2d<T> {
    /// Normalization of `num_features` channels, with PyTorch's defaults (γ = 1, β = 0,
    /// ε = 1e−5, momentum 0.1, running statistics tracked, training mode).
    pub fn new(num_features: usize) -> Self {
        BatchNorm2d { inner: BatchNorm1d::new(num_features) }
    }

    /// From a [`BatchNorm1d`] with the options wanted (`BatchNorm1d::new(c).eps(1e-3)`):
    /// the same parameters, buffers and options, for 4-d inputs.
    pub fn from_1d(inner: BatchNorm1d<T>) -> Self {
        BatchNorm2d { inner }
    }

    /// The [`BatchNorm1d`] that does the work: its parameters (`weight`, `bias`), options
    /// and running statistics.
    pub fn inner(&self) -> &BatchNorm1d<T> {
        &self.inner
    }

    /// The [`BatchNorm1d`] that does the work, mutably.
    pub fn inner_mut(&mut self) -> &mut BatchNorm1d<T> {
        &mut self.inner
    }

    /// The number of channels C.
    pub fn num_features(&self) -> usize {
        self.inner.num_features()
    }
}

impl<T: Float> Module<T> for BatchNorm2d<T> {
    fn visit_params<'a>(&'a self, prefix: &str, f: &mut dyn FnMut(String, &'a Tensor<T>)) {
        self.inner.visit_params(prefix, f);
    }

    fn visit_params_mut<'a>(&'a mut self, prefix: &str, f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {
        self.inner.visit_params_mut(prefix, f);
    }

    fn visit_buffers(&self, prefix: &str, f: &mut dyn FnMut(String, &Tensor<T>)) {
        self.inner.visit_buffers(prefix, f);
    }

    fn visit_buffers_mut(&mut self, prefix: &str, f: &mut dyn FnMut(String, &mut Tensor<T>)) {
        self.inner.visit_buffers_mut(prefix, f);
    }

    fn num_tensors(&self) -> usize {
        Module::<T>::num_tensors(&self.inner)
    }

    fn set_training(&mut self, training: bool) {
        Module::<T>::set_training(&mut self.inner, training);
    }

    #[track_caller]
    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        let bad = |msg: String| Error::InvalidArgument { op: "BatchNorm2d", msg };
        let shape = x.shape();
        if shape.len() != 4 {
            return Err(bad(format!(
                "expected a 4-d input [N, C, H, W], got {}-d input {:?} ({})",
                shape.len(),
                &shape[..],
                x.node()
            )));
        }
        let c = self.inner.num_features();
        if shape[1] != c {
            return Err(bad(format!(
                "input {:?} ({}) has {} channels (dimension 1), the layer has {c}",
                &shape[..],
                x.node(),
                shape[1]
            )));
        }
        let n = shape[0] * shape[2] * shape[3];
        let batch_stats = self.inner.is_training() || self.inner.num_batches_tracked().is_none();
        if batch_stats && n < 2 {
            return Err(bad(format!(
                "Expected more than 1 value per channel when training, got input {:?} ({}): {n} value{} per \
                 channel",
                &shape[..],
                x.node(),
                if n == 1 { "" } else { "s" }
            )));
        }
        let x3 = x.try_reshape(&[shape[0], c, shape[2] * shape[3]])?;
        let y = self.inner.forward_with(params, x3).map_err(|e| match e {
            Error::InvalidArgument { op: "BatchNorm1d", msg } => bad(msg),
            e => e,
        })?;
        y.try_reshape(&shape)
    }
}
