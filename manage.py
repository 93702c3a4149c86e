#!/usr/bin/env python
"""Django's command-line utility; `dangjian` is the same entry point installed as a console script."""

from dangjian.cli import main

if __name__ == "__main__":
    main()
