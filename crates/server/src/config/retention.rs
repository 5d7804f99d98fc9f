//! How long what nothing expires is kept: audit entries (`LATCHKEY_AUDIT_RETENTION_DAYS`,
//! a year by default) and idle grants with their consents (`LATCHKEY_GRANT_RETENTION_DAYS`,
//! off by default). Zero keeps everything. The sweep in `crate::expired` applies them.

/// The retention settings, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Audit entries older than this many days are deleted; 0 keeps them all.
    pub audit_days: u32,
    /// Grants with no token for this many days are deleted, and then consents unused as
    /// long with no grant left (each recorded in the audit log); 0 keeps them.
    pub grant_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            audit_days: 365,
            grant_days: 0,
        }
    }
}

/// The retention settings as given (flags have none), before they are checked.
#[derive(Debug, Default, Clone)]
pub struct RetentionSources {
    pub audit_days: Option<String>,
    pub grant_days: Option<String>,
}

/// At most a hundred years: a larger number is a typo, not a policy.
const MAX_DAYS: u32 = 36_500;

impl RetentionSources {
    /// The settings the process environment gives, where none was given otherwise.
    pub fn with_process_env(self) -> Self {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Self {
            audit_days: self
                .audit_days
                .or_else(|| env("LATCHKEY_AUDIT_RETENTION_DAYS")),
            grant_days: self
                .grant_days
                .or_else(|| env("LATCHKEY_GRANT_RETENTION_DAYS")),
        }
    }

    pub fn resolve(self) -> Result<Retention, String> {
        let defaults = Retention::default();
        Ok(Retention {
            audit_days: days(
                self.audit_days,
                defaults.audit_days,
                "audit retention (LATCHKEY_AUDIT_RETENTION_DAYS)",
            )?,
            grant_days: days(
                self.grant_days,
                defaults.grant_days,
                "grant retention (LATCHKEY_GRANT_RETENTION_DAYS)",
            )?,
        })
    }
}

fn days(value: Option<String>, default: u32, name: &str) -> Result<u32, String> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.trim().parse::<u32>() {
        Ok(days) if days <= MAX_DAYS => Ok(days),
        _ => Err(format!(
            "{name}: must be a number of days from 0 (keep everything) to {MAX_DAYS}, got '{value}'"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(audit: Option<&str>, grant: Option<&str>) -> Result<Retention, String> {
        RetentionSources {
            audit_days: audit.map(str::to_owned),
            grant_days: grant.map(str::to_owned),
        }
        .resolve()
    }

    #[test]
    fn a_year_of_audit_and_every_grant_by_default() {
        assert_eq!(resolve(None, None), Ok(Retention::default()));
        assert_eq!(Retention::default().audit_days, 365);
        assert_eq!(Retention::default().grant_days, 0);
    }

    #[test]
    fn zero_keeps_everything_and_numbers_are_days() {
        let r = resolve(Some("0"), Some("90")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.audit_days, r.grant_days), (0, 90));
    }

    #[test]
    fn anything_but_a_number_of_days_is_refused_by_name() {
        for bad in ["-1", "a year", "1.5", "36501"] {
            let e = resolve(Some(bad), None).err().unwrap_or_default();
            assert!(e.contains("LATCHKEY_AUDIT_RETENTION_DAYS"), "{bad}: {e}");
            let e = resolve(None, Some(bad)).err().unwrap_or_default();
            assert!(e.contains("LATCHKEY_GRANT_RETENTION_DAYS"), "{bad}: {e}");
        }
    }
}
