"""Exercise checkers, one module per notebook topic; every module here is loaded on first check."""
