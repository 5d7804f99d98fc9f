//! An administrator on the console sees a user's factors (never a secret) and removes a lost
//! one; the user is told by mail.

use super::{account_browser, enrol_totp, set_up};
use crate::email::app_with;
use crate::oidc::authorization_code::{browser, hidden};
use crate::support::mail::MailServer;
use crate::support::walk::{sign_in_as, walk};
use crate::support::{Admin, backends};

#[tokio::test]
async fn the_console_lists_a_users_factors_and_removes_a_lost_one_telling_the_user() {
    for backend in backends() {
        let mail = MailServer::plain().await;
        let app = app_with(backend, &mail, false).await;
        let admin = Admin::new(&app).await;
        set_up(&admin, false).await;
        enrol_totp(&app, &account_browser(&app).await).await;
        crate::console::admin::people(&admin).await;
        let (_, users) = admin.get("/api/users?search=alice").await;
        let alice = users[0]["id"].as_str().unwrap_or_default().to_owned();

        let b = browser();
        let here = format!("/console/users/{alice}");
        let stop = walk(&app, &b, &app.url(&here)).await;
        let (_, page) = sign_in_as(&app, &b, stop, "root").await.page(&here);
        assert!(
            page.contains("Authenticator app") && page.contains("10 left"),
            "{page}"
        );
        assert!(
            !page.contains("plain:") && !page.contains("sealed:"),
            "no secret"
        );
        let (_, listed) = admin
            .get(&format!("/api/users/{alice}/mfa-verifications"))
            .await;
        let totp = listed[0]["id"].as_str().unwrap_or_default().to_owned();
        let removal = format!("{here}/factors/{totp}/remove");
        let form = [("csrf", hidden(&page, "csrf"))];
        let removed = b
            .post(app.url(&removal))
            .form(&form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(removed.status(), 303);
        let (_, page) = walk(&app, &b, &app.url(&format!("{here}?done=factor_removed")))
            .await
            .page(&here);
        assert!(page.contains("Factor removed.") && page.contains("No passkey or second factor."));
        let notice = mail.last_to("alice@example.com", 1).await;
        assert_eq!(
            notice.subject,
            "A second factor was removed from your Latchkey account"
        );
        let audit = app.state.db.find_recent_audit(10).await.unwrap_or_default();
        let by_root = audit
            .iter()
            .filter(|(a, _, _)| a == "user.mfa.remove")
            .count();
        assert_eq!(by_root, 2, "the app and the codes that stood in for it");
    }
}
