"""How a package or a contributed file is judged: reading CSVs, cell, key and rule checks, excerpts, hints, reports, and the pandera view."""
