"""QuizBot: AWS DVA-C02 study-group quiz bot for Discord and Slack."""

__version__ = "0.1.0"
