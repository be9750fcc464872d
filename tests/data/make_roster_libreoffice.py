"""Rebuild roster_libreoffice.xlsx: write a roster with openpyxl, then let LibreOffice Calc save it again.

Needs LibreOffice (`apt-get install --no-install-recommends libreoffice-calc-nogui`); the tests do not.
Run from the project folder: .venv/bin/python tests/data/make_roster_libreoffice.py
"""

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from members.validators import id_card_check_char  # noqa: E402

HERE = Path(__file__).resolve().parent
HEADERS = [
    *("姓名", "性别", "民族", "出生日期", "员工编号", "手机号码"),
    *("身份证号码", "党员状态", "入党日期", "党小组", "班组"),
]


def valid_id_card(n: int, birth: dt.date) -> str:
    """As tests/factories.py makes them (importing it would need Django set up)."""
    first17 = f"650204{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_card_check_char(first17)


SERIAL_1990_01_02 = (dt.date(1990, 1, 2) - dt.date(1899, 12, 30)).days

ROWS = [
    # a bullet for the middle dot, a real date, the phone as a float, a date as Chinese text
    ["艾力•买买提", "男", "维吾尔族", dt.date(1985, 6, 15), "lo0001", 13912345678.0,
     valid_id_card(1, dt.date(1985, 6, 15)), "正式党员", "2010年7月1日", "第一党小组", "采油一班"],
    # a date as a bare serial number in a General cell, the short form of 汉族, a date as 2015/7/1
    ["张伟", "男", "汉", SERIAL_1990_01_02, "lo0002", "13800001111",
     valid_id_card(2, dt.date(1990, 1, 2)), "正式党员", "2015/7/1", "第一党小组", "采油一班"],
    None,  # an empty row in the middle
    ["巴特尔", "男", "蒙古族", "1978/11/30", "lo0003", None,
     valid_id_card(3, dt.date(1978, 11, 30)), "入党积极分子", None, None, "采油二班"],
    # a date with a time, a lower-case x in the ID number if it has one
    ["古丽娜尔·吐尔逊", "女", "哈萨克", dt.datetime(1992, 2, 29, 0, 0), "lo0004", "0990-6881234",
     valid_id_card(4, dt.date(1992, 2, 29)).lower(), "预备党员", dt.date(2021, 7, 1), "第二党小组", "采油二班"],
]  # fmt: skip


def main() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row or [])
    for cell in sheet["G"][1:]:
        cell.number_format = "@"
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "roster_libreoffice.xlsx"
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
