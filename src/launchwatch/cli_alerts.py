"""`launchwatch watch` and `launchwatch webhook ...`: placeholder, filled in by the issue-4 work."""
from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
