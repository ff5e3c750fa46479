"""python manage.py import_sheet KIND FILE [--dry-run] [--errors-out FILE]: the admin's import, from the command
line, in the foreground: a progress bar on a terminal, a plain line every few seconds otherwise (a log)."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clusters.sheets.errorbook import error_workbook, has_row_errors
from clusters.sheets.registry import KINDS
from clusters.sheets.services import Progress, run_import

BAR = 30  # characters of the progress bar
LINE_SECONDS = 5  # between two plain progress lines; none for an import quicker than that


class CommandProgress(Progress):
    """Rows read, checked and written, on stderr: redrawn in place on a terminal, else a line now and then."""

    def __init__(self, stream, terminal):
        self.stream, self.terminal = stream, terminal
        self.total = 0
        self.started_at = self.shown_at = time.monotonic()
        self.drawn_at = 0.0
        self.drawn = False

    def started(self, total):
        self.total = total or 0

    def read(self, count):
        self._show(translation.gettext("读取"), count)

    def checked(self, count):
        self._show(translation.gettext("检查"), count)

    def written(self, count):
        self._show(translation.gettext("写入"), count)

    def finish(self):
        if self.drawn:
            self.stream.write("\r" + " " * 79 + "\r", ending="")
            self.stream.flush()

    def _show(self, step, count):
        now = time.monotonic()
        counts = {"step": step, "done": f"{count:,}", "total": f"{self.total:,}" if self.total else "?"}
        if self.terminal:
            if now - self.drawn_at < 0.1 and count < self.total:
                return
            share = min(count / self.total, 1) if self.total else 0
            bar = "#" * int(BAR * share) + "." * (BAR - int(BAR * share))
            line = translation.gettext("%(step)s %(done)s / %(total)s 行") % counts
            self.stream.write(f"\r[{bar}] {line}"[:79].ljust(79), ending="")
            self.stream.flush()
            self.drawn_at, self.drawn = now, True
        elif now - self.shown_at >= LINE_SECONDS:
            seconds = int(now - self.started_at)
            self.stream.write(
                translation.gettext("%(step)s：%(done)s / %(total)s 行（%(seconds)s 秒）")
                % {**counts, "seconds": seconds}
            )
            self.shown_at = now


class Command(BaseCommand):
    help = gettext_noop("导入表格（xlsx、xls、ods 或 csv）。任何一行有错就什么都不写入，并列出每一处错误。")

    def add_arguments(self, parser):
        # argparse needs real strings, so the help is translated here, when the parser is built.
        parser.description = _(self.help)
        parser.add_argument("kind", choices=KINDS, help=_("表格类型"))
        parser.add_argument("file", help=_("xlsx、xls、ods 或 csv 文件路径"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查并报告，不写入"))
        parser.add_argument("--user", help=_("记为操作人的用户名（写入历史记录与导入记录）"))
        parser.add_argument(
            "--publisher", default="", help=_("报送单位：没有填写来源的行引用它的报送数据；留空为“地方报送”")
        )
        parser.add_argument("--language", help=_("消息语言：zh-hans 或 en；默认为当前语言（LANGUAGE_CODE）"))
        parser.add_argument(
            "--errors-out",
            metavar="FILE",
            help=_("有错误时，把原表加一列“错误”写成 xlsx 到此路径：改正后可直接重新导入"),
        )

    def handle(self, kind, file, dry_run=False, user=None, publisher="", language=None, errors_out=None, **options):
        # No --language: the language already active (settings.LANGUAGE_CODE from a shell, or the caller's).
        with translation.override(language or translation.get_language()):
            return self._handle(kind, Path(file), dry_run, user, publisher, errors_out)

    def _handle(self, kind, path, dry_run, username, publisher, errors_out):
        user = None
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(translation.gettext("找不到用户“%(name)s”") % {"name": username})
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                translation.gettext("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": error.strerror}
            ) from error
        isatty = getattr(self.stderr._out, "isatty", None)
        progress = CommandProgress(self.stderr, terminal=bool(isatty and isatty()))
        try:
            result = run_import(
                kind,
                data,
                file_name=path.name,
                user=user,
                dry_run=dry_run,
                publisher=publisher,
                progress=progress,
                keep_rows=bool(errors_out),
            )
        finally:
            progress.finish()
        errors_written = bool(errors_out) and has_row_errors(result)
        if errors_written:
            try:
                Path(errors_out).write_bytes(error_workbook(data, kind, result))
            except OSError as error:
                raise CommandError(
                    translation.gettext("无法写入 %(path)s：%(error)s") % {"path": errors_out, "error": error.strerror}
                ) from error
        for warning in result.warnings:
            self.stderr.write(translation.gettext("提示：%(text)s") % {"text": warning})
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            if result.errors_cut:
                self.stderr.write(translation.gettext("……另有 %(count)s 处错误未列出。") % {"count": result.errors_cut})
            if errors_written:
                self.stderr.write(translation.gettext("错误工作簿：%(path)s") % {"path": errors_out})
            if not result.error_rows:  # the file itself was refused (not a spreadsheet, empty, …)
                raise CommandError(translation.gettext("文件无法导入，没有写入任何数据。"))
            raise CommandError(
                translation.gettext("%(count)s 处错误（涉及 %(rows)s 行），没有写入任何数据。")
                % {"count": result.error_count, "rows": result.error_rows}
            )
        for title in result.created_sources:
            self.stdout.write(translation.gettext("新建出处：%(title)s") % {"title": title})
        prefix = translation.gettext("预览（未写入）：") if dry_run else translation.gettext("已导入：")
        self.stdout.write(
            f"{prefix}{result.summary()}"
            + translation.gettext("（工作表“%(sheet)s”，共 %(total)s 行）")
            % {"sheet": result.sheet, "total": result.total}
        )
