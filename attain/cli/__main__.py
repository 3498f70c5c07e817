"""`python -m attain.cli`: the command line, as the `attain` script runs it."""

from attain.cli import main

main()
