"""Coding the rows that rest on a text, twice: the list of coded fields (coding/fields.json), the
units to code, and the agreement between two codings."""
