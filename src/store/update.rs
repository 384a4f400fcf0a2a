//! SPARQL 1.1 Update, executed by the store itself so that an update means what a query
//! over the same dataset would show (SPEC §4):
//!
//! - the `WHERE` of `DELETE`/`INSERT` sees the union of all graphs as its default graph,
//!   as queries do, unless `USING`/`USING NAMED` (or `using-graph-uri`) names a dataset;
//! - a `DELETE` template or `DELETE DATA` triple without `GRAPH` removes the triple from
//!   every graph that holds it (the RDF4J and GraphDB convention); one held by a protected
//!   graph is refused, one that holds only as an entailment is refused naming the asserted
//!   triples it follows from;
//! - an `INSERT` template or `INSERT DATA` triple without `GRAPH` goes to the real default
//!   graph, with fresh blank nodes per solution (per operation for `INSERT DATA`);
//! - `CLEAR`/`DROP` `ALL` and `NAMED` act on the writable graphs only; naming a protected
//!   graph is refused; `LOAD` is refused (the server fetches nothing: use
//!   `autokg load --server`).
//!
//! The operations run in one [`Batch`](super::write::Batch) (each sees the effects of the
//! ones before it), which commits with its entailment delta, whole or not at all.

use super::write::{protected_graph, refuse, Batch};
use super::KgStore;
use crate::error::{Error, Result};
use oxigraph::model::{BlankNode, GraphName, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::sparql::{QueryResults, QuerySolution, SparqlEvaluator};
use spargebra::algebra::GraphTarget;
use spargebra::term::{
    GraphName as SparqlGraphName, GraphNamePattern, GroundQuadPattern, GroundTerm,
    GroundTermPattern, NamedNodePattern, QuadPattern, TermPattern,
};
use spargebra::{GraphUpdateOperation, Query, Update};
use std::collections::HashMap;

/// A parsed update and the evaluator its `WHERE` clauses run on (prefixes, custom
/// functions, SERVICE handler, cancellation checks).
pub struct UpdatePlan {
    /// The update, as spargebra parsed it (with any protocol `using-…` graphs applied).
    pub update: Update,
    /// The evaluator for its `WHERE` clauses.
    pub evaluator: SparqlEvaluator,
}

impl KgStore {
    /// Parses an update with the common prefixes after the nesting check of
    /// [`crate::nesting`] ([`Error::SparqlSyntax`] or [`Error::InvalidInput`] when it does
    /// not parse).
    pub fn prepare_update(&self, sparql: &str) -> Result<UpdatePlan> {
        crate::nesting::check_sparql(sparql)?;
        let mut parser = spargebra::SparqlParser::new();
        for (prefix, iri) in crate::vocab::PREFIXES {
            parser = parser
                .with_prefix(*prefix, *iri)
                .map_err(|e| Error::SparqlSyntax(e.to_string()))?;
        }
        let update = parser
            .parse_update(sparql)
            .map_err(|e| Error::SparqlSyntax(e.to_string()))?;
        Ok(UpdatePlan {
            update,
            evaluator: Self::evaluator(),
        })
    }

    /// Runs an update atomically with its entailments, one writer at a time (see the
    /// module documentation for what each operation means). Errors:
    /// [`Error::Forbidden`] for a write to a protected graph or of an entailment (nothing
    /// applied), [`Error::Evaluation`] for a failing `WHERE`, a missing graph without
    /// `SILENT` or a `LOAD`.
    pub fn update(&self, plan: UpdatePlan) -> Result<()> {
        self.update_until(plan, &crate::algorithms::Deadline::none())
    }

    /// [`KgStore::update`] under `deadline`: waiting for another write, changing quads and
    /// maintaining entailments stop at it with [`Error::Timeout`], nothing applied (the
    /// `WHERE` is stopped by the plan's own cancellation token).
    pub fn update_until(
        &self,
        plan: UpdatePlan,
        deadline: &crate::algorithms::Deadline,
    ) -> Result<()> {
        let UpdatePlan { update, evaluator } = plan;
        let base = update.base_iri.clone();
        self.write(deadline, |batch| {
            for op in update.operations {
                run(batch, op, &evaluator, base.as_ref())?;
            }
            Ok(())
        })
    }
}

fn run(
    batch: &mut Batch<'_>,
    op: GraphUpdateOperation,
    evaluator: &SparqlEvaluator,
    base: Option<&oxiri::Iri<String>>,
) -> Result<()> {
    match op {
        GraphUpdateOperation::InsertData { data } => {
            let mut fresh = HashMap::new();
            for q in data {
                let subject = match q.subject {
                    NamedOrBlankNode::BlankNode(b) => fresh_node(&mut fresh, &b).into(),
                    s => s,
                };
                let object = match q.object {
                    Term::BlankNode(b) => fresh_node(&mut fresh, &b).into(),
                    o => o,
                };
                let graph = graph_name(q.graph_name);
                batch.insert(Quad::new(subject, q.predicate, object, graph))?;
            }
            Ok(())
        }
        GraphUpdateOperation::DeleteData { data } => {
            for q in data {
                let Some(object) = ground_term(q.object) else {
                    continue;
                };
                let t = Triple::new(q.subject, q.predicate, object);
                match q.graph_name {
                    SparqlGraphName::DefaultGraph => batch.remove_everywhere(t)?,
                    SparqlGraphName::NamedNode(g) => batch.remove(t.in_graph(g))?,
                }
            }
            Ok(())
        }
        GraphUpdateOperation::DeleteInsert {
            delete,
            insert,
            using,
            pattern,
        } => {
            let query = Query::Select {
                dataset: using.clone(),
                pattern: *pattern,
                base_iri: base.cloned(),
            };
            let mut prepared = evaluator.clone().for_query(query);
            if using.is_none() {
                prepared.dataset_mut().set_default_graph_as_union();
            }
            let solutions: Vec<QuerySolution> = match prepared
                .on_transaction(&batch.tx)
                .execute()
                .map_err(evaluation_error)?
            {
                QueryResults::Solutions(s) => s
                    .collect::<std::result::Result<_, _>>()
                    .map_err(evaluation_error)?,
                _ => return Err(Error::Evaluation("the WHERE clause is not a SELECT".into())),
            };
            for solution in &solutions {
                for template in &delete {
                    if let Some((t, graph)) = delete_quad(template, solution) {
                        match graph {
                            None => batch.remove_everywhere(t)?,
                            Some(g) => batch.remove(t.in_graph(g))?,
                        }
                    }
                }
            }
            for solution in &solutions {
                let mut fresh = HashMap::new();
                for template in &insert {
                    if let Some(q) = insert_quad(template, solution, &mut fresh) {
                        batch.insert(q)?;
                    }
                }
            }
            Ok(())
        }
        GraphUpdateOperation::Load { .. } => Err(Error::Evaluation(
            "LOAD is not available on this server (it fetches nothing); send the data with the Graph Store protocol or `autokg load --server`".into(),
        )),
        GraphUpdateOperation::Clear { silent, graph } => {
            for g in targets(batch, &graph, silent)? {
                batch.clear_graph(g.as_ref())?;
            }
            Ok(())
        }
        GraphUpdateOperation::Drop { silent, graph } => {
            for g in targets(batch, &graph, silent)? {
                batch.drop_graph(g.as_ref())?;
            }
            Ok(())
        }
        GraphUpdateOperation::Create { silent, graph } => {
            let name = GraphName::from(graph.clone());
            if protected_graph(name.as_ref()).is_some() {
                return Err(refuse(name.as_ref()));
            }
            if batch.graph_exists(name.as_ref())? {
                return if silent {
                    Ok(())
                } else {
                    Err(Error::Evaluation(format!("the graph {graph} already exists")))
                };
            }
            batch.tx.insert_named_graph(&graph);
            Ok(())
        }
    }
}

/// The graphs a `CLEAR`/`DROP` acts on: `ALL` and `NAMED` mean the writable ones; a named
/// graph that does not exist is an error unless `SILENT`; a protected one is refused.
fn targets(batch: &Batch<'_>, target: &GraphTarget, silent: bool) -> Result<Vec<GraphName>> {
    let named = || -> Result<Vec<GraphName>> {
        Ok(batch
            .writable_named_graphs()?
            .into_iter()
            .map(GraphName::from)
            .collect())
    };
    Ok(match target {
        GraphTarget::DefaultGraph => vec![GraphName::DefaultGraph],
        GraphTarget::NamedGraphs => named()?,
        GraphTarget::AllGraphs => {
            let mut all = named()?;
            all.push(GraphName::DefaultGraph);
            all
        }
        GraphTarget::NamedNode(g) => {
            let name = GraphName::from(g.clone());
            if protected_graph(name.as_ref()).is_some() {
                return Err(refuse(name.as_ref()));
            }
            if !batch.graph_exists(name.as_ref())? {
                return if silent {
                    Ok(Vec::new())
                } else {
                    Err(Error::Evaluation(format!(
                        "there is no graph {g} in the store"
                    )))
                };
            }
            vec![name]
        }
    })
}

fn evaluation_error(e: oxigraph::sparql::QueryEvaluationError) -> Error {
    super::evaluation_error(e)
}

fn fresh_node(fresh: &mut HashMap<BlankNode, BlankNode>, b: &BlankNode) -> BlankNode {
    fresh.entry(b.clone()).or_default().clone()
}

fn graph_name(g: SparqlGraphName) -> GraphName {
    match g {
        SparqlGraphName::NamedNode(n) => n.into(),
        SparqlGraphName::DefaultGraph => GraphName::DefaultGraph,
    }
}

fn ground_term(t: GroundTerm) -> Option<Term> {
    match t {
        GroundTerm::NamedNode(n) => Some(n.into()),
        GroundTerm::Literal(l) => Some(l.into()),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn bound<'a>(solution: &'a QuerySolution, v: &spargebra::term::Variable) -> Option<&'a Term> {
    solution.get(v.as_str())
}

fn predicate(p: &NamedNodePattern, solution: &QuerySolution) -> Option<NamedNode> {
    match p {
        NamedNodePattern::NamedNode(n) => Some(n.clone()),
        NamedNodePattern::Variable(v) => match bound(solution, v)? {
            Term::NamedNode(n) => Some(n.clone()),
            _ => None,
        },
    }
}

fn subject_of(t: Term) -> Option<NamedOrBlankNode> {
    match t {
        Term::NamedNode(n) => Some(n.into()),
        Term::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

/// The graph a template names: `None` for no `GRAPH` (the default graph), `Some(None)`
/// when its variable is unbound or not an IRI (the template is skipped).
fn template_graph(g: &GraphNamePattern, solution: &QuerySolution) -> Option<Option<GraphName>> {
    match g {
        GraphNamePattern::DefaultGraph => None,
        GraphNamePattern::NamedNode(n) => Some(Some(n.clone().into())),
        GraphNamePattern::Variable(v) => Some(match bound(solution, v) {
            Some(Term::NamedNode(n)) => Some(n.clone().into()),
            _ => None,
        }),
    }
}

fn ground_pattern(t: &GroundTermPattern, solution: &QuerySolution) -> Option<Term> {
    match t {
        GroundTermPattern::NamedNode(n) => Some(n.clone().into()),
        GroundTermPattern::Literal(l) => Some(l.clone().into()),
        GroundTermPattern::Variable(v) => bound(solution, v).cloned(),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// A `DELETE` template instantiated: the triple and its graph (`None`: no `GRAPH`), or
/// `None` when a variable is unbound or a term does not fit its place.
fn delete_quad(
    template: &GroundQuadPattern,
    solution: &QuerySolution,
) -> Option<(Triple, Option<GraphName>)> {
    let subject = subject_of(ground_pattern(&template.subject, solution)?)?;
    let predicate = predicate(&template.predicate, solution)?;
    let object = ground_pattern(&template.object, solution)?;
    let graph = match template_graph(&template.graph_name, solution) {
        None => None,
        Some(Some(g)) => Some(g),
        Some(None) => return None,
    };
    Some((Triple::new(subject, predicate, object), graph))
}

fn term_pattern(
    t: &TermPattern,
    solution: &QuerySolution,
    fresh: &mut HashMap<BlankNode, BlankNode>,
) -> Option<Term> {
    match t {
        TermPattern::NamedNode(n) => Some(n.clone().into()),
        TermPattern::BlankNode(b) => Some(fresh_node(fresh, b).into()),
        TermPattern::Literal(l) => Some(l.clone().into()),
        TermPattern::Variable(v) => bound(solution, v).cloned(),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// An `INSERT` template instantiated (no `GRAPH`: the real default graph), or `None` when a
/// variable is unbound or a term does not fit its place.
fn insert_quad(
    template: &QuadPattern,
    solution: &QuerySolution,
    fresh: &mut HashMap<BlankNode, BlankNode>,
) -> Option<Quad> {
    let subject = subject_of(term_pattern(&template.subject, solution, fresh)?)?;
    let predicate = predicate(&template.predicate, solution)?;
    let object = term_pattern(&template.object, solution, fresh)?;
    let graph = match template_graph(&template.graph_name, solution) {
        None => GraphName::DefaultGraph,
        Some(Some(g)) => g,
        Some(None) => return None,
    };
    Some(Quad::new(subject, predicate, object, graph))
}
