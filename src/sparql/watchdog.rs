//! The one thread that cancels evaluations at their time limit.
//!
//! An evaluation registers its deadline and its [`CancellationToken`] and gets a [`Watch`];
//! the thread sleeps until the earliest deadline and cancels what is due; dropping the
//! [`Watch`] (the evaluation ended first) removes the entry. Registering costs a lock and a
//! map insertion, and wakes the thread only when the new deadline comes before the one it
//! sleeps until (with one time limit for all, deadlines arrive in order: the thread wakes
//! about once per time limit, however many queries come and go), so a query that takes
//! microseconds does not pay for a timer task and its cancellation on another thread. It also
//! cancels evaluations that run where no async timer could fire (a blocked thread).
//!
//! Written by hand: the async timers of tokio need a runtime that is free to run them, and
//! the timer crates we looked at spawn a thread per timer or bring a runtime.

use oxigraph::sparql::CancellationToken;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Instant;

#[derive(Default)]
struct Pending {
    /// (deadline, sequence number) → the token to cancel then.
    due: BTreeMap<(Instant, u64), CancellationToken>,
    next: u64,
    /// The deadline the thread sleeps until (`None`: until woken). Entries that end early
    /// leave it as it is: the thread wakes then, finds less to do, and sleeps again.
    armed: Option<Instant>,
}

struct Shared {
    pending: Mutex<Pending>,
    wake: Condvar,
}

/// The process's watchdog (started on first use).
pub struct Watchdog {
    shared: Arc<Shared>,
}

/// A registered deadline; dropping it unregisters it.
pub struct Watch {
    shared: Arc<Shared>,
    key: (Instant, u64),
}

impl Watchdog {
    /// The process's watchdog, its thread started on first use. Panics if the thread cannot
    /// be started (the process could not keep any time limit).
    pub fn global() -> &'static Watchdog {
        static WATCHDOG: OnceLock<Watchdog> = OnceLock::new();
        WATCHDOG.get_or_init(|| {
            let shared = Arc::new(Shared {
                pending: Mutex::new(Pending::default()),
                wake: Condvar::new(),
            });
            let watched = shared.clone();
            std::thread::Builder::new()
                .name("autokg-watchdog".into())
                .spawn(move || run(&watched))
                .expect("the watchdog thread starts");
            Watchdog { shared }
        })
    }

    /// Cancels `token` at `deadline` unless the returned [`Watch`] is dropped first.
    pub fn watch(&self, deadline: Instant, token: CancellationToken) -> Watch {
        let mut pending = lock(&self.shared.pending);
        let key = (deadline, pending.next);
        pending.next += 1;
        let earlier = pending.armed.is_none_or(|armed| deadline < armed);
        if earlier {
            pending.armed = Some(deadline);
        }
        pending.due.insert(key, token);
        drop(pending);
        if earlier {
            self.shared.wake.notify_one();
        }
        Watch {
            shared: self.shared.clone(),
            key,
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        lock(&self.shared.pending).due.remove(&self.key);
    }
}

fn lock(pending: &Mutex<Pending>) -> std::sync::MutexGuard<'_, Pending> {
    // Every critical section is one map operation: a poisoned lock is still consistent.
    pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn run(shared: &Shared) {
    let mut pending = lock(&shared.pending);
    loop {
        let now = Instant::now();
        while let Some(entry) = pending.due.first_entry() {
            if entry.key().0 > now {
                break;
            }
            entry.remove().cancel();
        }
        pending.armed = pending.due.keys().next().map(|(deadline, _)| *deadline);
        pending = match pending.armed {
            Some(deadline) => {
                let wait = deadline.saturating_duration_since(now);
                shared
                    .wake
                    .wait_timeout(pending, wait)
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0
            }
            None => shared
                .wake
                .wait(pending)
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn tokens_are_cancelled_at_their_deadline_in_any_order_and_not_after_the_watch_ends() {
        let dog = Watchdog::global();
        let start = Instant::now();
        let late = CancellationToken::new();
        let early = CancellationToken::new();
        let dropped = CancellationToken::new();
        let _late = dog.watch(start + Duration::from_millis(300), late.clone());
        // Earlier than the one already pending: the thread must wake to honour it.
        let _early = dog.watch(start + Duration::from_millis(50), early.clone());
        drop(dog.watch(start + Duration::from_millis(20), dropped.clone()));
        while !early.is_cancelled() {
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "early never cancelled"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let at = start.elapsed();
        assert!(
            at >= Duration::from_millis(50),
            "cancelled early, at {at:?}"
        );
        assert!(!late.is_cancelled(), "the later deadline is not due yet");
        while !late.is_cancelled() {
            assert!(
                start.elapsed() < Duration::from_secs(3),
                "late never cancelled"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(start.elapsed() >= Duration::from_millis(300));
        assert!(!dropped.is_cancelled(), "a dropped watch cancels nothing");
    }
}
