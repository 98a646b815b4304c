"""Spaced repetition: the FSRS library behind the engine's CardScheduler port."""
