"""Bolt listeners: acknowledge first, translate to a service call, reply privately.

The same listeners serve Socket Mode and HTTP mode. Nothing here decides a
quiz rule: the service does, and its ``QuizError``s reach ``handle_error``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack_adapter import blocks, ids, study_blocks
from bot.adapters.slack_adapter.clients import is_admin
from bot.adapters.slack_adapter.commands import usage
from bot.adapters.slack_adapter.counter import CountUpdater
from bot.adapters.slack_adapter.errors import NotAdmin, handle_error
from bot.adapters.slack_adapter.invocation import Handler, Invocation, split
from bot.adapters.slack_adapter.study_commands import answer_exam
from bot.adapters.slack_adapter.views import config_modal, config_values, home_view, submitted_values
from bot.engine.errors import InvalidConfig
from bot.engine.model import Period, PlayerKey, RoundKind, ServerKey
from bot.engine.service import QuizService

log = logging.getLogger(__name__)

PLATFORM = "slack"
Body = dict[str, Any]


def player_of(body: Body) -> PlayerKey:
    """The clicking or typing user, keyed by workspace."""
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or body.get("team_id")
    return PlayerKey(PLATFORM, str(team), str(user.get("id") or body.get("user_id")))


def ticked(body: Body, round_id: int, pick: str, pattern: re.Pattern[str]) -> frozenset[int]:
    """The choices ticked in a multi question's checkboxes, read from the message state at Submit."""
    state = body.get("state", {}).get("values", {}).get(ids.round_block_id(round_id), {})
    picked = state.get(pick, {}).get("selected_options") or []
    return frozenset(ids.parse_answer(option["value"], pattern)[1] for option in picked)


@dataclass(frozen=True)
class SlackListeners:
    """The app's listeners, bound to the service, the answer-count debouncer and the ``/quiz`` table."""

    service: QuizService
    counter: CountUpdater
    commands: Mapping[str, Handler]

    def register(self, app: AsyncApp) -> None:
        """Attach every listener, the retry filter and the error handler to ``app``."""
        app.middleware(self.skip_retries)
        app.error(self.on_error)
        app.action(ids.ANSWER_PATTERN)(self.on_answer)
        app.action(ids.PICK_PATTERN)(self.on_pick)
        app.action(ids.SUBMIT_PATTERN)(self.on_submit)
        app.action(ids.EXAM_PATTERN)(self.on_exam_answer)
        app.action(ids.EXAM_PICK_PATTERN)(self.on_pick)
        app.action(ids.EXAM_SUBMIT_PATTERN)(self.on_exam_submit)
        app.action(ids.CONFIG_OPEN)(self.on_config_open)
        app.command("/quiz")(self.on_quiz)
        app.view(ids.CONFIG_VIEW)(self.on_config_submit)
        app.event("app_home_opened")(self.on_home_opened)

    async def skip_retries(self, req: AsyncBoltRequest, resp: BoltResponse,
                           next_: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Drop Slack's redeliveries: the first delivery is already being handled (bolt has no dedup)."""
        retry = req.headers.get("x-slack-retry-num")
        if retry:
            reason = req.headers.get("x-slack-retry-reason") or ["?"]
            log.info("ignoring slack retry %s (%s)", retry[0], reason[0])
            return BoltResponse(status=200, body="")
        return await next_()

    async def on_error(self, error: Exception, body: Body, respond: AsyncRespond | None, ack: AsyncAck,
                       response: BoltResponse | None) -> None:
        """The single error handler (see ``errors.handle_error``); an acknowledged request stays a 200."""
        await handle_error(error, body, respond)
        if response is not None and ack.response is not None:
            response.status = ack.response.status

    async def on_answer(self, ack: AsyncAck, body: Body, action: dict[str, Any], respond: AsyncRespond) -> None:
        """A letter button: one choice."""
        await ack()
        round_id, choice = ids.parse_answer(action["action_id"])
        await self._answer(body, round_id, frozenset({choice}), respond)

    async def on_pick(self, ack: AsyncAck) -> None:
        """Ticking a checkbox only changes the message state; Submit reads it."""
        await ack()

    async def on_submit(self, ack: AsyncAck, body: Body, action: dict[str, Any], respond: AsyncRespond) -> None:
        """Submit under a multi question: the ticked boxes are the answer."""
        await ack()
        round_id = ids.parse_round(ids.SUBMIT_PATTERN, action["action_id"])
        await self._answer(body, round_id, ticked(body, round_id, ids.pick_id(round_id), ids.ANSWER_PATTERN), respond)

    async def _answer(self, body: Body, round_id: int, choices: frozenset[int], respond: AsyncRespond) -> None:
        result = await self.service.submit_answer(round_id, player_of(body), choices)
        in_private = bool((body.get("container") or {}).get("is_ephemeral"))
        await respond(response_type="ephemeral", replace_original=in_private,
                      **blocks.verdict_message(result).kwargs())
        if result.round.kind is RoundKind.DAILY:
            self.counter.bump(round_id)

    async def on_exam_answer(self, ack: AsyncAck, body: Body, action: dict[str, Any], respond: AsyncRespond) -> None:
        """A mock-exam letter button: recorded without a verdict, replaced by the next step."""
        await ack()
        round_id, choice = ids.parse_answer(action["action_id"], ids.EXAM_PATTERN)
        await self._exam(body, round_id, frozenset({choice}), respond)

    async def on_exam_submit(self, ack: AsyncAck, body: Body, action: dict[str, Any], respond: AsyncRespond) -> None:
        """Submit under a multi question of a mock exam."""
        await ack()
        round_id = ids.parse_round(ids.EXAM_SUBMIT_PATTERN, action["action_id"])
        choices = ticked(body, round_id, ids.exam_pick_id(round_id), ids.EXAM_PATTERN)
        await self._exam(body, round_id, choices, respond)

    async def _exam(self, body: Body, round_id: int, choices: frozenset[int], respond: AsyncRespond) -> None:
        step = await answer_exam(self.service, player_of(body), round_id, choices)
        await respond(response_type="ephemeral", replace_original=True, **study_blocks.exam_message(step).kwargs())

    async def on_quiz(self, ack: AsyncAck, body: Body, client: AsyncWebClient, respond: AsyncRespond) -> None:
        """``/quiz <subcommand> ...``; unknown words get the usage text."""
        await ack()
        name, args = split(body.get("text", ""))
        inv = Invocation(player_of(body), body.get("channel_id", ""), body.get("trigger_id", ""), args, client,
                         respond)
        await self.commands.get(name, usage)(self.service, inv)

    async def on_config_open(self, ack: AsyncAck, body: Body, client: AsyncWebClient) -> None:
        """The Edit button of the App Home: the settings modal, for admins."""
        await ack()
        player = player_of(body)
        config = await self.service.config(player.server)
        if not await is_admin(client, config, player.user_id):
            raise NotAdmin()
        await client.views_open(trigger_id=body["trigger_id"], view=config_modal(config))

    async def on_config_submit(self, ack: AsyncAck, body: Body, view: dict[str, Any],
                               client: AsyncWebClient) -> None:
        """Save the changed settings; a refused value is shown on its field (the ack carries the errors)."""
        player = player_of(body)
        current = await self.service.config(player.server)
        if not await is_admin(client, current, player.user_id):
            await ack(response_action="errors", errors={"channel": str(NotAdmin())})
            return
        before, errors = config_values(current), {}
        for name, value in submitted_values(view["state"]).items():
            if value == before.get(name, value):
                continue
            try:
                await self.service.update_config(player.server, name, value)
            except InvalidConfig as exc:
                errors[name] = str(exc)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        await self.publish_home(client, player)

    async def on_home_opened(self, event: dict[str, Any], context: AsyncBoltContext,
                             client: AsyncWebClient) -> None:
        """Publish a fresh App Home when the member opens it."""
        if event.get("tab", "home") != "home":
            return
        await self.publish_home(client, ServerKey(PLATFORM, str(context.team_id)).player(event["user"]))

    async def publish_home(self, client: AsyncWebClient, player: PlayerKey) -> None:
        """Stats, the week's board, and the settings for admins."""
        config = await self.service.config(player.server)
        stats = await self.service.stats(player)
        board = await self.service.leaderboard(player.server, Period.WEEK, player=player)
        admin = await is_admin(client, config, player.user_id)
        await client.views_publish(user_id=player.user_id, view=home_view(stats, board, config if admin else None))
