"""Entry point of `python -m diagnostic`."""

from diagnostic.cli import main

raise SystemExit(main())
