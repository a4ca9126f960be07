"""Generated documentation: the codebook and the command-line reference."""


def table_cell(text: str) -> str:
    """Text as one cell of a Markdown table: pipes escaped, white space folded."""
    return " ".join(text.replace("|", "\\|").split())
