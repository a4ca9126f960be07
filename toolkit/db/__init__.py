"""SQL over the package: the typed DuckDB database, analysts' queries, saved queries, exports, Datasette, and `toolkit.load`."""
