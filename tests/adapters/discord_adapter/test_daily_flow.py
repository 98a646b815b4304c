"""Daily post -> click -> private verdict -> duplicate click -> debounced count -> reveal edit."""

from __future__ import annotations

from typing import Any

from bot.engine.service import QuizService
from tests.adapters.discord_adapter.conftest import SERVER, Harness
from tests.adapters.discord_adapter.fake_discord import interaction, until


def click(message: dict[str, Any], custom_id: str, user_id: int, values: list[str] | None = None) -> dict[str, Any]:
    kind = 3 if values is not None else 2
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
    if values is not None:
        data["values"] = values
    return interaction(3, data, user_id, message=message)


async def post_today(harness: Harness, service: QuizService, qtype: str = "single") -> tuple[Any, dict[str, Any]]:
    for _ in range(10):
        opened = await service.open_daily(SERVER)
        if opened.question.type.value == qtype:
            break
    config = await service.config(SERVER)
    ref = await harness.runtime.notifier.post_daily(config, opened.round, opened.question)
    await service.record_post(opened.round.id, config.channel_id, ref, closes_at=None)
    return opened, harness.fake.messages[ref]


async def test_daily_post_click_duplicate_count_and_reveal(harness: Harness, service: QuizService,
                                                           configured: None) -> None:
    opened, message = await post_today(harness, service)
    embed = message["embeds"][0]
    assert opened.question.prompt in embed["description"] and "0 answered" in embed["footer"]["text"]
    labels = [b["label"] for row in message["components"] for b in row["components"]]
    assert labels == [*opened.question.letters, "Report question"]
    key = opened.question.key_letters()

    token = harness.inject(click(message, f"quiz:answer:{opened.round.id}:{key}", 11))
    shown = await harness.reply(token)
    assert "Correct!" in shown["content"] and shown["flags"] & 64
    wrong = next(letter for letter in opened.question.letters if letter != key)
    again = await harness.reply(harness.inject(click(message, f"quiz:answer:{opened.round.id}:{wrong}", 11)))
    assert "already answered" in again["content"]
    await harness.reply(harness.inject(click(message, f"quiz:answer:{opened.round.id}:{wrong}", 12)))

    # three clicks, one scheduled edit: the first edit runs at once, later ones wait for the interval
    await until(lambda: harness.fake.bodies("PATCH", "/channels/3000/messages"), "the count edit")
    harness.time.released = 10

    def counted_two() -> bool:
        return any("2 answered" in e["embeds"][0]["footer"]["text"]
                   for e in harness.fake.bodies("PATCH", "/channels/3000/messages"))

    # The verdict reaches the fake just before the adapter schedules its count edit, so wait
    # for the edit itself rather than for the counter to be idle at that instant.
    await until(counted_two, "the debounced edit showing both answers")
    await harness.runtime.counter.idle()
    edits = harness.fake.bodies("PATCH", "/channels/3000/messages")
    assert len(edits) <= 2 and "2 answered" in edits[-1]["embeds"][0]["footer"]["text"]
    assert all(wait <= 1.0 for wait in harness.time.waits)

    reveal = await service.reveal(opened.round.id)
    await harness.runtime.notifier.reveal_daily(await service.config(SERVER), reveal.round,
                                                await service.recap(reveal))
    final = harness.fake.messages[message["id"]]
    fields = {f["name"]: f["value"] for f in final["embeds"][0]["fields"]}
    assert fields["Answer"] == key and "✓" in fields["How people answered"]
    assert all(b.get("disabled") for row in final["components"] for b in row["components"])
    recap = harness.fake.bodies("POST", "/channels/3000/messages")[-1]
    assert "<@11>" in recap["content"] and recap["allowed_mentions"]["parse"] == []
