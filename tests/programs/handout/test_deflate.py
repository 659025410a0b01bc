"""The handout's PDF streams are deflated by ISA-L, and still read as before.

The speed is measured in bench/handout_render.py; these tests hold that the
faster compression is really used (a pydyf upgrade could bypass it silently)
and that nothing a reader needs changes: every stream is ordinary deflate
behind /FlateDecode, which Python's own zlib decodes, and the text is there.
"""

import io
import re
import zlib

import pytest
from pypdf import PdfReader

from programs.handout.context import handout_for
from programs.handout.deflate import FastDeflate
from programs.handout.render import handout_pdf
from tests import factories

# A zlib stream's first two bytes: the method, then the level it was made at.
ZLIB_LEVEL_9 = b"\x78\xda"
ISAL_FAST = b"\x78\x5e"
STREAM = re.compile(rb"/Filter\s*/FlateDecode.*?>>\s*stream\r?\n", re.S)


@pytest.fixture
def handout_bytes(make_program, practice_user):
    program = factories.publish(make_program("back-rehabilitation"), practice_user)
    return handout_pdf(handout_for(program=program))


def test_the_handout_streams_are_deflated_by_isal_and_zlib_reads_them(handout_bytes):
    starts = [match.end() for match in STREAM.finditer(handout_bytes)]
    headers = [handout_bytes[start : start + 2] for start in starts]
    # pydyf's own streams (page contents, fonts, the tag tree) are ISA-L's; a
    # picture's may be Pillow's PNG data, passed on as it was compressed.
    assert headers.count(ISAL_FAST) > 20
    assert ZLIB_LEVEL_9 not in headers
    for start in starts:
        decoder = zlib.decompressobj()
        assert decoder.decompress(handout_bytes[start : start + 200_000])
        assert decoder.eof, "a stream that zlib cannot read to its end"


def test_the_handout_reads_as_before(handout_bytes):
    reader = PdfReader(io.BytesIO(handout_bytes))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Uw schema" in text
    assert reader.trailer["/Root"]["/StructTreeRoot"]  # still tagged (PDF/UA)


def test_the_stand_in_answers_as_zlib_does_for_what_pydyf_calls():
    data = b"BT /F1 11.5 Tf (Oefening) Tj ET\n" * 500
    compressor = FastDeflate.compressobj(level=9)
    deflated = compressor.compress(data) + compressor.flush()
    assert zlib.decompress(deflated) == data
    assert zlib.decompress(FastDeflate.compress(data)) == data
    assert len(deflated) < len(data) / 10
