"""Discord adapter tests: the real discord.py against a local fake of the REST API."""
