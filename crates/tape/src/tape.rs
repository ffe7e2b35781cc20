//! The tape: an append-only Wengert list of nodes over one flat value buffer.
//!
//! # Layout
//! Each [`Node`] is 24 bytes: an op code, a requires-grad flag, two parent indices, the
//! offset of its slot in the flat `values` buffer, an index into a shape table, one
//! auxiliary index (op constants, axes, index lists) and a view flag. A scalar value is one
//! element of `values`, so recording a scalar op pushes 24 + 8 bytes (f64) and allocates
//! nothing once the buffers have grown. The reverse sweep walks `nodes` backwards with an
//! adjoint buffer laid out exactly like `values`: a node's adjoint is at its slot
//! ([`Node::adj`]). So is its value ([`Node::val`]), except for a view ([`VIEW`]: a reshape
//! or a one-block slice), whose value is a run of its input's, read in place.
//!
//! # Borrow discipline
//! Many `Copy` handles ([`Var`]) share one tape, so the tape lives in a
//! [`TapeCell`]: a `RefCell` with a check-only path for recording
//! scalars. Never hold a borrow of it while calling anything that records: copy what you
//! need out of the node first, drop the borrow, then record (a borrow held while recording
//! panics, as with `RefCell`). Every public method here borrows for the duration of one op
//! only.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use smallvec::SmallVec;

use crate::cell::TapeCell;
use crate::error::{Error, Result};
use crate::float::Float;
use crate::ops::Op;
use crate::shape::{numel, Shape};
use crate::tensor::Tensor;
use crate::var::Var;

/// Index of the scalar shape `[]` in every tape's shape table.
pub(crate) const SCALAR: u32 = 0;

const HOOK_LOCATIONS: u8 = 1;
const HOOK_ANOMALY: u8 = 2;

/// The parents of a scalar node recorded by [`Tape::push_scalar`], whose values its value
/// is computed from.
#[derive(Clone, Copy)]
pub(crate) enum Parents {
    /// A leaf.
    None,
    /// `x ∘ c` and the unary functions.
    One(u32),
    /// `x ∘ y`.
    Two(u32, u32),
}

impl Parents {
    /// The parents' node indices, 0 in place of a missing one (a node's unused parent field).
    #[inline(always)]
    fn ids(self) -> (u32, u32) {
        match self {
            Parents::None => (0, 0),
            Parents::One(a) => (a, 0),
            Parents::Two(a, b) => (a, b),
        }
    }

    #[inline(always)]
    fn count(self) -> usize {
        match self {
            Parents::None => 0,
            Parents::One(_) => 1,
            Parents::Two(..) => 2,
        }
    }
}

/// One entry of the Wengert list. 24 bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub(crate) struct Node {
    /// First parent (or unused).
    pub a: u32,
    /// Second parent (or unused).
    pub b: u32,
    /// Offset of the node's own run in `values` and in the adjoint buffer: where its
    /// adjoint is ([`Node::adj`]) and, unless it is a view, its value ([`Node::val`]).
    pub slot: u32,
    /// Index into the shape table.
    pub shape: u32,
    /// Op-specific: index into `consts` or `ints`.
    pub aux: u32,
    pub op: Op,
    /// True if a gradient can flow into this node (some leaf under it is a variable).
    pub grad: bool,
    /// [`VIEW`] or 0 (16 bits, so the layout has no implicit padding; see
    /// [`Node::scalar`]).
    pub flags: u16,
}

/// [`Node::flags`] bit of a view: a layout node (a reshape, or a slice of one contiguous
/// block) whose value is a run of its input's value, at offset `b`, instead of a copy.
/// Its own run of `values` is reserved (so that its adjoint has a place laid out like
/// every other node's) and never written or read.
pub(crate) const VIEW: u16 = 1;

const _: () = assert!(std::mem::size_of::<Node>() == 24);

impl Node {
    /// Offset of the value in `values`: the node's own slot, or for a view a run of its
    /// input's value.
    #[inline(always)]
    pub fn val(&self) -> usize {
        if self.is_view() {
            self.b as usize
        } else {
            self.slot as usize
        }
    }

    /// Whether the node is a view ([`VIEW`]).
    #[inline(always)]
    pub fn is_view(&self) -> bool {
        self.flags & VIEW != 0
    }

    /// Offset of the adjoint in the adjoint buffer (laid out like `values`): the node's
    /// own slot.
    #[inline(always)]
    pub fn adj(&self) -> usize {
        self.slot as usize
    }

    /// A scalar node (shape `[]`), built as three 8-byte words: recording a scalar op then
    /// writes its node with three stores instead of one per field (an eighth less time to
    /// record a scalar op on W2).
    #[inline(always)]
    pub fn scalar(op: Op, grad: bool, a: u32, b: u32, slot: u32, aux: u32) -> Node {
        let word = |lo: u32, hi: [u8; 4]| {
            let mut w = [0u8; 8];
            w[..4].copy_from_slice(&lo.to_ne_bytes());
            w[4..].copy_from_slice(&hi);
            u64::from_ne_bytes(w)
        };
        let words = [
            word(a, b.to_ne_bytes()),
            word(slot, SCALAR.to_ne_bytes()),
            word(aux, [op as u8, grad as u8, 0, 0]),
        ];
        // SAFETY: `Node` is `repr(C)` with five u32, then op (a `repr(u8)` enum), grad
        // (bool) and flags (u16): 24 bytes, no implicit padding, alignment 4 (at most that of
        // `[u64; 3]`, and transmute moves by value). The words hold, in native byte order
        // and field order, the bytes of each field: the op byte is `op`'s own discriminant,
        // the grad byte is 0 or 1, the flag bytes are 0 (not a view). So the bits are a valid `Node`
        // with exactly these fields (`tests::scalar_node_matches_its_fields`, run
        // under Miri by scripts/miri.sh).
        unsafe { std::mem::transmute::<[u64; 3], Node>(words) }
    }
}

/// An append-only buffer that keeps its memory initialized up to a high-water mark: the
/// tape's node list and its flat value buffer.
///
/// Only the first `len` elements belong to the tape. [`Tape::reset`] and [`Tape::rewind`]
/// only move `len`, so in the steady state of a training loop a new tensor reuses the
/// memory of the previous step without zero-filling it first ([`Buf::grow`]), and a
/// scalar node is a few plain writes ([`Inner::push_scalar_in_place`]).
pub(crate) struct Buf<T> {
    buf: Vec<T>,
    len: usize,
}

impl<T: Copy> Buf<T> {
    fn with_capacity(n: usize) -> Self {
        Buf { buf: Vec::with_capacity(n), len: 0 }
    }

    /// Elements that belong to the tape.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Elements allocated.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    #[inline]
    pub fn push(&mut self, x: T) {
        if self.len < self.buf.len() {
            self.buf[self.len] = x;
        } else {
            self.buf.push(x);
        }
        self.len += 1;
    }

    /// Drops the elements from `n` on (keeping the memory initialized).
    pub fn truncate(&mut self, n: usize) {
        self.len = self.len.min(n);
    }

    /// Appends `n` elements and returns them: stale values of an earlier step, or `fill`
    /// where the buffer grows. The caller overwrites every one of them.
    #[inline]
    pub fn grow_with(&mut self, n: usize, fill: T) -> &mut [T] {
        let (old, end) = (self.len, self.len + n);
        if end > self.buf.len() {
            self.buf.resize(end, fill);
        }
        self.len = end;
        &mut self.buf[old..end]
    }
}

impl<T: Float> Buf<T> {
    /// The elements in `r`, which must lie below `len`, for writing.
    pub fn slice_mut(&mut self, r: std::ops::Range<usize>) -> &mut [T] {
        &mut self.buf[..self.len][r]
    }

    /// Appends `n` elements without writing them (stale values of an earlier step, or
    /// zeros where the buffer grows): a view's reserved slot, which nothing reads.
    pub fn reserve_stale(&mut self, n: usize) {
        self.grow(n);
    }

    pub fn extend_from_slice(&mut self, xs: &[T]) {
        self.grow(xs.len()).1.copy_from_slice(xs);
    }

    /// Appends a copy of `r`, a range of the tape's values.
    pub fn extend_from_within(&mut self, r: std::ops::Range<usize>) {
        let (src, dst) = self.grow(r.len());
        dst.copy_from_slice(&src[r]);
    }

    /// Appends `n` elements and returns `(the values before them, the new elements)`. The
    /// new elements hold stale values of an earlier step (or zeros): the caller overwrites
    /// every one of them.
    #[inline]
    pub fn grow(&mut self, n: usize) -> (&[T], &mut [T]) {
        let (old, end) = (self.len, self.len + n);
        if end > self.buf.len() {
            // A panic that says what failed, where `resize`'s own failed allocation would
            // abort the process (a broadcast to an absurd shape, say).
            if self.buf.try_reserve(end - self.buf.len()).is_err() {
                let bytes = n.saturating_mul(std::mem::size_of::<T>());
                panic!("tape: cannot allocate room for {n} more elements ({bytes} bytes)")
            }
            self.buf.resize(end, T::ZERO);
        }
        self.len = end;
        let (src, rest) = self.buf.split_at_mut(old);
        (src, &mut rest[..n])
    }
}

impl<T> std::ops::Deref for Buf<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        &self.buf[..self.len]
    }
}

/// A shape with its element count.
#[derive(Clone, Debug)]
pub(crate) struct ShapeEntry {
    pub dims: Shape,
    pub numel: usize,
}

/// Everything a tape holds. Borrowed briefly by each op.
pub(crate) struct Inner<T> {
    pub nodes: Buf<Node>,
    pub values: Buf<T>,
    pub shapes: Vec<ShapeEntry>,
    /// Op constants (powf exponents, clamp bounds, `x + c`, ...).
    pub consts: Vec<T>,
    /// Integer op parameters (axes, permutations, row indices, extra parents).
    pub ints: Vec<usize>,
    /// User-defined ops (see [`crate::custom`]).
    pub customs: Vec<std::rc::Rc<dyn crate::custom::CustomOp<T>>>,
    /// Source location of each node, when recording locations is on.
    pub locations: Vec<Option<&'static std::panic::Location<'static>>>,
    /// In anomaly mode, the first node whose value is not finite.
    pub first_nonfinite: Option<u32>,
    /// True while every node's value offset equals its index (every node so far holds one
    /// element): then a scalar's parents' values and adjoints sit at the parents' indices,
    /// and the reverse sweep need not read the parents' records ([`crate::backward`]).
    pub dense: bool,
    /// True while a per-node hook (source locations, anomaly mode) is on.
    pub hooked: bool,
    /// The scalar fast path ([`Inner::push_scalar_in_place`]) may record node `nodes.len()`
    /// while it is below this: the tape is dense (so the value goes at the node's index),
    /// no hook is on, and both buffers hold memory there. 0 otherwise. One test then
    /// replaces those four; [`Inner::refresh_room`] keeps it after every change to them.
    ///
    /// Invariant (the fast path's writes rely on it): `room <= nodes.buf.len()` and
    /// `room <= values.buf.len()`. Only `refresh_room` sets it (this field is private to
    /// this module), from those lengths, and a `Buf`'s memory never shrinks.
    room: usize,
}

static NEXT_TAPE_ID: AtomicU64 = AtomicU64::new(1);

/// A Wengert list: records operations on [`Var`]s and replays them backward.
///
/// ```
/// use wengert_tape::Tape;
/// let tape = Tape::<f64>::new();
/// let x = tape.scalar(2.0);
/// let y = tape.scalar(3.0);
/// let f = x * y + x.sin(); // recorded as it runs
/// let g = f.backward();
/// println!("f = {}, df/dx = {}, df/dy = {}", f.item(), g.scalar(x), g.scalar(y));
/// assert_eq!(g.scalar(y), 2.0);
/// ```
///
/// One tape per training step is the usual pattern; [`Tape::reset`] empties it while keeping
/// its memory, and needs `&mut self`, so the borrow checker proves no [`Var`] outlives it.
pub struct Tape<T: Float = f64> {
    pub(crate) inner: TapeCell<Inner<T>>,
    pub(crate) id: u64,
    pub(crate) generation: Cell<u64>,
    resets: Cell<u64>,
    /// (generation it started, node count it went down to) of the rewinds since the last
    /// reset, kept increasing in both from bottom to top (a rewind drops the entries it
    /// goes as low as), so the first entry after a mark's generation holds the lowest point
    /// the tape went down to since the mark was taken.
    lows: Vec<(u64, usize)>,
    /// Bit 0: record source locations. Bit 1: anomaly mode.
    pub(crate) hooks: Cell<u8>,
    /// The location every node is given while [`Tape::located_at`] runs.
    located: Cell<Option<&'static std::panic::Location<'static>>>,
}

impl<T: Float> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Tape<T> {
    /// An empty tape.
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// An empty tape with room for `nodes` nodes and `values` elements before it grows.
    pub fn with_capacity(nodes: usize, values: usize) -> Self {
        // Anomaly mode from the start inside `with_anomaly_detection`.
        let hooks = if crate::anomaly::by_default() { HOOK_ANOMALY } else { 0 };
        Tape {
            inner: TapeCell::new(Inner {
                nodes: Buf::with_capacity(nodes),
                values: Buf::with_capacity(values),
                shapes: vec![ShapeEntry { dims: Shape::new(), numel: 1 }],
                consts: Vec::new(),
                ints: Vec::new(),
                customs: Vec::new(),
                locations: Vec::new(),
                first_nonfinite: None,
                dense: true,
                hooked: hooks != 0,
                room: 0,
            }),
            id: NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed),
            generation: Cell::new(0),
            resets: Cell::new(0),
            lows: Vec::new(),
            hooks: Cell::new(hooks),
            located: Cell::new(None),
        }
    }

    /// A number that tells this tape apart from every other tape of the process (the first
    /// tape made is 1); errors about variables of two tapes ([`Error::TapeMismatch`]) show
    /// it as `tape #3`. It stays the same across [`Tape::reset`].
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let (a, b) = (Tape::<f64>::new(), Tape::<f64>::new());
    /// assert_ne!(a.id(), b.id());
    /// let e = a.scalar(1.0).try_add(b.scalar(2.0)).unwrap_err();
    /// assert!(e.to_string().contains(&format!("v0 (tape #{}) and v0 (tape #{})", a.id(), b.id())));
    /// ```
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Empties the tape, keeping its allocations for the next step of a training loop.
    ///
    /// Takes `&mut self`: no [`Var`] of this tape can be alive, which the compiler checks.
    /// [`crate::Grads`] computed before the reset refuse variables recorded after it.
    pub fn reset(&mut self) {
        let inner = self.inner.get_mut();
        inner.nodes.truncate(0);
        inner.values.truncate(0);
        inner.shapes.truncate(1);
        inner.consts.clear();
        inner.ints.clear();
        inner.customs.clear();
        inner.locations.clear();
        inner.first_nonfinite = None;
        inner.dense = true;
        inner.refresh_room();
        self.generation.set(self.generation.get() + 1);
        self.resets.set(self.resets.get() + 1);
        self.lows.clear();
    }

    /// A mark of the tape's current length, to [`Tape::rewind`] to later.
    pub fn mark(&self) -> Mark {
        let inner = self.inner.borrow();
        Mark {
            nodes: inner.nodes.len(),
            values: inner.values.len(),
            shapes: inner.shapes.len(),
            consts: inner.consts.len(),
            ints: inner.ints.len(),
            customs: inner.customs.len(),
            dense: inner.dense,
            resets: self.resets.get(),
            generation: self.generation.get(),
            tape: self.id,
        }
    }

    /// Drops every node recorded after `mark`, keeping those before it (e.g. a data set
    /// put on the tape once) and all allocations. Like [`Tape::reset`], it needs `&mut self`;
    /// get handles to the kept nodes back with [`Tape::get`].
    ///
    /// ```
    /// use wengert_tape::{Tape, Tensor};
    /// let mut tape = Tape::new();
    /// let data = tape.constant(&Tensor::from([1.0, 2.0, 3.0])).node();
    /// let mark = tape.mark();
    /// for step in 0..3 {
    ///     tape.rewind(&mark);
    ///     let x = tape.get(data).unwrap();
    ///     let w = tape.scalar(step as f64);
    ///     let loss = (x * w).sum();
    ///     assert_eq!(loss.backward().scalar(w), 6.0);
    /// }
    /// assert_eq!(tape.len(), 5); // data, w, broadcast w, x·w, sum
    /// ```
    ///
    /// # Panics
    /// If the mark was taken on another tape, before a [`Tape::reset`], or before an
    /// earlier rewind to a shorter mark (even if the tape has grown past it since).
    #[track_caller]
    pub fn rewind(&mut self, mark: &Mark) {
        if let Err(e) = self.mark_fits("rewind", mark) {
            panic!("{e}");
        }
        let inner = self.inner.get_mut();
        inner.nodes.truncate(mark.nodes);
        inner.values.truncate(mark.values);
        inner.shapes.truncate(mark.shapes);
        inner.consts.truncate(mark.consts);
        inner.ints.truncate(mark.ints);
        inner.customs.truncate(mark.customs);
        inner.locations.truncate(mark.nodes);
        inner.first_nonfinite = inner.first_nonfinite.filter(|&i| (i as usize) < mark.nodes);
        inner.dense = mark.dense;
        inner.refresh_room();
        self.generation.set(self.generation.get() + 1);
        while self.lows.last().is_some_and(|&(_, low)| low >= mark.nodes) {
            self.lows.pop();
        }
        self.lows.push((self.generation.get(), mark.nodes));
    }

    /// Rewinds to `mark`, then updates leaves recorded before it in place: `f(i, value,
    /// gradient)` for each `leaves[i]`, with its gradient from `grads`. This is the
    /// optimizer step of a training loop whose parameters (and data) live on the tape:
    /// put them on it once, take a mark, and each step records from the mark, runs
    /// backward and calls `update`; nothing is copied onto the tape per step.
    ///
    /// ```
    /// use wengert_tape::{Tape, Tensor};
    /// let mut tape = Tape::<f64>::new();
    /// let x = tape.constant(&Tensor::from([1.0, 2.0, 3.0])).node();
    /// let w = tape.var(&Tensor::from([0.0, 0.0, 0.0])).node();
    /// let mark = tape.mark();
    /// let mut grads = wengert_tape::Grads::new();
    /// for _ in 0..100 {
    ///     let t = &tape;
    ///     let (xv, wv) = (t.get(x).unwrap(), t.get(w).unwrap());
    ///     let loss = ((xv * wv).sum() - 4.0).square(); // least at x·w = 4
    ///     loss.backward_into(&mut grads);
    ///     tape.update(&mark, &grads, &[w], |_, w, g| {
    ///         w.iter_mut().zip(g).for_each(|(w, g)| *w -= 0.01 * g)
    ///     })?;
    /// }
    /// let t = &tape;
    /// let fit = (t.get(x).unwrap() * t.get(w).unwrap()).sum().item();
    /// assert!((fit - 4.0).abs() < 1e-9);
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    ///
    /// Leaves that take no gradient ([`Tape::constant`]) get zeros, so `f` can also load
    /// new data into them.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"update"`), with the tape left as it was, if the mark
    /// does not fit the tape (see [`Tape::check_mark`]), if `grads`
    /// were not computed on this tape since its last reset or rewind, or if a node in
    /// `leaves` is not a leaf, is listed twice, is not before the mark or is after the
    /// output the gradients were computed from, or if a node kept before the mark is
    /// computed from one of the leaves (its value would no longer match them).
    ///
    /// In anomaly mode ([`Tape::detect_anomaly`]) a leaf left holding a NaN or an infinity
    /// is reported like a recorded one.
    pub fn update(
        &mut self,
        mark: &Mark,
        grads: &crate::Grads<T>,
        leaves: &[crate::NodeId],
        mut f: impl FnMut(usize, &mut [T], &[T]),
    ) -> Result<()> {
        self.check_update("update", mark, grads, leaves)?;
        self.rewind(mark);
        let anomaly = self.anomaly_mode();
        let inner = self.inner.get_mut();
        for (k, &leaf) in leaves.iter().enumerate() {
            let r = inner.val_range(leaf.0);
            let g = grads.of_leaf(inner.nodes[leaf.0 as usize].grad, inner.adj_range(leaf.0));
            let v = inner.values.slice_mut(r);
            f(k, v, g);
            if anomaly {
                note_nonfinite_leaf(&mut inner.first_nonfinite, leaf.0, v);
            }
        }
        Ok(())
    }

    /// Whether `mark` fits this tape as it is now: taken on it, since its last
    /// [`Tape::reset`], and with no rewind to a shorter mark since (which dropped nodes
    /// before it: even if new records have reached past it again, they are not the nodes
    /// it marked). Then [`Tape::rewind`] to it succeeds. The error says which test fails.
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let (mut a, b) = (Tape::<f64>::new(), Tape::<f64>::new());
    /// let m = a.mark();
    /// assert!(a.check_mark(&m).is_ok() && b.check_mark(&m).is_err());
    /// a.reset();
    /// assert!(a.check_mark(&m).is_err());
    /// ```
    pub fn check_mark(&self, mark: &Mark) -> Result<()> {
        self.mark_fits("mark", mark)
    }

    /// [`Tape::check_mark`], its error naming `op`.
    fn mark_fits(&self, op: &'static str, mark: &Mark) -> Result<()> {
        let msg = if mark.tape != self.id {
            format!("the mark was taken on tape {}, not on this one (tape {})", mark.tape, self.id)
        } else if mark.resets != self.resets.get() {
            "the mark is from before a reset of the tape".to_string()
        } else if mark.nodes > self.inner.borrow().nodes.len() {
            format!(
                "the mark (node {}) is beyond the tape's end (node {}): a rewind to an earlier mark dropped it",
                mark.nodes,
                self.inner.borrow().nodes.len()
            )
        } else if let Some(low) = self.lowest_since(mark.generation).filter(|&low| low < mark.nodes) {
            format!(
                "a rewind to node {low} after the mark (node {}) was taken dropped nodes before it; the \
                 nodes recorded since are not the ones it marked",
                mark.nodes
            )
        } else {
            return Ok(());
        };
        Err(Error::InvalidArgument { op, msg })
    }

    /// The lowest node count a rewind since `generation` went down to, if any.
    fn lowest_since(&self, generation: u64) -> Option<usize> {
        let first = self.lows.partition_point(|&(g, _)| g <= generation);
        self.lows.get(first).map(|&(_, low)| low)
    }

    /// The checks of [`Tape::update`] and [`Tape::update_all`], before anything changes.
    fn check_update(
        &mut self,
        op: &'static str,
        mark: &Mark,
        grads: &crate::Grads<T>,
        leaves: &[crate::NodeId],
    ) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidArgument { op, msg });
        self.mark_fits(op, mark)?;
        if !grads.computed_on(self.id, self.generation.get()) {
            return bad("the gradients were not computed on this tape since its last reset or rewind".into());
        }
        let inner = self.inner.get_mut();
        let end = mark.nodes.min(inner.nodes.len());
        let mut first = end;
        for (k, leaf) in leaves.iter().enumerate() {
            if leaves[..k].contains(leaf) {
                return bad(format!("{leaf} is listed twice"));
            }
        }
        for &leaf in leaves {
            let i = leaf.0 as usize;
            if i >= end {
                return bad(format!(
                    "{leaf} is not before the mark (node {}): rewinding drops it",
                    mark.nodes
                ));
            }
            let n = inner.nodes[i];
            if !matches!(n.op, Op::Var | Op::Const) {
                return bad(format!("{leaf} is a {} node, not a leaf", n.op.name()));
            }
            if !grads.covers(leaf.0) {
                return bad(format!("{leaf} was recorded after the output the gradients were computed from"));
            }
            first = first.min(i);
        }
        // Nodes kept before the mark must not be computed from the leaves. Usually all
        // of them are leaves themselves, and nothing needs tracing. The first node that
        // reads a leaf is an error, so nodes further down a chain need no marking.
        if (first..end).any(|i| !matches!(inner.nodes[i].op, Op::Var | Op::Const)) {
            let mut updated = vec![false; end - first];
            for &leaf in leaves {
                updated[leaf.0 as usize - first] = true;
            }
            for i in first..end {
                let parents = crate::ops::parents(inner, i as u32);
                if let Some(p) = parents.iter().find(|&&p| p as usize >= first && updated[p as usize - first])
                {
                    let op = inner.nodes[i].op.name();
                    return bad(format!(
                        "v{i} ({op}), kept before the mark, is computed from v{p}; updating the leaves would leave its value stale"
                    ));
                }
            }
        }
        Ok(())
    }

    /// [`Tape::update`] with every leaf at once: `f(values, gradients)` gets the leaves'
    /// values (mutable) and gradients in the order of `leaves`, as an optimizer that
    /// steps all its parameters together expects (`wengert_nn`'s `update_slices`).
    ///
    /// ```
    /// use wengert_tape::{Grads, Tape, Tensor};
    /// let mut tape = Tape::<f64>::new();
    /// let a = tape.var(&Tensor::from([1.0, 2.0])).node();
    /// let b = tape.scalar(3.0).node();
    /// let mark = tape.mark();
    /// let mut grads = Grads::new();
    /// let t = &tape;
    /// (t.get(a).unwrap().sum() * t.get(b).unwrap()).backward_into(&mut grads);
    /// tape.update_all(&mark, &grads, &[b, a], |values, grads| {
    ///     assert_eq!(grads, [&[3.0][..], &[3.0, 3.0][..]]); // d/db = Σa, d/da = b
    ///     for (v, g) in values.iter_mut().zip(grads) {
    ///         v.iter_mut().zip(*g).for_each(|(v, g)| *v -= 0.5 * g);
    ///     }
    /// })?;
    /// assert_eq!(tape.get(a).unwrap().value().data(), [-0.5, 0.5]);
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Tape::update`] (op `"update_all"`).
    pub fn update_all(
        &mut self,
        mark: &Mark,
        grads: &crate::Grads<T>,
        leaves: &[crate::NodeId],
        f: impl FnOnce(&mut [&mut [T]], &[&[T]]),
    ) -> Result<()> {
        self.check_update("update_all", mark, grads, leaves)?;
        self.rewind(mark);
        let anomaly = self.anomaly_mode();
        let inner = self.inner.get_mut();
        // Inline for up to eight leaves: a training step's update allocates nothing.
        type Few<X> = SmallVec<[X; 8]>;
        let ranges: Few<std::ops::Range<usize>> = leaves.iter().map(|l| inner.val_range(l.0)).collect();
        let gs: Few<&[T]> = leaves
            .iter()
            .map(|l| grads.of_leaf(inner.nodes[l.0 as usize].grad, inner.adj_range(l.0)))
            .collect();
        // Distinct leaves hold disjoint runs of the value buffer: cut it at each run, in
        // the order of the runs, and hand the pieces back in the order of `leaves`.
        let mut order: Few<usize> = (0..leaves.len()).collect();
        order.sort_unstable_by_key(|&k| ranges[k].start);
        let mut pieces: Few<Option<&mut [T]>> = (0..leaves.len()).map(|_| None).collect();
        let end = inner.values.len();
        let mut rest = inner.values.slice_mut(0..end);
        let mut at = 0;
        for &k in &order {
            let r = &ranges[k];
            let (_, tail) = std::mem::take(&mut rest).split_at_mut(r.start - at);
            let (piece, tail) = tail.split_at_mut(r.len());
            pieces[k] = Some(piece);
            rest = tail;
            at = r.end;
        }
        let mut values: Few<&mut [T]> =
            pieces.into_iter().map(|p| p.expect("every leaf has a piece")).collect();
        f(&mut values, &gs);
        if anomaly {
            for (v, l) in values.iter().zip(leaves) {
                note_nonfinite_leaf(&mut inner.first_nonfinite, l.0, v);
            }
        }
        Ok(())
    }

    /// A handle to an existing node, or `None` if the tape has no such node.
    pub fn get(&self, node: crate::NodeId) -> Option<Var<'_, T>> {
        ((node.0 as usize) < self.len()).then(|| Var::new(self, node.0))
    }

    /// Records, for every node from now on, the source location of the call that made it
    /// (shown by the Wengert-list printout and by anomaly reports). Off by default.
    pub fn record_locations(&self, on: bool) {
        self.set_hook(HOOK_LOCATIONS, on);
    }

    /// Runs `f` with every node it records located at `loc` (when
    /// [`Tape::record_locations`] is on) instead of at the line that recorded it: for a
    /// function of a library built from tape ops, whose nodes should point at its caller,
    /// not into the library. Nested calls keep the outermost location.
    ///
    /// ```
    /// use wengert_tape::{Tape, Var};
    /// /// A loss made of several ops, all located where it is called.
    /// #[track_caller]
    /// fn log_cosh<'t>(x: Var<'t>) -> Var<'t> {
    ///     x.tape().located_at(std::panic::Location::caller(), || {
    ///         (x.exp() + (-x).exp()).ln() - std::f64::consts::LN_2
    ///     })
    /// }
    /// let t = Tape::new();
    /// t.record_locations(true);
    /// let x = t.scalar(0.5);
    /// let here = line!() + 1;
    /// let y = log_cosh(x);
    /// let list = wengert_tape::trace::WengertList::new(&t).to_string();
    /// assert_eq!(list.matches(&format!(":{here}]")).count(), 6, "{list}");
    /// ```
    pub fn located_at<R>(&self, loc: &'static std::panic::Location<'static>, f: impl FnOnce() -> R) -> R {
        if self.located.get().is_some() {
            return f();
        }
        /// Clears the location when `f` returns or unwinds.
        struct Clear<'a>(&'a Cell<Option<&'static std::panic::Location<'static>>>);
        impl Drop for Clear<'_> {
            fn drop(&mut self) {
                self.0.set(None);
            }
        }
        self.located.set(Some(loc));
        let _clear = Clear(&self.located);
        f()
    }

    /// Anomaly mode (off by default, or on from the start for a tape made inside
    /// [`crate::with_anomaly_detection`]; when off it costs one flag test per op). When on,
    /// the tape remembers the first node whose value is NaN or infinite
    /// ([`Tape::anomaly`]), and [`Var::try_backward`] fails with [`Error::NonFinite`]
    /// naming that node — or, in the reverse sweep, the first node whose backward rule
    /// turned a finite adjoint into a non-finite one (e.g. `sqrt` at 0: finite value,
    /// infinite adjoint).
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let t = Tape::new();
    /// t.detect_anomaly(true);
    /// let x = t.scalar(0.0);
    /// let y = x.sqrt() * 3.0; // sqrt(0) = 0 is fine, but its derivative is infinite
    /// let err = y.try_backward().unwrap_err().to_string();
    /// assert!(err.contains("reverse sweep") && err.contains("sqrt"), "{err}");
    /// ```
    pub fn detect_anomaly(&self, on: bool) {
        self.set_hook(HOOK_ANOMALY, on);
    }

    /// True if anomaly mode is on.
    pub fn anomaly_mode(&self) -> bool {
        self.hooks.get() & HOOK_ANOMALY != 0
    }

    /// The first node recorded in anomaly mode whose value is not finite.
    pub fn anomaly(&self) -> Option<crate::anomaly::Anomaly> {
        let id = self.inner.borrow().first_nonfinite?;
        Some(crate::anomaly::forward_report(self, id))
    }

    fn set_hook(&self, bit: u8, on: bool) {
        let h = self.hooks.get();
        let h = if on { h | bit } else { h & !bit };
        self.hooks.set(h);
        let mut inner = self.inner.borrow_mut();
        inner.hooked = h != 0;
        inner.refresh_room();
    }

    /// Number of nodes recorded.
    pub fn len(&self) -> usize {
        self.inner.borrow().nodes.len()
    }

    /// True if nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A differentiable leaf holding `value`.
    #[track_caller]
    pub fn var(&self, value: &Tensor<T>) -> Var<'_, T> {
        self.leaf(Op::Var, value.shape(), value.data(), true)
    }

    /// A leaf that gradients do not flow into.
    #[track_caller]
    pub fn constant(&self, value: &Tensor<T>) -> Var<'_, T> {
        self.leaf(Op::Const, value.shape(), value.data(), false)
    }

    /// A differentiable scalar leaf.
    #[track_caller]
    #[inline]
    pub fn scalar(&self, x: T) -> Var<'_, T> {
        self.scalar_leaf(Op::Var, x, true)
    }

    /// Differentiable scalar leaves, one per element of `xs`: the same nodes and handles as
    /// `xs.iter().map(|&x| tape.scalar(x)).collect()`, recorded in one pass.
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.scalars(&[1.0, 2.0, 3.0]);
    /// let f = x[0] * x[1] + x[2];
    /// assert_eq!(f.backward().scalars(&x), [2.0, 1.0, 1.0]);
    /// ```
    #[track_caller]
    pub fn scalars(&self, xs: &[T]) -> Vec<Var<'_, T>> {
        let first = self.inner.borrow_mut().push_scalar_leaves(xs);
        if self.hooks.get() != 0 {
            // A loop, not a closure: the hooks record this method's caller.
            for id in first..first + xs.len() as u32 {
                self.note_location(id);
            }
        }
        (0..xs.len()).map(|i| Var::scalar(self, first + i as u32, true)).collect()
    }

    /// A scalar constant.
    #[track_caller]
    #[inline]
    pub fn scalar_constant(&self, x: T) -> Var<'_, T> {
        self.scalar_leaf(Op::Const, x, false)
    }

    /// A differentiable leaf of `shape` with `data` in row-major order.
    ///
    /// # Panics
    /// If `data.len()` does not match the shape; see [`Tape::try_var_from`].
    #[track_caller]
    pub fn var_from(&self, shape: &[usize], data: &[T]) -> Var<'_, T> {
        crate::var::ok(self.try_var_from(shape, data))
    }

    /// Fallible [`Tape::var_from`].
    #[track_caller]
    pub fn try_var_from(&self, shape: &[usize], data: &[T]) -> Result<Var<'_, T>> {
        if numel(shape) != data.len() {
            return Err(Error::ElementCount {
                op: "var",
                shape: shape.into(),
                expected: numel(shape),
                got: data.len(),
            });
        }
        Ok(self.leaf(Op::Var, shape, data, true))
    }

    /// A constant leaf of `shape` with `data` in row-major order.
    ///
    /// # Panics
    /// If `data.len()` does not match the shape.
    #[track_caller]
    pub fn constant_from(&self, shape: &[usize], data: &[T]) -> Var<'_, T> {
        assert!(
            numel(shape) == data.len(),
            "constant: shape {shape:?} needs {} elements but {} were given",
            numel(shape),
            data.len()
        );
        self.leaf(Op::Const, shape, data, false)
    }

    #[track_caller]
    #[inline(always)]
    fn scalar_leaf(&self, op: Op, x: T, grad: bool) -> Var<'_, T> {
        let id = self.push_scalar(
            op,
            grad,
            Parents::None,
            &[],
            #[inline(always)]
            |_, _| x,
        );
        Var::scalar(self, id, grad)
    }

    /// Records a scalar node with op constants `c` whose value is `value` of its parents'
    /// values (zeros in place of missing parents), runs the hooks, and returns its index.
    /// While the tape has room ([`Inner::room`]), this is a few plain reads and writes and
    /// a check that nothing borrows the tape (the scalar recording fast path).
    #[track_caller]
    #[inline(always)]
    pub(crate) fn push_scalar(
        &self,
        op: Op,
        grad: bool,
        parents: Parents,
        c: &[T],
        value: impl Fn(T, T) -> T + Copy,
    ) -> u32 {
        // SAFETY: `push_scalar_in_place` reads and writes the tape's buffers within their
        // capacity and calls nothing that could reach the tape (no allocation, no user
        // code: `value` is the op's own arithmetic).
        let fast =
            unsafe { self.inner.with_free(|inner| inner.push_scalar_in_place(op, grad, parents, c, value)) };
        match fast {
            Some(Some(id)) => id,
            _ => {
                // The parents go as plain integers, so that nothing of the slow call's
                // arguments is built in memory on the fast path.
                let (a, b) = parents.ids();
                self.push_scalar_slow(op, grad, parents.count() as u32, a, b, c, value)
            }
        }
    }

    /// [`Tape::push_scalar`] when the tape has no room: grows the buffers, records a node
    /// that makes the tape not dense, or runs the hooks.
    #[cold]
    #[inline(never)]
    #[track_caller]
    #[allow(clippy::too_many_arguments)]
    fn push_scalar_slow(
        &self,
        op: Op,
        grad: bool,
        count: u32,
        a: u32,
        b: u32,
        c: &[T],
        value: impl Fn(T, T) -> T,
    ) -> u32 {
        let id = {
            let mut inner = self.inner.borrow_mut();
            let at = |p: u32| inner.values[inner.nodes[p as usize].val()];
            let x = if count > 0 { at(a) } else { T::ZERO };
            let y = if count > 1 { at(b) } else { T::ZERO };
            let v = value(x, y);
            inner.push_scalar(op, grad, a, b, v, c)
        };
        self.note_location(id);
        id
    }

    #[track_caller]
    fn leaf(&self, op: Op, shape: &[usize], data: &[T], grad: bool) -> Var<'_, T> {
        let mut inner = self.inner.borrow_mut();
        let s = inner.intern_shape(shape);
        let off = inner.values.len();
        inner.values.extend_from_slice(data);
        let id = inner.push(op, grad, 0, 0, off, s, 0);
        drop(inner);
        self.note_location(id);
        Var::new(self, id)
    }

    /// Runs the per-node hooks (source locations, anomaly mode) for node `id` just
    /// recorded. One flag test when both are off.
    #[track_caller]
    #[inline]
    pub(crate) fn note_location(&self, id: u32) {
        if self.hooks.get() != 0 {
            self.hooks_slow(id);
        }
    }

    #[track_caller]
    #[inline(never)]
    fn hooks_slow(&self, id: u32) {
        let hooks = self.hooks.get();
        let mut inner = self.inner.borrow_mut();
        if hooks & HOOK_LOCATIONS != 0 {
            let loc = match self.located.get() {
                Some(loc) => loc,
                None => std::panic::Location::caller(),
            };
            let n = inner.nodes.len();
            inner.locations.resize(n, None);
            inner.locations[id as usize] = Some(loc);
        }
        if hooks & HOOK_ANOMALY != 0
            && inner.first_nonfinite.is_none()
            && inner.value(id).iter().any(|v| !v.is_finite())
        {
            inner.first_nonfinite = Some(id);
        }
    }

    /// Records a user-defined op on `inputs` (see [`crate::CustomOp`]).
    #[track_caller]
    pub fn custom<'t>(
        &'t self,
        op: std::rc::Rc<dyn crate::custom::CustomOp<T>>,
        inputs: &[Var<'t, T>],
    ) -> Result<Var<'t, T>> {
        crate::custom::record(op, inputs)
    }

    /// Per-op node counts and the memory the tape holds.
    pub fn stats(&self) -> TapeStats {
        let inner = self.inner.borrow();
        let mut per_op: Vec<(&'static str, usize)> = Vec::new();
        let (mut scalar_nodes, mut view_values) = (0, 0);
        for n in inner.nodes.iter() {
            if n.shape == SCALAR {
                scalar_nodes += 1;
            }
            if n.is_view() {
                view_values += inner.shapes[n.shape as usize].numel;
            }
            match per_op.iter_mut().find(|(name, _)| *name == n.op.name()) {
                Some((_, c)) => *c += 1,
                None => per_op.push((n.op.name(), 1)),
            }
        }
        per_op.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let node_bytes = inner.nodes.len() * std::mem::size_of::<Node>();
        let value_bytes = inner.values.len() * std::mem::size_of::<T>();
        let view_bytes = view_values * std::mem::size_of::<T>();
        let aux_bytes = inner.consts.len() * std::mem::size_of::<T>()
            + inner.ints.len() * std::mem::size_of::<usize>()
            + inner.shapes.len() * std::mem::size_of::<ShapeEntry>();
        let capacity_bytes = inner.nodes.capacity() * std::mem::size_of::<Node>()
            + inner.values.capacity() * std::mem::size_of::<T>()
            + inner.consts.capacity() * std::mem::size_of::<T>()
            + inner.ints.capacity() * std::mem::size_of::<usize>()
            + inner.shapes.capacity() * std::mem::size_of::<ShapeEntry>();
        TapeStats {
            nodes: inner.nodes.len(),
            scalar_nodes,
            per_op,
            node_bytes,
            value_bytes,
            view_bytes,
            aux_bytes,
            capacity_bytes,
            bytes_per_scalar_node: std::mem::size_of::<Node>() + std::mem::size_of::<T>(),
        }
    }
}

/// Anomaly mode after an in-place update: leaf `id` now holding `values` becomes the
/// first non-finite node if it holds a NaN or an infinity and comes before the one known.
fn note_nonfinite_leaf<T: Float>(first: &mut Option<u32>, id: u32, values: &[T]) {
    if values.iter().any(|x| !x.is_finite()) {
        *first = Some(first.map_or(id, |j| j.min(id)));
    }
}

/// A position in a tape, from [`Tape::mark`].
#[derive(Clone, Debug)]
pub struct Mark {
    nodes: usize,
    values: usize,
    shapes: usize,
    consts: usize,
    ints: usize,
    customs: usize,
    dense: bool,
    resets: u64,
    /// The tape's generation when it was taken (rewinds and resets advance it).
    generation: u64,
    /// The tape it was taken on ([`Tape`]'s id): a mark fits no other tape.
    tape: u64,
}

/// What [`Tape::stats`] reports.
#[derive(Clone, Debug, PartialEq)]
pub struct TapeStats {
    /// Nodes recorded.
    pub nodes: usize,
    /// Of which scalar (shape `[]`).
    pub scalar_nodes: usize,
    /// Node count per op name, most frequent first.
    pub per_op: Vec<(&'static str, usize)>,
    /// Bytes of node records in use.
    pub node_bytes: usize,
    /// Bytes of values in use: every node's slot, views' included (see `view_bytes`).
    pub value_bytes: usize,
    /// Of `value_bytes`, the slots of views ([`Var::reshape`](crate::Var::reshape), one-block
    /// [`Var::slice`](crate::Var::slice)s): reserved so that each view has an adjoint of
    /// its own at the same offset in the gradient buffer, but never written, since a view
    /// reads its input's values in place.
    pub view_bytes: usize,
    /// Bytes of shapes and op parameters in use.
    pub aux_bytes: usize,
    /// Bytes allocated (capacity), which [`Tape::reset`] keeps for reuse.
    pub capacity_bytes: usize,
    /// Bytes one scalar node costs: its record plus its value.
    pub bytes_per_scalar_node: usize,
}

impl std::fmt::Display for TapeStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} nodes ({} scalar, {} bytes each); {} B nodes + {} B values ({} B of views' slots) + {} B aux in use, {} B allocated",
            self.nodes,
            self.scalar_nodes,
            self.bytes_per_scalar_node,
            self.node_bytes,
            self.value_bytes,
            self.view_bytes,
            self.aux_bytes,
            self.capacity_bytes
        )?;
        for (name, count) in &self.per_op {
            writeln!(f, "  {name:>12}  {count}")?;
        }
        Ok(())
    }
}

impl<T: Float> Inner<T> {
    /// Appends a node; returns its index.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn push(&mut self, op: Op, grad: bool, a: u32, b: u32, off: usize, shape: u32, aux: u32) -> u32 {
        let id = self.nodes.len();
        assert!(
            id < u32::MAX as usize && off <= u32::MAX as usize,
            "tape: more than 2^32 nodes or values; reset the tape between steps"
        );
        self.nodes.push(Node { op, grad, flags: 0, a, b, slot: off as u32, shape, aux });
        if off != id || self.shapes[shape as usize].numel != 1 {
            self.dense = false;
        }
        self.refresh_room();
        id as u32
    }

    /// Appends a view of `x` ([`VIEW`]): a node of shape `shape` whose value is the run of
    /// `values` at `val` (inside `x`'s value). Reserves the node's own slot for its adjoint
    /// without writing it. Returns its index.
    pub fn push_view(&mut self, op: Op, x: u32, val: usize, shape: u32, aux: u32) -> u32 {
        let xn = self.nodes[x as usize];
        let len = self.shapes[shape as usize].numel;
        debug_assert!(
            xn.val() <= val && val + len <= xn.val() + self.shapes[xn.shape as usize].numel,
            "tape bug: a view outside its input"
        );
        let slot = self.values.len();
        self.values.reserve_stale(len);
        // A view's value is not at its slot, which the dense sweep assumes; cleared before
        // `push`, which sets the fast path's room from it.
        self.dense = false;
        let id = self.push(op, xn.grad, x, 0, slot, shape, aux);
        let n = &mut self.nodes.buf[id as usize];
        n.flags = VIEW;
        n.b = val as u32;
        id
    }

    /// Sets [`Inner::room`] from the state it summarizes.
    #[inline]
    pub fn refresh_room(&mut self) {
        self.room = if self.dense && !self.hooked {
            // A dense tape's nodes hold its first `nodes.len` values; values past them can
            // only be left over from an op that failed before pushing its node, and the
            // fast path's push (value at the node's index, length one past it) drops them.
            debug_assert!(self.values.len >= self.nodes.len);
            self.nodes.buf.len().min(self.values.buf.len()).min(u32::MAX as usize)
        } else {
            0
        };
    }

    /// Appends a scalar node with value `v` and op constants `c`, if the tape has room
    /// ([`Inner::room`]) and `consts` has capacity: plain writes, no allocation, no calls
    /// out ([`Tape::push_scalar`] relies on that). Returns its index, or `None` without
    /// changing anything. The tape is dense, so the value goes at the node's index and the
    /// tape stays dense; no hook is on, so none needs running.
    #[inline(always)]
    fn push_scalar_in_place(
        &mut self,
        op: Op,
        grad: bool,
        parents: Parents,
        c: &[T],
        value: impl Fn(T, T) -> T,
    ) -> Option<u32> {
        let (id, k) = (self.nodes.len, self.consts.len());
        let (a, b) = parents.ids();
        // A parent is an earlier node (a handle's node is on the tape as long as the handle
        // lives); anything else takes the slow path, whose checked reads report it.
        if id < self.room
            && (parents.count() < 1 || (a as usize) < id)
            && (parents.count() < 2 || (b as usize) < id)
            && (c.is_empty() || (k < u32::MAX as usize && c.len() <= self.consts.capacity() - k))
        {
            debug_assert!(id < self.values.buf.len() && id < self.nodes.buf.len());
            // SAFETY (the reads): the tape is dense, so each parent's value sits at the
            // parent's index, and each parent read is below `id < room`, at most the values
            // buffer's length (see `Inner::room`).
            let x = if parents.count() > 0 {
                unsafe { *self.values.buf.get_unchecked(a as usize) }
            } else {
                T::ZERO
            };
            let y = if parents.count() > 1 {
                unsafe { *self.values.buf.get_unchecked(b as usize) }
            } else {
                T::ZERO
            };
            let v = value(x, y);
            let aux = if c.is_empty() { 0 } else { k as u32 };
            // SAFETY: `id < room`, and `room` is at most both buffers' lengths (see
            // `Inner::room`), so both writes are in bounds. Without the checks the index
            // tests would be the fast path's largest cost after the room test itself (a
            // tenth of W2's recording time).
            unsafe {
                *self.values.buf.get_unchecked_mut(id) = v;
                *self.nodes.buf.get_unchecked_mut(id) = Node::scalar(op, grad, a, b, id as u32, aux);
            }
            self.values.len = id + 1;
            self.nodes.len = id + 1;
            self.consts.extend_from_slice(c);
            Some(id as u32)
        } else {
            None
        }
    }

    /// Appends one scalar `Var` leaf per element of `xs`; returns the first one's index.
    fn push_scalar_leaves(&mut self, xs: &[T]) -> u32 {
        let (first, off) = (self.nodes.len(), self.values.len());
        assert!(
            first + xs.len() < u32::MAX as usize && off + xs.len() <= u32::MAX as usize,
            "tape: more than 2^32 nodes or values; reset the tape between steps"
        );
        self.values.extend_from_slice(xs);
        let leaf = Node::scalar(Op::Var, true, 0, 0, 0, 0);
        for (i, n) in self.nodes.grow_with(xs.len(), leaf).iter_mut().enumerate() {
            *n = Node { slot: (off + i) as u32, ..leaf };
        }
        if off != first {
            self.dense = false;
        }
        self.refresh_room();
        first as u32
    }

    /// [`Inner::push_scalar_in_place`], growing the buffers when needed.
    fn push_scalar(&mut self, op: Op, grad: bool, a: u32, b: u32, v: T, c: &[T]) -> u32 {
        let aux = if c.is_empty() { 0 } else { self.push_consts(c) };
        let off = self.values.len;
        self.values.push(v);
        self.push(op, grad, a, b, off, SCALAR, aux)
    }

    /// The shape-table index for `dims`, reusing the scalar entry and the last entry.
    #[inline]
    pub fn intern_shape(&mut self, dims: &[usize]) -> u32 {
        if dims.is_empty() {
            return SCALAR;
        }
        let last = self.shapes.len() - 1;
        if self.shapes[last].dims.as_slice() == dims {
            return last as u32;
        }
        self.shapes.push(ShapeEntry { dims: dims.into(), numel: numel(dims) });
        last as u32 + 1
    }

    #[inline]
    pub fn node(&self, id: u32) -> Node {
        self.nodes[id as usize]
    }

    #[inline]
    pub fn dims(&self, id: u32) -> &[usize] {
        &self.shapes[self.nodes[id as usize].shape as usize].dims
    }

    #[inline]
    pub fn len_of(&self, id: u32) -> usize {
        self.shapes[self.nodes[id as usize].shape as usize].numel
    }

    /// Where node `id`'s value is in `values` (a run of its input's for a view).
    #[inline]
    pub fn val_range(&self, id: u32) -> std::ops::Range<usize> {
        let n = self.nodes[id as usize];
        n.val()..n.val() + self.shapes[n.shape as usize].numel
    }

    /// Where node `id`'s adjoint is in an adjoint buffer (its own slot).
    #[inline]
    pub fn adj_range(&self, id: u32) -> std::ops::Range<usize> {
        let n = self.nodes[id as usize];
        n.adj()..n.adj() + self.shapes[n.shape as usize].numel
    }

    #[inline]
    pub fn value(&self, id: u32) -> &[T] {
        &self.values[self.val_range(id)]
    }

    /// Pushes op constants; returns the index of the first.
    pub fn push_consts(&mut self, c: &[T]) -> u32 {
        let i = self.consts.len();
        self.consts.extend_from_slice(c);
        i as u32
    }

    /// Pushes integer parameters; returns the index of the first.
    pub fn push_ints(&mut self, c: &[usize]) -> u32 {
        let i = self.ints.len();
        self.ints.extend_from_slice(c);
        i as u32
    }

    /// Copies a node's value out as a tensor.
    pub fn tensor(&self, id: u32) -> Tensor<T> {
        Tensor::new(self.dims(id), self.value(id).to_vec()).expect("tape bug: value/shape mismatch")
    }

    /// Shape as an owned `Shape`.
    pub fn shape_of(&self, id: u32) -> Shape {
        SmallVec::from_slice(self.dims(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-built scalar node is the node its fields describe, for every op and edge
    /// values of the indices (run under Miri, which checks the transmute).
    #[test]
    fn scalar_node_matches_its_fields() {
        let ops = [Op::Var, Op::Const, Op::Add, Op::Mul, Op::MulConst, Op::Square, Op::Custom];
        for op in ops {
            for grad in [false, true] {
                for (a, b, off, aux) in [(0, 0, 0, 0), (1, 2, 3, 4), (u32::MAX, 7, u32::MAX - 1, 0x0102_0304)]
                {
                    let want = Node { op, grad, flags: 0, a, b, slot: off, shape: SCALAR, aux };
                    assert_eq!(Node::scalar(op, grad, a, b, off, aux), want);
                }
            }
        }
    }

    /// Scalar nodes recorded through the fast path read back field by field, across the
    /// buffers' growth and after a reset reuses them.
    #[test]
    fn scalar_pushes_read_back() {
        let mut tape = Tape::<f64>::new();
        for round in 0..2 {
            let x = tape.scalar(1.5);
            let mut y = x;
            for i in 0..40 {
                y = if i % 2 == 0 { y * x } else { y + 2.0 };
            }
            let inner = tape.inner.borrow();
            assert_eq!(inner.nodes.len(), 41);
            for (i, n) in inner.nodes.iter().enumerate().skip(1) {
                // y·x at odd indices, y + 2 (the k-th constant) at even ones.
                let (op, aux) = if i % 2 == 1 { (Op::Mul, 0) } else { (Op::AddConst, i as u32 / 2 - 1) };
                let want = Node {
                    op,
                    grad: true,
                    flags: 0,
                    a: i as u32 - 1,
                    b: 0,
                    slot: i as u32,
                    shape: SCALAR,
                    aux,
                };
                assert_eq!(*n, want, "round {round}");
            }
            drop(inner);
            assert!(y.item().is_finite());
            tape.reset();
        }
    }

    /// The room of the in-place scalar push follows every change of what it summarizes:
    /// buffer growth, nodes that end density, rewinds, resets and hooks. Each state then
    /// records scalars that read back at the right places (under Miri: the unchecked
    /// writes stay in bounds).
    #[test]
    fn room_follows_the_tape() {
        fn check(tape: &Tape<f64>, from: usize) {
            let inner = tape.inner.borrow();
            assert!(inner.room <= inner.nodes.buf.len() && inner.room <= inner.values.buf.len());
            if !inner.dense || inner.hooked {
                assert_eq!(inner.room, 0);
            }
            for (i, n) in inner.nodes.iter().enumerate().skip(from) {
                if n.shape == SCALAR && n.op == Op::MulConst {
                    let x = inner.values[inner.nodes[n.a as usize].val()];
                    assert_eq!(inner.values[n.val()], x * 2.0, "node {i}");
                }
            }
        }
        fn scalars(tape: &Tape<f64>, k: usize) {
            let mut y = tape.scalar(1.0);
            for _ in 0..k {
                y *= 2.0;
            }
        }
        let mut tape = Tape::<f64>::new();
        scalars(&tape, 20); // grows
        check(&tape, 0);
        tape.reset();
        scalars(&tape, 5); // in place
        let mark = tape.mark();
        let _ = tape.var(&crate::Tensor::from(vec![1.0, 2.0, 3.0])); // ends density
        check(&tape, 0);
        scalars(&tape, 5);
        check(&tape, 0);
        tape.rewind(&mark); // dense again, with room
        assert!(tape.inner.borrow().room > 0);
        scalars(&tape, 30); // past the old high-water mark
        check(&tape, 0);
        tape.record_locations(true);
        check(&tape, 0);
        scalars(&tape, 3);
        tape.record_locations(false);
        scalars(&tape, 3);
        check(&tape, 0);
        tape.reset();
        let _ = tape.var(&crate::Tensor::from(Vec::<f64>::new())); // empty: not dense either
        scalars(&tape, 4);
        check(&tape, 0);
    }
}
