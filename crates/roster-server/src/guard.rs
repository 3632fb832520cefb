//! The document guard: what a GraphQL document may ask for, checked after parsing and before
//! anything runs, and a code on every refusal.
//!
//! async-graphql already bounds depth, complexity and parser recursion, but its refusals
//! carry no `extensions.code`, it has no alias limit, and with introspection off it answers
//! `__schema` with "Unknown field" (plus a suggestion). This extension adds the alias limit
//! and the introspection refusal, gives every parse and validation refusal a code, and keeps
//! error lists short so that a large document cannot make an even larger answer.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, ValidationResult, Value, Variables};
// A literal as written in a document: it may name variables, unlike `Value`.
use async_graphql_value::Value as Literal;
use roster_core::ErrorCode;

/// What a document may ask for.
#[derive(Debug, Clone, Copy)]
pub struct SchemaLimits {
    /// Whether `__schema` and `__type` are answered.
    pub introspection: bool,
    /// Most aliases in one document, counted through fragment spreads.
    pub max_aliases: usize,
    /// Deepest nesting of selections.
    pub max_depth: usize,
    /// Largest cost (see `ROSTER_MAX_COMPLEXITY`).
    pub max_complexity: usize,
}

impl Default for SchemaLimits {
    fn default() -> Self {
        Self { introspection: true, max_aliases: 15, max_depth: 24, max_complexity: 5_000 }
    }
}

/// Most errors one answer lists; the rest are summed up in one more.
const MAX_ERRORS: usize = 20;
/// Longest error message sent; longer ones (which quote the document) are cut.
const MAX_MESSAGE: usize = 300;

/// The extension factory, registered by `schema::schema`.
pub struct DocumentGuard(pub SchemaLimits);

impl ExtensionFactory for DocumentGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension(self.0))
    }
}

struct GuardExtension(SchemaLimits);

#[async_graphql::async_trait::async_trait]
impl Extension for GuardExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await.map_err(|error| {
            let code = if error.message.contains("recursion") {
                ErrorCode::QueryTooDeep
            } else {
                ErrorCode::GraphqlParseFailed
            };
            coded(error, code)
        })?;
        let aliases = count_aliases(&document, self.0.max_aliases);
        if aliases > self.0.max_aliases {
            return Err(coded(
                ServerError::new(
                    format!("The document uses more than {} aliases.", self.0.max_aliases),
                    None,
                ),
                ErrorCode::TooManyAliases,
            ));
        }
        // PostgreSQL cannot store U+0000 in text, so it would fail deep in a query as a server
        // error; no Roster field has a use for it, so it is refused here, for every argument
        // but names, whose resolvers answer a ValidationError naming the field.
        let names_only = variables_used_only_as_names(&document);
        if variables_hold_nul(variables, &names_only) || document_holds_nul(&document) {
            return Err(coded(
                ServerError::new("Text may not contain the NUL character (U+0000).", None),
                ErrorCode::BadUserInput,
            ));
        }
        if !self.0.introspection && asks_for_introspection(&document) {
            return Err(coded(
                ServerError::new("Introspection is turned off on this server.", None),
                ErrorCode::IntrospectionDisabled,
            ));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            let total = errors.len();
            let mut kept: Vec<ServerError> = errors
                .into_iter()
                .take(MAX_ERRORS)
                .map(|error| {
                    let code = match error.message.as_str() {
                        "Query is too complex." => ErrorCode::QueryTooComplex,
                        "Query is nested too deep." => ErrorCode::QueryTooDeep,
                        _ => ErrorCode::GraphqlValidationFailed,
                    };
                    coded(error, code)
                })
                .collect();
            if total > MAX_ERRORS {
                kept.push(coded(
                    ServerError::new(format!("…and {} more errors.", total - MAX_ERRORS), None),
                    ErrorCode::GraphqlValidationFailed,
                ));
            }
            kept
        })
    }
}

/// The error with `code` in its extensions and its message cut to a readable length.
fn coded(mut error: ServerError, code: ErrorCode) -> ServerError {
    if error.message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !error.message.is_char_boundary(end) {
            end -= 1;
        }
        error.message.truncate(end);
        error.message.push('…');
    }
    let mut extensions = error.extensions.take().unwrap_or_default();
    extensions.set("code", code.as_str());
    error.extensions = Some(extensions);
    error
}

/// The aliases the document would execute, counting a fragment once per spread so that
/// fragments cannot multiply aliases unseen. Stops counting once past `max`.
fn count_aliases(document: &ExecutableDocument, max: usize) -> usize {
    fn walk(
        document: &ExecutableDocument,
        set: &SelectionSet,
        max: usize,
        visiting: &mut HashSet<String>,
        count: &mut usize,
    ) {
        for selection in &set.items {
            if *count > max {
                return;
            }
            match &selection.node {
                Selection::Field(field) => {
                    if field.node.alias.is_some() {
                        *count += 1;
                    }
                    walk(document, &field.node.selection_set.node, max, visiting, count);
                }
                Selection::InlineFragment(fragment) => {
                    walk(document, &fragment.node.selection_set.node, max, visiting, count);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    // A cycle is refused by validation later; here it just stops the walk.
                    if let Some(fragment) = document.fragments.get(name)
                        && visiting.insert(name.to_owned())
                    {
                        walk(document, &fragment.node.selection_set.node, max, visiting, count);
                        visiting.remove(name);
                    }
                }
            }
        }
    }
    let mut count = 0;
    for (_, operation) in document.operations.iter() {
        walk(document, &operation.node.selection_set.node, max, &mut HashSet::new(), &mut count);
    }
    count
}

/// Whether a string anywhere in a value holds U+0000.
fn value_holds_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::List(items) => items.iter().any(value_holds_nul),
        Value::Object(fields) => fields.iter().any(|(name, v)| name.contains('\0') || value_holds_nul(v)),
        _ => false,
    }
}

/// [`value_holds_nul`] for a literal in a document; its variables are checked on their own.
fn literal_holds_nul(value: &Literal) -> bool {
    match value {
        Literal::String(text) => text.contains('\0'),
        Literal::List(items) => items.iter().any(literal_holds_nul),
        Literal::Object(fields) => fields.iter().any(|(name, v)| name.contains('\0') || literal_holds_nul(v)),
        _ => false,
    }
}

/// The variables a literal names, anywhere in it.
fn variables_in(value: &Literal, found: &mut Vec<String>) {
    match value {
        Literal::Variable(name) => found.push(name.to_string()),
        Literal::List(items) => items.iter().for_each(|item| variables_in(item, found)),
        Literal::Object(fields) => fields.values().for_each(|item| variables_in(item, found)),
        _ => {}
    }
}

/// Arguments that are names: their resolvers refuse control characters, U+0000 among them,
/// with a `ValidationError` on the field, before any query.
const NAME_ARGUMENTS: &[&str] = &["name", "displayName"];

/// Calls `visit` with every argument in the document, of a field (with its name) or of a
/// directive (`None`), in operations and fragments alike.
fn for_each_argument(document: &ExecutableDocument, visit: &mut impl FnMut(Option<&str>, &Literal)) {
    fn directives(list: &[Positioned<Directive>], visit: &mut impl FnMut(Option<&str>, &Literal)) {
        for directive in list {
            directive.node.arguments.iter().for_each(|(_, value)| visit(None, &value.node));
        }
    }
    fn set(selections: &SelectionSet, visit: &mut impl FnMut(Option<&str>, &Literal)) {
        for selection in &selections.items {
            match &selection.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        visit(Some(name.node.as_str()), &value.node);
                    }
                    directives(&field.node.directives, visit);
                    set(&field.node.selection_set.node, visit);
                }
                Selection::InlineFragment(fragment) => {
                    directives(&fragment.node.directives, visit);
                    set(&fragment.node.selection_set.node, visit);
                }
                Selection::FragmentSpread(spread) => directives(&spread.node.directives, visit),
            }
        }
    }
    for (_, operation) in document.operations.iter() {
        directives(&operation.node.directives, visit);
        set(&operation.node.selection_set.node, visit);
    }
    for fragment in document.fragments.values() {
        directives(&fragment.node.directives, visit);
        set(&fragment.node.selection_set.node, visit);
    }
}

fn is_name(argument: Option<&str>) -> bool {
    argument.is_some_and(|name| NAME_ARGUMENTS.contains(&name))
}

/// Whether a variable's value holds U+0000 in any string, `names_only` left to their fields.
fn variables_hold_nul(variables: &Variables, names_only: &HashSet<String>) -> bool {
    variables.iter().any(|(name, value)| !names_only.contains(name.as_str()) && value_holds_nul(value))
}

/// The variables whose every use is the whole value of a name argument
/// ([`NAME_ARGUMENTS`]): a variable also used anywhere else is checked like any other.
fn variables_used_only_as_names(document: &ExecutableDocument) -> HashSet<String> {
    let (mut named, mut other) = (HashSet::new(), HashSet::new());
    for_each_argument(document, &mut |argument, value| match value {
        Literal::Variable(variable) if is_name(argument) => {
            named.insert(variable.to_string());
        }
        _ => {
            let mut found = Vec::new();
            variables_in(value, &mut found);
            other.extend(found);
        }
    });
    named.retain(|name| !other.contains(name));
    named
}

/// Whether a literal argument (but a name's) or a variable's default holds U+0000 in any
/// string.
fn document_holds_nul(document: &ExecutableDocument) -> bool {
    let mut holds = document.operations.iter().any(|(_, operation)| {
        operation.node.variable_definitions.iter().any(|definition| {
            definition.node.default_value.as_ref().is_some_and(|v| value_holds_nul(&v.node))
        })
    });
    for_each_argument(document, &mut |argument, value| {
        holds |= !is_name(argument) && literal_holds_nul(value);
    });
    holds
}

/// Whether any selection, in an operation or a fragment, is `__schema` or `__type`.
fn asks_for_introspection(document: &ExecutableDocument) -> bool {
    fn any(set: &SelectionSet) -> bool {
        set.items.iter().any(|selection| match &selection.node {
            Selection::Field(field) => {
                matches!(field.node.name.node.as_str(), "__schema" | "__type")
                    || any(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => any(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => false,
        })
    }
    document.operations.iter().any(|(_, operation)| any(&operation.node.selection_set.node))
        || document.fragments.values().any(|fragment| any(&fragment.node.selection_set.node))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(query).expect("a document")
    }

    #[test]
    fn aliases_are_counted_through_fragments() {
        assert_eq!(count_aliases(&parse("{ a: viewer { id } b: viewer { i: id } }"), 15), 3);
        let spread = "query { ...F ...F } fragment F on Query { x: viewer { id } y: viewer { id } }";
        assert_eq!(count_aliases(&parse(spread), 15), 4);
        let cycle = "query { ...A } fragment A on Query { a: viewer { id } ...A }";
        assert_eq!(count_aliases(&parse(cycle), 15), 1);
    }

    #[test]
    fn nul_is_found_in_literals_defaults_directives_and_variables() {
        assert!(document_holds_nul(&parse("{ organization(id: \"o\\u0000\") { id } }")));
        assert!(document_holds_nul(&parse(
            "query($n: String = \"a\\u0000\") { ...F } fragment F on Query { viewer { id } }"
        )));
        assert!(document_holds_nul(&parse(
            "{ ...F } fragment F on Query { team(id: \"t\") { members(status: X, after: \"\\u0000\") { pageInfo { hasNextPage } } } }"
        )));
        assert!(!document_holds_nul(&parse("{ organization(id: \"org_1\") { id } }")));
        let variables = Variables::from_json(serde_json::json!({ "s": { "organizationId": "a\u{0}" } }));
        assert!(variables_hold_nul(&variables, &HashSet::new()));
        assert!(!variables_hold_nul(
            &Variables::from_json(serde_json::json!({ "s": ["fine"] })),
            &HashSet::new()
        ));
    }

    #[test]
    fn names_are_left_to_their_resolvers_and_only_names() {
        assert!(!document_holds_nul(&parse(
            "mutation { createOrganization(name: \"A\\u0000\") { __typename } }"
        )));
        let named = parse(
            "mutation($n: String!, $d: String, $both: String!) { createTeam(organizationId: \"o\", name: $n) { __typename }
             signUp(email: \"e\", password: \"p\", displayName: $d) { __typename }
             a: renameTeam(teamId: $both, name: $both) { __typename } }",
        );
        let names_only = variables_used_only_as_names(&named);
        assert!(names_only.contains("n") && names_only.contains("d"), "{names_only:?}");
        assert!(!names_only.contains("both"), "also used as an id: checked");
        let in_a_list = parse(
            "query($n: String!) { organization(id: \"o\") { name } x: members(scope: { organizationId: $n }) { totalCount } }",
        );
        assert!(variables_used_only_as_names(&in_a_list).is_empty());
    }

    #[test]
    fn introspection_is_found_in_operations_and_fragments() {
        assert!(asks_for_introspection(&parse("{ __schema { types { name } } }")));
        assert!(asks_for_introspection(&parse(
            "{ ...F } fragment F on Query { __type(name: \"User\") { name } }"
        )));
        assert!(!asks_for_introspection(&parse("{ __typename viewer { id } }")));
    }
}
