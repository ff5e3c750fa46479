#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # The data version that memos and cached pages are keyed by lives in the cache. runserver, the import worker
    # and commands run by hand are separate processes: with a per-process cache a write in one (an admin import
    # the worker runs, generate_demo_data) never reached the server's memos until it restarted. They share a
    # directory here; production sets Redis, and tests and gunicorn do not come through this file.
    os.environ.setdefault("DJANGO_CACHE_URL", f"file://{Path(__file__).resolve().parent / '.cache' / 'django'}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
