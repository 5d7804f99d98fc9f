//! Invitations to join an organization, in Logto's shapes: create (and send by mail when
//! asked), list, read, delete, change status (accept for a user, or revoke) and send again.
//! The link in Latchkey's own mail opens `/invitation/{token}` (`pages::invitation`); the
//! link's secret is stored only as its hash, and a new one replaces it on each sending.

use latchkey_core::grant::token_hash;
use latchkey_core::invitation::{self as rules, Invitation, Refusal, Status};
use latchkey_core::role::RoleType;
use latchkey_store::organization_invitations::InvitationFilter;
use latchkey_store::organization_members::Member;
use latchkey_store::outbox::Mail;
use serde_json::{Value, json};

pub use super::organization_json::{InvitationView, NewInvitation, StatusChange};
use super::organizations::{RoleRef, find as find_organization};
use super::{Actor, Error};
use crate::app::AppState;
use crate::audit;
use crate::i18n::Locale;
use crate::mail::{self, Kind, Letter, Payload};

async fn view(state: &AppState, invitation: Invitation) -> Result<InvitationView, Error> {
    let roles = state.db.find_invitation_roles(&[&invitation.id]).await?;
    Ok(shown(state, invitation, &roles))
}

fn shown(
    state: &AppState,
    i: Invitation,
    roles: &[(String, latchkey_core::organization::OrganizationRole)],
) -> InvitationView {
    let held = roles.iter().filter(|(id, _)| *id == i.id);
    InvitationView {
        status: i.status_at(state.clock.now_ms()).as_str(),
        organization_roles: held.map(|(_, r)| RoleRef::from(r.clone())).collect(),
        id: i.id,
        inviter_id: i.inviter_id,
        invitee: i.invitee,
        accepted_user_id: i.accepted_user_id,
        organization_id: i.organization_id,
        created_at: i.created_at,
        updated_at: i.updated_at,
        expires_at: i.expires_at,
    }
}

pub async fn find(state: &AppState, id: &str) -> Result<Invitation, Error> {
    let found = state.db.find_invitation(id).await?;
    found.ok_or(Error::NotFound("organization invitation"))
}

pub async fn get(state: &AppState, id: &str) -> Result<InvitationView, Error> {
    view(state, find(state, id).await?).await
}

pub async fn list(
    state: &AppState,
    filter: InvitationFilter,
) -> Result<Vec<InvitationView>, Error> {
    let found = state.db.list_invitations(&filter).await?;
    let ids: Vec<&str> = found.iter().map(|i| i.id.as_str()).collect();
    let roles = state.db.find_invitation_roles(&ids).await?;
    Ok(found.into_iter().map(|i| shown(state, i, &roles)).collect())
}

/// Where Latchkey's own invitation link leads.
pub fn link(state: &AppState, token: &str) -> String {
    format!("{}/invitation/{token}", state.config.public_url())
}

/// The mail carrying a new link secret, if `payload` asks for one (an object, not `false`).
fn letter(
    state: &AppState,
    (invitation, organization): (&Invitation, &str),
    payload: Option<&Value>,
    token: &str,
) -> Result<Option<Mail>, Error> {
    let Some(Value::Object(fields)) = payload else {
        return match payload {
            None | Some(Value::Bool(false)) => Ok(None),
            Some(_) => Err(Error::invalid(
                "request.invalid_object",
                "messagePayload must be an object, or false",
            )
            .with_field("messagePayload")),
        };
    };
    super::email::require_mail(state)?;
    let given = fields
        .get("link")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let locale = fields.get("locale").and_then(Value::as_str);
    let letter = Letter {
        kind: Kind::Invitation,
        to: invitation.invitee.clone(),
        user_id: None,
        locale: locale.and_then(Locale::from_tag).unwrap_or(Locale::En),
        payload: Payload {
            link: Some(given.unwrap_or_else(|| link(state, token))),
            organization: Some(organization.to_owned()),
            code: None,
        },
    };
    Ok(Some(letter.queue(state)))
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: NewInvitation,
) -> Result<InvitationView, Error> {
    let now = state.clock.now_ms();
    let invitee = rules::check_invitee(&input.invitee)?;
    let expires_at = rules::expiry(input.expires_at, now)?;
    let org = find_organization(state, &input.organization_id).await?;
    for id in &input.organization_role_ids {
        let role = state.db.find_organization_role(id).await?;
        match role {
            Some(r) if r.role_type == RoleType::User => {}
            Some(_) => {
                return Err(Error::invalid(
                    "organization.role_type_mismatch",
                    "an invitation gives roles for users only",
                )
                .with_field("organizationRoleIds"));
            }
            None => {
                return Err(Error::invalid(
                    "organization.role_not_found",
                    "an organization role does not exist",
                )
                .with_field("organizationRoleIds"));
            }
        }
    }
    if let Some(user) = state.db.find_user_by_identifier(&invitee).await? {
        let member = state
            .db
            .find_membership(&org.id, Member::User(&user.id))
            .await?;
        if member {
            return Err(Error::invalid(
                "organization.invitee_already_member",
                "the invitee is already a member of the organization",
            )
            .with_field("invitee"));
        }
    }
    let invitation = Invitation {
        id: latchkey_core::random::id(),
        inviter_id: input.inviter_id,
        invitee,
        accepted_user_id: None,
        organization_id: org.id,
        status: Status::Pending,
        created_at: now,
        updated_at: now,
        expires_at,
    };
    let token = latchkey_core::random::secret();
    let mails: Vec<Mail> = letter(
        state,
        (&invitation, &org.name),
        input.message_payload.as_ref(),
        &token,
    )?
    .into_iter()
    .collect();
    let hashed = token_hash(&token);
    let ids = (hashed.as_str(), input.organization_role_ids.as_slice());
    state
        .db
        .insert_invitation(&invitation, ids, &mails)
        .await
        .map_err(|e| match e {
            latchkey_store::Error::Missing => Error::invalid(
                "entity.relation_foreign_key_not_found",
                "the inviter does not exist",
            )
            .with_field("inviterId"),
            latchkey_store::Error::Conflict => Error::conflict(
                "organization.invitation_pending",
                "a pending invitation to this organization exists for the invitee",
            ),
            other => other.into(),
        })?;
    if !mails.is_empty() {
        mail::queued(state, mails.len());
    }
    let details = json!({"invitation": invitation.id, "roles": input.organization_role_ids, "mailed": !mails.is_empty()});
    let at = ("organization", invitation.organization_id.as_str());
    audit::write_now(state, actor, "organization.invite", at, details).await;
    view(state, invitation).await
}

fn not_pending(refusal: Refusal) -> Error {
    match refusal {
        Refusal::NotATarget => Error::invalid(
            "request.invalid_input",
            "status must be Accepted or Revoked",
        )
        .with_field("status"),
        Refusal::NotPending(status) => Error::invalid(
            "organization.invitation_not_pending",
            format!("the invitation is {}, not pending", status.as_str()),
        ),
    }
}

pub async fn change_status(
    state: &AppState,
    actor: &Actor,
    id: &str,
    change: StatusChange,
) -> Result<InvitationView, Error> {
    let invitation = find(state, id).await?;
    let now = state.clock.now_ms();
    let to = Status::parse(&change.status).unwrap_or(Status::Pending);
    rules::change(&invitation, to, now).map_err(not_pending)?;
    let changed = match to {
        Status::Accepted => {
            let Some(user_id) = change.accepted_user_id.as_deref() else {
                return Err(Error::invalid(
                    "request.invalid_input",
                    "acceptedUserId is required to accept an invitation",
                )
                .with_field("acceptedUserId"));
            };
            let user = super::users::find(state, user_id).await?;
            if !rules::is_invitee(&invitation, user.primary_email.as_deref()) {
                return Err(Error::invalid(
                    "organization.invitee_mismatch",
                    "the user's primary email is not the invitee's",
                )
                .with_field("acceptedUserId"));
            }
            state.db.accept_invitation(id, (user_id, now), None).await?
        }
        _ => state.db.revoke_invitation(id, now).await?,
    };
    if !changed {
        let current = find(state, id).await?;
        return Err(not_pending(Refusal::NotPending(current.status_at(now))));
    }
    let details = json!({"invitation": id, "status": to.as_str(), "user": change.accepted_user_id});
    let at = ("organization", invitation.organization_id.as_str());
    audit::write_now(state, actor, "organization.invitation_status", at, details).await;
    get(state, id).await
}

pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<(), Error> {
    let invitation = find(state, id).await?;
    state.db.delete_invitation(id).await?;
    let at = ("organization", invitation.organization_id.as_str());
    audit::write_now(
        state,
        actor,
        "organization.invitation_delete",
        at,
        json!({"invitation": id}),
    )
    .await;
    Ok(())
}

/// Mail a pending invitation again, with a new link (the old one stops working).
pub async fn resend(
    state: &AppState,
    actor: &Actor,
    id: &str,
    payload: Value,
) -> Result<(), Error> {
    let invitation = find(state, id).await?;
    let now = state.clock.now_ms();
    rules::change(&invitation, Status::Revoked, now).map_err(not_pending)?;
    let org = find_organization(state, &invitation.organization_id).await?;
    let payload = match payload {
        Value::Object(_) => payload,
        _ => json!({}),
    };
    let token = latchkey_core::random::secret();
    let mails: Vec<Mail> = letter(state, (&invitation, &org.name), Some(&payload), &token)?
        .into_iter()
        .collect();
    let renewed = state
        .db
        .renew_invitation(id, (&token_hash(&token), now), &mails)
        .await?;
    if !renewed {
        return Err(not_pending(Refusal::NotPending(Status::Expired)));
    }
    mail::queued(state, mails.len());
    let at = ("organization", invitation.organization_id.as_str());
    audit::write_now(
        state,
        actor,
        "organization.invitation_resend",
        at,
        json!({"invitation": id}),
    )
    .await;
    Ok(())
}
