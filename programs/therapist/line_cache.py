"""The editor's closed lines, rendered once per process and reused.

A closed line (no form open, no refused input) is a pure function of what its
template reads: the line's strings, made in the view (title, addresses, the
dose and days in words, the warnings), the item's note and kept warnings, the
program's archived state, the language and time zone, and the CSRF token. The
key is all of those but the token, which is a hole filled per request. Editing
an item changes its strings, so its key: nothing is invalidated, an old line is
simply never asked again and falls out of the bounded store. The store is per
process, so a deployment with new templates starts empty.

A 21-exercise program's lines were most of the editor's template time.

The editor page with no form open goes one step further and keeps a program's
whole list of closed lines, under its draft version (one more with every change
to the draft: services._touch), the library version (exercises.library_version:
titles, doses and variants, which the warnings read), its variant and archived
state, the language and time zone. A request then reads neither the items nor
their exercises. What the key does not name is a kept warning's author's name:
renamed, a line shows the old name until the program next changes.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from exercises.library_version import library_version
from programs.models import Program

# Letters only: autoescaping leaves it as it is, and no line's text can hold it
# where the token goes (the hole sits in a value="" the template writes itself).
TOKEN_HOLE = "csrftokenholeQx7Zk2"
MAX_LINES = 5000
MAX_LISTS = 500


class _Store:
    """A bounded store for the threads of one process: the least recently asked
    entry goes first when it is full."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: tuple, build: Callable[[], object]) -> object:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
                return value
        value = build()  # outside the lock: another thread may build the same
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_lines = _Store(MAX_LINES)
_lists = _Store(MAX_LISTS)


def _key(program: Program, line: dict) -> tuple:
    item = line["item"]
    return (
        get_language(),
        timezone.get_current_timezone_name(),
        program.archived_at is not None,
        line["id"],
        line["title"],
        tuple(sorted(line["urls"].items())),
        line["summary"],
        line["days_text"],
        tuple(line["warnings"]),
        item.note,
        tuple(item.warnings_kept),
        str(item.warnings_kept_by) if item.warnings_kept_by_id else "",
        item.warnings_kept_at,
        item.warnings_kept_reason,
    )


def closed_line_html(program: Program, line: dict, *, template: str, token: str) -> SafeString:
    """The line's HTML (`template` is the line's partial, `token` this response's
    CSRF token), from the store when the same line was rendered before."""

    def render() -> str:
        context = {**line, "program": program, "csrf_token": TOKEN_HOLE}
        return render_to_string(template, context)

    return _with_token(_lines.get_or_build(_key(program, line), render), token)


def program_lines_html(
    program: Program, *, build: Callable[[], list[str]], token: str
) -> list[SafeString]:
    """The program's closed lines, in order (`build` makes them with TOKEN_HOLE
    for the token: closed_line_html(..., token=TOKEN_HOLE)), from the store when
    this draft version was listed before."""
    key = (
        get_language(),
        timezone.get_current_timezone_name(),
        program.pk,
        program.draft_version,
        program.variant_id,
        program.archived_at is not None,
        library_version(),
    )
    lines = _lists.get_or_build(key, lambda: tuple(build()))
    return [_with_token(html, token) for html in lines]


def _with_token(html: str, token: str) -> SafeString:
    # The template's own output, escaped as it rendered; the token is letters and digits.
    return mark_safe(html.replace(TOKEN_HOLE, token))  # noqa: S308  # nosec B308 B703


def clear() -> None:
    _lines.clear()
    _lists.clear()
