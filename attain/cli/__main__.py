"""`python -m attain.cli`: the command line, as the `attain` script runs it."""

from attain.cli import main

if __name__ == "__main__":  # importing the module (as tests that import every module do) runs nothing
    main()
