"""Admin imports are background jobs: these helpers run the queued ones with the real worker, in-process, and
walk the admin's flow (upload → job page → confirm → job page) as a clerk's browser would."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


def run_jobs():
    """Run every queued task with django-tasks-db's own worker (``db_worker --batch``), in this process and
    this test's transaction. Its connection housekeeping is left out: the test owns the connection."""
    from unittest import mock

    from django_tasks_db.management.commands import db_worker

    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()


def upload_file(client, url, data, name="报送.xlsx", run=True, **fields):
    """POST the file to an import URL; when it answers with a job, run it and return the job page."""
    response = client.post(url, {"file": SimpleUploadedFile(name, data), **fields})
    if response.status_code != 302 or "/job/" not in response["Location"]:
        return response  # the form refused it (size, permission)
    if run:
        run_jobs()
    return client.get(response["Location"])


def upload_to(client, model, data, name="报送.xlsx", **fields):
    return upload_file(client, reverse(f"admin:clusters_{model}_sheet_import"), data, name, **fields)


def confirm(client, page, run=True):
    """Press 确认导入 on a job page; run the import; -> the job page."""
    response = client.post(page.context["confirm_url"])
    assert response.status_code == 302, response.status_code
    if run:
        run_jobs()
    return client.get(response["Location"])
