"""The console's Notifier: scheduled posts and reveals are printed to the terminal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.console import Console
from rich.text import Text

from bot.adapters.console_adapter import render
from bot.engine.model import Question, Round, ServerConfig, ServerKey
from bot.engine.outcomes import Recap


@dataclass
class ConsoleNotifier:
    """Posts go to the terminal; nothing can fail for lack of permissions here."""

    out: Console
    sends_per_second: float = float("inf")

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        """Print the daily question; the message reference is the round id."""
        self.out.print(render.question_panel(question, f"Daily question of {round_.local_date}"))
        return f"console-{round_.id}"

    async def find_daily(self, config: ServerConfig, round_: Round, since: datetime) -> str | None:
        """Printing cannot half-fail, so there is never an earlier post to find."""
        return None

    async def reveal_daily(self, config: ServerConfig, round_: Round, recap: Recap) -> None:
        """Print the key, the distribution, the explanation and the day's top answerers."""
        self.out.print(Text(f"Reveal of the daily question of {round_.local_date}", style="bold"))
        self.out.print(render.reveal_table(recap.reveal))
        if recap.top:
            names = ", ".join(f"{user} (streak {streak})" for user, streak in recap.top)
            self.out.print(Text(f"Right today: {names}"))

    async def tell_admins(self, server: ServerKey, text: str) -> None:
        """The console user is the admin."""
        self.out.print(Text(text, style="bold yellow"))
