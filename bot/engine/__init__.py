"""The question engine: pure rules over ports, stdlib only.

Adapters, storage and scheduling depend on this package; it depends on
nothing outside the standard library (tests/test_architecture.py enforces it).
"""
