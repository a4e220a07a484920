"""python -m muppy: the muppy-dump command."""
import sys

from muppy._cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m muppy"))
