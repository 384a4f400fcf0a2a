//! The `autokg` binary: the allocator and [`autokg::cli::main`] (which sets up logging).

use std::process::ExitCode;

/// mimalloc instead of the system allocator: loading and querying allocate many small
/// terms, and glibc's malloc took a quarter of a large load's time. Built without
/// transparent huge pages, whose zeroing and purging cost more system time than they saved.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    autokg::cli::main()
}
