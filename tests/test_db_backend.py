"""The PostgreSQL backend's health check reads the socket instead of asking the server (portal/postgresql, issue 14).

A reused connection is checked before each request's first query. Django's check sends ``SELECT 1``; this one costs
no round trip and still notices a session the server has ended, so the next request reconnects instead of failing.
"""

import select
from contextlib import closing
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections

from portal.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's health check")


def end_session(victim):
    """End ``victim``'s session from another connection, as a server restart would, and wait for word of it."""
    pid = victim.connection.info.backend_pid
    with closing(connection.copy()) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)
    assert select.select([victim.connection.fileno()], [], [], 5)[0], "the server never said goodbye"
    return pid


def get(handler, path):
    """One request as a WSGI server makes it: Django's request_started check of old connections included (the test
    client leaves it out)."""
    environ = {"PATH_INFO": path, "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    statuses = []
    response = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        b"".join(response)
    finally:
        response.close()
    return int(statuses[0].split()[0])


def test_the_site_runs_on_this_backend():
    assert isinstance(connections["default"], DatabaseWrapper)


def test_a_live_connection_passes_without_a_query(django_db_blocker, monkeypatch):
    with django_db_blocker.unblock(), closing(connection.copy()) as probe:
        probe.ensure_connection()

        def no_query(*args, **kwargs):
            raise AssertionError("the health check asked the server")

        monkeypatch.setattr(probe.connection, "cursor", no_query)
        monkeypatch.setattr(probe.connection, "execute", no_query)
        assert probe.is_usable()


def test_a_session_the_server_ended_fails_and_a_fresh_connection_takes_over(django_db_blocker):
    with django_db_blocker.unblock(), closing(connection.copy()) as probe:
        probe.ensure_connection()
        ended = end_session(probe)
        assert not probe.is_usable()
        probe.health_check_done = False
        with probe.cursor() as cursor:  # checks, closes the dead connection and opens another
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != ended


@pytest.mark.django_db(transaction=True)
def test_the_request_after_a_server_restart_is_served():
    """Without a health check, the first request on a connection the server had closed fails with a 500."""
    # As in production (settings.py): the connection outlives the request, and is checked before it is reused.
    assert connection.settings_dict["CONN_MAX_AGE"] > 0 and connection.settings_dict["CONN_HEALTH_CHECKS"]
    handler = WSGIHandler()
    assert get(handler, "/api/fields/") == 200
    ended = end_session(connection)
    assert get(handler, "/api/fields/") == 200
    assert connection.connection.info.backend_pid != ended
