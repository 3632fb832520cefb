//! What organizations are allowed to do.

/// Organization settings, shared through the GraphQL context.
#[derive(Debug, Clone)]
pub struct OrganizationSettings {
    /// Whether any signed-in user may `createOrganization`. When false, organizations come
    /// only from the operator's `roster admin create-organization`.
    pub creation_open: bool,
}

impl Default for OrganizationSettings {
    fn default() -> Self {
        OrganizationSettings { creation_open: true }
    }
}
