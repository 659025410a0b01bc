"""Fill the English catalogue: message ids are English, so each msgstr is its id.

Run by `make makemessages`; keeps locale/en complete without hand-copying.
"""

from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po"

catalogue = polib.pofile(str(CATALOGUE))
for entry in catalogue:
    if entry.msgid_plural:
        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
    else:
        entry.msgstr = entry.msgid
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
catalogue.save()
print(f"{CATALOGUE}: {catalogue.percent_translated()}% translated")
