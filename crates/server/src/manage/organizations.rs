//! Organizations in Logto's shapes: create, read, change, delete, list, and the
//! organizations of a user. Members and their roles are `organization_members`; the roles and
//! scopes every organization shares are `organization_template`.

use latchkey_core::organization::{Organization, OrganizationRole};
use latchkey_core::registration::{self as rules};
use latchkey_store::Page;
use latchkey_store::organization_members::Member;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Actor, Error, nullable};
use crate::app::AppState;
use crate::audit;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Free-form JSON object.
    pub custom_data: Value,
    pub is_mfa_required: bool,
    /// Page styling, kept as given: `{primaryColor, isDarkModeEnabled, darkPrimaryColor}`.
    pub color: Value,
    /// Logos, kept as given: `{logoUrl, darkLogoUrl, favicon, darkFavicon}`.
    pub branding: Value,
    pub custom_css: Option<String>,
    pub created_at: i64,
    /// With `showFeatured=true`: how many users are members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users_count: Option<i64>,
    /// With `showFeatured=true`: a few members, to show beside the organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featured_users: Option<Vec<FeaturedUser>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeaturedUser {
    pub id: String,
    pub avatar: Option<String>,
    pub name: Option<String>,
}

impl From<Organization> for OrganizationView {
    fn from(o: Organization) -> Self {
        Self {
            id: o.id,
            name: o.name,
            description: o.description,
            custom_data: o.custom_data,
            is_mfa_required: o.is_mfa_required,
            color: o.color,
            branding: o.branding,
            custom_css: o.custom_css,
            created_at: o.created_at,
            users_count: None,
            featured_users: None,
        }
    }
}

/// An organization role, named: how members' roles are listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    pub id: String,
    pub name: String,
}

impl From<OrganizationRole> for RoleRef {
    fn from(r: OrganizationRole) -> Self {
        Self {
            id: r.id,
            name: r.name,
        }
    }
}

/// An organization a user belongs to, with the roles held there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserOrganizationView {
    #[serde(flatten)]
    pub organization: OrganizationView,
    pub organization_roles: Vec<RoleRef>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOrganization {
    pub name: String,
    pub description: Option<String>,
    pub custom_data: Option<Value>,
    pub is_mfa_required: Option<bool>,
    pub color: Option<Value>,
    pub branding: Option<Value>,
    pub custom_css: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub custom_data: Option<Value>,
    pub is_mfa_required: Option<bool>,
    pub color: Option<Value>,
    pub branding: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub custom_css: Option<Option<String>>,
}

/// A JSON object field, or `request.invalid_object`.
fn object(field: &'static str, value: Value) -> Result<Value, Error> {
    match value {
        Value::Object(_) => Ok(value),
        _ => Err(Error::invalid(
            "request.invalid_object",
            format!("{field} must be a JSON object"),
        )
        .with_field(field)),
    }
}

pub async fn find(state: &AppState, id: &str) -> Result<Organization, Error> {
    state
        .db
        .find_organization(id)
        .await?
        .ok_or(Error::NotFound("organization"))
}

pub async fn list(
    state: &AppState,
    search: Option<&str>,
    page: Page,
    featured: bool,
) -> Result<(Vec<OrganizationView>, i64), Error> {
    let (found, total) = state.db.list_organizations(search, page).await?;
    let mut views = Vec::with_capacity(found.len());
    for org in found {
        let mut view = OrganizationView::from(org);
        if featured {
            let first = Page {
                page: 1,
                page_size: 3,
            };
            let (users, count) = state
                .db
                .list_organization_users(&view.id, None, None, first)
                .await?;
            view.users_count = Some(count);
            let featured = users.into_iter().map(|u| FeaturedUser {
                id: u.id,
                avatar: u.avatar,
                name: u.name,
            });
            view.featured_users = Some(featured.collect());
        }
        views.push(view);
    }
    Ok((views, total))
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: NewOrganization,
) -> Result<OrganizationView, Error> {
    let org = Organization {
        id: latchkey_core::random::id(),
        name: rules::check_name("name", &input.name)?,
        description: rules::check_description("description", input.description.as_deref())?,
        custom_data: object("customData", input.custom_data.unwrap_or(json!({})))?,
        is_mfa_required: input.is_mfa_required.unwrap_or(false),
        color: object("color", input.color.unwrap_or(json!({})))?,
        branding: object("branding", input.branding.unwrap_or(json!({})))?,
        custom_css: input.custom_css,
        created_at: state.clock.now_ms(),
    };
    state.db.insert_organization(&org).await?;
    let details = json!({"name": org.name});
    audit::write_now(
        state,
        actor,
        "organization.create",
        ("organization", &org.id),
        details,
    )
    .await;
    Ok(org.into())
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    patch: OrganizationPatch,
) -> Result<OrganizationView, Error> {
    let mut org = find(state, id).await?;
    if let Some(name) = &patch.name {
        org.name = rules::check_name("name", name)?;
    }
    if let Some(description) = &patch.description {
        org.description = rules::check_description("description", description.as_deref())?;
    }
    if let Some(value) = patch.custom_data {
        org.custom_data = object("customData", value)?;
    }
    if let Some(value) = patch.is_mfa_required {
        org.is_mfa_required = value;
    }
    if let Some(value) = patch.color {
        org.color = object("color", value)?;
    }
    if let Some(value) = patch.branding {
        org.branding = object("branding", value)?;
    }
    if let Some(value) = patch.custom_css {
        org.custom_css = value;
    }
    state
        .db
        .update_organization(&org)
        .await
        .map_err(|e| Error::from(e).named("organization"))?;
    audit::write_now(
        state,
        actor,
        "organization.update",
        ("organization", id),
        json!({}),
    )
    .await;
    Ok(org.into())
}

pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<(), Error> {
    state
        .db
        .delete_organization(id)
        .await
        .map_err(|e| Error::from(e).named("organization"))?;
    audit::write_now(
        state,
        actor,
        "organization.delete",
        ("organization", id),
        json!({}),
    )
    .await;
    Ok(())
}

/// The organizations of a user (`NotFound` for no such user), with the roles held in each.
pub async fn of_user(state: &AppState, user_id: &str) -> Result<Vec<UserOrganizationView>, Error> {
    super::users::find(state, user_id).await?;
    let found = state
        .db
        .find_member_organizations(Member::User(user_id))
        .await?;
    Ok(found
        .into_iter()
        .map(|(org, roles)| UserOrganizationView {
            organization: org.into(),
            organization_roles: roles.into_iter().map(RoleRef::from).collect(),
        })
        .collect())
}
