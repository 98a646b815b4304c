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
    container = body.get("container")
    message_ts = container.get("message_ts") if isinstance(container, dict) else None
    return str(body.get("trigger_id") or body.get("event_id") or message_ts or "?")


def _field(body: dict[str, Any], key: str) -> str:
    """``body[key]["id"]`` or ``body[key + "_id"]``, tolerating whatever shape a forged body has."""
    value = body.get(key)
    found = value.get("id") if isinstance(value, dict) else None
    return str(found or body.get(f"{key}_id") or "?")


def _where(body: dict[str, Any]) -> str:
    kind = body.get("type") or ("slash_command" if "command" in body else "event")
    return f"{kind} team={_field(body, 'team')} user={_field(body, 'user')}"


async def handle_error(error: Exception, body: dict[str, Any], respond: AsyncRespond | None) -> None:
    """Registered with ``app.error``: user-facing text for QuizError, a log entry for the rest."""
    if isinstance(error, QuizError):
        log.info("refused %s: %s", _where(body), error, extra={"interaction_id": request_id(body)})
        text = str(error)
    else:
        log.error("slack listener failed on %s", _where(body), exc_info=error,
                  extra={"interaction_id": request_id(body)})
        text = APOLOGY
    # App Home buttons, modals and requests that failed before parsing have no response_url
    # (bolt still hands over a respond() that would raise), so there is nobody to reply to.
    if respond is None or not body.get("response_url"):
        return
    try:
        await respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception:  # the reply itself failed (bad or dead response_url): log, never 500 to Slack
        log.warning("could not deliver the error reply for %s", _where(body), exc_info=True,
                    extra={"interaction_id": request_id(body)})
