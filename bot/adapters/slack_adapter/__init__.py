"""Slack adapter (slack-bolt ``AsyncApp``): daily posts, buttons, ``/quiz``, App Home; Socket Mode or HTTP."""

from bot.adapters.slack_adapter.runtime import SlackRuntime, build_slack

__all__ = ["SlackRuntime", "build_slack"]
