//! What every GraphQL operation leaves behind for operators: a span (the operation inside
//! its HTTP request's trace), a count and a latency in `/metrics` by operation, type and
//! outcome, and the request id on errors a user might report.
//!
//! The outcome is what a client developer would ask about: the `__typename` of the union
//! member a mutation answered with (`CancelInvitationSuccess`, `NotFoundError`, …), the
//! `extensions.code` of the first error, or `ok`. A union member's name is in the answer
//! only when the client selected `__typename`, so the extension selects it itself, under an
//! alias no client uses, and takes it out of the answer again.
//!
//! Label values are bounded: the operation is the root field's name, which validation has
//! matched against the schema (documents that fail validation count as `invalid`), never
//! the client's own operation name.
//!
//! Only an operation with a single root field is given the extra selection (with several,
//! the label is `multiple` anyway), so a document is charged at most one field more than
//! it asked for; `schema.rs` allows for that one in the complexity limit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest, NextSubscribe,
};
use async_graphql::futures_util::stream::BoxStream;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, Field, OperationType, Selection};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{Name, Pos, Positioned, Response, ServerResult, Value, Variables};
use futures_util::StreamExt as _;
use roster_live::fanout::{LiveOutlet, RenderingEvent};
use tracing::Instrument as _;

use crate::request_id::RequestId;

/// The alias the outcome's `__typename` is selected under; removed from every answer.
const OUTCOME_ALIAS: &str = "_rosterOutcome";

/// The extension, registered in the schema.
pub struct ObserveOperations;

impl ExtensionFactory for ObserveOperations {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Observe::default())
    }
}

/// One root field of an operation in the document.
#[derive(Debug, Clone)]
struct RootField {
    /// Its key in the answer (the alias, or the name).
    key: String,
    /// The schema's field name: the operation's label.
    name: String,
    /// Whether the outcome's `__typename` was added to its selection.
    tagged: bool,
}

/// One operation of the document.
#[derive(Debug, Clone)]
struct Operation {
    name: Option<String>,
    kind: OperationType,
    fields: Vec<RootField>,
}

/// Per request: the document's operations, as read at parse time, and whether one ran
/// through `execute` (and was counted there). Shared with the websocket stream's wrapper.
#[derive(Default)]
struct Observe {
    operations: Arc<Mutex<Vec<Operation>>>,
    validated: Arc<AtomicBool>,
    executed: Arc<AtomicBool>,
}

fn kind_label(kind: OperationType) -> &'static str {
    match kind {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

/// Whether `field` of the root type `root` answers with one union value (a mutation's
/// result; not a list, whose items the answer's object check would miss).
fn answers_with_union(registry: &Registry, root: &str, field: &str) -> bool {
    let ty = registry.types.get(root).and_then(|t| t.field_by_name(field)).map(|f| f.ty.as_str());
    let ty = ty.filter(|ty| !ty.starts_with('['));
    matches!(ty.and_then(|ty| registry.concrete_type_by_name(ty)), Some(MetaType::Union { .. }))
}

/// Reads the operations' root fields, and selects `__typename` under [`OUTCOME_ALIAS`] in
/// those that answer with a union.
fn tag(document: &mut ExecutableDocument, registry: &Registry) -> Vec<Operation> {
    let mut operations = Vec::new();
    let all: Vec<(Option<String>, &mut Positioned<async_graphql::parser::types::OperationDefinition>)> =
        match &mut document.operations {
            DocumentOperations::Single(operation) => vec![(None, operation)],
            DocumentOperations::Multiple(map) => {
                map.iter_mut().map(|(name, operation)| (Some(name.to_string()), operation)).collect()
            }
        };
    for (name, operation) in all {
        let kind = operation.node.ty;
        let root = match kind {
            OperationType::Query => Some(registry.query_type.as_str()),
            OperationType::Mutation => registry.mutation_type.as_deref(),
            OperationType::Subscription => registry.subscription_type.as_deref(),
        };
        let mut fields = Vec::new();
        let items = &mut operation.node.selection_set.node.items;
        let single = items.iter().filter(|s| matches!(s.node, Selection::Field(_))).count() == 1;
        for selection in items {
            let Selection::Field(field) = &mut selection.node else { continue };
            let field = &mut field.node;
            let key = field.alias.as_ref().unwrap_or(&field.name).node.to_string();
            let name = field.name.node.to_string();
            let tagged = single
                && kind != OperationType::Subscription
                && root.is_some_and(|root| answers_with_union(registry, root, &name));
            if tagged {
                field.selection_set.node.items.push(Positioned::new(
                    Selection::Field(Positioned::new(
                        Field {
                            alias: Some(Positioned::new(Name::new(OUTCOME_ALIAS), Pos::default())),
                            name: Positioned::new(Name::new("__typename"), Pos::default()),
                            arguments: Vec::new(),
                            directives: Vec::new(),
                            selection_set: Positioned::new(Default::default(), Pos::default()),
                        },
                        Pos::default(),
                    )),
                    Pos::default(),
                ));
            }
            fields.push(RootField { key, name, tagged });
        }
        operations.push(Operation { name, kind, fields });
    }
    operations
}

/// The operation label: the root field's name, or `multiple` when there are several.
fn label(operation: &Operation) -> String {
    match operation.fields.as_slice() {
        [only] => only.name.clone(),
        [] => "none".into(),
        _ => "multiple".into(),
    }
}

/// The outcome of the answer, and the answer without the extension's own selections.
fn outcome(response: &mut Response, operation: &Operation) -> String {
    let mut outcome = None;
    if let Value::Object(data) = &mut response.data {
        for field in operation.fields.iter().filter(|f| f.tagged) {
            if let Some(Value::Object(object)) = data.get_mut(field.key.as_str())
                && let Some(Value::String(typename)) = object.shift_remove(OUTCOME_ALIAS)
            {
                outcome.get_or_insert(typename);
            }
        }
    }
    let code = response.errors.first().map(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|code| match code {
                Value::String(code) => Some(code.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "ERROR".into())
    });
    code.or(outcome).unwrap_or_else(|| "ok".into())
}

/// Counts a live member-list subscription whose first answer was an event sent through its
/// socket's shared renders (`fanout.rs`), which the engine, and so `subscribe` below, never
/// saw.
pub(crate) fn count_shared_answer(started: Instant) {
    record("memberListChanged", kind_label(OperationType::Subscription), "ok".into(), started);
}

fn record(operation: &str, kind: &'static str, outcome: String, started: Instant) {
    metrics::counter!(
        "roster_graphql_operations_total",
        "operation" => operation.to_owned(),
        "type" => kind,
        "outcome" => outcome,
    )
    .increment(1);
    metrics::histogram!("roster_graphql_operation_duration_seconds", "operation" => operation.to_owned(), "type" => kind)
        .record(started.elapsed().as_secs_f64());
}

#[async_graphql::async_trait::async_trait]
impl Extension for Observe {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let mut response = next.run(ctx).await;
        if !self.executed.load(Ordering::Relaxed) {
            // It never ran: it did not parse or validate, or was refused before executing.
            let code =
                outcome(&mut response, &Operation { name: None, kind: OperationType::Query, fields: vec![] });
            record("invalid", "unknown", code, started);
        }
        response
    }

    /// Over a websocket every operation is a stream. Queries and mutations in it still pass
    /// `execute` (and are counted there); a subscription is counted when its first answer
    /// comes (`ok`, or the code it was refused with), and a document that did not validate
    /// as `invalid`.
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        if ctx.data_opt::<RenderingEvent>().is_some() {
            // A shared render of one live event, not an operation anyone sent.
            return next.run(ctx, stream);
        }
        let (operations, validated, executed) =
            (self.operations.clone(), self.validated.clone(), self.executed.clone());
        // A live subscription's events may go out beside the engine; its socket counts it then.
        let answered = ctx.data_opt::<LiveOutlet>().map(|outlet| outlet.answered.clone());
        let started = Instant::now();
        let mut first = true;
        next.run(ctx, stream)
            .map(move |mut response| {
                let counted =
                    answered.as_ref().is_some_and(|answered| answered.swap(true, Ordering::Relaxed));
                if std::mem::take(&mut first) && !executed.load(Ordering::Relaxed) && !counted {
                    // Named only once validation matched the root field against the schema.
                    let operation = validated.load(Ordering::Relaxed).then(|| {
                        let operations = operations.lock().unwrap_or_else(|p| p.into_inner());
                        match operations.as_slice() {
                            [only] => only.clone(),
                            _ => Operation { name: None, kind: OperationType::Subscription, fields: vec![] },
                        }
                    });
                    match operation {
                        Some(operation) => {
                            let code = outcome(&mut response, &operation);
                            let name = if operation.fields.is_empty() {
                                "multiple".into()
                            } else {
                                label(&operation)
                            };
                            record(&name, kind_label(operation.kind), code, started);
                        }
                        None => {
                            let none = Operation { name: None, kind: OperationType::Query, fields: vec![] };
                            let code = outcome(&mut response, &none);
                            record("invalid", "unknown", code, started);
                        }
                    }
                }
                response
            })
            .boxed()
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: async_graphql::extensions::NextValidation<'_>,
    ) -> Result<async_graphql::ValidationResult, Vec<async_graphql::ServerError>> {
        let result = next.run(ctx).await;
        self.validated.store(result.is_ok(), Ordering::Relaxed);
        result
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let mut document = next.run(ctx, query, variables).await?;
        let operations = tag(&mut document, &ctx.schema_env.registry);
        *self.operations.lock().unwrap_or_else(|p| p.into_inner()) = operations;
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if ctx.data_opt::<RenderingEvent>().is_some() {
            // A shared render of one live event, not an operation anyone sent.
            return next.run(ctx, operation_name).await;
        }
        let operation = {
            let operations = self.operations.lock().unwrap_or_else(|p| p.into_inner());
            match operation_name {
                Some(wanted) => operations.iter().find(|o| o.name.as_deref() == Some(wanted)).cloned(),
                None => operations.first().cloned(),
            }
        };
        let Some(operation) = operation else {
            self.executed.store(true, Ordering::Relaxed);
            return next.run(ctx, operation_name).await;
        };
        if operation.kind == OperationType::Subscription {
            // Each event of a subscription passes here: the subscription is counted once, when
            // it first answers (`subscribe`).
            let mut response = next.run(ctx, operation_name).await;
            let request_id = ctx.data_opt::<RequestId>();
            response.errors.iter_mut().for_each(|error| crate::request_id::stamp(error, request_id));
            return response;
        }
        self.executed.store(true, Ordering::Relaxed);
        let (name, kind) = (label(&operation), kind_label(operation.kind));
        // The request id again: over a websocket there is no request span around it.
        let request_id = ctx.data_opt::<RequestId>().map_or("", RequestId::as_str);
        let span = tracing::info_span!("graphql.operation", graphql.operation = %name, graphql.type = kind, request_id);
        let started = Instant::now();
        let mut response = next.run(ctx, operation_name).instrument(span.clone()).await;
        let outcome = outcome(&mut response, &operation);
        // Here, not in `request`: the request's data (where its id is) is attached by now.
        let request_id = ctx.data_opt::<RequestId>();
        response.errors.iter_mut().for_each(|error| crate::request_id::stamp(error, request_id));
        span.in_scope(|| tracing::debug!(outcome = %outcome, "operation"));
        record(&name, kind, outcome, started);
        response
    }
}
