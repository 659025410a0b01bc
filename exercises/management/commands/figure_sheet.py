"""A contact sheet of the figures: every exercise's start and end frame, labelled, as one PNG.

Renders the figures from the pose files as they are now (not the committed
files) and screenshots a page of them in headless Chromium.
"""

import base64
import html
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.figures.build import build

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def sheet_html(files: dict[str, str], only: str = "", scale: float = 1.0) -> str:
    cells = []
    for name in sorted(files):
        if not name.endswith("-stills.svg") or not name.startswith(only):
            continue
        data = base64.b64encode(files[name].encode("utf-8")).decode("ascii")
        label = html.escape(name.removesuffix("-stills.svg"))
        cells.append(
            f'<figure><img src="data:image/svg+xml;base64,{data}" width="{int(336 * scale)}" '
            f'height="{int(120 * scale)}" alt=""><figcaption>{label}</figcaption></figure>'
        )
    style = (
        "body{margin:8px;font:13px sans-serif;display:grid;"
        "grid-template-columns:repeat(3,1fr);gap:6px}"
        "figure{margin:0;border:1px solid #ccc;padding:2px}"
        "figcaption{font-weight:bold}img{display:block}"
    )
    return f"<!doctype html><meta charset=utf-8><style>{style}</style>{''.join(cells)}"


class Command(BaseCommand):
    help = "One PNG of every figure's start and end frame, labelled with the exercise's slug."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True)
        parser.add_argument("--only", default="", help="only exercises whose slug starts with this")
        parser.add_argument("--scale", type=float, default=1.5)

    def handle(self, *args, out, only, scale, **options):
        from playwright.sync_api import sync_playwright

        files, missing = build()
        for slug in missing:
            if slug.startswith(only):
                self.stderr.write(self.style.WARNING(f"no pose data yet: {slug} (skipped)"))
        page_html = sheet_html(files, only, scale)
        if "<figure>" not in page_html:
            raise CommandError("no figures to show")
        with tempfile.TemporaryDirectory() as tmp:
            page_file = Path(tmp) / "sheet.html"
            page_file.write_text(page_html, encoding="utf-8")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                page = browser.new_page(
                    viewport={"width": int(3 * 345 * scale) + 40, "height": 600}
                )
                page.goto(page_file.as_uri())
                page.screenshot(path=out, full_page=True)
                browser.close()
        self.stdout.write(f"wrote {out}")
