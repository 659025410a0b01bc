"""What WeasyPrint is given for the handout: HTML without the whitespace paper
never shows, and handout.css parsed once per process. Both are speed (measured in
bench/handout_render.py); these tests hold that neither changes what is printed."""

import io
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from programs.handout.context import handout_for
from programs.handout.fetcher import INTERNAL_ORIGIN, HandoutURLFetcher
from programs.handout.render import (
    BLOCK_TAGS,
    STYLESHEET,
    _tagged_pdf,
    handout_html,
    handout_pdf,
    handout_stylesheet,
    without_layout_whitespace,
)
from tests import factories


@pytest.fixture
def handout(make_program, practice_user):
    program = make_program("hip-osteoarthritis-home")
    item = program.items.first()
    item.note = "Rustig   aan.\nBel bij  twijfel."
    item.save()
    return handout_for(program=factories.publish(program, practice_user))


INLINE_BLOCKS = (
    '<div class="exercise-body">\n<figure class="picture"></figure>\n'
    '<div class="text"></div>\n</div>'
)


def test_whitespace_next_to_a_block_tag_goes_and_between_inline_elements_stays():
    html = (
        "<ul>\n  <li>Stap <strong>een</strong> <em>nu</em></li>\n  <li>twee</li>\n</ul>\n"
        '<table>\n <tr>\n  <td class="num">1</td>\n  <th>Titel</th>\n </tr>\n</table>\n'
        '<h3><span class="number">1</span> <span class="title">Brug</span></h3>\n'
        f"{INLINE_BLOCKS}<pre>  kept  </pre>"
    )
    assert without_layout_whitespace(html) == (
        "<ul><li>Stap <strong>een</strong> <em>nu</em></li><li>twee</li></ul>"
        '<table><tr><td class="num">1</td><th>Titel</th></tr></table>'
        '<h3><span class="number">1</span> <span class="title">Brug</span></h3>'
        # Inline blocks side by side: the space between them is printed, so it stays.
        f"{INLINE_BLOCKS}<pre>  kept  </pre>"
    )
    # A tag whose name only starts like a block tag's is not one.
    assert without_layout_whitespace("<pre> <p>x</p>") == "<pre><p>x</p>"
    assert without_layout_whitespace("<thead> <th>") == "<thead><th>"
    assert without_layout_whitespace("<header> <span>a</span> <span>b</span>") == (
        "<header><span>a</span> <span>b</span>"
    )


def test_the_handout_css_lays_every_squeezed_tag_out_as_a_block(handout):
    """The promise BLOCK_TAGS makes: a stylesheet change that made one of them
    inline on paper (where a space beside it would print) fails here."""
    html = handout_html(handout, for_pdf=True)
    document = HTML(
        string=html, base_url=INTERNAL_ORIGIN + "/", url_fetcher=HandoutURLFetcher()
    ).render(stylesheets=[handout_stylesheet()])
    seen = set()
    for page in document.pages:
        for box in page._page_box.descendants():
            # A text's box carries its parent's tag; the element's own box is what counts.
            if box.element_tag in BLOCK_TAGS and not isinstance(box, boxes.TextBox):
                seen.add(box.element_tag)
                assert not isinstance(box, boxes.InlineLevelBox), (box.element_tag, box)
    assert {"li", "td", "th", "tr", "h3", "p", "section", "article"} <= seen


def test_the_squeezed_handout_prints_the_same_pages_and_words(handout):
    html = handout_html(handout, for_pdf=True)
    assert len(without_layout_whitespace(html)) < 0.95 * len(html)

    def pages(source: str) -> list[str]:
        data = _tagged_pdf(
            source,
            language="nl",
            identifier="same",
            fetcher=HandoutURLFetcher(),
            stylesheets=(handout_stylesheet(),),
        )
        return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]

    squeezed, as_written = pages(without_layout_whitespace(html)), pages(html)
    assert len(squeezed) == len(as_written) > 2
    for ours, theirs in zip(squeezed, as_written, strict=True):
        assert re.sub(r"\s+", " ", ours) == re.sub(r"\s+", " ", theirs)
    assert "Bel bij twijfel." in re.sub(r"\s+", " ", " ".join(squeezed))


def test_the_pdf_gets_the_parsed_stylesheet_and_a_changed_file_is_parsed_again(
    handout, settings, tmp_path
):
    assert "<link" not in handout_html(handout, for_pdf=True)
    assert handout_stylesheet() is handout_stylesheet()
    # Styled: the exercises start a page of their own, as handout.css says.
    text = [page.extract_text() for page in PdfReader(io.BytesIO(handout_pdf(handout))).pages]
    assert any(page.lstrip().startswith("Uw oefeningen") for page in text)

    static = tmp_path / "static"
    copy = static / STYLESHEET
    copy.parent.mkdir(parents=True)
    shutil.copy(Path(settings.BASE_DIR) / "static" / STYLESHEET, copy)
    settings.STATICFILES_DIRS = [static]
    assert handout_stylesheet() is handout_stylesheet()
    before = handout_stylesheet()
    copy.write_text(copy.read_text() + "\n.added { color: red; }\n")
    assert handout_stylesheet() is not before
