"""Content tooling: checks that tie question items to the study notes."""
