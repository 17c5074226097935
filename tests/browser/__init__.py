"""Browser tests: the register in a real chromium over real HTTP."""
