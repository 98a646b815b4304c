"""``quizbot simulate``: the daily lifecycle in simulated time, printed as JSON events.

Real SQLite (a temporary file), the real service and bank, the real
scheduling decisions (APScheduler triggers driven by ``VirtualRunner``) and a
recording notifier. ``--restart-at`` drops every in-memory job at that
instant and rebuilds from the database, as a process restart would.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.engine.model import Question, Round, ServerConfig, ServerKey
from bot.engine.outcomes import Recap
from bot.engine.service import QuizService
from bot.engine.settings_rules import parse_time, parse_weekdays
from bot.engine.timekeys import zone
from bot.scheduling.daily import DailyScheduler
from bot.scheduling.jobs import SimulatedClock, VirtualRunner
from bot.scheduling.lifecycle import DailyLifecycle, Event
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.daily_store import SqlDailyStore
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore


@dataclass
class RecordingNotifier:
    """A notifier that records what a platform would have shown."""

    sends_per_second: float = float("inf")
    posts: list[tuple[ServerKey, int, str]] = field(default_factory=list)
    reveals: list[tuple[ServerKey, int]] = field(default_factory=list)
    admin_messages: list[tuple[ServerKey, str]] = field(default_factory=list)

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        """Record the post; the message reference is the round id."""
        self.posts.append((config.server, round_.id, question.id))
        return f"sim-message-{round_.id}"

    async def find_daily(self, config: ServerConfig, round_: Round, since: datetime) -> str | None:
        """A recorded post never half-fails: nothing to find."""
        return None

    async def reveal_daily(self, config: ServerConfig, round_: Round, recap: Recap) -> None:
        """Record the reveal."""
        self.reveals.append((config.server, round_.id))

    async def tell_admins(self, server: ServerKey, text: str) -> None:
        """Record the admin notice."""
        self.admin_messages.append((server, text))


@dataclass(frozen=True)
class SimulationPlan:
    """What to simulate."""

    start: datetime
    days: int
    servers: int
    timezone: str
    post_time: str
    weekdays: str
    restarts: tuple[datetime, ...] = ()
    seed: int = 0
    reveal_time: str | None = None


def event_json(event: Event) -> str:
    """One event as the JSON line operators and tests read."""
    return json.dumps({
        "event": event.event,
        "server": f"{event.server.platform}:{event.server.server_id}",
        "local_date": event.local_date.isoformat(),
        "at": event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "question_id": event.question_id,
    })


async def simulate(plan: SimulationPlan, content_dir: Path, emit: Callable[[Event], None]) -> RecordingNotifier:
    """Run the plan; call ``emit`` for each event in time order."""
    zone(plan.timezone)
    weekdays, post_time = parse_weekdays(plan.weekdays), parse_time(plan.post_time)
    bank = YamlQuestionBank.load(content_dir)
    clock = SimulatedClock(plan.start)
    notifier = RecordingNotifier()
    end = plan.start + timedelta(days=plan.days)
    with tempfile.TemporaryDirectory(prefix="quizbot-sim-") as tmp:
        async with Database.open(Path(tmp) / "sim.db") as db:
            await migrate(db)
            store = SqlQuizStore(db)
            for n in range(1, plan.servers + 1):
                await store.save_config(ServerConfig(
                    server=ServerKey("sim", f"server-{n}"), timezone=plan.timezone, channel_id="daily",
                    enabled=True, post_time=post_time, weekdays=weekdays, reveal_time=plan.reveal_time,
                ))
            cuts = sorted(t for t in plan.restarts if plan.start < t < end)
            for seg_start, seg_end in zip([plan.start, *cuts], [*cuts, end], strict=True):
                clock.current = seg_start
                service = QuizService(store, bank, clock, random.Random(plan.seed + seg_start.toordinal()),  # noqa: S311
                                      default_timezone=plan.timezone, cards=FsrsCardScheduler())
                runner = VirtualRunner(clock)
                scheduler = DailyScheduler(runner)
                scheduler.bind(DailyLifecycle(service, SqlDailyStore(db), notifier, clock, scheduler, emit))
                service.on_config_change(scheduler.on_config_change)
                await scheduler.rebuild(list(await store.enabled_configs()))
                await runner.run_until(seg_end, inclusive=seg_end == end)
    return notifier
