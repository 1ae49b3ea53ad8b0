"""Thin shim so ``python cli.py …`` works from a checkout; the real CLI is checker/cli.py."""
from checker.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
