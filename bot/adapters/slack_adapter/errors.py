"""The one error handler of the Slack app, and the adapter's own refusal.

``QuizError`` messages are written for users and go back privately; anything
else is a bug: logged with its context, and the user gets an apology.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.engine.errors import QuizError

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."


class NotAdmin(QuizError):
    """Settings, team management, reports, server stats and exports are for admins.

    Admins are workspace admins and owners and the server's configured admins.
    """

    def __init__(self, action: str = "change QuizBot settings") -> None:
        super().__init__(f"Only workspace admins and QuizBot admins can {action}.")


def request_id(body: dict[str, Any]) -> str:
    """The id Slack gives the interaction or event (trigger_id, event_id), for log correlation."""
    return str(body.get("trigger_id") or body.get("event_id") or (body.get("container") or {}).get("message_ts")
               or "?")


def _where(body: dict[str, Any]) -> str:
    kind = body.get("type") or ("slash_command" if "command" in body else "event")
    user = (body.get("user") or {}).get("id") or body.get("user_id") or "?"
    team = (body.get("team") or {}).get("id") or body.get("team_id") or "?"
    return f"{kind} team={team} user={user}"


async def handle_error(error: Exception, body: dict[str, Any], respond: AsyncRespond | None) -> None:
    """Registered with ``app.error``: user-facing text for QuizError, a log entry for the rest."""
    if isinstance(error, QuizError):
        log.info("refused %s: %s", _where(body), error, extra={"interaction_id": request_id(body)})
        text = str(error)
    else:
        log.error("slack listener failed on %s", _where(body), exc_info=error,
                  extra={"interaction_id": request_id(body)})
        text = APOLOGY
    if respond is None:  # App Home buttons and modals have no response_url
        return
    await respond(text=text, response_type="ephemeral", replace_original=False)
