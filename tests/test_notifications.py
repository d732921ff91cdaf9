"""Notifications: evidence submitted (staff), accepted or rejected (partner), grants given and
lapsed, 90/30/7-day expiry warnings; once per key; immediate mail or a daily digest; the in-app
list on /me and /admin. Mail is read at the tests' SMTP server."""

from __future__ import annotations

from datetime import date, timedelta
from email.header import decode_header, make_header

from sqlmodel import select

from portal.datasets.grants import grant_access
from portal.notifications.models import Notification, NotificationPreference
from tests import factories

TODAY = date(2026, 6, 1)


def run_daily(app, today: date) -> str:
    result = app.test_cli_runner().invoke(args=["send-reminders", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def subject(message) -> str:
    """The decoded subject line of a received mail."""
    return str(make_header(decode_header(message["Subject"])))


def notifications_of(db, user) -> list[Notification]:
    db.expire_all()
    return list(db.exec(select(Notification).where(Notification.user_id == user.id)).all())


def test_evidence_submitted_tells_the_responsible_staff_member_by_mail(
    app, client, db, login_as, mailbox
):
    organization = factories.make_organization(db)
    staff = factories.make_user(db, role="staff")
    other_staff = factories.make_user(db, role="staff")
    agreement = factories.make_agreement(db, organization, responsible_staff_id=staff.id)
    milestone = factories.make_milestone(db, agreement, title="Pilot batch of 50 cells")
    login_as("partner", organization)

    response = client.post_form(f"/milestones/{milestone.id}/evidence", {"note": "Cells shipped."})
    assert response.status_code == 303, response.get_data(as_text=True)[:400]

    [mail] = mailbox.to(staff.email)
    assert "Pilot batch of 50 cells" in subject(mail)
    assert f"/milestones/{milestone.id}" in mailbox.body(mail)
    assert mailbox.to(other_staff.email) == []
    [note] = notifications_of(db, staff)
    assert note.kind == "evidence_submitted" and note.mailed_at is not None


def test_accepted_and_rejected_reach_the_partner_once_each(app, client, db, login_as, mailbox):
    organization = factories.make_organization(db)
    partner = factories.make_user(db, role="partner", organization=organization)
    milestone = factories.make_milestone(
        db, factories.make_agreement(db, organization), title="Report", status="submitted"
    )
    login_as("staff")

    client.post_form(
        f"/admin/milestones/{milestone.id}/status",
        {"to_status": "rejected", "version": 1, "reason": "Page 3 is missing."},
    )
    [rejected] = mailbox.to(partner.email)
    assert subject(rejected).startswith("Rejected") and "Page 3 is missing." in mailbox.body(
        rejected
    )
    db.refresh(milestone)
    client.post_form(
        f"/admin/milestones/{milestone.id}/status",
        {"to_status": "submitted", "version": milestone.version},
    )
    db.refresh(milestone)
    client.post_form(
        f"/admin/milestones/{milestone.id}/status",
        {"to_status": "accepted", "version": milestone.version},
    )
    subjects = [subject(m) for m in mailbox.to(partner.email)]
    assert len(subjects) == 2 and subjects[1].startswith("Accepted")
    assert {n.kind for n in notifications_of(db, partner)} == {
        "milestone_rejected",
        "milestone_accepted",
    }


def test_a_refused_change_notifies_nobody(app, client, db, login_as, mailbox):
    organization = factories.make_organization(db)
    partner = factories.make_user(db, role="partner", organization=organization)
    milestone = factories.make_milestone(
        db, factories.make_agreement(db, organization), status="submitted"
    )
    login_as("staff")
    # Rejecting without a reason is refused: no notification row, no mail.
    client.post_form(
        f"/admin/milestones/{milestone.id}/status", {"to_status": "rejected", "version": 1}
    )
    assert notifications_of(db, partner) == []
    assert mailbox.to(partner.email) == []


def test_expiry_warnings_at_90_30_and_7_days_once_each_to_partner_and_staff(app, db, mailbox):
    organization = factories.make_organization(db)
    partner = factories.make_user(db, role="partner", organization=organization)
    staff = factories.make_user(db, role="staff")
    agreement = factories.make_agreement(
        db, organization, responsible_staff_id=staff.id, expires_on=TODAY + timedelta(days=90)
    )
    factories.make_agreement(db, organization, status="draft", expires_on=TODAY + timedelta(days=7))

    for days_before in (91, 90, 90, 45, 30, 7, 7):
        run_daily(app, agreement.expires_on - timedelta(days=days_before))
    for person in (partner, staff):
        subjects = [subject(m) for m in mailbox.to(person.email)]
        assert len(subjects) == 3, subjects
        assert [s.split(" expires in ")[1].split(" ")[0] for s in subjects] == ["90", "30", "7"]
        assert all(agreement.reference in s for s in subjects)
    assert len(notifications_of(db, partner)) == 3


def test_grant_given_and_lapsed(app, db, mailbox):
    organization = factories.make_organization(db)
    partner = factories.make_user(db, role="partner", organization=organization)
    dataset = factories.make_dataset(db, title="Sodium-ion 18650 cycle life")
    with app.test_request_context():
        grant_access(
            db,
            dataset,
            organization_id=organization.id,
            expires_on=TODAY + timedelta(days=10),
            today=TODAY,
        )
        db.commit()
    [given] = mailbox.to(partner.email)
    assert "now have access" in subject(given) and "Sodium-ion 18650" in subject(given)

    assert "0 lapsed-grant" in run_daily(app, TODAY + timedelta(days=10))
    assert "1 lapsed-grant" in run_daily(app, TODAY + timedelta(days=11))
    assert "0 lapsed-grant" in run_daily(app, TODAY + timedelta(days=12))
    assert [subject(m) for m in mailbox.to(partner.email)][1].startswith("Your access")


def test_digest_users_get_one_mail_a_day(app, client, db, login_as, mailbox):
    organization = factories.make_organization(db)
    partner = login_as("partner", organization)
    response = client.post_form("/notifications/preference", {"delivery": "digest"})
    assert response.status_code == 303
    assert db.get(NotificationPreference, partner.id).delivery == "digest"
    agreement = factories.make_agreement(db, organization)
    first = factories.make_milestone(db, agreement, title="First", status="submitted")
    second = factories.make_milestone(db, agreement, title="Second", status="submitted")
    staff_client = app.test_client()
    login_as("staff", client_=staff_client)
    for milestone in (first, second):
        staff_client.post_form(
            f"/admin/milestones/{milestone.id}/status", {"to_status": "accepted", "version": 1}
        )
    assert mailbox.to(partner.email) == []  # nothing immediate for a digest user

    assert "1 notification digest(s)" in run_daily(app, TODAY)
    [digest] = mailbox.to(partner.email)
    assert "2 notifications" in subject(digest)
    body = mailbox.body(digest)
    assert "First" in body and "Second" in body
    assert "0 notification digest(s)" in run_daily(app, TODAY)


def test_bad_preference_is_refused_and_changes_nothing(app, client, db, login_as):
    user = login_as("partner")
    response = client.post_form("/notifications/preference", {"delivery": "hourly"})
    assert response.status_code == 400
    assert "Choose how you want to be told" in response.get_data(as_text=True)
    assert db.get(NotificationPreference, user.id) is None


def test_in_app_list_with_unread_count_on_me_and_admin(app, client, db, login_as, mailbox):
    organization = factories.make_organization(db)
    partner = login_as("partner", organization)
    milestone = factories.make_milestone(
        db, factories.make_agreement(db, organization), title="Training day", status="submitted"
    )
    staff_client = app.test_client()
    staff = login_as("staff", client_=staff_client)
    staff_client.post_form(
        f"/admin/milestones/{milestone.id}/status", {"to_status": "accepted", "version": 1}
    )

    page = client.get("/me").get_data(as_text=True)
    assert 'data-unread="1"' in page and "Accepted: “Training day”" in page
    client.post_form("/notifications/read")
    assert 'data-unread="0"' in client.get("/me").get_data(as_text=True)
    assert all(n.read_at for n in notifications_of(db, partner))

    admin_page = staff_client.get("/admin").get_data(as_text=True)
    assert 'data-unread="0"' in admin_page and "No notifications yet." in admin_page
    # Staff hear of submitted evidence in the same list.
    factories.make_user(db, role="partner", organization=organization)
    other = factories.make_milestone(
        db, factories.make_agreement(db, organization, responsible_staff_id=staff.id)
    )
    client.post_form(f"/milestones/{other.id}/evidence", {"note": "Done."})
    assert 'data-unread="1"' in staff_client.get("/admin").get_data(as_text=True)
