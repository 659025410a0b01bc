"""The PDF's streams compressed with ISA-L instead of zlib's slowest level.

pydyf, the PDF writer under WeasyPrint, compresses every stream (page contents,
fonts, pictures, the tag tree) with `zlib.compressobj(level=9)`, and offers no
setting for it. On the back handout that is 160 ms of a 2.2 s render, for
3.7 MB of streams. ISA-L (the `isal` package the app already uses for gzip,
Intel's deflate) writes the same deflate format at its level 3 in 10 ms: the
PDF is 340 KiB instead of 280 KiB, and every reader decompresses it as before
(the streams stay /FlateDecode). Measured in bench/handout_render.py and the
README's performance section.

pydyf reads `zlib` as a module global at each call, so giving it a stand-in
with the two functions it calls is enough; `install()` runs once per process
from the handout app's `ready()`. Only pydyf is changed: nothing else in the
process reads pydyf's global. A pydyf that stops calling `zlib` the same way
keeps working with its own, only slower (tests/programs/handout/test_deflate.py
notices).
"""

import pydyf
from isal import isal_zlib

LEVEL = 3  # ISA-L's best of 0-3; its size is zlib's level 1, its speed 16x zlib's level 9


class FastDeflate:
    """The part of the `zlib` module pydyf calls, at ISA-L's LEVEL whatever level it asks."""

    @staticmethod
    def compressobj(level: int = -1, *args, **kwargs):
        return isal_zlib.compressobj(LEVEL)

    @staticmethod
    def compress(data: bytes, level: int = -1, *args, **kwargs) -> bytes:
        return isal_zlib.compress(data, LEVEL)


def install() -> None:
    pydyf.zlib = FastDeflate
