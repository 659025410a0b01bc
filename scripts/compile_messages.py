"""Compile locale/*/LC_MESSAGES/*.po to .mo with polib.

Django's compilemessages needs GNU gettext's msgfmt, which a fresh machine may
not have; polib is a pure-Python dev dependency and writes the same files.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
    catalogue = polib.pofile(str(po_path))
    catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"compiled {po_path.relative_to(ROOT)}: {catalogue.percent_translated()}% translated")
