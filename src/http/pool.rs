//! The evaluation pool: the blocking threads that parse and evaluate SPARQL and parse RDF
//! bodies, each with a [`crate::nesting::STACK_SIZE`] stack.
//!
//! actix-web runs each worker on a tokio runtime of its own, and `web::block` uses that
//! runtime's blocking threads, whose stacks are tokio's default 2 MiB; a runtime handed to
//! `System::with_tokio_rt` does not reach them. So the server keeps one more runtime, used
//! only for its blocking threads, built with `thread_stack_size`: every route that parses or
//! evaluates outside text sends its work here, and the server under test
//! ([`super::Application::build`]) gets the same threads as `autokg serve`.

use crate::sparql::HttpError;
use tokio::runtime::{Builder, Runtime};

/// Blocking threads with large stacks; dropped without waiting for running work.
pub struct EvalPool {
    runtime: Option<Runtime>,
}

impl EvalPool {
    /// A pool whose threads have [`crate::nesting::STACK_SIZE`] stacks.
    pub fn new() -> std::io::Result<Self> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("autokg-eval")
            .thread_stack_size(crate::nesting::STACK_SIZE)
            .enable_time()
            .build()?;
        Ok(Self {
            runtime: Some(runtime),
        })
    }

    /// Starts `work` on a pool thread; the handle may be awaited from any runtime.
    pub fn spawn<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> tokio::task::JoinHandle<T> {
        self.runtime
            .as_ref()
            .expect("the pool lives until dropped")
            .spawn_blocking(work)
    }

    /// Runs `work` on a pool thread and waits for it; a panic there is a 500.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HttpError> {
        self.spawn(work)
            .await
            .map_err(|e| HttpError::internal(format!("an evaluation thread failed: {e}")))
    }
}

impl Drop for EvalPool {
    /// Shuts the runtime down without blocking: the last handle may be dropped on an async
    /// worker, where waiting is not allowed.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
