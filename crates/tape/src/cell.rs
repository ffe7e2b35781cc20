//! [`TapeCell`]: the tape's interior mutability. It is `RefCell` (the same borrow rules,
//! checked at run time, with the same panics) plus one unguarded path,
//! [`TapeCell::with_free`], for the scalar recording fast path.
//!
//! Why not `RefCell`: recording a scalar op is a few plain writes, and `RefCell` adds a
//! check and two writes of its borrow flag around them (mark borrowed, mark free): a fifth
//! of the time of recording a scalar op on the W2 workload. When the cell is free and the
//! code that runs on the value cannot reach the cell again, nothing could observe the flag
//! while it is set, so [`TapeCell::with_free`] only checks it.

use std::cell::{Cell, UnsafeCell};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Borrow state: [`FREE`], a count of shared borrows, or [`WRITING`].
type State = isize;
const FREE: State = 0;
const WRITING: State = -1;

/// A `RefCell` with an extra check-only access path; see the module documentation.
pub(crate) struct TapeCell<T> {
    state: Cell<State>,
    value: UnsafeCell<T>,
}

impl<T> TapeCell<T> {
    pub fn new(value: T) -> Self {
        TapeCell { state: Cell::new(FREE), value: UnsafeCell::new(value) }
    }

    /// Shared access, as `RefCell::borrow`.
    ///
    /// # Panics
    /// If the value is mutably borrowed.
    #[track_caller]
    #[inline]
    pub fn borrow(&self) -> Ref<'_, T> {
        let s = self.state.get();
        if s < FREE || s == State::MAX {
            borrow_failed("already mutably borrowed");
        }
        self.state.set(s + 1);
        // The pointer comes from the `UnsafeCell`, so it is never null.
        Ref { value: NonNull::new(self.value.get()).expect("cell pointer"), state: &self.state }
    }

    /// Exclusive access, as `RefCell::borrow_mut`.
    ///
    /// # Panics
    /// If the value is borrowed.
    #[track_caller]
    #[inline]
    pub fn borrow_mut(&self) -> RefMut<'_, T> {
        if self.state.get() != FREE {
            borrow_failed("already borrowed");
        }
        self.state.set(WRITING);
        RefMut {
            value: NonNull::new(self.value.get()).expect("cell pointer"),
            state: &self.state,
            marker: PhantomData,
        }
    }

    /// The value, through `&mut self` (no run-time check needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// Runs `f` on the value if nothing borrows it, without marking it borrowed; `None`
    /// (without running `f`) if something does.
    ///
    /// # Safety
    /// `f` must not reach this cell again: no call into anything that could borrow it (a
    /// tape method, a handle's op, user code). Then no other reference to the value can
    /// exist while `f` runs: the state says none exists when it starts (guards set the
    /// state for as long as they live, and `&mut self` excludes `&self`), the cell is not
    /// `Sync`, so no other thread holds one, and `f` creates none.
    #[inline(always)]
    pub unsafe fn with_free<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        if self.state.get() != FREE {
            return None;
        }
        // SAFETY: see the contract above: the cell is free and `f` cannot reach it, so
        // this is the only reference to the value until `f` returns.
        Some(f(unsafe { &mut *self.value.get() }))
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn borrow_failed(msg: &str) -> ! {
    panic!("tape: {msg} (a tape borrow was held while recording)")
}

/// A shared borrow of a [`TapeCell`].
pub(crate) struct Ref<'b, T> {
    value: NonNull<T>,
    state: &'b Cell<State>,
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: while this guard lives the state counts it, so no `RefMut` or
        // `with_free` can hand out `&mut T`; the pointer is the cell's value.
        unsafe { self.value.as_ref() }
    }
}

impl<T> Drop for Ref<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.state.set(self.state.get() - 1);
    }
}

/// An exclusive borrow of a [`TapeCell`].
pub(crate) struct RefMut<'b, T> {
    value: NonNull<T>,
    state: &'b Cell<State>,
    marker: PhantomData<&'b mut T>,
}

impl<T> Deref for RefMut<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: while this guard lives the state is WRITING, so it is the only access.
        unsafe { self.value.as_ref() }
    }
}

impl<T> DerefMut for RefMut<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `deref`, and `&mut self` makes this borrow unique.
        unsafe { self.value.as_mut() }
    }
}

impl<T> Drop for RefMut<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.state.set(FREE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_follow_refcell_rules() {
        let c = TapeCell::new(vec![1, 2, 3]);
        {
            let a = c.borrow();
            let b = c.borrow();
            assert_eq!(a.len() + b.len(), 6);
            // SAFETY: the closure touches only the value it is given.
            assert!(unsafe { c.with_free(|v| v.push(4)) }.is_none(), "shared borrows block with_free");
        }
        {
            let mut m = c.borrow_mut();
            m.push(4);
            // SAFETY: as above.
            assert!(unsafe { c.with_free(|v| v.push(5)) }.is_none(), "a mutable borrow blocks with_free");
        }
        // SAFETY: as above.
        assert_eq!(
            unsafe {
                c.with_free(|v| {
                    v.push(5);
                    v.len()
                })
            },
            Some(5)
        );
        assert_eq!(*c.borrow(), [1, 2, 3, 4, 5]);
        let mut c = c;
        c.get_mut().clear();
        assert!(c.borrow().is_empty());
    }

    #[test]
    #[should_panic(expected = "already borrowed")]
    fn borrow_mut_while_borrowed_panics() {
        let c = TapeCell::new(0);
        let _a = c.borrow();
        let _b = c.borrow_mut();
    }

    #[test]
    #[should_panic(expected = "already mutably borrowed")]
    fn borrow_while_mutably_borrowed_panics() {
        let c = TapeCell::new(0);
        let _a = c.borrow_mut();
        let _b = c.borrow();
    }

    #[test]
    fn guards_release_on_unwind() {
        let c = TapeCell::new(1);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _m = c.borrow_mut();
            panic!("inside");
        }));
        assert!(r.is_err());
        *c.borrow_mut() += 1;
        assert_eq!(*c.borrow(), 2);
    }
}
