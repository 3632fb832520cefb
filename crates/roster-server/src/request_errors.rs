//! Telling a request error (the document did not parse or validate) from an execution error,
//! which GraphQL over HTTP answers with different status codes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ServerResult, ValidationResult, Variables};

/// Set when the document failed to parse or validate (including variable coercion), so the
/// handler can tell a request error from an execution error.
#[derive(Debug, Default)]
pub struct PreExecutionFailure(AtomicBool);

impl PreExecutionFailure {
    /// Whether the document failed before execution.
    pub fn failed(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The extension that sets [`PreExecutionFailure`]. Registered in the schema.
pub struct DetectRequestErrors;

impl ExtensionFactory for DetectRequestErrors {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DetectRequestErrorsExtension)
    }
}

struct DetectRequestErrorsExtension;

fn mark(ctx: &ExtensionContext<'_>) {
    if let Some(flag) = ctx.data_opt::<Arc<PreExecutionFailure>>() {
        flag.0.store(true, Ordering::Relaxed);
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for DetectRequestErrorsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let result = next.run(ctx, query, variables).await;
        if result.is_err() {
            mark(ctx);
        }
        result
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await;
        if result.is_err() {
            mark(ctx);
        }
        result
    }
}
