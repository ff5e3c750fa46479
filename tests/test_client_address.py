"""The client's address is decided once (portal.clientip) and both the API limits and the login lockout use it.

The attacks this stops: a new X-Forwarded-For on every request lifted the anonymous API limit, and behind
a TLS proxy the lockout keyed on the proxy's address, so anyone could lock any staff account for everyone.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.cache import caches
from django.test import Client, RequestFactory

from portal.clientip import client_ip

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
LOGIN = "/admin/login/"
PASSWORD = "correct-horse-battery"


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        # Nothing trusted (the default): every forwarding header is the client's own words.
        ([], "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        ([], PROXY, "203.0.113.7", PROXY),
        # A trusted proxy appends the address it saw; hops left of it are the client's to invent.
        ([PROXY], PROXY, "203.0.113.7", "203.0.113.7"),
        ([PROXY], PROXY, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        # Trust is by network and skips every trusted hop (a CDN in front of nginx).
        (["10.0.0.0/24", "198.51.100.0/24"], PROXY, "1.2.3.4, 203.0.113.7, 198.51.100.9", "203.0.113.7"),
        # A peer that is not a trusted proxy cannot speak for anyone, whatever it sends.
        ([PROXY], "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        # A trusted proxy that forwarded no header: the proxy is all we know.
        ([PROXY], PROXY, "", PROXY),
        # Garbage where the proxy's hop should be: believe nothing further left.
        ([PROXY], PROXY, "1.2.3.4, not-an-ip", PROXY),
        # A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6.
        ([PROXY], f"::ffff:{PROXY}", "203.0.113.7", "203.0.113.7"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:1::2, 2400:cb00::7", "2400:cb00::7"),
        # A unix-socket peer has no address: nothing to key on (stored as NULL), nothing to believe.
        ([PROXY], "", "203.0.113.7", None),
    ],
)
def test_client_ip_believes_forwarding_headers_only_from_trusted_proxies(
    settings, trusted, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# API rate limits -----------------------------------------------------------------------------------


@pytest.fixture
def three_a_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "1000/minute"},
    }
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_a_forged_forwarding_header_does_not_lift_the_anonymous_api_limit(client, three_a_minute):
    codes = [client.get("/api/fields/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(1, 5)]
    assert codes == [200, 200, 200, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_api_limit(client, settings, three_a_minute):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # the test client's REMOTE_ADDR plays the proxy

    def get(address):
        return client.get("/api/fields/", HTTP_X_FORWARDED_FOR=address).status_code

    assert [get("203.0.113.7") for _ in range(4)] == [200, 200, 200, 429]
    assert get("203.0.113.8") == 200
    # The client cannot escape by prepending a hop of its choice: the proxy's hop is the one counted.
    assert get("198.51.100.1, 203.0.113.7") == 429


# Login lockout -------------------------------------------------------------------------------------


@pytest.fixture
def clerk(django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 3
    return django_user_model.objects.create_user("clerk", password=PASSWORD, is_staff=True)


def login(client, password, **extra):
    return client.post(LOGIN, {"username": "clerk", "password": password}, **extra)


def signed_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def fail(client, times, **extra):
    for _ in range(times):
        response = login(client, "wrong", **extra)
        assert response.status_code in (200, 429) and "_auth_user_id" not in client.session
    return response


def test_login_is_locked_after_repeated_failures_and_unlocks_after_the_lockout(client, clerk, settings):
    fail(client, 2)
    assert signed_in(login(client, PASSWORD))  # a success clears the count
    client.logout()

    assert fail(client, 3).status_code == 429
    # Even the right password is refused while the lock holds.
    assert not signed_in(login(client, PASSWORD))

    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(seconds=901))
    assert timedelta(seconds=900) == settings.AXES_COOLOFF_TIME
    assert signed_in(login(client, PASSWORD))


def test_the_lockout_page_says_plainly_that_the_account_is_locked(client, clerk):
    response = fail(client, 3)
    assert response.status_code == 429
    page = response.content.decode()
    assert "该账户已在本网络地址被暂时锁定" in page and "15 分钟后再试" in page
    assert "先进制造业集群管理后台" in page  # the admin's own page, not a bare text response

    english = login(client, PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429
    assert "this account is locked for your network address" in english.content.decode()


def test_a_forged_forwarding_header_does_not_change_the_lockout_key(client, clerk):
    for n in range(3):
        login(client, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert not signed_in(login(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99"))
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def test_failures_from_one_address_do_not_lock_the_account_for_another(clerk):
    attacker, owner = Client(REMOTE_ADDR="203.0.113.66"), Client(REMOTE_ADDR="203.0.113.7")
    assert fail(attacker, 3).status_code == 429
    assert signed_in(login(owner, PASSWORD))


def test_behind_a_trusted_proxy_the_lockout_keys_on_the_forwarded_client(client, clerk, settings):
    """The README's deployment: every request arrives from the proxy; only the attacker is locked out."""
    settings.TRUSTED_PROXIES = [PROXY]
    proxy = Client(REMOTE_ADDR=PROXY)
    assert fail(proxy, 3, HTTP_X_FORWARDED_FOR="203.0.113.66").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"
    assert signed_in(login(proxy, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7"))


def test_the_lockout_is_kept_in_the_database_so_every_worker_sees_it(clerk):
    fail(Client(), 3)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == ("clerk", 3)
    # Another worker: its own client, and no per-process cache to lean on.
    caches["default"].clear()
    assert not signed_in(login(Client(), PASSWORD))


@pytest.mark.parametrize(
    ("peer", "trusted", "scheme"), [("203.0.113.9", [], "http"), ("10.0.0.5", ["10.0.0.0/8"], "https")]
)
def test_the_forwarded_scheme_is_believed_only_from_a_trusted_proxy(client, settings, peer, trusted, scheme):
    """A client that claims https itself must not get https URLs (nor the https variant of a cached page)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = trusted
    response = client.get("/api/clusters/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_PROTO="https")
    assert response.json()["results"][0]["url"].startswith(f"{scheme}://testserver")
