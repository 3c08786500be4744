//! The one kernel instance of this guest process, reachable from signal
//! handlers. Handlers run with the signals that could re-enter lx blocked,
//! so the lock is only ever contended by another thread.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

/// A spin-locked global slot.
pub struct Global<T> {
    locked: AtomicBool,
    value: UnsafeCell<Option<T>>,
}

// SAFETY: access to `value` is serialized by `locked`.
unsafe impl<T: Send> Sync for Global<T> {}

impl<T> Global<T> {
    pub const fn new() -> Self {
        Global {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(None),
        }
    }

    /// Run `f` with exclusive access to the value (None before `set`).
    pub fn with<R>(&self, f: impl FnOnce(&mut Option<T>) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is held; no other reference to `value` exists.
        let r = f(unsafe { &mut *self.value.get() });
        self.locked.store(false, Ordering::Release);
        r
    }
}

impl<T> Global<T> {
    /// Replace the value while the lock is held by a `with` whose closure
    /// will never return (an exec served in place abandoned it), and
    /// release the lock.
    ///
    /// # Safety
    /// The context holding the lock must never resume, and nothing else
    /// may hold a reference into the value.
    pub unsafe fn replace_abandoned(&self, v: T) -> Option<T> {
        // SAFETY: per the contract, no live reference to `value` exists.
        let old = unsafe { (*self.value.get()).replace(v) };
        self.locked.store(false, Ordering::Release);
        old
    }
}

impl<T> Default for Global<T> {
    fn default() -> Self {
        Self::new()
    }
}
