"""Time the handout of the largest protocol (back rehabilitation, 21 exercises).

Prints the cold render (template + WeasyPrint + cache write), the cached
lookup, and WeasyPrint's own floor on this machine (a one-page "hello"
document), each the best of a few runs, and the ratios to that floor.

    DJANGO_SECRET_KEY=dev .venv/bin/python bench/handout_render.py [--runs 3]

Runs on a throw-away SQLite database and cache directory, never on yours.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path(tempfile.mkdtemp(prefix="oefenplan-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'bench.sqlite3'}"
os.environ["HANDOUT_CACHE_DIR"] = str(SCRATCH / "handouts")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oefenplan.settings.app")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from weasyprint import HTML  # noqa: E402

from programs import services  # noqa: E402
from programs.handout.cache import handout_pdf_file  # noqa: E402
from programs.handout.context import handout_for  # noqa: E402
from programs.models import Practice, Protocol, Therapist  # noqa: E402


def best_of(runs: int, function, before=None) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def back_program():
    call_command("migrate", verbosity=0)
    call_command(
        "loaddata", *sorted(str(p) for p in (ROOT / "fixtures").glob("*.yaml")), verbosity=0
    )
    user = get_user_model().objects.create_user("bench", password="bench-password-123")
    practice = Practice.objects.create(name="Bench", phone="050 000 0000", call_hours="ma-vr")
    Therapist.objects.create(user=user, practice=practice)
    patient = services.patient_create(practice=practice, name="Els", reference="", user=user)
    program = services.program_create_from_protocol(
        patient=patient,
        protocol=Protocol.objects.get(slug="back-rehabilitation"),
        start_date=datetime.date.today(),
        weeks=8,
        affected_side="",
        user=user,
    )
    services.program_publish(program=program, user=user)
    return program


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs

    program = back_program()
    the_handout = handout_for(program=program)
    cache_dir = Path(os.environ["HANDOUT_CACHE_DIR"])

    def clear_cache():
        for path in cache_dir.glob("*.pdf"):
            path.unlink()

    # Warm up imports, fonts and templates once; "cold" means no cached PDF.
    HTML(string="<p>hello</p>").write_pdf()
    hello = best_of(runs, lambda: HTML(string="<p>hello</p>").write_pdf())
    cold = best_of(runs, lambda: handout_pdf_file(the_handout), before=clear_cache)
    handout_pdf_file(the_handout)
    cached = best_of(
        runs,
        lambda: handout_pdf_file(handout_for(program=program)).read_bytes(),
    )
    path = handout_pdf_file(the_handout)
    pages = len(PdfReader(path).pages)

    print(f"back rehabilitation handout, {len(the_handout.snapshot.items)} exercises")
    print(f"  weasyprint 'hello' (1 page): {hello * 1000:8.1f} ms")
    print(f"  handout, cold render:        {cold * 1000:8.1f} ms  ({cold / hello:6.1f} x hello)")
    print(
        f"  handout, cached:             {cached * 1000:8.1f} ms  ({cached / hello:6.3f} x hello)"
    )
    print(f"  PDF: {path.stat().st_size // 1024} KiB, pages: {pages}; best of {runs} runs")


if __name__ == "__main__":
    main()
