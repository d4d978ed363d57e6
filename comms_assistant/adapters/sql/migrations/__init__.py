"""The store's schema as Alembic migrations, for SQLite and PostgreSQL alike (adapters/sql/schema.py
runs them; `comms-assistant db upgrade` from a shell).

A new migration: change models.py, then in a scratch folder
`python -m comms_assistant.adapters.sql.schema revision "what changed"` writes versions/<next>.py
with Alembic's autogenerate against a database at the current head; read it, set HEAD in
schema.py, and test it on both engines (tests/unit/test_schema.py).
"""
