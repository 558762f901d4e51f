import pytest


@pytest.fixture
def req(app):
    """A request context: services build notification links with url_for."""
    with app.test_request_context("/"):
        yield
