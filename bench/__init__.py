"""Benchmarks. `python -m bench` runs every module in this folder; `python -m bench.<module>` runs one.

Each module has a `main()` that sets Django up with `setup_django()`, works in a database of its own
from `throwaway_database()` (never the development or production one) and prints its figures.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


def setup_django() -> None:
    """Use the test settings (fast password hasher, tasks in-process) unless told otherwise."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()


@contextmanager
def throwaway_database():
    """A freshly migrated database, destroyed afterwards: a SQLite file in a temporary folder, or
    `test_<name>` on the PostgreSQL server when DATABASE_URL points at one. Yields the vendor name."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    with tempfile.TemporaryDirectory(prefix="hongqi-bench-") as folder:
        if connection.vendor == "sqlite":
            # A file, as in production, rather than the in-memory database tests use.
            connection.settings_dict["TEST"]["NAME"] = str(Path(folder) / "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield connection.vendor
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
