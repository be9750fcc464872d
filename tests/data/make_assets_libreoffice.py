"""Rebuild assets_libreoffice.xlsx: write an asset register with openpyxl, then let LibreOffice Calc save
it again, for tests/activities/test_asset_import.py.

Needs LibreOffice (`apt-get install --no-install-recommends libreoffice-calc-nogui`); the tests do not.
Run from the project folder: .venv/bin/python tests/data/make_assets_libreoffice.py
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
TITLE = "检188采油作业区 红旗井、红旗设备台账"
HEADERS = ["序号", "井号", "类型", "站点/区域", "状态", "是否难管", "难管原因"]

ROWS = [
    # the code in lower case, 是 as text, a reason with a full-width comma
    [1, "j188-12", "油井", "检188-1计量站", "在用", "是", "出砂严重，易卡泵"],
    # the code with full-width characters, an alias for the kind, FALSE as a boolean cell
    [2, "Ｊ１８８－１３", "水井", "检188-2配水间", "开井", False, None],
    None,  # an empty row in the middle
    # a code of digits only, stored as a number
    [3, 1203, "抽油机", "检188-1计量站", "在用", "否", None],
    # TRUE as a boolean cell, a status alias
    [4, "T88256", "油井", "检188-3计量站", "关井", True, "高含水，间歇出油"],
]  # fmt: skip


def main() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    sheet.append([TITLE])
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row or [])
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "assets_libreoffice.xlsx"
        workbook.save(source)
        out = Path(folder) / "out"
        soffice = shutil.which("soffice") or "soffice"
        subprocess.run(  # noqa: S603 - fixed arguments
            [soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
            check=True,
            env={"HOME": folder, "PATH": "/usr/bin:/bin"},
        )
        shutil.copy(out / source.name, HERE / source.name)
    print(f"wrote {HERE / source.name}")


if __name__ == "__main__":
    main()
