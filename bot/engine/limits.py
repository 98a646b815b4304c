"""Text limits every platform can render, and how a question is laid out as text.

The smallest limit across Discord and Slack wins: a question body must fit a
Discord message (2,000) and a Slack section (3,000); an explanation must fit a
Discord embed field (1,024) in the reveal.
"""

from __future__ import annotations

from bot.engine.model import LETTERS

QUESTION_TEXT_LIMIT = 2000
EXPLANATION_LIMIT = 1000
CHOICE_LIMIT = 200


def question_text(prompt: str, choices: tuple[str, ...] | list[str]) -> str:
    """The prompt and lettered choices as plain text, the layout every adapter starts from."""
    lines = [prompt, ""]
    lines.extend(f"{LETTERS[i]}. {choice}" for i, choice in enumerate(choices))
    return "\n".join(lines)
