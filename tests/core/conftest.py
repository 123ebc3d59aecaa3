"""Fixtures shared by the core's tests."""

from __future__ import annotations

import pytest
from support.grids import template_master


@pytest.fixture(scope="module")
def master():
    """(survey, book) of the blank template, from grids only."""
    return template_master()
