"""Text helpers shared by search and by the fixtures' checks."""

import unicodedata


def searchable(text: str) -> str:
    """Lower-case, strip accents and fold white space: "Knieën" -> "knieen"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())
