//! Disruption: what removing entities cuts off ([`ImpactReport`], `autokg impact`,
//! `/api/analytics/impact`) and single points of failure, articulation points and bridges
//! ([`CriticalReport`], `autokg critical`, `/api/analytics/critical`).

use super::{entity_refs, resolve, EntityRef};
use crate::algorithms::{cuts, impact as disruption, Deadline, NodeId};
use crate::error::{Error, Result};
use crate::projection::Projection;
use crate::store::KgStore;
use std::collections::HashMap;
use utoipa::ToSchema;

/// What removing entities cuts off: what `impact` returns, the JSON document of
/// `autokg impact --format json` and of `/api/analytics/impact`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImpactReport {
    /// The projection's name.
    #[schema(example = "ownership")]
    pub projection: String,
    /// Whether the projection is directed (lost pairs then follow edge direction).
    pub directed: bool,
    /// Nodes in the projection.
    pub node_count: usize,
    /// The removed entities.
    pub removed: Vec<EntityRef>,
    /// Entities that lose every path to the rest of their component (they end up outside
    /// its largest surviving piece).
    pub disconnected: Vec<EntityRef>,
    /// Ordered pairs of remaining entities that lose reachability.
    pub pairs_lost: u64,
    /// Largest connected component (undirected view) before the removal.
    pub largest_component_before: usize,
    /// Largest connected component of the remaining entities.
    pub largest_component_after: usize,
    /// Connected components before.
    pub components_before: usize,
    /// Connected components of the remaining entities.
    pub components_after: usize,
}

/// What removing some entities cuts off.
///
/// Arguments: `store`; `nodes`, entity arguments; `projection`.
///
/// Returns the [`ImpactReport`]. Errors: [`Error::NotFound`] for an entity not in the
/// projection; [`Error::InvalidInput`] for an empty list.
pub fn impact(store: &KgStore, nodes: &[String], projection: &Projection) -> Result<ImpactReport> {
    impact_until(store, nodes, projection, &Deadline::none())
}

/// [`impact`] under a deadline (checked per source of the directed reachability count).
///
/// Errors: as [`impact`], and [`Error::Timeout`] with the deadline's limit once it expires.
pub fn impact_until(
    store: &KgStore,
    nodes: &[String],
    projection: &Projection,
    deadline: &Deadline,
) -> Result<ImpactReport> {
    if nodes.is_empty() {
        return Err(Error::InvalidInput(
            "name at least one entity to remove".into(),
        ));
    }
    let removed = nodes
        .iter()
        .map(|n| resolve(store, projection, n))
        .collect::<Result<Vec<_>>>()?;
    let i = disruption::disruption_impact_until(projection.graph(), &removed, deadline)?;
    Ok(ImpactReport {
        projection: projection.name().to_owned(),
        directed: projection.is_directed(),
        node_count: projection.node_count(),
        removed: entity_refs(store, projection, &i.removed, deadline)?,
        disconnected: entity_refs(store, projection, &i.disconnected, deadline)?,
        pairs_lost: i.pairs_lost,
        largest_component_before: i.largest_before,
        largest_component_after: i.largest_after,
        components_before: i.components_before,
        components_after: i.components_after,
    })
}

/// An articulation point in a critical report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct CriticalNode {
    /// The full IRI.
    #[schema(example = "https://w3id.org/autokg/id/jetta")]
    pub id: String,
    /// The English label, when there is one.
    #[schema(example = "Jetta")]
    pub label: Option<String>,
    /// How many entities its removal cuts off from the rest of its component.
    pub disconnects: usize,
}

/// A bridge in a critical report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct CriticalEdge {
    /// One end.
    pub source: EntityRef,
    /// The other end.
    pub target: EntityRef,
    /// The relations the projection gave for the edge (IRIs).
    pub relations: Vec<String>,
    /// How many entities its removal cuts off (the smaller side).
    pub disconnects: usize,
}

/// Single points of failure of a projection's undirected view: what `critical` returns,
/// the JSON document of `autokg critical --format json` and of `/api/analytics/critical`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CriticalReport {
    /// The projection's name.
    #[schema(example = "ownership")]
    pub projection: String,
    /// Whether the projection is directed (the analysis uses the undirected view).
    pub directed: bool,
    /// Articulation points, the most disconnecting first.
    pub articulation_points: Vec<CriticalNode>,
    /// Bridges, the most disconnecting first.
    pub bridges: Vec<CriticalEdge>,
}

/// Single points of failure of a projection: articulation points and bridges of its
/// undirected view, each with how many entities its loss cuts off.
pub fn critical(store: &KgStore, projection: &Projection) -> Result<CriticalReport> {
    critical_until(store, projection, &Deadline::none())
}

/// [`critical`] under a deadline (checked during the searches and the label lookup).
///
/// Errors: [`Error::Timeout`] with the deadline's limit once it expires; the store's errors.
pub fn critical_until(
    store: &KgStore,
    projection: &Projection,
    deadline: &Deadline,
) -> Result<CriticalReport> {
    let g = projection.graph();
    let mut cut = cuts::cut_vertices_until(g, deadline)?;
    cut.sort_by(|a, b| {
        b.disconnects()
            .cmp(&a.disconnects())
            .then(a.node.cmp(&b.node))
    });
    let mut bridges = cuts::cut_edges_until(g, deadline)?;
    bridges.sort_by(|a, b| b.disconnects.cmp(&a.disconnects).then(a.edge.cmp(&b.edge)));
    let mut ids: Vec<NodeId> = cut.iter().map(|c| c.node).collect();
    ids.extend(bridges.iter().flat_map(|b| [b.edge.0, b.edge.1]));
    ids.sort_unstable();
    ids.dedup();
    let refs: HashMap<NodeId, EntityRef> = ids
        .iter()
        .copied()
        .zip(entity_refs(store, projection, &ids, deadline)?)
        .collect();
    let entity = |i: NodeId| {
        refs.get(&i).cloned().unwrap_or_else(|| EntityRef {
            id: projection.node_id_string(i),
            label: None,
        })
    };
    Ok(CriticalReport {
        projection: projection.name().to_owned(),
        directed: projection.is_directed(),
        articulation_points: cut
            .iter()
            .map(|c| {
                let e = entity(c.node);
                CriticalNode {
                    id: e.id,
                    label: e.label,
                    disconnects: c.disconnects(),
                }
            })
            .collect(),
        bridges: bridges
            .iter()
            .map(|b| CriticalEdge {
                source: entity(b.edge.0),
                target: entity(b.edge.1),
                relations: {
                    // Either direction of the undirected edge: each relation once.
                    let mut r: Vec<String> = projection
                        .relations_between(b.edge.0, b.edge.1)
                        .into_iter()
                        .map(|(r, _)| r.as_str().to_owned())
                        .collect();
                    r.sort_unstable();
                    r.dedup();
                    r
                },
                disconnects: b.disconnects,
            })
            .collect(),
    })
}
