"""Keep patient-link tokens out of the logs.

Django names the path in its own lines (django.request for a 5xx, the
development server for every request); a patient's address carries the token
that opens their plan, which a log reader must never be able to use.
"""

import logging
import re

LINK_TOKEN = re.compile(r"/p/[^/\s\"']+")


def _redacted(value):
    return LINK_TOKEN.sub("/p/<token>", value) if isinstance(value, str) else value


class RedactLinkTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redacted(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        return True
