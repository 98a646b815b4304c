"""App Home tab and the admin settings modal: pure Block Kit views."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack_adapter.blocks import Block, context, leaderboard_text, section, stats_text
from bot.adapters.slack_adapter.ids import CONFIG_OPEN, CONFIG_VIEW, escape
from bot.adapters.slack_adapter.study_blocks import study_text
from bot.engine.model import ServerConfig
from bot.engine.outcomes import Leaderboard, PlayerStats
from bot.engine.settings_rules import SETTINGS

_HINTS = {
    "channel": "The channel of the daily question",
    "time": "Post time, 24-hour HH:MM",
    "timezone": "IANA zone, e.g. Europe/Berlin",
    "weekdays": "e.g. mon-fri or mon,wed,fri",
    "reveal": "HH:MM, or next (at the next post)",
    "topics": "Comma-separated topic slugs, or any",
    "domain": "1, 2, 3, 4 or any",
    "enabled": "on or off",
    "mention_role": "User group id (S…), here or channel; empty for none",
    "practice_on_board": "on or off: practice answers count on the board",
    "admins": "Comma-separated user ids who may change settings",
}


def config_values(config: ServerConfig) -> dict[str, str]:
    """Each setting of ``config`` as the text an admin would type to set it."""
    def on_off(flag: bool) -> str:
        return "on" if flag else "off"

    return {
        "channel": config.channel_id or "", "time": config.post_time, "timezone": config.timezone,
        "weekdays": ",".join(config.weekdays), "reveal": config.reveal_time or "next",
        "topics": ",".join(config.topics) or "any", "domain": str(config.domain or "any"),
        "enabled": on_off(config.enabled), "mention_role": config.mention_role or "",
        "practice_on_board": on_off(config.practice_on_board), "admins": ",".join(config.admins),
    }


def config_text(config: ServerConfig) -> str:
    """The settings as a mrkdwn list."""
    values = config_values(config)
    return "*Settings*\n" + "\n".join(f"• `{name}`: {escape(values[name]) or '—'}" for name in SETTINGS)


def _input(name: str, value: str) -> Block:
    if name == "channel":
        element: dict[str, Any] = {"type": "channels_select", "action_id": "value"}
        if value:
            element["initial_channel"] = value
    else:
        element = {"type": "plain_text_input", "action_id": "value"}
        if value:
            element["initial_value"] = value
    return {"type": "input", "block_id": name, "optional": True, "element": element,
            "label": {"type": "plain_text", "text": name.replace("_", " ")},
            "hint": {"type": "plain_text", "text": _HINTS[name]}}


def config_modal(config: ServerConfig) -> dict[str, Any]:
    """The settings modal; the workspace travels in ``private_metadata``."""
    values = config_values(config)
    return {
        "type": "modal", "callback_id": CONFIG_VIEW, "private_metadata": config.server.server_id,
        "title": {"type": "plain_text", "text": "QuizBot settings"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [_input(name, values[name]) for name in SETTINGS],
    }


def submitted_values(state: dict[str, Any]) -> dict[str, str]:
    """The modal's submitted text per setting (an empty channel select gives an empty string)."""
    found = {}
    for name, actions in state.get("values", {}).items():
        field = actions.get("value", {})
        found[name] = (field.get("selected_channel") or field.get("value") or "").strip()
    return found


def home_view(stats: PlayerStats, board: Leaderboard, config: ServerConfig | None) -> dict[str, Any]:
    """The App Home tab: your stats and readiness per domain, the week's board, and the settings for admins."""
    blocks: list[Block] = [section(stats_text(stats))]
    if stats.current_streak:
        blocks.append(context(f":fire: {stats.current_streak}-day streak"))
    if stats.study is not None:
        blocks.append(section(study_text(stats.study)))
    blocks += [{"type": "divider"}, section(leaderboard_text(board))]
    if config is not None:
        blocks += [
            {"type": "divider"},
            section(config_text(config)),
            {"type": "actions", "elements": [{"type": "button", "action_id": CONFIG_OPEN, "value": "open",
                                              "text": {"type": "plain_text", "text": "Edit settings"}}]},
        ]
    return {"type": "home", "blocks": blocks}
