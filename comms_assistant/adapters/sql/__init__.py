"""The product's state in SQLite through SQLAlchemy: one room for everything that knows SQL.

models.py maps the tables, engine.py opens a connection with the settings every database of the
product needs, upgrade.py brings an older file's schema up to date, database.py puts the three
together, and incidents.py reads and writes incidents. A second engine (PostgreSQL) changes
engine.py and upgrade.py, not the modules that use them.
"""
