//! Consent: what a user agreed to share with an application, which user-data scopes a request
//! may carry, what a request would grant one user, and what of it the user has not agreed to
//! yet.

use crate::claims::{CONSENT_USER_SCOPES, USER_SCOPES};
use crate::organization::{Offer, OrganizationScope};
use crate::resource::Scope;
use crate::scope::Scopes;
use crate::{ErrorCode, OAuthError};

/// What a user agreed to share with one application, remembered across sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: String,
    pub user_id: String,
    pub application_id: String,
    /// User-data scopes, `offline_access` included, never `openid`.
    pub user_scopes: Scopes,
    pub resource_scopes: Vec<Scope>,
    /// Organization scopes agreed to, for the organizations chosen.
    pub organization_scopes: Vec<OrganizationScope>,
    /// The user's organizations the application may act in (ids), chosen on the page.
    pub organizations: Vec<String>,
    pub created_at: i64,
    pub last_used_at: i64,
}

/// The user scopes a request gets: those this server knows. For a third-party application
/// (`ceiling` is its list) each user-data scope must be in its ceiling, else the whole
/// request fails with `invalid_scope`; `openid` and `offline_access` are not data and need
/// no ceiling.
pub fn user_scopes(requested: &Scopes, ceiling: Option<&[String]>) -> Result<Scopes, OAuthError> {
    if let Some(ceiling) = ceiling
        && let Some(outside) = requested
            .iter()
            .find(|s| CONSENT_USER_SCOPES.contains(s) && !ceiling.iter().any(|c| c == s))
    {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            format!("this application may not ask for the {outside} scope"),
        ));
    }
    Ok(requested.intersect(&Scopes::from_names(USER_SCOPES)))
}

/// A request's grant for one user, and that user's consent so far. Computed from the store
/// each time it matters, never taken from a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub third_party: bool,
    /// User scopes: `openid`, data scopes, `offline_access`.
    pub user_scopes: Scopes,
    /// API scopes: asked for, defined by a requested API, held through the user's roles and,
    /// for a third-party application, in its ceiling. Anything else is silently dropped.
    pub resource_scopes: Vec<Scope>,
    /// Organization scopes asked for, under `urn:logto:scope:organizations`: each
    /// organization token narrows them to what the member's roles hold there.
    pub organization_scopes: Vec<OrganizationScope>,
    /// For a third-party application: the user's organizations it may be let into, each
    /// with what it would get there.
    pub organizations: Vec<Offer>,
    pub consent: Option<Consent>,
}

impl Plan {
    /// The grant's scope: user scopes, API scope names and organization scope names.
    pub fn scope(&self) -> Scopes {
        let api = self.resource_scopes.iter().map(|s| s.name.as_str());
        let organization = self.organization_scopes.iter().map(|s| s.name.as_str());
        Scopes::from_names(self.user_scopes.iter().chain(api).chain(organization))
    }

    pub fn scope_ids(&self) -> Vec<String> {
        self.resource_scopes.iter().map(|s| s.id.clone()).collect()
    }

    /// What the user must be asked: nothing for a first-party application; for a
    /// third-party one what consent does not cover yet, or everything when `again`
    /// (`prompt=consent` not yet answered).
    pub fn asked(&self, again: bool) -> Asked {
        match (self.third_party, again) {
            (false, _) => Asked::default(),
            (true, true) => Asked::everything(self),
            (true, false) => Asked::beyond(self, self.consent.as_ref()),
        }
    }

    pub fn organization_scope_ids(&self) -> Vec<String> {
        self.organization_scopes
            .iter()
            .map(|s| s.id.clone())
            .collect()
    }

    /// The organizations a user picked on the consent page that the application may be let
    /// into: those offered, nothing else.
    pub fn chosen(&self, picked: &[String]) -> Vec<String> {
        let offered = self.organizations.iter().map(|o| &o.id);
        offered.filter(|id| picked.contains(id)).cloned().collect()
    }
}

/// What a request holds beyond what the user already agreed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asked {
    /// The application has no consent yet (or asks again): even a request for nothing but
    /// `openid` tells it who the user is, and that needs the user's yes.
    pub identity: bool,
    /// User-data scopes, and `offline_access`; never `openid`.
    pub user_scopes: Scopes,
    pub resource_scopes: Vec<Scope>,
    pub organization_scopes: Vec<OrganizationScope>,
}

impl Asked {
    pub fn is_empty(&self) -> bool {
        !self.identity
            && self.user_scopes.is_empty()
            && self.resource_scopes.is_empty()
            && self.organization_scopes.is_empty()
    }

    /// Everything a request holds, as if nothing had been agreed to (`prompt=consent`).
    pub fn everything(plan: &Plan) -> Self {
        Self {
            identity: true,
            user_scopes: Scopes::from_names(plan.user_scopes.iter().filter(|s| *s != "openid")),
            resource_scopes: plan.resource_scopes.clone(),
            organization_scopes: plan.organization_scopes.clone(),
        }
    }

    /// What of a request `consent` does not cover.
    pub fn beyond(plan: &Plan, consent: Option<&Consent>) -> Self {
        let all = Self::everything(plan);
        let Some(consent) = consent else {
            return all;
        };
        Self {
            identity: false,
            user_scopes: Scopes::from_names(
                all.user_scopes
                    .iter()
                    .filter(|s| !consent.user_scopes.contains(s)),
            ),
            resource_scopes: all
                .resource_scopes
                .into_iter()
                .filter(|s| !consent.resource_scopes.iter().any(|c| c.id == s.id))
                .collect(),
            organization_scopes: all
                .organization_scopes
                .into_iter()
                .filter(|s| !consent.organization_scopes.iter().any(|c| c.id == s.id))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(id: &str, name: &str) -> Scope {
        Scope {
            id: id.into(),
            resource_id: "r".into(),
            name: name.into(),
            description: String::new(),
            descriptions: Default::default(),
            created_at: 0,
        }
    }

    fn scopes(s: &str) -> Scopes {
        Scopes::parse(s).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_third_party_may_ask_only_for_data_in_its_ceiling() {
        let ceiling = vec!["profile".to_owned()];
        let ok = user_scopes(&scopes("openid profile offline_access x"), Some(&ceiling));
        assert_eq!(ok.ok(), Some(scopes("openid profile offline_access")));
        let err = user_scopes(&scopes("openid email"), Some(&ceiling)).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::InvalidScope));
        let first_party = user_scopes(&scopes("openid email roles"), None);
        assert_eq!(first_party.ok(), Some(scopes("openid email roles")));
    }

    fn plan(user: &str, api: &[Scope], organization: &[&str]) -> Plan {
        Plan {
            third_party: true,
            user_scopes: scopes(user),
            resource_scopes: api.to_vec(),
            organization_scopes: organization.iter().map(|n| org_scope(n)).collect(),
            organizations: vec![],
            consent: None,
        }
    }

    fn org_scope(name: &str) -> OrganizationScope {
        OrganizationScope {
            id: format!("o-{name}"),
            name: name.into(),
            description: None,
            created_at: 0,
        }
    }

    #[test]
    fn only_what_consent_does_not_cover_is_asked() {
        let consent = Consent {
            id: "c".into(),
            user_id: "u".into(),
            application_id: "a".into(),
            user_scopes: scopes("profile"),
            resource_scopes: vec![scope("s1", "read")],
            organization_scopes: vec![org_scope("read:members")],
            organizations: vec!["acme".into()],
            created_at: 0,
            last_used_at: 0,
        };
        let api = [scope("s1", "read"), scope("s2", "write")];
        let asked = Asked::beyond(&plan("openid profile email", &api, &[]), Some(&consent));
        assert_eq!(asked.user_scopes, scopes("email"));
        assert_eq!(asked.resource_scopes, vec![scope("s2", "write")]);
        let nothing_new = Asked::beyond(&plan("openid profile", &api[..1], &[]), Some(&consent));
        assert!(nothing_new.is_empty(), "openid is not asked twice");
        let first_time = Asked::beyond(&plan("openid profile", &[], &[]), None);
        assert_eq!(first_time.user_scopes, scopes("profile"));
        let only_identity = Asked::beyond(&plan("openid", &[], &[]), None);
        assert!(
            !only_identity.is_empty(),
            "the first time, who the user is needs a yes"
        );
        assert!(
            !Asked::everything(&plan("openid", &[], &[])).is_empty(),
            "prompt=consent"
        );
        let organizations = plan("openid", &[], &["read:members", "invite:members"]);
        let asked = Asked::beyond(&organizations, Some(&consent));
        assert_eq!(asked.organization_scopes, vec![org_scope("invite:members")]);
    }

    #[test]
    fn only_organizations_offered_can_be_chosen() {
        let mut plan = plan("openid", &[], &["read:members"]);
        plan.organizations = vec![Offer {
            id: "acme".into(),
            name: "Acme".into(),
            organization_scopes: vec!["read:members".into()],
            resource_scopes: vec![],
        }];
        let picked = ["acme".to_owned(), "initech".to_owned()];
        assert_eq!(plan.chosen(&picked), ["acme"]);
    }
}
