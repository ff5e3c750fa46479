"""The Content-Security-Policy holds in a real browser: no page breaks it, public or admin.

Chromium reports every blocked script, style or image as a `securitypolicyviolation` event and a console
error; a page that needed an inline style would lose it silently in production, so the test listens for
both on every kind of page.
"""

import pytest
from django.contrib.auth import get_user_model

from clusters.models import Cluster
from tests import page_data
from tests.job_helpers import run_jobs

pytestmark = pytest.mark.browser

# Recorded in the page before any of its own scripts run; read back after the page has settled.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watch:
    """Visits pages and keeps, per page, whatever the policy blocked and whatever reached the console."""

    def __init__(self, page):
        self.page = page
        self.console = []
        self.problems = {}
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        # Name the resource, which Chromium's "Failed to load resource" line does not.
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.request.resource_type != "document"
                and self.console.append(f"{r.status}: {r.url}")
            ),
        )
        page.context.add_init_script(LISTEN)

    def visit(self, path, ready=None, expect_status=200):
        response = self.page.goto(self.page.base_url + path)
        assert response.status == expect_status, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        if ready:
            self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")
        self.record(path)

    def record(self, path):
        found = self.page.evaluate("window.__violations") + self.console
        if found:
            self.problems[path] = found
        self.console.clear()

    def report(self):
        return "\n".join(f"{path}: {line[:300]}" for path, found in self.problems.items() for line in found)


@pytest.fixture
def watch(desktop):
    return Watch(desktop)


def test_public_pages_run_under_the_policy_without_a_violation(watch):
    cluster = page_data.demo_cluster()  # targets with progress bars, a published evaluation, a chart
    for path, ready in [
        ("/", ".bars .bar"),
        ("/clusters/", ".cluster-table"),
        ("/clusters/?field=information-technology&province=330000&ordering=name", ".cluster-table"),
        (cluster.get_absolute_url(), "#targets .progress-bar"),
        ("/rankings/", "main h1"),
        ("/api/docs/", ".swagger-ui .info"),  # Swagger UI actually started: its script ran
        ("/api/", ".response-info"),
        ("/api/clusters/?field=information-technology", ".response-info"),
    ]:
        watch.visit(path, ready)
    assert not watch.problems, watch.report()


def test_the_404_page_runs_under_the_policy(watch):
    watch.page.on("console", lambda message: None)
    watch.console.clear()
    response = watch.page.goto(watch.page.base_url + "/clusters/no-such-cluster/")
    assert response.status == 404
    assert "default-src 'self'" in response.headers["content-security-policy"]
    watch.page.wait_for_load_state("networkidle")
    assert watch.page.evaluate("window.__violations") == []
    # Chromium logs the 404 status itself; nothing else may appear.
    assert [m for m in watch.console if "404" not in m] == []


def sign_in(watch):
    get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-password-1")
    page = watch.page
    watch.visit("/admin/login/", "#id_username")
    page.fill("#id_username", "root")
    page.fill("#id_password", "a-long-test-password-1")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    watch.record("/admin/ after sign-in")


def test_admin_pages_run_under_the_policy_without_a_violation(watch, tmp_path):
    record = page_data.demo_cluster().evaluations.first()
    cluster = Cluster.objects.get(slug="shanghai-ic")
    page = watch.page
    sign_in(watch)

    for path, ready in [
        ("/admin/", "#content-main"),
        ("/admin/clusters/cluster/", "#result_list"),
        ("/admin/clusters/cluster/?q=上海&tier__exact=national", "#result_list"),
        (f"/admin/clusters/cluster/{cluster.pk}/change/", "#cluster_form"),
        (f"/admin/clusters/cluster/{cluster.pk}/history/", "#content-main"),
        ("/admin/clusters/cluster/add/", "#cluster_form"),
        (f"/admin/clusters/evaluationrecord/{record.pk}/change/", "#workflow-state"),
        ("/admin/clusters/cluster/sheet-import/", "input[type=file]"),
    ]:
        watch.visit(path, ready)

    # Upload → the job page (refreshing itself while the job waits) → the preview, once a worker ran it.
    sheet = tmp_path / "clusters.csv"
    sheet.write_text("集群名称,简称\n上海市集成电路集群,上海集成电路\n", encoding="utf-8")
    watch.console.clear()
    page.set_input_files("input[type=file]", str(sheet))
    page.locator("form input[type=submit], form button[type=submit]").last.click()
    page.wait_for_selector(".sheet-job [data-state=queued]")
    run_jobs()
    page.wait_for_selector("#sheet-errors, input[name=confirm], #sheet-preview")  # the refresh shows the outcome
    page.wait_for_load_state("networkidle")
    watch.record("/admin/clusters/cluster/sheet-import/ preview")
    assert not watch.problems, watch.report()


def test_every_admin_change_list_runs_under_the_policy(watch):
    """Every registered admin list, walked from the registry, with rows that render their own markup."""
    from django.contrib import admin
    from django.urls import reverse

    page_data.demo_cluster()  # evaluations (state labels), targets (progress labels)
    sign_in(watch)
    for model in admin.site._registry:
        watch.visit(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"), "#content-main")
    assert not watch.problems, watch.report()
