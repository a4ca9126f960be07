"""Generated documentation: the codebook and the command-line reference."""
