"""The one exception tree of the engine.

Adapters catch ``QuizError`` in their single error handler and show its
message to the user; anything else is a bug and gets logged::

    QuizError                      user-facing, message is safe to show
    ├── RoundNotFound              no such round id
    ├── RoundClosed                the round was revealed or its time ran out
    ├── AlreadyAnswered            one answer per person per round
    ├── InvalidChoice              letters outside the question, wrong count
    ├── NotYourRound               someone else's private practice round
    ├── NoQuestionsAvailable       the filter leaves nothing to ask
    ├── InvalidConfig              a server setting failed validation
    ├── StorageUnavailable         the database refused a write (read-only, disk full); nothing was saved
    └── ContentError               the question bank is invalid (all problems listed)

    DeliveryFailed                 a notifier could not post or edit (not user-facing);
                                   ``permanent`` marks missing access rather than a blip
"""

from __future__ import annotations


class QuizError(Exception):
    """Base of every error the engine raises on purpose."""


class RoundNotFound(QuizError):
    """The round id does not exist (old button, typo, other server)."""

    def __init__(self, round_id: int) -> None:
        super().__init__(f"That question (round {round_id}) no longer exists.")
        self.round_id = round_id


class RoundClosed(QuizError):
    """Answers after the reveal or after the closing time are refused."""

    def __init__(self, round_id: int) -> None:
        super().__init__("This question is closed; the answer has been revealed.")
        self.round_id = round_id


class AlreadyAnswered(QuizError):
    """The player already answered this round; the first answer stands."""

    def __init__(self, round_id: int) -> None:
        super().__init__("You already answered this question; your first answer stands.")
        self.round_id = round_id


class InvalidChoice(QuizError):
    """The submitted letters do not fit the question."""


class NotYourRound(QuizError):
    """A private practice round belongs to one player."""

    def __init__(self) -> None:
        super().__init__("This practice question belongs to someone else; start your own with /quiz.")


class NoQuestionsAvailable(QuizError):
    """Nothing in the bank matches the requested topic or domain."""


class InvalidConfig(QuizError):
    """A server setting was rejected; the message says which and why."""


class StorageUnavailable(QuizError):
    """A write failed because the database cannot take it now; nothing was saved, retrying is safe."""

    def __init__(self) -> None:
        super().__init__("That could not be saved right now (the database is unavailable); please try again shortly.")


class ContentError(QuizError):
    """The question bank failed validation; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]) -> None:
        count = len(problems)
        head = f"question bank is invalid ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n  ".join([head, *problems]))
        self.problems = problems


class DeliveryFailed(Exception):
    """A platform refused or failed a scheduled post; ``permanent`` means access is missing."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
