//! Limits on what one GraphQL operation may ask, checked on the parsed document before any
//! resolver runs (over HTTP and WebSocket alike), beside async-graphql's own depth, complexity
//! and directive limits:
//!
//! - the query text is at most `STOREFRONT_GRAPHQL_MAX_QUERY_SIZE` bytes;
//! - at most `STOREFRONT_GRAPHQL_MAX_ALIASES` aliased fields (alias overloading: 200 aliases of
//!   `me` would each run);
//! - one field at most `STOREFRONT_GRAPHQL_MAX_FIELD_REPEATS` times in one selection set (field
//!   duplication);
//! - introspection may not nest a type's member lists (`fields`, `inputFields`, `interfaces`,
//!   `possibleTypes`) inside one another: the standard introspection query never does, a
//!   circular one (`types { fields { type { fields { type ...`) must;
//! - an operation runs at most `STOREFRONT_GRAPHQL_TIMEOUT` seconds.
//!
//! Refusals are GraphQL errors with `extensions.code` `QUERY_TOO_LARGE`, `TOO_MANY_ALIASES`,
//! `FIELD_REPEATED`, `INTROSPECTION_TOO_DEEP`, `QUERY_TOO_COMPLEX` (fragments spread into more
//! than [`MAX_NODES`] fields) or `TIMEOUT`.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Response, ServerError};

use crate::config::GraphqlLimits;

/// Introspection fields that list a type's members: one may not appear under another of them.
const MEMBERS: &[&str] = &["fields", "inputFields", "interfaces", "possibleTypes"];

/// Fields one operation may expand to, fragments spread out: a bound on this walk itself, so
/// that fragments spreading each other twice over cannot make it exponential.
pub const MAX_NODES: usize = 20_000;

/// Nesting the walk follows: beyond the schema's recursion limit (32) and any depth limit.
const MAX_WALK_DEPTH: usize = 64;

/// The limits, configured once; `graphql::engine` applies them to every operation.
pub struct OperationLimits {
    max_query_size: usize,
    max_aliases: usize,
    max_field_repeats: usize,
    timeout: Duration,
}

fn refusal(code: &str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code);
    error.extensions = Some(ext);
    error
}

impl OperationLimits {
    pub fn new(limits: &GraphqlLimits) -> Self {
        Self {
            max_query_size: limits.max_query_size,
            max_aliases: limits.max_aliases,
            max_field_repeats: limits.max_field_repeats,
            timeout: limits.timeout,
        }
    }

    /// The query text's size, checked before it is parsed.
    pub fn check_text(&self, query: &str) -> Result<(), ServerError> {
        if query.len() > self.max_query_size {
            return Err(refusal(
                "QUERY_TOO_LARGE",
                format!(
                    "the query is {} bytes; at most {} are accepted",
                    query.len(),
                    self.max_query_size
                ),
            ));
        }
        Ok(())
    }

    /// Aliases, repeated fields, nested introspection and the expanded size of a parsed document.
    pub fn check_document(&self, document: &ExecutableDocument) -> Result<(), ServerError> {
        let mut walk = Walk {
            fragments: &document.fragments,
            aliases: 0,
            nodes: 0,
            depth: 0,
            max_field_repeats: self.max_field_repeats,
            problem: None,
            visiting: HashSet::new(),
        };
        for (_, operation) in document.operations.iter() {
            walk.selection_set(&operation.node.selection_set.node, &mut Vec::new());
        }
        if let Some(problem) = walk.problem {
            return Err(problem);
        }
        if walk.aliases > self.max_aliases {
            return Err(refusal(
                "TOO_MANY_ALIASES",
                format!(
                    "the operation has {} aliases; at most {} are accepted",
                    walk.aliases, self.max_aliases
                ),
            ));
        }
        Ok(())
    }

    /// Runs an operation for at most the configured time; `TIMEOUT` beyond it.
    pub async fn bounded(&self, operation: impl Future<Output = Response>) -> Response {
        match tokio::time::timeout(self.timeout, operation).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(
                    timeout_secs = self.timeout.as_secs(),
                    "GraphQL operation timed out"
                );
                Response::from_errors(vec![refusal(
                    "TIMEOUT",
                    format!(
                        "the operation ran longer than {} seconds",
                        self.timeout.as_secs()
                    ),
                )])
            }
        }
    }
}

/// One pass over an operation, through its fragments.
struct Walk<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    aliases: usize,
    nodes: usize,
    /// Selection sets open on the path to here, fragments spread out.
    depth: usize,
    max_field_repeats: usize,
    problem: Option<ServerError>,
    /// Fragments on the current path (a cycle is the validator's to report).
    visiting: HashSet<&'a str>,
}

impl<'a> Walk<'a> {
    /// `expanding`: the introspection members listed on the path to here.
    fn selection_set(&mut self, set: &'a SelectionSet, expanding: &mut Vec<&'a str>) {
        // Deeper than any operation the schema accepts (its recursion and depth limits refuse
        // it after this walk): stop here rather than recurse without bound.
        if self.depth > MAX_WALK_DEPTH {
            return;
        }
        self.depth += 1;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        self.items(set, expanding, &mut seen);
        self.depth -= 1;
    }

    fn items(
        &mut self,
        set: &'a SelectionSet,
        expanding: &mut Vec<&'a str>,
        seen: &mut HashMap<&'a str, usize>,
    ) {
        for item in &set.items {
            if self.problem.is_some() {
                return;
            }
            match &item.node {
                Selection::Field(field) => {
                    self.nodes += 1;
                    if self.nodes > MAX_NODES {
                        self.problem = Some(refusal(
                            "QUERY_TOO_COMPLEX",
                            format!("the operation expands to more than {MAX_NODES} fields"),
                        ));
                        return;
                    }
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    if field.alias.is_some() {
                        self.aliases += 1;
                    }
                    // The same answer key selected again and again (aliases are other keys).
                    let key = field.alias.as_ref().map_or(name, |a| a.node.as_str());
                    let count = seen.entry(key).or_default();
                    *count += 1;
                    if *count > self.max_field_repeats {
                        self.problem = Some(refusal(
                            "FIELD_REPEATED",
                            format!(
                                "`{key}` is selected more than {} times in one selection",
                                self.max_field_repeats
                            ),
                        ));
                        return;
                    }
                    let expands = MEMBERS.contains(&name);
                    if expands && !expanding.is_empty() {
                        self.problem = Some(refusal(
                            "INTROSPECTION_TOO_DEEP",
                            format!(
                                "introspection may not select `{name}` inside `{}`",
                                expanding.last().copied().unwrap_or_default()
                            ),
                        ));
                        return;
                    }
                    if expands {
                        expanding.push(name);
                    }
                    self.selection_set(&field.selection_set.node, expanding);
                    if expands {
                        expanding.pop();
                    }
                }
                Selection::InlineFragment(fragment) => {
                    self.items(&fragment.node.selection_set.node, expanding, seen);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let Some(fragment) = self.fragments.get(name) else {
                        continue;
                    };
                    if !self.visiting.insert(name) {
                        continue;
                    }
                    self.items(&fragment.node.selection_set.node, expanding, seen);
                    self.visiting.remove(name);
                }
            }
        }
    }
}
