"""Urgent messages' marks in the alert repository, on SQLite and PostgreSQL: one alert each."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from db_support import column, scalar

from bot.aftercare.tick import RetryLater
from bot.staff_alerts import flush
from bot.storage.alerts import ALERT_RETENTION, URGENT_RETENTION, AlertRepo, NewAlert
from bot.storage.database import Database
from bot.storage.store import Store

NOW = datetime(2025, 5, 20, 10, tzinfo=UTC)
PATIENT = 1001
OTHER = -1001234567890  # a supergroup: Telegram ids need 64 bits
STAFF_CHAT = -100500


def _alert(html: str = "fever") -> NewAlert:
    return NewAlert(PATIENT, STAFF_CHAT, html)


async def _alerts(db: Database) -> int:
    return int(await scalar(db, "SELECT count(*) FROM alerts"))


async def test_a_message_is_marked_and_alerted_about_once(db: Database) -> None:
    repo = AlertRepo(db)
    assert await repo.enqueue_first(PATIENT, 7, _alert(), NOW)
    assert not await repo.enqueue_first(PATIENT, 7, _alert("fever, edited"), NOW)
    assert await _alerts(db) == 1
    assert await repo.enqueue_first(PATIENT, 8, _alert(), NOW)  # another message
    assert await repo.enqueue_first(OTHER, 7, _alert(), NOW)  # the same id in another chat
    assert await _alerts(db) == 3


async def test_an_urgent_message_edited_into_an_emergency_alerts_once_more(db: Database) -> None:
    # Found by probing: "my lip is a bit blue" edited to add "and I can't breathe" was
    # alerted about once, as urgent: the staff never heard that it became an emergency.
    repo = AlertRepo(db)
    assert await repo.enqueue_first(PATIENT, 7, _alert("urgent"), NOW)
    assert await repo.enqueue_first(PATIENT, 7, _alert("emergency"), NOW, emergency=True)
    assert not await repo.enqueue_first(PATIENT, 7, _alert("again"), NOW, emergency=True)
    assert not await repo.enqueue_first(PATIENT, 7, _alert("urgent again"), NOW)
    assert await repo.enqueue_first(PATIENT, 8, _alert("emergency at once"), NOW, emergency=True)
    assert not await repo.enqueue_first(PATIENT, 8, _alert("then urgent"), NOW)
    assert not await repo.enqueue_first(PATIENT, 8, _alert("emergency again"), NOW, emergency=True)
    assert await column(db, "SELECT html FROM alerts ORDER BY id") == [
        "urgent",
        "emergency",
        "emergency at once",
    ]


async def test_instances_sharing_the_database_alert_about_an_escalation_once(db: Database) -> None:
    assert await AlertRepo(db).enqueue_first(PATIENT, 7, _alert(), NOW)
    instances = [Database(db.target) for _ in range(3)]
    try:
        escalated = await asyncio.gather(
            *(
                AlertRepo(i).enqueue_first(PATIENT, 7, _alert(), NOW, emergency=True)
                for i in instances * 4
            )
        )
    finally:
        for instance in instances:
            await instance.close()
    assert escalated.count(True) == 1
    assert await _alerts(db) == 2


async def test_a_message_is_marked_without_a_staff_chat_too(db: Database) -> None:
    repo = AlertRepo(db)
    assert await repo.enqueue_first(PATIENT, 7, None, NOW)
    assert not await repo.enqueue_first(PATIENT, 7, None, NOW)
    assert await _alerts(db) == 0


async def test_an_alert_quoting_a_nul_character_is_queued_on_both_databases(db: Database) -> None:
    # PostgreSQL refuses NUL in text: the mark and the alert could not be queued there.
    assert await AlertRepo(db).enqueue_first(PATIENT, 7, _alert("my lip\x00 is blue"), NOW)
    assert await column(db, "SELECT html FROM alerts") == ["my lip is blue"]


async def test_the_mark_keeps_only_the_chat_the_message_when_and_the_level(db: Database) -> None:
    await AlertRepo(db).enqueue_first(PATIENT, 7, _alert("I have a fever"), NOW)
    columns = await column(
        db,
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = 'urgent_messages' ORDER BY ordinal_position"
        if db.postgres
        else "SELECT name FROM pragma_table_info('urgent_messages') ORDER BY cid",
    )
    assert columns == ["chat_id", "message_id", "judged_at", "emergency"]


async def test_the_mark_survives_a_restart(db: Database) -> None:
    assert await AlertRepo(db).enqueue_first(PATIENT, 7, _alert(), NOW)
    await db.close()
    again = Database(db.target)
    try:
        assert not await AlertRepo(again).enqueue_first(PATIENT, 7, _alert(), NOW)
        assert await _alerts(again) == 1
    finally:
        await again.close()


async def test_instances_sharing_the_database_alert_about_a_message_once(db: Database) -> None:
    # Each instance reads the same edit at the same moment (a webhook retried on another one).
    instances = [Database(db.target) for _ in range(3)]
    try:
        firsts = await asyncio.gather(
            *(AlertRepo(i).enqueue_first(PATIENT, 7, _alert(), NOW) for i in instances * 4)
        )
    finally:
        for instance in instances:
            await instance.close()
    assert firsts.count(True) == 1
    assert await _alerts(db) == 1


async def test_forget_erases_the_marks_of_the_patients_private_chat(db: Database) -> None:
    repo = AlertRepo(db)
    for chat in (PATIENT, OTHER):
        await repo.enqueue_first(chat, 7, None, NOW)
    await Store(db).forget_user(PATIENT)
    assert await column(db, "SELECT chat_id FROM urgent_messages") == [OTHER]
    assert await repo.enqueue_first(PATIENT, 7, _alert(), NOW)  # nothing left to remember it by


async def test_the_purge_erases_marks_past_their_retention(db: Database) -> None:
    repo = AlertRepo(db)
    await repo.enqueue_first(PATIENT, 7, None, NOW)
    await repo.enqueue_first(PATIENT, 8, None, NOW + timedelta(days=1))
    assert await repo.purge(NOW + URGENT_RETENTION) == 0
    assert await repo.purge(NOW + URGENT_RETENTION + timedelta(seconds=1)) == 1
    assert await column(db, "SELECT message_id FROM urgent_messages") == [8]


async def test_an_alert_no_staff_chat_took_is_deleted_after_its_retention(db: Database) -> None:
    # Found by probe22: an alert waiting for a staff chat that refuses the bot, or is no
    # longer set, quoted the patient's danger sign in the database for ever.
    repo = AlertRepo(db)
    await repo.enqueue(PATIENT, 1, "old", NOW)
    await repo.enqueue(PATIENT, 1, "new", NOW + timedelta(days=1))
    assert await repo.purge_undelivered(NOW + ALERT_RETENTION) == 0
    assert await repo.purge_undelivered(NOW + ALERT_RETENTION + timedelta(seconds=1)) == 1
    assert await column(db, "SELECT html FROM alerts") == ["new"]


async def test_a_patient_flooding_the_outbox_does_not_hold_up_another_patients_alert(
    db: Database,
) -> None:
    # Found by probing: the staff chat takes about 18 messages a minute, and the outbox went
    # strictly oldest first, so 60 alerts from one patient (a panicking or hostile sender)
    # held another patient's first danger sign back for over three minutes.
    store = Store(db)
    for n in range(60):
        await store.alerts.enqueue(PATIENT, STAFF_CHAT, f"flood {n}", NOW)
    await store.alerts.enqueue(PATIENT + 1, STAFF_CHAT, "another patient: lip went white", NOW)
    sent: list[str] = []

    async def send(chat_id: int, html: str) -> None:
        if len(sent) == 5:  # the group's pace: the rest wait for a later flush
            raise RetryLater(60)
        sent.append(html)

    await flush(store, NOW, send)
    assert "another patient: lip went white" in sent
    assert [html for html in sent if html.startswith("flood")] == [f"flood {n}" for n in range(4)]


async def test_a_start_clears_a_refused_chats_wait_but_not_a_flood_wait(db: Database) -> None:
    # Found in review: the first alert run of a process cleared every wait, also a flood wait
    # that a live sibling had just been given by Telegram, so each start sent into the flood.
    repo = AlertRepo(db)
    flood = await repo.enqueue(PATIENT, STAFF_CHAT, "a", NOW)
    refused = await repo.enqueue(PATIENT, STAFF_CHAT, "b", NOW)
    for alert_id, wait in ((flood, timedelta(seconds=30)), (refused, timedelta(minutes=10))):
        await repo.claim(NOW, 1, "sibling")
        await repo.retry_later(alert_id, NOW + wait, "sibling")
    assert await repo.retry_now(NOW + timedelta(minutes=1)) == 1
    assert [a.id for a in await repo.claim(NOW, 2, "this")] == [refused]


async def test_a_late_retry_leaves_the_alert_another_instance_took_over(db: Database) -> None:
    # Found by probe25: an instance whose send outlasted its lease put the alert back while
    # the instance that took it over was sending it, so a third one sent it once more.
    repo = AlertRepo(db)
    alert_id = await repo.enqueue(PATIENT, STAFF_CHAT, "fever", NOW)
    lease = timedelta(minutes=2)
    await repo.claim(NOW, 1, "instance-a", lease)
    later = NOW + lease + timedelta(seconds=1)
    assert await repo.claims.release_expired(later) == 1
    assert [a.id for a in await repo.claim(later, 1, "instance-b", lease)] == [alert_id]
    assert not await repo.retry_later(alert_id, later, "instance-a")
    assert await repo.claim(later, 1, "instance-c", lease) == []
    assert await repo.retry_later(alert_id, later, "instance-b")
