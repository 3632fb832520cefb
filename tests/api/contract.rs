//! `schema.graphql` contains the public contract (`tests/contract/roster-core.graphql`, a copy
//! of the contract clients are written against) unchanged: every type, field, argument, enum
//! value and union member, with the same types. The schema may add more, including optional
//! arguments to a contract's fields (a client that does not pass them sees no change).

use std::collections::BTreeMap;

use async_graphql::parser::types::{ServiceDocument, TypeKind, TypeSystemDefinition};

/// `kind:type.field -> type` and `type.field(arg) -> type` lines, one per thing the contract
/// fixes. An argument's type carries ` = default` when it has one.
fn shape(document: &ServiceDocument) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = &ty.node;
        let name = ty.name.node.to_string();
        match &ty.kind {
            TypeKind::Scalar => {
                items.insert(format!("scalar {name}"), String::new());
            }
            TypeKind::Object(object) => {
                for field in &object.fields {
                    let field_name = &field.node.name.node;
                    items.insert(format!("{name}.{field_name}"), field.node.ty.node.to_string());
                    for argument in &field.node.arguments {
                        let default = match &argument.node.default_value {
                            Some(value) => format!(" = {}", value.node),
                            None => String::new(),
                        };
                        items.insert(
                            format!("{name}.{field_name}({})", argument.node.name.node),
                            format!("{}{default}", argument.node.ty.node),
                        );
                    }
                }
                for interface in &object.implements {
                    items.insert(format!("{name} implements {}", interface.node), String::new());
                }
            }
            TypeKind::Interface(interface) => {
                for field in &interface.fields {
                    items.insert(
                        format!("interface {name}.{}", field.node.name.node),
                        field.node.ty.node.to_string(),
                    );
                }
            }
            TypeKind::Union(union) => {
                for member in &union.members {
                    items.insert(format!("union {name} | {}", member.node), String::new());
                }
            }
            TypeKind::Enum(enumeration) => {
                for value in &enumeration.values {
                    items.insert(format!("enum {name}.{}", value.node.value.node), String::new());
                }
            }
            TypeKind::InputObject(input) => {
                items.insert(
                    format!("input {name} oneOf"),
                    ty.directives.iter().any(|d| d.node.name.node == "oneOf").to_string(),
                );
                for field in &input.fields {
                    items.insert(
                        format!("input {name}.{}", field.node.name.node),
                        field.node.ty.node.to_string(),
                    );
                }
            }
        }
    }
    items
}

#[test]
fn schema_graphql_contains_the_whole_contract_unchanged() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let contract =
        std::fs::read_to_string(format!("{root}/tests/contract/roster-core.graphql")).expect("the contract");
    let schema = roster_server::schema::sdl();
    let contract = shape(&async_graphql::parser::parse_schema(contract).expect("the contract parses"));
    let schema = shape(&async_graphql::parser::parse_schema(schema).expect("the schema parses"));
    let mut problems = Vec::new();
    for (item, ty) in &contract {
        match schema.get(item) {
            None => problems.push(format!("missing: {item}")),
            Some(found) if found != ty => {
                problems.push(format!("changed: {item}: contract {ty}, schema {found}"))
            }
            Some(_) => {}
        }
    }
    // An argument the contract does not name, added to one of its fields, must be optional.
    for (item, ty) in &schema {
        let Some((field, _argument)) = item.split_once('(') else { continue };
        if contract.contains_key(field) && !contract.contains_key(item) && ty.ends_with('!') {
            problems.push(format!("a required argument added to a contract field: {item}: {ty}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(contract.len() > 100, "the contract was read");
}
