"""What the domain announces to the rooms around it.

`revisions_withdrawn`: the printed content of these revisions may no longer be
kept (the patient was erased, or the retention period of an ended program has
passed). The handout package listens and removes its cached PDFs; the domain
itself knows nothing of that cache.

`handout_changed`: what these programs' handouts print has changed (a revision
was published, the patient got a new link, the practice's printed details
changed). Sent inside the transaction that
made the change; the handout package queues a render, so the first download
finds the PDF ready.
"""

from django.dispatch import Signal

revisions_withdrawn = Signal()  # sends revision_ids: list[int]
handout_changed = Signal()  # sends program_ids: list[int]
