"""SQLite storage behind the engine's ports: all SQL lives in this package."""
