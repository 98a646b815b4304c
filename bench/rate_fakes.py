"""Notifier fakes that enforce Discord's and Slack's documented rate limits on a simulated clock.

They count a request over the limit as a 429 (and refuse it, as the platform
would) instead of trusting the pacing upstream. Limits, from
../shared/reference/platforms.md:

- Discord (§1.4): 50 requests/s per bot across all guilds (global), and the
  observed per-channel message bucket of 5 per 5 s.
- Slack (§2.3): ``chat.postMessage`` about one message per second per channel;
  limits are per app per workspace, so different workspaces do not share them.

Each fake declares ``sends_per_second`` exactly as the real notifier class does,
so the paced queue runs with the bot's own setting.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime

from bot.engine.errors import DeliveryFailed
from bot.engine.model import Question, Round, ServerConfig, ServerKey
from bot.engine.outcomes import Recap
from bot.engine.ports import Clock


@dataclass
class Window:
    """At most ``limit`` events in any ``seconds``-long window."""

    limit: int
    seconds: float
    stamps: deque[float] = field(default_factory=deque)

    def admit(self, now: float) -> bool:
        """Record an event at ``now`` unless it would exceed the limit."""
        while self.stamps and self.stamps[0] <= now - self.seconds:
            self.stamps.popleft()
        if len(self.stamps) >= self.limit:
            return False
        self.stamps.append(now)
        return True


@dataclass
class RateLimitedNotifier:
    """Records accepted posts with their instant; refuses (429) what the platform's limits refuse."""

    clock: Clock
    sends_per_second: float
    global_limit: tuple[int, float] | None
    channel_limit: tuple[int, float]
    posts: Counter[ServerKey] = field(default_factory=Counter)
    last_post: datetime | None = None
    rejected: int = 0
    _global: Window | None = field(default=None, init=False)
    _channels: dict[tuple[str, str], Window] = field(init=False)

    def __post_init__(self) -> None:
        if self.global_limit is not None:
            self._global = Window(*self.global_limit)
        self._channels = defaultdict(lambda: Window(*self.channel_limit))

    def _admit(self, config: ServerConfig) -> None:
        now = self.clock.now().timestamp()
        channel = self._channels[(config.server.server_id, config.channel_id or "")]
        if (self._global is not None and not self._global.admit(now)) or not channel.admit(now):
            self.rejected += 1
            raise DeliveryFailed("429 rate limited")

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        """Accept the post if the limits allow it."""
        self._admit(config)
        self.posts[config.server] += 1
        self.last_post = self.clock.now()
        return f"m{round_.id}"

    async def find_daily(self, config: ServerConfig, round_: Round, since: datetime) -> str | None:
        """A refused post here never landed: nothing to find."""
        return None

    async def reveal_daily(self, config: ServerConfig, round_: Round, recap: Recap) -> None:
        """Reveals are not part of the fan-out measured here."""
        self._admit(config)

    async def tell_admins(self, server: ServerKey, text: str) -> None:
        """Nothing to tell in this benchmark."""


def discord_fake(clock: Clock, sends_per_second: float) -> RateLimitedNotifier:
    """Global 50/s per bot, 5 per 5 s per channel."""
    return RateLimitedNotifier(clock, sends_per_second, global_limit=(50, 1.0), channel_limit=(5, 5.0))


def slack_fake(clock: Clock, sends_per_second: float) -> RateLimitedNotifier:
    """One message per second per channel; nothing shared across workspaces."""
    return RateLimitedNotifier(clock, sends_per_second, global_limit=None, channel_limit=(1, 1.0))
