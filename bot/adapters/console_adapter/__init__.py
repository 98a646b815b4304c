"""A terminal "server" so the bot can be played with no platform token."""
