"""The printed handout: one template for the print view and the PDF.

`context` builds what a handout shows from a revision's snapshot, `render`
turns it into HTML and a tagged PDF (WeasyPrint, fetching only through
`fetcher`), `cache` keeps rendered PDFs on disk and removes old ones. No HTTP
here: the therapist's views serve it, the `handout` command prints it.
"""
