//! The schema as every transport runs it: each operation, over HTTP (each operation of a batch
//! too) or over the WebSocket, passes [`OperationLimits`] on its parsed document, gets its own
//! fresh [`Loaders`] (and, on a socket, a fresh copy of the socket's credentials), and a query or
//! mutation runs at most `STOREFRONT_GRAPHQL_TIMEOUT`.
//!
//! This is done around the schema rather than as schema extensions on purpose: with any
//! extension registered, async-graphql sends every field and every list item through the
//! extension chain (a boxed future per extension, a registry lookup and a type name built per
//! field), which was a measurable share of a product listing's CPU. The document is parsed once
//! here and handed to the schema, and the HTTP handler reads the same parse.
//!
//! Parsed documents are kept by their text ([`Documents`]): storefronts send the same few
//! operations over and over, and parsing was a third of the instructions of `me`.

use std::any::TypeId;
use std::sync::Arc;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
};
use async_graphql::{Data, Executor, Positioned, Request, Response, ServerError};
use quick_cache::sync::Cache;

use super::AppSchema;
use super::limits::OperationLimits;
use super::loaders::Loaders;
use super::session::SocketAuth;
use crate::store::Store;

/// The schema and what runs around each of its operations; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    schema: AppSchema,
    limits: Arc<OperationLimits>,
    store: Store,
    documents: Arc<Documents>,
}

/// Parsed documents by their text. Bounded by weight (the text's length, times a rough factor
/// for the parsed tree), so a client sending ever new texts only turns the cache over.
type Documents = Cache<String, ExecutableDocument, DocumentWeight>;

/// About 4 MiB of texts and their trees: thousands of typical operations.
const DOCUMENTS_WEIGHT: u64 = 4 << 20;

#[derive(Clone)]
struct DocumentWeight;

impl quick_cache::Weighter<String, ExecutableDocument> for DocumentWeight {
    fn weight(&self, text: &String, _: &ExecutableDocument) -> u64 {
        5 * text.len() as u64 + 64
    }
}

/// Marks a request whose document [`Engine::document`] has already provided.
struct Provided;

impl Engine {
    pub fn new(schema: AppSchema, limits: OperationLimits, store: Store) -> Self {
        Self {
            schema,
            limits: Arc::new(limits),
            store,
            documents: Arc::new(Cache::with_weighter(4096, DOCUMENTS_WEIGHT, DocumentWeight)),
        }
    }

    /// The request's document, parsed once for the transport and the schema alike; `None` when
    /// the text is too large or does not parse (running the request then says why).
    pub fn parse<'r>(&self, request: &'r mut Request) -> Option<&'r ExecutableDocument> {
        self.limits.check_text(&request.query).ok()?;
        self.document(request).ok()
    }

    /// The request's document: a copy of the one parsed from the same text before, or parsed
    /// now (and kept when it parses). The schema runs on this document without parsing again.
    fn document<'r>(
        &self,
        request: &'r mut Request,
    ) -> Result<&'r ExecutableDocument, ServerError> {
        if !request.data.contains_key(&TypeId::of::<Provided>()) {
            request.data.insert(Provided);
            if let Some(document) = self.documents.get(request.query.as_str()) {
                request.set_parsed_query(document);
            } else if let Ok(document) = request.parsed_query() {
                let document = document.clone();
                self.documents.insert(request.query.clone(), document);
            }
        }
        request.parsed_query()
    }

    /// Checks the operation's limits and gives it its loaders; a refusal is the answer's error.
    fn prepare(&self, mut request: Request) -> Result<Request, ServerError> {
        self.limits.check_text(&request.query)?;
        // A document that does not parse is left to the schema, which reports it as it always
        // does.
        if let Ok(document) = self.document(&mut request) {
            self.limits.check_document(document)?;
        }
        Ok(request.data(Loaders::new(&self.store)))
    }

    async fn run(&self, request: Request) -> Response {
        match self.prepare(request) {
            Ok(request) => self.limits.bounded(self.schema.execute(request)).await,
            Err(refusal) => Response::from_errors(vec![refusal]),
        }
    }
}

impl Executor for Engine {
    async fn execute(&self, request: Request) -> Response {
        self.run(request).await
    }

    /// Every operation on a WebSocket comes this way, queries and mutations too; only those are
    /// bounded in time (a subscription lives as long as the client wants it).
    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let mut request = match self.prepare(request) {
            Ok(request) => request,
            Err(refusal) => {
                return stream::once(async move { Response::from_errors(vec![refusal]) }).boxed();
            }
        };
        let session_data = session_data.unwrap_or_default();
        if let Some(socket) = session_auth(&session_data) {
            request = request.data(socket.0.fresh());
        }
        let name = request.operation_name.clone();
        let subscription = self.document(&mut request).is_ok_and(|document| {
            operation(document, name.as_deref())
                .is_some_and(|op| op.node.ty == OperationType::Subscription)
        });
        let responses = self
            .schema
            .execute_stream_with_session_data(request, session_data);
        if subscription {
            return responses;
        }
        let limits = self.limits.clone();
        stream::once(async move {
            let mut responses = responses;
            limits
                .bounded(async move { responses.next().await.unwrap_or_default() })
                .await
        })
        .boxed()
    }
}

/// The socket's credentials among the connection's data (`graphql::socket` puts them there).
fn session_auth(data: &Data) -> Option<&SocketAuth> {
    data.get(&std::any::TypeId::of::<SocketAuth>())
        .and_then(|value| (**value).downcast_ref::<SocketAuth>())
}

/// The operation of `document` a request runs: the one named, or the only one.
pub fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| op),
        // A document of one named operation runs it without being told its name.
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    }
}
