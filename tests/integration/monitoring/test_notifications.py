"""Webhook deliveries to a real receiver on loopback: signature, retries with backoff, delivery log, routing, repeat."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest

from chatops_commander.adapters.monitoring.channels import SlackChannel, WebhookChannel
from chatops_commander.bootstrap import Container
from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.notify import EventKind, verify
from chatops_commander.domain.monitoring.rules import Severity
from chatops_commander.services.notifications import Notifier
from tests.integration.monitoring.conftest import FakeClock
from tests.integration.monitoring.receiver import Receiver

SECRET = "whsec-test-5f1d9a0c7b"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    try:
        yield r
    finally:
        r.stop()


async def stored_alert(container: Container, clock: FakeClock, severity: Severity = Severity.CRITICAL) -> Alert:
    async with container.uow() as uow:
        alert = await uow.alerts.add(Alert(type="disk_usage", severity=severity, message="Disk / on web-01 is 95% full",
                                           message_fr="Le disque / de web-01 est plein à 95 %",
                                           fingerprint=f"test:{uuid.uuid4()}", created_at=clock.now()))
        await uow.commit()
    return alert


async def test_a_signed_delivery_arrives_and_is_logged(container: Container, receiver: Receiver) -> None:
    clock = FakeClock()
    channel = WebhookChannel("ops-hook", receiver.url, SECRET)
    notifier = Notifier(container.uow, [channel], clock=clock)
    alert = await stored_alert(container, clock)
    [delivery] = await notifier.notify(alert, EventKind.FIRING, "web-01")
    await notifier.close()
    assert delivery.status.value == "delivered" and delivery.attempts == 1 and delivery.status_code == 200
    [req] = receiver.requests
    header = req.headers["x-chatops-signature"]
    assert verify(SECRET.encode(), header, req.body, now=int(time.time()))
    assert not verify(b"another secret", header, req.body, now=int(time.time()))
    assert not verify(SECRET.encode(), header, req.body + b" ", now=int(time.time()))
    body = json.loads(req.body)
    assert body["event"] == "firing" and body["alert"]["server"] == "web-01"
    assert body["alert"]["message"]["fr"].startswith("Le disque")
    async with container.uow() as uow:
        [logged] = await uow.deliveries.recent()
        notified_at, severity = await uow.alerts.last_notified(alert.id)  # type: ignore[arg-type]
    assert (logged.channel, logged.status.value, logged.alert_id) == ("ops-hook", "delivered", alert.id)
    assert notified_at == clock.now() and severity == "critical"


async def test_a_receiver_that_fails_twice_gets_it_on_the_third_try(container: Container, receiver: Receiver) -> None:
    receiver.fail_first = 2
    clock = FakeClock()
    delays: list[float] = []

    async def record_sleep(s: float) -> None:
        delays.append(s)

    notifier = Notifier(container.uow, [WebhookChannel("flaky", receiver.url, SECRET)], clock=clock,
                        attempts=4, backoff_base_s=2.0, sleep=record_sleep)
    [delivery] = await notifier.notify(await stored_alert(container, clock), EventKind.FIRING, None)
    await notifier.close()
    assert (delivery.status.value, delivery.attempts) == ("delivered", 3)
    assert delays == [2.0, 4.0]  # exponential backoff between attempts
    assert len(receiver.requests) == 3
    assert len({r.body for r in receiver.requests}) == 1  # the same body each time


async def test_failed_after_every_attempt_is_logged_as_failed(container: Container, receiver: Receiver) -> None:
    receiver.fail_first = 99
    clock = FakeClock()
    notifier = Notifier(container.uow, [WebhookChannel("down", receiver.url, None)], clock=clock,
                        attempts=3, backoff_base_s=0.001)
    [delivery] = await notifier.notify(await stored_alert(container, clock), EventKind.FIRING, None)
    await notifier.close()
    assert (delivery.status.value, delivery.attempts, delivery.status_code) == ("failed", 3, 503)
    async with container.uow() as uow:
        [logged] = await uow.deliveries.recent()
    assert logged.status.value == "failed" and "503" in (logged.last_error or "")


async def test_routing_by_severity_slack_format_and_quiet_repeat(container: Container, receiver: Receiver) -> None:
    clock = FakeClock()
    slack = SlackChannel("slack", receiver.url, severities=("critical",))
    notifier = Notifier(container.uow, [slack], clock=clock, repeat_s=3600)
    warning = await stored_alert(container, clock, Severity.WARNING)
    assert await notifier.notify(warning, EventKind.FIRING, "web-01") == []  # not routed
    critical = await stored_alert(container, clock, Severity.CRITICAL)
    await notifier.notify(critical, EventKind.FIRING, "web-01")
    [req] = receiver.requests
    text = json.loads(req.body)["text"]
    assert "CRITICAL" in text and "Disk / on web-01" in text and "Le disque" in text
    clock.advance(1800)
    assert await notifier.repeat_open() == 0  # quiet
    clock.advance(1800)
    assert await notifier.repeat_open() == 1  # the critical one, once its interval passed
    assert json.loads(receiver.requests[-1].body)["text"].count("STILL FIRING") == 1
    await notifier.close()
