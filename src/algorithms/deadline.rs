//! Deadlines: a cancellation flag with an optional time limit that long computations check
//! between units of work (a source node, an iteration, a block of steps, a row).
//!
//! A [`Deadline`] is cheap to clone (one `Arc`) and shared by everything one request or one
//! command runs: the projection's SPARQL, the kernels, the export's attribute queries and its
//! writer. It expires when its instant passes (checked by [`Deadline::is_expired`], no
//! timer needed) or when someone calls [`Deadline::cancel`] (a server's timer, a client that
//! left). A computation that sees it expired stops and returns [`Cancelled`], which the
//! library's error type turns into `Error::Timeout(limit)`. [`Deadline::none`] never expires:
//! the functions without a deadline argument use it.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A time limit as people write it: `5 s`, `0.25 s`, `1.14 s`, `0.000000001 s` (the exact
/// decimal of the whole nanoseconds it holds, trailing zeros dropped; never rounded to
/// `0.0 s`, and free of a float's binary noise such as `1.1400000000000001`).
pub fn seconds(limit: Duration) -> String {
    let nanos = limit.subsec_nanos();
    if nanos == 0 {
        return format!("{} s", limit.as_secs());
    }
    let fraction = format!("{nanos:09}");
    format!("{}.{} s", limit.as_secs(), fraction.trim_end_matches('0'))
}

/// A number of seconds given by a client or on the command line, as a time limit: `None`
/// unless it is finite, positive, at least a nanosecond once rounded (so never a zero
/// limit), and within what a [`Duration`] holds (under about 1.8e19 s), so that no input
/// panics.
pub fn positive_seconds(secs: f64) -> Option<Duration> {
    Some(secs)
        .filter(|s| s.is_finite() && *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .filter(|d| !d.is_zero())
}

/// A computation stopped because its [`Deadline`] expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped at the time limit of {limit:?}")]
pub struct Cancelled {
    /// The deadline's time limit (zero for a deadline without one, cancelled by hand).
    pub limit: Duration,
}

impl From<Cancelled> for crate::error::Error {
    fn from(c: Cancelled) -> Self {
        crate::error::Error::Timeout(c.limit)
    }
}

/// Something to run once when a deadline is cancelled (for example, cancelling a SPARQL
/// evaluation's token).
type Hook = Box<dyn Fn() + Send + Sync>;

struct Inner {
    cancelled: AtomicBool,
    at: Option<Instant>,
    limit: Duration,
    hooks: Mutex<Vec<Hook>>,
}

/// A cancellation flag with an optional instant after which it counts as cancelled.
///
/// Cloning shares the flag. Checks cost one atomic load plus, for a deadline with an
/// instant, one clock read; kernels check once per unit of work that costs far more.
#[derive(Clone, Default)]
pub struct Deadline(Option<Arc<Inner>>);

impl fmt::Debug for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => f.write_str("Deadline::none"),
            Some(inner) => f
                .debug_struct("Deadline")
                .field("limit", &inner.limit)
                .field("cancelled", &inner.cancelled.load(Ordering::Relaxed))
                .finish(),
        }
    }
}

impl Deadline {
    /// A deadline that never expires and cannot be cancelled.
    pub fn none() -> Self {
        Self(None)
    }

    /// A deadline `limit` from now (also cancellable by hand).
    pub fn after(limit: Duration) -> Self {
        Self::build(Instant::now().checked_add(limit), limit)
    }

    /// A deadline at the instant `at`, reported as the time limit `limit` (for a limit whose
    /// clock started earlier, such as a request's).
    pub fn at_instant(at: Instant, limit: Duration) -> Self {
        Self::build(Some(at), limit)
    }

    /// A deadline `limit` from now when `limit` is given, else [`Deadline::none`]: what a
    /// command's optional `--timeout` gives.
    pub fn optional(limit: Option<Duration>) -> Self {
        limit.map_or_else(Self::none, Self::after)
    }

    /// A deadline without an instant, expired only by [`Deadline::cancel`]; `limit` is what
    /// [`Cancelled`] reports (the limit of whoever cancels it).
    pub fn manual(limit: Duration) -> Self {
        Self::build(None, limit)
    }

    fn build(at: Option<Instant>, limit: Duration) -> Self {
        Self(Some(Arc::new(Inner {
            cancelled: AtomicBool::new(false),
            at,
            limit,
            hooks: Mutex::new(Vec::new()),
        })))
    }

    /// The instant it expires at, for a deadline made with [`Deadline::after`] (`None` for one
    /// that only [`Deadline::cancel`] expires).
    pub fn instant(&self) -> Option<Instant> {
        self.0.as_ref().and_then(|i| i.at)
    }

    /// The time limit it was made with (`None` for [`Deadline::none`]).
    pub fn limit(&self) -> Option<Duration> {
        self.0.as_ref().map(|i| i.limit)
    }

    /// Cancels the deadline now and runs the hooks registered with [`Deadline::on_cancel`]
    /// (once: later calls do nothing). Does nothing on [`Deadline::none`].
    pub fn cancel(&self) {
        let Some(inner) = &self.0 else {
            return;
        };
        if inner.cancelled.swap(true, Ordering::AcqRel) {
            return;
        }
        let hooks = std::mem::take(&mut *inner.hooks.lock().unwrap_or_else(|e| e.into_inner()));
        for hook in hooks {
            hook();
        }
    }

    /// Whether the deadline has expired: cancelled, or its instant has passed (which
    /// cancels it, running its hooks).
    pub fn is_expired(&self) -> bool {
        let Some(inner) = &self.0 else {
            return false;
        };
        if inner.cancelled.load(Ordering::Relaxed) {
            return true;
        }
        if inner.at.is_some_and(|at| Instant::now() >= at) {
            self.cancel();
            return true;
        }
        false
    }

    /// `Err(Cancelled)` once the deadline has expired.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_expired() {
            Err(self.cancelled())
        } else {
            Ok(())
        }
    }

    /// The [`Cancelled`] error of this deadline (whether or not it has expired).
    pub fn cancelled(&self) -> Cancelled {
        Cancelled {
            limit: self.limit().unwrap_or_default(),
        }
    }

    /// Runs `hook` when the deadline is cancelled (at once when it already is). Nothing
    /// happens on [`Deadline::none`], which is never cancelled.
    pub fn on_cancel(&self, hook: impl Fn() + Send + Sync + 'static) {
        let Some(inner) = &self.0 else {
            return;
        };
        let mut hooks = inner.hooks.lock().unwrap_or_else(|e| e.into_inner());
        if inner.cancelled.load(Ordering::Acquire) {
            drop(hooks);
            hook();
        } else {
            hooks.push(Box::new(hook));
        }
    }

    /// A checker that looks at the deadline once every `every` calls of
    /// [`Every::expired`], for loops whose steps are too short to check each time.
    pub fn every(&self, every: u32) -> Every<'_> {
        Every {
            deadline: self,
            every: every.max(1),
            count: 0,
        }
    }
}

/// Checks a [`Deadline`] once every so many steps (see [`Deadline::every`]).
#[derive(Debug)]
pub struct Every<'a> {
    deadline: &'a Deadline,
    every: u32,
    count: u32,
}

impl Every<'_> {
    /// Counts one step; every `every` steps, whether the deadline has expired.
    pub fn expired(&mut self) -> bool {
        self.count += 1;
        if self.count < self.every {
            return false;
        }
        self.count = 0;
        self.deadline.is_expired()
    }

    /// Counts one step; `Err(Cancelled)` when a check finds the deadline expired.
    pub fn check(&mut self) -> Result<(), Cancelled> {
        if self.expired() {
            Err(self.deadline.cancelled())
        } else {
            Ok(())
        }
    }
}

/// Unwraps the result of a computation run under [`Deadline::none`], which cannot be
/// cancelled.
pub(crate) fn uncancelled<T>(r: Result<T, Cancelled>) -> T {
    match r {
        Ok(t) => t,
        Err(_) => unreachable!("Deadline::none never expires"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn none_never_expires_and_cancel_does_nothing() {
        let d = Deadline::none();
        d.cancel();
        assert!(!d.is_expired());
        assert_eq!(d.check(), Ok(()));
        assert_eq!(d.limit(), None);
    }

    #[test]
    fn an_instant_in_the_past_expires_and_runs_hooks_once() {
        let d = Deadline::after(Duration::ZERO);
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = runs.clone();
        d.on_cancel(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(runs.load(Ordering::SeqCst), 0, "hooks wait for a check");
        assert!(d.is_expired());
        assert!(d.is_expired());
        d.cancel();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(
            d.check(),
            Err(Cancelled {
                limit: Duration::ZERO
            })
        );
        // A hook registered after the cancellation runs at once.
        let late = runs.clone();
        d.on_cancel(move || {
            late.fetch_add(10, Ordering::SeqCst);
        });
        assert_eq!(runs.load(Ordering::SeqCst), 11);
    }

    #[test]
    fn clones_share_the_flag_and_manual_deadlines_wait_for_cancel() {
        let d = Deadline::manual(Duration::from_secs(3));
        let seen_by_worker = d.clone();
        assert!(!seen_by_worker.is_expired());
        d.cancel();
        assert!(seen_by_worker.is_expired());
        assert_eq!(
            crate::error::Error::from(seen_by_worker.cancelled()).to_string(),
            crate::error::Error::Timeout(Duration::from_secs(3)).to_string()
        );
        let far = Deadline::after(Duration::from_secs(3600));
        assert!(!far.is_expired());
    }

    #[test]
    fn every_checks_on_every_nth_step() {
        let d = Deadline::manual(Duration::from_secs(1));
        d.cancel();
        let mut every = d.every(3);
        assert_eq!(
            (every.expired(), every.expired(), every.expired()),
            (false, false, true)
        );
        assert!(every.check().is_ok() && every.check().is_ok() && every.check().is_err());
    }
}
