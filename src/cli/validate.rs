//! `autokg validate`: the store's data, or some files with the ontology, against the SHACL
//! shapes (the embedded `ontology/shapes.ttl`, or the user's with `--shapes FILE`); exit code
//! 1 when there are violations.

use super::output::ReportFormat;
use super::Outcome;
use crate::error::Result;
use crate::shacl::Shapes;
use crate::store::KgStore;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Validate these files (with the ontology) instead of the store's data.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Validate against the shapes in this Turtle file instead of the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub shapes: Option<PathBuf>,
}

/// `autokg validate`: runs the shapes of `args.shapes` (else the built-in ones) on `store`.
pub fn run(store: &KgStore, args: &ValidateArgs) -> Result<Outcome> {
    let shapes = match &args.shapes {
        Some(file) => Shapes::from_file(file)?,
        None => Shapes::embedded()?,
    };
    let violations = shapes.validate(store)?;
    let format = args.format;
    match format {
        ReportFormat::Json => {
            let report = serde_json::json!({
                "conforms": violations.is_empty(),
                "violations": violations,
            });
            println!("{report:#}");
        }
        ReportFormat::Text if violations.is_empty() => {
            println!("conforms: no violations of the SHACL shapes");
        }
        ReportFormat::Text => {
            println!("{} violation(s) of the SHACL shapes:", violations.len());
            for v in &violations {
                println!("- {v}");
            }
        }
    }
    Ok(if violations.is_empty() {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}
