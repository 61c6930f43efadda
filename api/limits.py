"""Limits every operation is held to."""

from __future__ import annotations

MAX_PAGE = 500  # rows one page of any paginated field holds at most
