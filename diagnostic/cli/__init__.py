"""Command line for admins, consultants and scripts: `python -m diagnostic …`.

`commands` holds the commands and the parser, `comparison` the commands of the comparison
between territories, `review`, `invitations` and `workshop` (a workshop's minutes) theirs,
`common` what they share.
"""

from diagnostic.cli.commands import main, validate_file

__all__ = ["main", "validate_file"]
