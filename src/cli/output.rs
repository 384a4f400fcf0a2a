//! What every subcommand shares for its output: report formats, the projection arguments,
//! printing a report, opening the output file, progress bars that draw only on a terminal.

use crate::algorithms::Deadline;
use crate::cli::Outcome;
use crate::error::{Error, Result};
use crate::projection::ProjectionSpec;
use crate::sparql::results::compact;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::model::{NamedNode, Term};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table (compact IRIs).
    Table,
    /// The JSON document of the HTTP API.
    Json,
    /// CSV with full IRIs.
    Csv,
}

/// Which projection to run on.
#[derive(Debug, Clone, Args)]
pub struct ProjectionArgs {
    /// A named projection: supply-chain, ownership, geography, all.
    #[arg(long, value_name = "NAME")]
    pub projection: Option<String>,
    /// Your own projection: a SPARQL SELECT of ?source ?target [?relation ?weight], with a
    /// `# directed: true|false` comment line at the top.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "projection"
    )]
    pub file: Option<PathBuf>,
}

impl ProjectionArgs {
    /// The chosen projection: the file, the name, or `default`.
    pub fn spec(&self, default: &str) -> Result<ProjectionSpec> {
        match (&self.file, &self.projection) {
            (Some(path), _) => ProjectionSpec::from_file(path),
            (None, Some(name)) => ProjectionSpec::named(name),
            (None, None) => ProjectionSpec::named(default),
        }
    }
}

/// The optional time limit of an analytics or export command.
#[derive(Debug, Clone, Args)]
pub struct TimeoutArgs {
    /// Stop with an error (exit code 2) when the work takes longer than SECS seconds: the
    /// projection, the computation, the labels and any output, counted from when the store
    /// is open and --data loaded. Without it there is no limit.
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    pub timeout: Option<std::time::Duration>,
}

impl TimeoutArgs {
    /// The command's deadline, starting now ([`Deadline::none`] without `--timeout`).
    pub fn deadline(&self) -> Deadline {
        Deadline::optional(self.timeout)
    }
}

/// A positive number of seconds ([`crate::algorithms::deadline::positive_seconds`]).
fn seconds(s: &str) -> std::result::Result<std::time::Duration, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .and_then(crate::algorithms::deadline::positive_seconds)
        .ok_or_else(|| format!("'{s}' is not a positive number of seconds"))
}

/// Text for people or JSON for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Readable text.
    Text,
    /// JSON.
    Json,
}

/// Prints a report on standard output: the JSON document of the HTTP API, or `table`.
pub fn print_report<T: serde::Serialize>(
    format: Format,
    report: &T,
    table: impl FnOnce(&T, &mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) -> Result<Outcome> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, report).map_err(|e| io_error(e.into()))?;
            writeln!(out).map_err(io_error)?;
        }
        Format::Table | Format::Csv => table(report, &mut out).map_err(io_error)?,
    }
    out.flush().map_err(io_error)?;
    Ok(Outcome::Success)
}

/// The error of `--format csv` on a command that prints only a table or JSON.
fn table_or_json(command: &str) -> Error {
    Error::InvalidInput(format!(
        "--format csv is for centrality; {command} prints a table or json"
    ))
}

/// What the report commands that print a table or JSON share (`paths`, `impact`,
/// `critical`): the projection, the output format and the time limit.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The projection (each command names its default).
    #[command(flatten)]
    pub projection: ProjectionArgs,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// The time limit.
    #[command(flatten)]
    pub limit: TimeoutArgs,
}

impl ReportArgs {
    /// The projection of `command` (the named `default` without `--projection`/`--file`),
    /// built under the time limit, and the deadline the rest of the command keeps to.
    /// `--format csv` is an [`Error::InvalidInput`] naming `command`; an expired limit is
    /// [`Error::Timeout`].
    pub fn projection_until(
        &self,
        store: &crate::store::KgStore,
        command: &str,
        default: &str,
    ) -> Result<(crate::projection::Projection, Deadline)> {
        if self.format == Format::Csv {
            return Err(table_or_json(command));
        }
        let spec = self.projection.spec(default)?;
        let deadline = self.limit.deadline();
        let projection = crate::projection::Projection::build_until(store, &spec, &deadline)?;
        Ok((projection, deadline))
    }
}

/// A failed write to standard output.
pub fn io_error(source: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        source,
    }
}

/// A buffered writer to `path`, or to standard output.
pub fn output(path: Option<&Path>) -> Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p).map_err(
            |source| Error::Io {
                path: p.to_owned(),
                source,
            },
        )?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

/// A spinner with a message and the elapsed time, drawn on standard error only when it is a
/// terminal (hidden, and free, when it is a pipe or a file).
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {binary_bytes} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.into());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// A writer that counts the bytes through it and shows the count on a [`spinner`].
pub struct Counted<W> {
    inner: W,
    /// Bytes written so far.
    pub bytes: u64,
    bar: ProgressBar,
}

impl<W: Write> Counted<W> {
    /// Counts what goes to `inner`, showing it on `bar`.
    pub fn new(inner: W, bar: ProgressBar) -> Self {
        Self {
            inner,
            bytes: 0,
            bar,
        }
    }
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        self.bar.set_position(self.bytes);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A byte count as people read it (`12.4 MiB`).
pub fn bytes(n: u64) -> String {
    indicatif::BinaryBytes(n).to_string()
}

/// A spinner counting quads, drawn on standard error only when it is a terminal.
pub fn progress_bar(label: &str) -> ProgressBar {
    // indicatif draws on standard error only when it is a terminal.
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {human_pos} quads ({per_sec}) {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(label.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// An IRI as a person reads it: compact with a predeclared prefix, else in angle brackets.
pub fn short(iri: &str) -> String {
    match NamedNode::new(iri) {
        Ok(n) => compact(&Term::NamedNode(n)),
        Err(_) => iri.to_owned(),
    }
}
