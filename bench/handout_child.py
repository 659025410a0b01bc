"""The back program's handout, rendered cold by whichever code BENCH_CODE_ROOT names.

bench/handout_render.py imports `back_program` from here, and with `--before
DIR` runs this file as a child process on DIR's code (another checkout, the
layout before issue 14, say): the child builds the same program on its own
scratch database, says "ready", then renders the handout cold each time a line
comes on its standard input and answers with the seconds it took. The parent
asks in turn with its own renders, so a busy machine slows both alike.

Only what both sides have is used here: the write services, the link service
and the handout's cache.
"""

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path


def back_program(user):
    """The back protocol's program with every exercise of the leaflet in it, 8
    weeks, published, with a link (so a QR code on the cover)."""
    from exercises.models import Exercise
    from programs import links, services
    from programs.models import Protocol

    practice = user.therapist.practice
    patient = services.patient_create(practice=practice, name="Els", reference="", user=user)
    program = services.program_create_from_protocol(
        patient=patient,
        protocol=Protocol.objects.get(slug="back-rehabilitation"),
        start_date=datetime.date.today(),
        weeks=8,
        affected_side="",
        user=user,
    )
    present = set(program.items.values_list("exercise__slug", flat=True))
    for exercise in Exercise.objects.filter(leaflet="back-rehabilitation").order_by("pk"):
        if exercise.slug not in present:
            services.program_add_exercise(program=program, exercise=exercise, user=user)
    links.patient_link_create(patient=patient, user=user)
    services.program_publish(program=program, user=user)
    return program


def bench_user():
    from django.contrib.auth import get_user_model

    from programs.models import Practice, Therapist

    user = get_user_model().objects.create_user("bench", password="bench-password-123")
    practice = Practice.objects.create(name="Bench", phone="050 000 0000", call_hours="ma-vr")
    Therapist.objects.create(user=user, practice=practice)
    return user


def main() -> None:
    root = Path(os.environ["BENCH_CODE_ROOT"]).resolve()
    scratch = Path(tempfile.mkdtemp(prefix="oefenplan-bench-before-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ["HANDOUT_CACHE_DIR"] = str(scratch / "handouts")
    os.environ["DJANGO_SETTINGS_MODULE"] = "oefenplan.settings.app"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(root))
    sys.path.remove(str(Path(__file__).resolve().parent))  # not this tree's bench/

    import django

    django.setup()

    import logging

    from django.core.management import call_command
    from pypdf import PdfReader
    from weasyprint import HTML

    from programs.handout.cache import handout_pdf_file
    from programs.handout.context import handout_for

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)
    call_command(
        "loaddata", *sorted(str(p) for p in (root / "fixtures").glob("*.yaml")), verbosity=0
    )
    handout = handout_for(program=back_program(bench_user()))
    cache_dir = Path(os.environ["HANDOUT_CACHE_DIR"])
    HTML(string="<p>hello</p>").write_pdf()  # imports and fonts, as the parent warms up
    print("ready", flush=True)
    for _line in sys.stdin:
        for path in cache_dir.glob("*.pdf"):
            path.unlink()
        start = time.perf_counter()
        path = handout_pdf_file(handout)
        elapsed = time.perf_counter() - start
        print(f"{elapsed} {len(PdfReader(path).pages)}", flush=True)


if __name__ == "__main__":
    main()
