"""Write every exercise's figure (animated and stills SVG) into static/exercises/figures/."""

from pathlib import Path

from django.core.management.base import BaseCommand

from exercises.figures.build import STATIC_DIR, build
from exercises.figures.data import ROOT


class Command(BaseCommand):
    help = (
        "Draw the exercise figures from fixtures/figures/*.yaml "
        "(deterministic: same input, same bytes)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", default=str(ROOT / "static" / STATIC_DIR), help="the directory to write"
        )

    def handle(self, *args, out, **options):
        files, missing = build()
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        for stale in sorted({p.name for p in target.glob("*.svg")} - set(files)):
            (target / stale).unlink()
        changed = 0
        for name, text in sorted(files.items()):
            path = target / name
            data = text.encode("utf-8")
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
                changed += 1
        for slug in missing:
            self.stderr.write(self.style.WARNING(f"no pose data yet: {slug} (skipped)"))
        self.stdout.write(
            f"{len(files) - 1} figure files in {target}, {changed} written, "
            f"{len(missing)} exercises without pose data"
        )
