"""Posting files to the admin's import and export views, and comparing what is stored."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.contrib import admin
from django.urls import reverse

from .cases import Case


def xlsx(rows: list[dict]) -> io.BytesIO:
    headers = list(dict.fromkeys(header for row in rows for header in row))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    return upload(workbook)


def upload(workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "records.xlsx"
    return buffer


def preview(client, case: Case, world, file):
    data = {"resource": "0", "format": "0", "import_file": file}
    if case.scoped:
        data["branch"] = world.branch.pk
    response = client.post(reverse(f"admin:{case.admin}_import"), data)
    assert response.status_code == 200
    return response


def confirm(client, case: Case, response):
    confirm_form = response.context.get("confirm_form")
    assert confirm_form is not None, [(row.number, row.error_dict) for row in response.context["result"].invalid_rows]
    response = client.post(reverse(f"admin:{case.admin}_process_import"), confirm_form.initial)
    assert response.status_code == 302
    assert response.url == reverse(f"admin:{case.admin}_changelist")
    return response


def import_rows(client, case, world, rows):
    confirm(client, case, preview(client, case, world, xlsx(rows)))


def export(client, case: Case) -> list[tuple]:
    resource = resource_of(case)
    fields = {f"{resource.__name__.lower()}_{name}": "on" for name in resource.fields}
    response = client.post(reverse(f"admin:{case.admin}_export"), {"resource": "0", "format": "0", **fields})
    assert response.status_code == 200
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


def resource_of(case: Case):
    return admin.site._registry[case.model].resource_classes[0]


def snapshot(case: Case) -> list:
    rows = list(case.model.objects.order_by("pk").values())
    for name in case.m2m:
        through = case.model._meta.get_field(name).remote_field.through
        rows.append(sorted(through.objects.values_list(*[f.attname for f in through._meta.fields][1:])))
    if hasattr(case.model, "history"):
        rows.append(case.model.history.count())
    return rows


def cell_text(value) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, dt.date) else str(value)
