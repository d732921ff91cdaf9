"""`portal send-reminders`: 14, 7 and 1 days before and overdue, once each, to the right people."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from portal.agreements.models import MilestoneReminder
from portal.agreements.reminders import reminder_threshold
from tests import factories

TODAY = date(2026, 6, 1)


def run(app, today: date) -> str:
    result = app.test_cli_runner().invoke(args=["send-reminders", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_thresholds():
    assert [reminder_threshold(TODAY + timedelta(days=d), TODAY) for d in (20, 15, 14, 8, 7, 2, 1, 0, -1)] == [
        None, None, "14", "14", "7", "7", "1", "1", "overdue"
    ]  # fmt: skip


def test_each_threshold_is_mailed_once_to_partners_and_the_team_address(app, db, mailbox):
    organization = factories.make_organization(db)
    active_user = factories.make_user(db, role="partner", organization=organization)
    factories.make_user(db, role="partner", organization=organization, is_active=False)
    agreement = factories.make_agreement(db, organization=organization)
    milestone = factories.make_milestone(
        db, agreement, title="Pilot", due_on=TODAY + timedelta(days=14)
    )
    factories.make_milestone(db, agreement, due_on=TODAY - timedelta(days=1), status="accepted")
    factories.make_milestone(db, agreement, due_on=TODAY - timedelta(days=1), status="submitted")
    draft = factories.make_agreement(db, organization=organization, status="draft")
    factories.make_milestone(db, draft, due_on=TODAY)
    team = app.config["STAFF_NOTIFY_EMAIL"]

    expected = {14: "14", 7: "7", 1: "1", -3: "overdue"}
    for days_before, threshold in expected.items():
        day = milestone.due_on - timedelta(days=days_before)
        mailbox.messages.clear()
        run(app, day)
        assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == sorted(
            [active_user.email, team]
        )
        assert all("Pilot" in m["Subject"] for m in mailbox.messages)
        mailbox.messages.clear()
        assert "0 reminder(s)" in run(app, day)
        assert mailbox.messages == []
        assert (
            db.exec(
                select(MilestoneReminder).where(
                    MilestoneReminder.milestone_id == milestone.id,
                    MilestoneReminder.threshold == threshold,
                )
            )
            .one()
            .recipients
            == 2
        )


def test_undeliverable_mail_is_tried_again(app, app_config, db, mailbox):
    agreement = factories.make_agreement(db)
    factories.make_milestone(db, agreement, due_on=TODAY)
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"  # nothing listens there
    assert "0 reminder(s)" in run(app, TODAY)
    assert db.exec(select(MilestoneReminder)).all() == []
    app.config["SMTP_URL"] = app_config["SMTP_URL"]
    assert "1 reminder(s)" in run(app, TODAY)
    assert len(mailbox.messages) == 1
