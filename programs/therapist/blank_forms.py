"""Empty forms' fields, rendered once per language and process.

An unbound form without initial data renders the same HTML for everyone who
reads the same language: its labels, help texts, choices and ids all come
from its class. Django renders each widget through templates of its own, and
the patient list's three-field "add a patient" form was about 1.4 ms of a page
whose trivial-view floor is 1.3 ms (bench/pages.py, issue 14).

Only for forms whose blank rendering depends on nothing but the language: not
one with choices read from the practice, initial values or a prefix per
request. A bound form (input to show again, with its errors) is rendered as
usual. With DEBUG on, nothing is kept, so edited templates show at once.
"""

from django.conf import settings
from django.forms import Form
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

FIELDS_TEMPLATE = "partials/fields.html"

_rendered: dict[tuple[type[Form], str], SafeString] = {}


def blank_form_fields(form_class: type[Form]) -> SafeString:
    """The fields of `form_class()`, as partials/fields.html renders them."""
    key = (form_class, get_language())
    html = _rendered.get(key)
    if html is None:
        html = render_to_string(FIELDS_TEMPLATE, {"form": form_class()})
        if not settings.DEBUG:
            _rendered[key] = html  # a handful of classes times two languages
    return html
