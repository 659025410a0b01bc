"""`manage.py handout PROGRAM -o file.pdf`: the program's handout, for batch printing.

The same PDF as the download on the program page (same cache); the QR code
points at settings.SITE_URL.
"""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.handout.cache import handout_pdf_file
from programs.handout.context import HandoutUnavailable, handout_for
from programs.models import Program


class Command(BaseCommand):
    help = "Write the PDF handout of a program's latest published revision."

    def add_arguments(self, parser) -> None:
        parser.add_argument("program", type=int, help="the program's id")
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")

    def handle(self, *args, program: int, output: str, **options) -> None:
        found = (
            Program.objects.select_related("patient__practice", "protocol", "variant")
            .filter(pk=program)
            .first()
        )
        if found is None:
            raise CommandError(f"Program {program} does not exist.")
        try:
            handout = handout_for(program=found)
        except HandoutUnavailable as error:
            raise CommandError(f"Program {program}: {error}") from error
        if handout.link_url is None:
            self.stderr.write(
                f"Program {program}: the patient has no working link, so the handout has no "
                "QR code. Make a link on the patient's page (or download it there: that makes one)."
            )
        target = Path(output)
        try:
            shutil.copyfile(handout_pdf_file(handout), target)
        except OSError as error:
            raise CommandError(f"Cannot write {target}: {error.strerror}") from error
        self.stdout.write(
            f"Wrote {target} (revision {handout.revision.number}, {handout.language})."
        )
