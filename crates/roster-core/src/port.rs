//! Ports: what a module's resolvers take from the GraphQL context (`ctx.data::<T>()`), named
//! so that the server can check, before it serves anything, that every one is there. A port
//! found missing by a user's request is a composition error the operator should have seen at
//! startup.

use std::any::TypeId;

/// One type a module reads from the schema's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    /// The type's id, which the schema's data is keyed by.
    pub id: TypeId,
    /// Its name, for the startup error.
    pub name: &'static str,
}

impl Port {
    /// The port for `T`.
    pub fn of<T: 'static>() -> Port {
        Port { id: TypeId::of::<T>(), name: std::any::type_name::<T>() }
    }
}

/// The ports `needed` that `offered` lacks, by name: empty when the composition is whole.
pub fn missing(needed: &[Port], offered: &[Port]) -> Vec<&'static str> {
    let mut missing: Vec<&'static str> =
        needed.iter().filter(|port| !offered.iter().any(|o| o.id == port.id)).map(|port| port.name).collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Settings;
    struct Hub;

    #[test]
    fn a_port_needed_and_not_offered_is_named() {
        let needed = [Port::of::<Settings>(), Port::of::<Hub>(), Port::of::<Hub>()];
        assert_eq!(missing(&needed, &[Port::of::<Settings>(), Port::of::<Hub>()]), Vec::<&str>::new());
        let lacking = missing(&needed, &[Port::of::<Settings>()]);
        assert_eq!(lacking.len(), 1);
        assert!(lacking[0].ends_with("Hub"), "{lacking:?}");
    }
}
