"""Operations around the running bot: health, doctor, backups and metrics.

These modules sit beside the composition root: they may read the database
through their own read-only or backup connections, and never change rules.
"""
