//! Who holds which role: machine-to-machine applications hold `MachineToMachine` roles,
//! users hold `User` roles.

use latchkey_core::client::ApplicationType;
use latchkey_core::role::RoleType;
use latchkey_store::roles::Holder;
use serde_json::json;

use super::Actor;
use super::Error;
use super::applications::not_found_as;
use super::roles::{RoleIds, RoleView};
use crate::app::AppState;
use crate::audit;

/// Check that every role exists and is of `role_type`.
async fn check_roles(
    state: &AppState,
    role_ids: &[String],
    role_type: RoleType,
) -> Result<(), Error> {
    for (i, role_id) in role_ids.iter().enumerate() {
        let field = format!("roleIds[{i}]");
        let role = state.db.find_role(role_id).await?.ok_or_else(|| {
            Error::invalid("role.not_found", format!("role {role_id} does not exist"))
                .with_field(field.clone())
        })?;
        if role.role_type != role_type {
            return Err(Error::invalid(
                "role.type_mismatch",
                format!("role {role_id} is not a {} role", role_type.as_str()),
            )
            .with_field(field));
        }
    }
    Ok(())
}

async fn machine(state: &AppState, id: &str) -> Result<(), Error> {
    let app = super::applications::find(state, id).await?;
    if app.app_type != ApplicationType::MachineToMachine {
        return Err(Error::invalid(
            "application.roles_not_supported",
            "only machine-to-machine applications hold roles",
        ));
    }
    Ok(())
}

pub async fn roles_of_application(state: &AppState, id: &str) -> Result<Vec<RoleView>, Error> {
    super::applications::find(state, id).await?;
    Ok(state
        .db
        .find_roles_of(Holder::Application(id))
        .await?
        .into_iter()
        .map(RoleView::from)
        .collect())
}

pub async fn assign_to_application(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: RoleIds,
) -> Result<Vec<RoleView>, Error> {
    machine(state, id).await?;
    check_roles(state, &input.role_ids, RoleType::MachineToMachine).await?;
    state
        .db
        .add_roles_to(Holder::Application(id), &input.role_ids)
        .await?;
    audit::write_now(
        state,
        actor,
        "application.roles.add",
        ("application", id),
        json!({"roleIds": input.role_ids}),
    )
    .await;
    roles_of_application(state, id).await
}

pub async fn unassign_from_application(
    state: &AppState,
    actor: &Actor,
    id: &str,
    role_id: &str,
) -> Result<(), Error> {
    super::applications::find(state, id).await?;
    state
        .db
        .remove_role_from(Holder::Application(id), role_id)
        .await
        .map_err(|e| not_found_as(e, "role"))?;
    audit::write_now(
        state,
        actor,
        "application.roles.remove",
        ("application", id),
        json!({"roleId": role_id}),
    )
    .await;
    Ok(())
}

pub async fn roles_of_user(state: &AppState, id: &str) -> Result<Vec<RoleView>, Error> {
    super::users::find(state, id).await?;
    Ok(state
        .db
        .find_roles_of(Holder::User(id))
        .await?
        .into_iter()
        .map(RoleView::from)
        .collect())
}

pub async fn assign_to_user(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: RoleIds,
) -> Result<Vec<RoleView>, Error> {
    super::users::find(state, id).await?;
    check_roles(state, &input.role_ids, RoleType::User).await?;
    state
        .db
        .add_roles_to(Holder::User(id), &input.role_ids)
        .await?;
    audit::write_now(
        state,
        actor,
        "user.roles.add",
        ("user", id),
        json!({"roleIds": input.role_ids}),
    )
    .await;
    roles_of_user(state, id).await
}

pub async fn unassign_from_user(
    state: &AppState,
    actor: &Actor,
    id: &str,
    role_id: &str,
) -> Result<(), Error> {
    super::users::find(state, id).await?;
    state
        .db
        .remove_role_from(Holder::User(id), role_id)
        .await
        .map_err(|e| not_found_as(e, "role"))?;
    audit::write_now(
        state,
        actor,
        "user.roles.remove",
        ("user", id),
        json!({"roleId": role_id}),
    )
    .await;
    Ok(())
}
