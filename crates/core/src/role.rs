//! Roles: named sets of API scopes held by users or by machine-to-machine applications.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleType {
    User,
    MachineToMachine,
}

impl RoleType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::MachineToMachine => "MachineToMachine",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::User, Self::MachineToMachine]
            .into_iter()
            .find(|t| t.as_str() == value)
    }
}

/// Roles that ship with Latchkey and never change.
pub const BUILTIN_ROLE_IDS: [&str; 2] = [
    crate::resource::MANAGEMENT_ROLE_ID,
    crate::resource::ADMIN_ROLE_ID,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: String,
    pub role_type: RoleType,
    pub created_at: i64,
}

impl Role {
    /// Built-in roles (the management API's) cannot be edited or deleted.
    pub fn is_builtin(&self) -> bool {
        BUILTIN_ROLE_IDS.contains(&self.id.as_str())
    }
}
