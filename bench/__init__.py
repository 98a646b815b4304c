"""Benchmarks of QuizBot against the targets in DESIGN.md ("Targets"); run with ``make bench``."""
