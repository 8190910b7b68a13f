"""The stream worker: a durable JetStream pull consumer feeding the same ingestion as `POST /events/batch`.

Each fetched batch is ingested in one transaction and acknowledged only after that transaction has committed.
A worker killed before the commit leaves nothing written and nothing acknowledged: the server delivers the
batch again once the acknowledgement wait runs out. A worker killed between the commit and the
acknowledgements gets the same messages again too, and their ids are then duplicates: nothing is stored or
counted twice (at least once, idempotent by id). The ORM runs outside the event loop, which only talks to NATS.
"""
import asyncio
import json
import logging
import os

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from nats.js.errors import NotFoundError

from trustops.risk.events import services as events

log = logging.getLogger(__name__)
DEFAULT_URL = "nats://127.0.0.1:4222"


class StreamWorker:
    def __init__(self, *, url: str | None = None, stream: str = "TRUSTOPS_EVENTS", subject: str = "trustops.events",
                 durable: str = "riskworker", batch: int = 500, ack_wait: float = 30.0, store=None):
        self.url = url or os.environ.get("TRUSTOPS_NATS_URL", DEFAULT_URL)
        self.stream, self.subject, self.durable = stream, subject, durable
        self.batch, self.ack_wait, self.store = batch, ack_wait, store
        self.loop = asyncio.new_event_loop()
        self.connection = self.subscription = None
        # Hooks for fault tests: called around the commit (raise to simulate a crash there).
        self.before_ack = None

    def _run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def connect(self) -> None:
        async def connect():
            self.connection = await nats.connect(self.url, connect_timeout=5, max_reconnect_attempts=3)
            js = self.connection.jetstream()
            try:
                await js.stream_info(self.stream)
            except NotFoundError:
                await js.add_stream(StreamConfig(name=self.stream, subjects=[self.subject]))
            self.subscription = await js.pull_subscribe(
                self.subject, durable=self.durable, stream=self.stream,
                config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=self.ack_wait, max_deliver=-1))
        self._run(connect())

    def _fetch(self, timeout: float) -> list:
        async def fetch():
            try:
                return await self.subscription.fetch(self.batch, timeout=timeout)
            except (NatsTimeout, asyncio.TimeoutError):   # the client raises either when nothing came in time
                return []
        return self._run(fetch())

    def run_batch(self, *, timeout: float = 1.0) -> int:
        """Fetch, ingest and acknowledge one batch; the number of messages handled (0 when none came)."""
        messages = self._fetch(timeout)
        if not messages:
            return 0
        items, good = [], []
        for message in messages:
            try:
                items.append(json.loads(message.data))
                good.append(message)
            except ValueError:
                log.warning("riskworker: a message that is not JSON was dropped")
                self._run(message.term())
        if items:
            results = events.ingest(items, source="stream", store=self.store)   # commits, or raises
            rejected = sum(r.status == "rejected" for r in results)
            if rejected:
                log.warning("riskworker: %s of %s events rejected", rejected, len(items))
        if self.before_ack is not None:
            self.before_ack()

        async def ack():
            for message in good:
                await message.ack()
            await self.connection.flush()
        self._run(ack())
        return len(messages)

    def run(self, *, stop_after_idle: int | None = None) -> None:
        idle = 0
        while True:
            handled = self.run_batch()
            idle = 0 if handled else idle + 1
            if stop_after_idle is not None and idle >= stop_after_idle:
                return

    def close(self) -> None:
        if self.connection is not None:
            self._run(self.connection.close())
        self.loop.close()


def publish(events_: list[dict], *, subject: str = "trustops.events", url: str | None = None) -> None:
    """Publish events to the stream (the integrating platform's side; used by the demo and tests)."""
    async def send():
        connection = await nats.connect(url or os.environ.get("TRUSTOPS_NATS_URL", DEFAULT_URL))
        js = connection.jetstream()
        for event in events_:
            await js.publish(subject, json.dumps(event).encode())
        await connection.close()
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(send())
    finally:
        loop.close()
