"""The data package itself: the descriptor and Table Schemas everything derives from, and contributors' templates."""
