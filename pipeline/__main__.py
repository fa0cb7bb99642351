"""`python -m pipeline` runs the `draft` command."""

from pipeline.cli import main

main()
