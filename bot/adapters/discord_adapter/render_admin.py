"""Admin views as Discord text: open question reports and server statistics."""

from __future__ import annotations

from bot.adapters.discord_adapter.render import clip
from bot.engine.model import Report
from bot.engine.outcomes import ServerStats

SPARKS = "▁▂▃▄▅▆▇█"
MESSAGE_LIMIT = 2000


def sparkline(values: list[int]) -> str:
    """Values as block characters scaled to the largest, e.g. ``▁▃█▅``."""
    top = max(values, default=0)
    if top == 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[round((len(SPARKS) - 1) * v / top)] for v in values)


def reports_text(reports: tuple[Report, ...]) -> str:
    """Open reports, oldest first, one line each; the resolve command is named once."""
    if not reports:
        return "No open reports."
    lines = [f"**Open reports: {len(reports)}** (close one with `/quiz reports resolve`)"]
    for report in reports:
        text = clip(" ".join(report.text.split()), 160)
        lines.append(f"**#{report.id}** `{report.question_id}` · {report.reason} · <@{report.player.user_id}> · "
                     f"{report.created_at:%Y-%m-%d}: {text}")
    return fit(lines)


def server_stats_text(stats: ServerStats) -> str:
    """Daily participation as a sparkline, accuracy per domain, the hardest questions."""
    lines = ["**Server stats**"]
    if stats.participation:
        counts = [count for _day, count in stats.participation]
        first, last = stats.participation[0][0], stats.participation[-1][0]
        lines.append(f"Daily answerers {first:%m-%d}…{last:%m-%d}: `{sparkline(counts)}` "
                     f"(max {max(counts)}, latest {counts[-1]})")
    else:
        lines.append("No daily question answered yet.")
    lines.extend(f"• {d.name}: {d.correct}/{d.answered} ({d.accuracy:.0%})" for d in stats.by_domain)
    if stats.hardest:
        lines.append("**Hardest questions** (5+ answers)")
        lines.extend(f"• `{q.id}` · {correct}/{answered} correct ({correct / answered:.0%}) · {q.topic}"
                     for q, answered, correct in stats.hardest)
    return fit(lines)


def fit(lines: list[str]) -> str:
    """Join lines, dropping whole trailing lines (with a count) rather than cutting one in half."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        rest = len(lines) - index
        if used + len(line) + 1 > MESSAGE_LIMIT - 30:
            kept.append(f"…and {rest} more")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)
