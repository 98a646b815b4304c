"""The daily question lifecycle: post once per local date, reveal later, catch up after downtime."""
