"""Admin use cases: question reports and server statistics."""

from __future__ import annotations

from bot.engine.errors import InvalidConfig
from bot.engine.model import DOMAIN_NAMES, DomainStat, PlayerKey, Report, ServerKey, new_report
from bot.engine.outcomes import ServerStats
from bot.engine.ports import Clock, QuestionBank
from bot.engine.study_ports import Store


class AdminService:
    """Reports from players, and the numbers a study-group lead looks at."""

    def __init__(self, store: Store, bank: QuestionBank, clock: Clock) -> None:
        self._store = store
        self._bank = bank
        self._clock = clock

    async def report_question(
        self, player: PlayerKey, question_id: str, reason: str, text: str, *, round_id: int | None = None
    ) -> Report:
        """Store a player's report that a question is wrong, unclear or outdated."""
        if self._bank.get(question_id) is None:
            raise InvalidConfig(f"Unknown question {question_id!r}.")
        report = new_report(player, question_id, round_id, reason, text, self._clock.now())
        return await self._store.add_report(report)

    async def open_reports(self, server: ServerKey) -> tuple[Report, ...]:
        """Unresolved reports of a server, for admins."""
        return tuple(await self._store.open_reports(server))

    async def resolve_report(self, server: ServerKey, report_id: int, by: str, resolution: str) -> None:
        """Close a report with a note; refuses unknown or already resolved ids."""
        if not await self._store.resolve_report(server, report_id, by, resolution.strip() or "resolved",
                                                self._clock.now()):
            raise InvalidConfig(f"No open report #{report_id} in this server.")

    async def server_stats(self, server: ServerKey, days: int = 14, hardest: int = 5) -> ServerStats:
        """For admins: daily participation, accuracy per domain, the hardest questions (5+ answers)."""
        participation = tuple(reversed(await self._store.daily_participation(server, days)))
        domains = tuple(DomainStat(DOMAIN_NAMES[d], n, c) for d, n, c in await self._store.domain_totals(server))
        ranked = sorted(await self._store.question_totals(server, 5), key=lambda row: (row[2] / row[1], row[0]))
        rows = tuple((q, n, c) for qid, n, c in ranked if (q := self._bank.get(qid)) is not None)
        return ServerStats(server, participation, domains, rows[:hardest])

