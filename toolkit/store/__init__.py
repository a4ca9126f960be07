"""Writing the package safely: atomic files and digests, the package lock, the change journal, and merging contributions."""
