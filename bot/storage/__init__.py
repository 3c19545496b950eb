"""Where conversations and assessments are kept, and how they are forgotten.

Rasa keeps the conversation itself (its ``events`` table, through
:mod:`bot.rasa_adapters.tracker_store`); the action server keeps the assessments of
people who said yes to keeping their answers (:mod:`bot.storage.assessments`).
Both use the same database, chosen by :mod:`bot.storage.config`: an embedded
SQLite file unless ``B12_DATABASE_URL`` points at PostgreSQL.
"""
