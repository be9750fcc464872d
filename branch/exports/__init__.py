"""Reports as files, made in the background (the pretix way).

- `base.py`: `Exporter` (one class per report) and `Sheet` (what an exporter yields), the registry.
- `writers.py`: writes sheets to .xlsx or .csv.
- `services.py`: export jobs — start, run, expire, schedule.
- `tasks.py`: the Celery tasks (ids only).

Each app lists its exporters in an `exporters.py` module, imported when the registry is first read.
"""
