"""pytest fixtures for the fake. Import them into a conftest.py or a test module::

    from fake_google.fixtures import fake_google, google_credentials  # noqa: F401

``fake_google`` is a fresh, started :class:`FakeGoogle` per test; at teardown it fails
the test if the fake itself crashed (``internal_errors``), so a bug in the fake is not
mistaken for a bug in the adapter.
"""
from __future__ import annotations

import pytest

from .server import FakeGoogle


@pytest.fixture
def fake_google():
    with FakeGoogle() as fake:
        yield fake
        assert not fake.internal_errors, "fake_google crashed:\n" + "\n".join(fake.internal_errors)


@pytest.fixture
def google_credentials():
    from google.oauth2.credentials import Credentials

    return Credentials(token="fake")
