"""Placeholder: filled in by the issue-4 work (see web/__init__.py)."""
from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add this module's routes and middleware to the app."""
