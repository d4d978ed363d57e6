"""The product's state in SQLite or PostgreSQL through SQLAlchemy: one room for everything that
knows SQL.

models.py maps the tables; engine.py opens an engine on either engine (a path or a URL) with the
settings each needs; schema.py reads the schema's revision and runs the Alembic migrations in
migrations/; database.py puts them together (the store, its schema current); inserts.py holds
the statements each engine writes in its own words; incidents.py reads and writes incidents;
unit_of_work.py is the service layer's unit of work on them; views.py is the read-model the
entry points use. Engine differences live here and nowhere else.
"""
