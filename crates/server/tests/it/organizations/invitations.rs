//! Invitations to organizations through a real SMTP server: the mailed link signs the invitee
//! in and joins them with the invited roles, once; it fails for another account, after a
//! revocation, after expiry and after a new sending; the management API reads, changes and
//! deletes invitations in Logto's shapes.

use serde_json::{Value, json};

use super::{Orgs, id};
use crate::email::{app_with, get, post};
use crate::oidc::authorization_code::{browser, hidden};
use crate::support::mail::MailServer;
use crate::support::walk::{Stop, sign_in_as, walk};
use crate::support::{Admin, Backend, PASSWORD, TestApp, backends};

const INVITATIONS: &str = "/api/organization-invitations";

async fn user(admin: &Admin<'_>, name: &str) -> String {
    let body = json!({"username": name, "primaryEmail": format!("{name}@example.com"), "password": PASSWORD});
    let (status, created) = admin.post("/api/users", body).await;
    assert_eq!(status, 201, "{created}");
    id(&created)
}

async fn invite(admin: &Admin<'_>, body: Value) -> Value {
    let (status, created) = admin.post(INVITATIONS, body).await;
    assert_eq!(status, 201, "{created}");
    created
}

/// Open the mailed `link` in `browser`, signing in as `name` if asked: where it stops.
async fn open_as(
    app: &TestApp,
    browser: &reqwest::Client,
    link: &str,
    name: &str,
) -> (u16, String) {
    let mut stop = walk(app, browser, link).await;
    if matches!(&stop, Stop::Page(path, _) if path.starts_with("/sign-in/")) {
        stop = sign_in_as(app, browser, stop, name).await;
    }
    match stop {
        Stop::Page(_, page) => (200, page),
        Stop::Status(status, page) => (status, page),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_mailed_invitation_joins_its_invitee_with_its_roles_once() {
    for backend in backends() {
        let mail = MailServer::plain().await;
        let app = app_with(backend, &mail, false).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let ann = user(&admin, "ann").await;
        let body = json!({"invitee": "Ann@Example.com", "organizationId": orgs.acme,
            "organizationRoleIds": [orgs.viewer_role], "messagePayload": {}});
        let invitation = invite(&admin, body.clone()).await;
        assert_eq!(
            (
                &invitation["status"],
                &invitation["invitee"],
                &invitation["organizationRoles"][0]["name"]
            ),
            (
                &json!("Pending"),
                &json!("ann@example.com"),
                &json!("viewer")
            )
        );
        let (status, again) = admin.post(INVITATIONS, body).await;
        assert_eq!(
            (status, &again["code"]),
            (409, &json!("organization.invitation_pending"))
        );
        let message = mail.last_to("ann@example.com", 1).await;
        assert_eq!(message.subject, "You are invited to join Acme");
        let link = message.link().unwrap_or_default();
        assert!(link.starts_with(&app.url("/invitation/")), "{link}");

        // Bob opens Ann's link: refused, nothing changes.
        user(&admin, "bob").await;
        let bob = browser();
        let (status, page) = open_as(&app, &bob, &link, "bob").await;
        assert!(
            status == 403 && page.contains("This invitation is for ann@example.com"),
            "{page}"
        );

        let browser = browser();
        let (status, page) = open_as(&app, &browser, &link, "ann").await;
        assert!(
            status == 200 && page.contains("Accept and join") && page.contains("viewer"),
            "{page}"
        );
        let csrf = hidden(&page, "csrf");
        let (status, page, _) =
            post(&app, &browser, "/account/invitation", &[("csrf", &csrf)]).await;
        assert!(status == 200 && page.contains("Welcome to Acme"), "{page}");
        let (_, roles) = admin
            .get(&format!(
                "/api/organizations/{}/users/{ann}/roles",
                orgs.acme
            ))
            .await;
        assert_eq!(roles[0]["name"], "viewer", "{roles}");
        let (_, accepted) = admin
            .get(&format!("{INVITATIONS}/{}", id(&invitation)))
            .await;
        assert_eq!(
            (&accepted["status"], &accepted["acceptedUserId"]),
            (&json!("Accepted"), &json!(ann))
        );
        let (_, ann_now) = admin.get(&format!("/api/users/{ann}")).await;
        assert_eq!(
            ann_now["primaryEmailVerified"], true,
            "the link reached her address"
        );

        // Once only, even in the same browser.
        let (status, page) = open_as(&app, &browser, &link, "ann").await;
        assert!(status == 410 && page.contains("accepted already"), "{page}");
        let (status, page, _) =
            post(&app, &browser, "/account/invitation", &[("csrf", &csrf)]).await;
        assert!(status == 410 || status == 400, "{status} {page}");
    }
}

#[tokio::test]
async fn revoked_expired_and_resent_links_stop_working() {
    let mail = MailServer::plain().await;
    let app = app_with(Backend::Sqlite, &mail, true).await;
    let admin = Admin::new(&app).await;
    let orgs = Orgs::set_up(&admin).await;
    user(&admin, "cara").await;
    let body = |org: &str| json!({"invitee": "cara@example.com", "organizationId": org, "messagePayload": {"locale": "fr"}});
    let revoked = invite(&admin, body(&orgs.acme)).await;
    let message = mail.last_to("cara@example.com", 1).await;
    assert_eq!(message.subject, "Vous êtes invité à rejoindre Acme");
    let revoked_link = message.link().unwrap_or_default();
    let path = format!("{INVITATIONS}/{}/status", id(&revoked));
    let (status, changed) = admin.put(&path, json!({"status": "Revoked"})).await;
    assert_eq!(
        (status, &changed["status"]),
        (200, &json!("Revoked")),
        "{changed}"
    );
    let (status, page) = get(&app, &browser(), &revoked_link.replace(&app.address, "")).await;
    assert_eq!(status, 303, "{page}");
    let cara = browser();
    let (status, page) = open_as(&app, &cara, &revoked_link, "cara").await;
    assert!(status == 410 && page.contains("withdrawn"), "{page}");

    // Sent again: the first link stops, the new one works.
    let mut within_a_minute = body(&orgs.globex);
    within_a_minute["expiresAt"] = json!(app.state.clock.now_ms() + 60_000);
    let resent = invite(&admin, within_a_minute).await;
    let first = mail
        .last_to("cara@example.com", 2)
        .await
        .link()
        .unwrap_or_default();
    let path = format!("{INVITATIONS}/{}/message", id(&resent));
    let (status, _) = admin.post(&path, json!({})).await;
    assert_eq!(status, 204);
    let second = mail.last_to("cara@example.com", 3).await;
    assert_eq!(second.subject, "You are invited to join Globex");
    let (status, page) = open_as(&app, &cara, &first, "cara").await;
    assert!(status == 410 && page.contains("newer invitation"), "{page}");
    let (status, page) = open_as(&app, &cara, &second.link().unwrap_or_default(), "cara").await;
    assert!(status == 200 && page.contains("Accept and join"), "{page}");

    // Past its expiry: expired, in the API too.
    app.state.clock.advance(60_000);
    let (status, page) = open_as(&app, &cara, &second.link().unwrap_or_default(), "cara").await;
    assert!(status == 410 && page.contains("expired"), "{page}");
    let (_, expired) = admin.get(&format!("{INVITATIONS}/{}", id(&resent))).await;
    assert_eq!(expired["status"], "Expired");
    // A new invitation to the same address replaces the expired one.
    let renewed = invite(&admin, body(&orgs.globex)).await;
    assert_eq!(renewed["status"], "Pending");
    let (_, expired) = admin.get(&format!("{INVITATIONS}/{}", id(&resent))).await;
    assert_eq!(expired["status"], "Expired");
    // A link that is not a secret's shape never reaches a cookie.
    let response = browser()
        .get(app.url("/invitation/x;%20Domain=example.com"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 410);
    assert!(
        response
            .headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap_or_default().contains("Domain"))
    );
    let (status, refused) = admin
        .put(
            &format!("{INVITATIONS}/{}/status", id(&resent)),
            json!({"status": "Revoked"}),
        )
        .await;
    assert_eq!(
        (status, &refused["code"]),
        (422, &json!("organization.invitation_not_pending"))
    );
}

#[tokio::test]
async fn the_management_api_reads_changes_and_deletes_invitations() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let dan = user(&admin, "dan").await;
        let alice_mail = json!({"invitee": "alice@example.com", "organizationId": orgs.initech});
        let (status, refused) = admin
            .post(INVITATIONS, json!({"invitee": "x@example.com", "organizationId": orgs.acme, "messagePayload": {}}))
            .await;
        assert_eq!(
            (status, &refused["code"]),
            (409, &json!("mail.not_configured"))
        );
        for (body, code) in [
            (
                json!({"invitee": "not mail", "organizationId": orgs.acme}),
                "organization.invalid_invitee",
            ),
            (
                json!({"invitee": "x@example.com", "organizationId": orgs.acme, "expiresAt": 1}),
                "organization.invalid_expiry",
            ),
            (
                json!({"invitee": "x@example.com", "organizationId": orgs.acme, "organizationRoleIds": ["nope"]}),
                "organization.role_not_found",
            ),
            (
                json!({"invitee": "x@example.com", "organizationId": orgs.acme, "inviterId": "nobody"}),
                "entity.relation_foreign_key_not_found",
            ),
            (
                json!({"invitee": "x@example.com", "organizationId": orgs.acme, "messagePayload": 3}),
                "request.invalid_object",
            ),
        ] {
            let (status, refused) = admin.post(INVITATIONS, body).await;
            assert_eq!(
                (status, refused["code"].as_str()),
                (422, Some(code)),
                "{refused}"
            );
        }
        let (status, _) = admin
            .post(
                INVITATIONS,
                json!({"invitee": "x@example.com", "organizationId": "nowhere"}),
            )
            .await;
        assert_eq!(status, 404);
        assert!(
            admin
                .get(INVITATIONS)
                .await
                .1
                .as_array()
                .is_some_and(Vec::is_empty)
        );

        let first = invite(&admin, json!({"invitee": "dan@example.com", "organizationId": orgs.acme,
            "inviterId": orgs.alice, "organizationRoleIds": [orgs.admin_role], "messagePayload": false})).await;
        let other = invite(&admin, alice_mail).await;
        let (_, listed) = admin
            .get(&format!("{INVITATIONS}?organizationId={}", orgs.acme))
            .await;
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
        let (_, listed) = admin
            .get(&format!("{INVITATIONS}?inviterId={}", orgs.alice))
            .await;
        assert_eq!(listed[0]["id"], first["id"]);
        let (_, listed) = admin
            .get(&format!("{INVITATIONS}?invitee=ALICE@example.com"))
            .await;
        assert_eq!(listed[0]["id"], other["id"]);

        let path = format!("{INVITATIONS}/{}/status", id(&first));
        for (body, status, code) in [
            (json!({"status": "Accepted"}), 422, "request.invalid_input"),
            (
                json!({"status": "Accepted", "acceptedUserId": orgs.alice}),
                422,
                "organization.invitee_mismatch",
            ),
            (json!({"status": "Expired"}), 422, "request.invalid_input"),
        ] {
            let (got, refused) = admin.put(&path, body).await;
            assert_eq!(
                (got, refused["code"].as_str()),
                (status, Some(code)),
                "{refused}"
            );
        }
        let (status, accepted) = admin
            .put(&path, json!({"status": "Accepted", "acceptedUserId": dan}))
            .await;
        assert_eq!(
            (status, &accepted["status"]),
            (200, &json!("Accepted")),
            "{accepted}"
        );
        let (_, roles) = admin
            .get(&format!(
                "/api/organizations/{}/users/{dan}/roles",
                orgs.acme
            ))
            .await;
        assert_eq!(roles[0]["name"], "admin", "{roles}");
        let (status, refused) = admin.put(&path, json!({"status": "Revoked"})).await;
        assert_eq!(
            (status, &refused["code"]),
            (422, &json!("organization.invitation_not_pending"))
        );
        let (status, refused) = admin
            .post(
                INVITATIONS,
                json!({"invitee": "dan@example.com", "organizationId": orgs.acme}),
            )
            .await;
        assert_eq!(
            (status, &refused["code"]),
            (422, &json!("organization.invitee_already_member"))
        );

        assert_eq!(
            admin.delete(&format!("{INVITATIONS}/{}", id(&other))).await,
            204
        );
        assert_eq!(
            admin.get(&format!("{INVITATIONS}/{}", id(&other))).await.0,
            404
        );
        assert_eq!(
            admin.delete(&format!("{INVITATIONS}/{}", id(&other))).await,
            404
        );
        let (_, audit) = admin
            .get("/api/audit-logs?action=organization.invite")
            .await;
        assert!(audit.as_array().is_some_and(|a| a.len() == 2), "{audit}");
    }
}
