"""Request bodies larger than the app ever needs are refused, unread.

The largest thing anyone sends is a photo (EXERCISE_PHOTO_MAX_BYTES) in its
form; REQUEST_BODY_MAX_BYTES leaves room for the form around it. Django reads
a body only when something asks for request.POST or request.FILES (the CSRF
check does, for every POST), so this middleware sits before the CSRF one:

- a body whose Content-Length is over the limit gets the "too large" page (413)
  at once; not a byte of it is read;
- a body that sends more than its Content-Length says is counted as it streams
  in, and the upload stops at the limit (413 again, before the view runs).
  Under WSGI Django never reads past the declared length anyway; under ASGI
  the parser reads whatever the server buffered, whatever the header said;
- a chunked body (Transfer-Encoding, no Content-Length) is one Django would
  read as empty, so the form would come back blank with no reason given: it
  gets a page that says so (411) instead. Browsers always send a length.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.shortcuts import render


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = _declared_length(request)
        if declared is None and "HTTP_TRANSFER_ENCODING" in request.META:
            return render(request, "411.html", status=411)
        if declared is not None and declared > settings.REQUEST_BODY_MAX_BYTES:
            return request_too_large(request)
        request.upload_handlers.insert(0, StreamedBodyLimit(request))
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        """An upload stopped at the limit leaves a form with its file missing: the
        body is parsed here, a moment before the CSRF check would, so the view
        never sees such a form."""
        if request.method != "POST" or request.content_type != "multipart/form-data":
            return None
        try:
            request.FILES  # noqa: B018 - parses the body
        except UnreadablePostError:
            return None  # the client went away; the CSRF check answers as always
        if getattr(request, "upload_stopped_at_limit", False):
            return request_too_large(request)
        return None


class StreamedBodyLimit(FileUploadHandler):
    """Counts the uploaded files' bytes as they stream in and stops the upload
    when they pass REQUEST_BODY_MAX_BYTES, whatever the Content-Length said.

    It is the first upload handler, so the others (Django's memory and
    temporary-file handlers) never receive a byte past the limit."""

    def __init__(self, request: HttpRequest):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.REQUEST_BODY_MAX_BYTES:
            self.request.upload_stopped_at_limit = True
            # connection_reset: stop reading; the rest of the body is not wanted.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def request_too_large(request: HttpRequest) -> HttpResponse:
    megabyte = 1024 * 1024
    return render(
        request,
        "413.html",
        {
            "limit": settings.REQUEST_BODY_MAX_BYTES // megabyte,
            "photo_limit": settings.EXERCISE_PHOTO_MAX_BYTES // megabyte,
        },
        status=413,
    )


def _declared_length(request: HttpRequest) -> int | None:
    """The Content-Length, or None when there is none; a header that is no
    number counts as none, as it does for Django's own parser (an empty body)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
