"""One module per command; each parses its options, calls the core and picks a renderer."""
