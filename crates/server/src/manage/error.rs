//! What an admin operation fails with, in the operation's own words and without HTTP: the
//! management API turns it into a problem (RFC 9457, `crate::error`), the console into its
//! form's message, the command line into one line.

use std::borrow::Cow;
use std::fmt;

/// An admin operation's failure.
#[derive(Debug)]
pub enum Error {
    /// Input that breaks a rule: a stable code, a message, and the offending field if known.
    Invalid {
        code: Cow<'static, str>,
        detail: String,
        field: Option<String>,
    },
    /// No such object (or one the caller may not see): named, as in "application not found".
    NotFound(&'static str),
    /// The change collides with what exists.
    Conflict { code: &'static str, detail: String },
    /// Never allowed on this object (a built-in one, say).
    Refused { code: &'static str, detail: String },
    /// The store failed.
    Store(latchkey_store::Error),
    /// Anything else that is the server's fault, described for the log.
    Internal(String),
}

impl Error {
    pub fn invalid(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Invalid {
            code: code.into(),
            detail: detail.into(),
            field: None,
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn refused(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Refused {
            code,
            detail: detail.into(),
        }
    }

    /// The same error, naming the input field at fault (invalid input only).
    pub fn with_field(self, name: impl Into<String>) -> Self {
        match self {
            Self::Invalid { code, detail, .. } => Self::Invalid {
                code,
                detail,
                field: Some(name.into()),
            },
            other => other,
        }
    }

    /// A store's "not found" named as the object the operation looked for.
    pub fn named(self, what: &'static str) -> Self {
        match self {
            Self::NotFound(_) | Self::Store(latchkey_store::Error::NotFound) => {
                Self::NotFound(what)
            }
            other => other,
        }
    }

    /// A stable code, as the management API names it.
    pub fn code(&self) -> &str {
        match self {
            Self::Invalid { code, .. } => code,
            Self::Conflict { code, .. } | Self::Refused { code, .. } => code,
            Self::NotFound(_) => "entity.not_found",
            Self::Store(_) | Self::Internal(_) => "internal_error",
        }
    }

    /// The field at fault, for a form to mark.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid { detail, .. }
            | Self::Conflict { detail, .. }
            | Self::Refused { detail, .. } => f.write_str(detail),
            Self::NotFound(what) => write!(f, "{what} not found"),
            Self::Store(e) => write!(f, "{e}"),
            Self::Internal(detail) => f.write_str(detail),
        }
    }
}

impl std::error::Error for Error {}

impl From<latchkey_store::Error> for Error {
    fn from(e: latchkey_store::Error) -> Self {
        match e {
            latchkey_store::Error::NotFound => Self::NotFound("object"),
            latchkey_store::Error::Conflict => Self::conflict(
                "entity.already_exists",
                "an object with the same unique value already exists",
            ),
            latchkey_store::Error::Missing => Self::invalid(
                "entity.relation_foreign_key_not_found",
                "an object this refers to does not exist",
            ),
            other => Self::Store(other),
        }
    }
}

impl From<latchkey_core::registration::Invalid> for Error {
    fn from(e: latchkey_core::registration::Invalid) -> Self {
        Self::invalid(e.code, e.message).with_field(e.field)
    }
}

impl From<crate::keyring::KeyringError> for Error {
    fn from(e: crate::keyring::KeyringError) -> Self {
        use crate::keyring::KeyringError as K;
        match e {
            K::Store(e) => e.into(),
            e @ K::Refused(_) => Self::conflict("key.rotation_too_soon", e.to_string()),
            e @ K::Concurrent => Self::conflict("key.rotation_conflict", e.to_string()),
            other => Self::Internal(other.to_string()),
        }
    }
}
