"""Workbooks (xlsx, xls, ods) read by calamine, once ``inspection`` has measured them."""

import io

import olefile
import python_calamine
from django.utils.translation import gettext as _

from .files import CellProblem, FileRejected, Table, damaged, encrypted
from .inspection import inspect_ods, inspect_xls, inspect_xlsx, open_zip

__all__ = ["FileRejected", "read_workbook"]


# ------------------------------------------------------------------------------------------- reading


def read_workbook(data, file_format, wanted, limits):
    """A Table of the wanted sheet (by title) or the first; the file inspected, then read by calamine."""
    problems, warnings = [], []
    if file_format == "xlsx":
        title, problems, warnings = inspect_xlsx(data, wanted, limits)
    elif file_format == "ods":
        title, problems = inspect_ods(open_zip(data, limits), wanted, limits)
    else:
        try:
            ole = olefile.OleFileIO(io.BytesIO(data))
        except (OSError, ValueError) as error:
            raise damaged("xls") from error
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            raise encrypted()
        title = inspect_xls(ole, wanted, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_object(io.BytesIO(data))
        sheet = workbook.get_sheet_by_name(title)
    except python_calamine.PasswordError as error:
        raise encrypted() from error
    except (python_calamine.CalamineError, ValueError, OSError) as error:
        raise damaged(file_format) from error
    for (first_row, first_column), (last_row, last_column) in sheet.merged_cell_ranges or ():
        ref = f"{_letters(first_column)}{first_row + 1}:{_letters(last_column)}{last_row + 1}"
        problems.append(
            CellProblem(
                first_row + 1,
                first_column,
                _("%(ref)s 是合并单元格。请取消合并，并在每一行填上各自的值。") % {"ref": ref},
            )
        )
    return Table(
        file_format, title, _rows(sheet, file_format), problems, warnings, total=sheet.end[0] + 1 if sheet.end else 0
    )


def _letters(index):
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _rows(sheet, file_format):
    """(Excel row number, cells) from the sheet's first row on; cells start at column A.

    calamine's rows begin at the first non-empty column, so the columns before it are put back: a merged
    range's or a formula's column index then names the same cell the header mapping does.
    """
    start = sheet.start
    if start is None:
        return
    pad = ("",) * start[1]
    try:
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, (*pad, *cells) if pad else tuple(cells)
    except python_calamine.CalamineError as error:
        raise damaged(file_format) from error
