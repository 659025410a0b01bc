"""Pages are gzipped when Django serves alone; a PDF and streamed files are not."""

import gzip

from django.http import FileResponse, HttpResponse
from django.test import RequestFactory

from oefenplan.compression import CheapGZipMiddleware


def test_a_page_asked_for_with_gzip_is_gzipped(patient_client):
    plain = patient_client.get("/plan/")
    assert "Content-Encoding" not in plain
    packed = patient_client.get("/plan/", headers={"Accept-Encoding": "gzip, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 3
    page = gzip.decompress(packed.content).decode()
    assert "Hallo Anna" in page and page.endswith("</html>\n")


def _through(response):
    request = RequestFactory().get("/", headers={"Accept-Encoding": "gzip"})
    return CheapGZipMiddleware(lambda request: response)(request)


def test_pdfs_and_streamed_files_are_left_alone():
    pdf = HttpResponse(b"%PDF-1.7 " + b"0" * 5000, content_type="application/pdf")
    assert not _through(pdf).has_header("Content-Encoding")
    streamed = FileResponse(iter([b"a" * 5000]), content_type="text/plain")
    assert not _through(streamed).has_header("Content-Encoding")
    text = _through(HttpResponse("a" * 5000, content_type="text/plain; charset=utf-8"))
    assert text["Content-Encoding"] == "gzip"
    assert gzip.decompress(text.content) == b"a" * 5000


def test_each_answer_names_a_file_of_random_length_in_its_gzip_header():
    """Django's BREACH mitigation, kept with ISA-L's compressor: the compressed
    length of the same page varies, and the header says a file name follows."""
    page = "<p>Oefen rustig, stop als het pijn doet.</p>" * 200
    answers = [_through(HttpResponse(page)).content for _ in range(20)]
    assert all(answer[3] & gzip.FNAME for answer in answers)
    assert all(gzip.decompress(answer).decode() == page for answer in answers)
    assert len({len(answer) for answer in answers}) > 1
    assert all(len(answer) < len(page) / 10 for answer in answers)
