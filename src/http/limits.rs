//! Time limits of the analytics and export routes: a request's [`Deadline`] with the timer that
//! cancels it at the limit, the `timeout=` parameter, the in-flight gauge, and the 503 that
//! names a cheaper request.
//!
//! A run holds its evaluation permit and its [`InFlight`] mark inside the blocking closure
//! that computes, so both are released when the computation ends, whether or not the client
//! is still there. The [`Watch`] stays with the handler (or the stream): when actix drops the
//! handler, the deadline is cancelled and the computation stops at its next check. actix-web
//! does not drop a pending handler when its client leaves (actix-web issues 1313 and 3462),
//! so such a run goes on until its time limit; a stream notices at its next chunk.

use super::metrics::Metrics;
use super::problem::Problem;
use crate::algorithms::Deadline;
use std::sync::Arc;
use std::time::Duration;

/// A request's `timeout=SECS`: a positive number of seconds, else a 400.
pub fn requested_timeout(value: Option<f64>) -> Result<Option<Duration>, Problem> {
    value
        .map(|s| {
            crate::algorithms::deadline::positive_seconds(s).ok_or_else(|| {
                Problem::bad_request(format!("timeout={s} is not a positive number of seconds"))
            })
        })
        .transpose()
}

/// Parses `timeout` from a raw parameter value (the export routes read their own query
/// strings).
pub fn parse_timeout(value: Option<&str>) -> Result<Option<Duration>, Problem> {
    match value {
        None => Ok(None),
        Some(v) => match v.trim().parse::<f64>() {
            Ok(s) => requested_timeout(Some(s)),
            Err(_) => Err(Problem::bad_request(format!(
                "timeout={v} is not a positive number of seconds"
            ))),
        },
    }
}

/// The deadline of one run and the tokio timer that cancels it at the limit. Dropping the
/// watch (the request ended, or its handler was dropped) aborts the timer and cancels the
/// deadline, so whatever still computes for it stops at its next check.
pub struct Watch {
    deadline: Deadline,
    timer: tokio::task::JoinHandle<()>,
}

impl Watch {
    /// Starts the clock: the deadline expires `limit` from now (its own instant, checked by
    /// the computation, and the timer, which also stops store reads through the hooks).
    /// Must be called on the server's runtime.
    pub fn start(limit: Duration) -> Self {
        let deadline = Deadline::after(limit);
        let cancel = deadline.clone();
        let timer = tokio::spawn(async move {
            tokio::time::sleep(limit).await;
            cancel.cancel();
        });
        Self { deadline, timer }
    }

    /// The deadline the computation checks.
    pub fn deadline(&self) -> &Deadline {
        &self.deadline
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.timer.abort();
        self.deadline.cancel();
    }
}

/// One run counted in the evaluations-in-flight gauge while it lives.
pub struct InFlight(Arc<Metrics>);

impl InFlight {
    /// Counts a run in.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        metrics.in_flight.inc();
        Self(metrics)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.dec();
    }
}

/// The 503 of a run stopped at its time limit: what ran over, and the cheaper request to make
/// instead.
pub fn time_limit(limit: Duration, what: &str, cheaper: &str) -> Problem {
    Problem::new(
        503,
        format!(
            "{what} ran over the time limit of {} and was stopped; {cheaper}",
            crate::algorithms::deadline::seconds(limit)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_must_be_positive_numbers() {
        assert_eq!(
            parse_timeout(Some("1.5")).ok(),
            Some(Some(Duration::from_millis(1500)))
        );
        assert_eq!(parse_timeout(None).ok(), Some(None));
        for bad in ["0", "-1", "abc", "inf", "NaN", "1e300"] {
            let e = parse_timeout(Some(bad)).expect_err(bad);
            assert_eq!(e.status(), 400, "{bad}");
            assert!(e.detail().contains("timeout="), "{bad}: {}", e.detail());
        }
    }

    #[test]
    fn the_limit_problem_is_a_503_naming_the_cheaper_request() {
        let p = time_limit(
            Duration::from_secs(2),
            "exact betweenness",
            "ask for samples=100",
        );
        assert_eq!(p.status(), 503);
        assert!(p.detail().contains("the time limit of 2 s") && p.detail().contains("samples=100"));
        // A limit under a tenth of a second is named as given, not rounded to nothing.
        let p = time_limit(Duration::from_millis(1), "shortest paths", "ask for fewer");
        assert!(
            p.detail().contains("the time limit of 0.001 s"),
            "{}",
            p.detail()
        );
    }

    #[actix_web::test]
    async fn a_watch_cancels_its_deadline_at_the_limit_and_when_dropped() {
        let watch = Watch::start(Duration::from_millis(50));
        let deadline = watch.deadline().clone();
        assert!(!deadline.is_expired());
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert!(deadline.is_expired());
        let watch = Watch::start(Duration::from_secs(60));
        let deadline = watch.deadline().clone();
        drop(watch);
        assert!(deadline.is_expired(), "a dropped handler stops the run");
    }

    #[test]
    fn in_flight_counts_while_a_run_lives() {
        let metrics = Arc::new(Metrics::default());
        let run = InFlight::new(metrics.clone());
        assert_eq!(metrics.in_flight.get(), 1);
        drop(run);
        assert_eq!(metrics.in_flight.get(), 0);
    }
}
