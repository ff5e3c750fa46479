import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the shipped data, loaded once per run."""
    with django_db_blocker.unblock():
        call_command("load_portal_data", verbosity=0, quiet_hint=True)


@pytest.fixture
def shipped_data(transactional_db):
    """For transactional tests (live server): they flush the database, so reload the shipped data."""
    call_command("load_portal_data", verbosity=0, quiet_hint=True)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Django's default hasher costs about half a second per user here; tests only need a hasher, not a slow one."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def default_language():
    """A request activates its language in the thread and leaves it there; URLs reversed outside a request
    (`get_absolute_url()` in a test) must not come out under /en/ because the test before asked in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def no_memos_from_an_earlier_test():
    """A test's writes roll back without committing, so they never bump the data version: a value memoised
    under that version by an earlier test would outlive its data. A test that writes after reading a memo
    commits its writes' callbacks (`django_capture_on_commit_callbacks(execute=True)`), as a request would."""
    from portal.caching import forget_memos

    forget_memos()
    yield


@pytest.fixture(autouse=True)
def no_throttle_counts_from_an_earlier_test():
    """The API's anonymous throttle (120 a minute) counts in the default cache: requests an earlier test made in
    the same minute must not turn this test's into 429s. Clearing it also drops the data version kept there, which
    the memos above are forgotten with anyway."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def no_page_chrome_from_an_earlier_test():
    """base.html's menu and footer are kept per process ("chrome" cache): a test that overrides URLs or
    settings must not see the ones an earlier test rendered."""
    from django.core.cache import caches

    caches["chrome"].clear()
    yield
