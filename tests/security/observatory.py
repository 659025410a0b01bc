"""Mozilla's HTTP Observatory, scored the way it scores (its grader's table and
rules, mozilla/http-observatory `httpobs/scanner/grader/grade.py` and
`analyzer/`), on Django test responses instead of a live host.

Each page starts at 100; penalties always count, bonuses only when the score
without them is at least 90. Tests: Content-Security-Policy, cookies, CORS,
redirection from http, Referrer-Policy, HSTS, Subresource Integrity,
X-Content-Type-Options, X-Frame-Options. (HSTS preloading cannot be scored
off-line and is left out, which can only lower the score.)
"""

import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
SIX_MONTHS = 15768000


@dataclass
class Score:
    modifiers: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        penalties = sum(v for v in self.modifiers.values() if v < 0)
        bonuses = sum(v for v in self.modifiers.values() if v > 0)
        base = 100 + penalties
        return max(0, base + (bonuses if base >= MINIMUM_SCORE_FOR_EXTRA_CREDIT else 0))


def _csp(response) -> tuple[str, int, dict[str, list[str]]]:
    header = response.get("Content-Security-Policy")
    if not header:
        return "csp-not-implemented", -25, {}
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), [w.lower() for w in words[1:]])

    def sources(name: str) -> list[str]:
        return directives.get(name, directives.get("default-src", []))

    script = sources("script-src")
    if not script or any(s in script for s in ("'unsafe-inline'", "data:", "https:", "http:", "*")):
        return "csp-implemented-with-unsafe-inline", -20, directives
    if "'unsafe-eval'" in script:
        return "csp-implemented-with-unsafe-eval", -10, directives
    obj = sources("object-src")
    if not obj or any(s in obj for s in ("https:", "http:", "*", "data:")):
        return "csp-implemented-with-unsafe-inline", -20, directives
    if any("http:" in s for values in directives.values() for s in values):
        return "csp-implemented-with-insecure-scheme", -20, directives
    style = sources("style-src")
    if any(s in style for s in ("'unsafe-inline'", "data:", "https:", "*")):
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0, directives
    if directives.get("default-src") == ["'none'"]:
        return "csp-implemented-with-no-unsafe-default-src-none", 10, directives
    return "csp-implemented-with-no-unsafe", 5, directives


def _cookies(response, hsts: bool) -> tuple[str, int]:
    jar = SimpleCookie()
    for morsel in response.cookies.values():
        if morsel.value or morsel["max-age"] != 0:
            jar[morsel.key] = morsel
    if not jar:
        return "cookies-not-found", 0
    worst = None
    order = [
        "cookies-session-without-secure-flag",
        "cookies-session-without-httponly-flag",
        "cookies-anticsrf-without-samesite-flag",
        "cookies-samesite-flag-invalid",
        "cookies-without-secure-flag",
        "cookies-session-without-secure-flag-but-protected-by-hsts",
        "cookies-without-secure-flag-but-protected-by-hsts",
    ]
    modifiers = {
        "cookies-session-without-secure-flag": -40,
        "cookies-session-without-httponly-flag": -30,
        "cookies-anticsrf-without-samesite-flag": -20,
        "cookies-samesite-flag-invalid": -20,
        "cookies-without-secure-flag": -20,
        "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
        "cookies-without-secure-flag-but-protected-by-hsts": -5,
    }

    def worse(result: str) -> None:
        nonlocal worst
        if worst is None or order.index(result) < order.index(worst):
            worst = result

    all_samesite = True
    for name, morsel in jar.items():
        secure, httponly = bool(morsel["secure"]), bool(morsel["httponly"])
        samesite = str(morsel["samesite"]).strip().lower()
        session = any(i in name.lower() for i in ("login", "sess"))
        anticsrf = "csrf" in name.lower()
        if samesite and samesite not in ("lax", "strict", "none"):
            worse("cookies-samesite-flag-invalid")
        if not samesite:
            all_samesite = False
        if not secure and samesite == "none":
            worse("cookies-samesite-flag-invalid")
        if not secure:
            worse(
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-without-secure-flag"
            )
        if anticsrf and not samesite:
            worse("cookies-anticsrf-without-samesite-flag")
        if session and not secure:
            worse(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-session-without-secure-flag"
            )
        if session and not httponly:
            worse("cookies-session-without-httponly-flag")
    if worst:
        return worst, modifiers[worst]
    if all_samesite:
        return "cookies-secure-with-httponly-sessions-and-samesite", 5
    return "cookies-secure-with-httponly-sessions", 0


def _hsts(response) -> tuple[str, int, bool]:
    header = response.get("Strict-Transport-Security")
    if not header:
        return "hsts-not-implemented", -20, False
    match = re.search(r"max-age=(\d+)", header, re.I)
    if not match:
        return "hsts-header-invalid", -20, False
    if int(match.group(1)) >= SIX_MONTHS:
        return "hsts-implemented-max-age-at-least-six-months", 0, True
    return "hsts-implemented-max-age-less-than-six-months", -10, True


def _referrer(response) -> tuple[str, int]:
    header = response.get("Referrer-Policy")
    if not header:
        return "referrer-policy-not-implemented", 0
    policy = header.split(",")[-1].strip().lower()
    if policy in ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"):
        return "referrer-policy-private", 5
    if policy == "no-referrer-when-downgrade":
        return "referrer-policy-no-referrer-when-downgrade", 0
    if policy in ("origin", "origin-when-cross-origin", "unsafe-url"):
        return "referrer-policy-unsafe", -5
    return "referrer-policy-header-invalid", -5


def _sri(response) -> tuple[str, int]:
    if "text/html" not in response.get("Content-Type", ""):
        return "sri-not-implemented-response-not-html", 0
    scripts = re.findall(r"<script\b([^>]*)>", response.content.decode(), re.I)
    sources = [re.search(r'src="([^"]+)"', attrs) for attrs in scripts]
    external = [m.group(1) for m in sources if m and re.match(r"^(https?:)?//", m.group(1))]
    if not [m for m in sources if m]:
        return "sri-not-implemented-but-no-scripts-loaded", 0
    if not external:
        return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0
    if any(src.startswith("http:") for src in external):
        return "sri-not-implemented-and-external-scripts-not-loaded-securely", -50
    return "sri-not-implemented-but-external-scripts-loaded-securely", -5


def _cors(response) -> tuple[str, int]:
    if response.get("Access-Control-Allow-Origin", "").strip() == "*":
        return "cross-origin-resource-sharing-implemented-with-universal-access", -50
    return "cross-origin-resource-sharing-not-implemented", 0


def _content_type_options(response) -> tuple[str, int]:
    if response.get("X-Content-Type-Options", "").strip().lower() == "nosniff":
        return "x-content-type-options-nosniff", 0
    return "x-content-type-options-not-implemented", -5


def _frame_options(response, csp_directives) -> tuple[str, int]:
    if "frame-ancestors" in csp_directives:
        return "x-frame-options-implemented-via-csp", 5
    if response.get("X-Frame-Options", "").strip().upper() in ("DENY", "SAMEORIGIN"):
        return "x-frame-options-sameorigin-or-deny", 0
    return "x-frame-options-not-implemented", -20


def _redirection(http_response) -> tuple[str, int]:
    location = http_response.get("Location", "")
    if http_response.status_code in (301, 302, 307, 308) and location.startswith("https://"):
        return "redirection-to-https", 0
    return "redirection-missing", -20


def observatory_score(https_response, http_response) -> Score:
    """The page's score: its HTTPS answer, and what the same address answers over http."""
    score = Score()
    csp_result, csp_modifier, directives = _csp(https_response)
    hsts_result, hsts_modifier, hsts = _hsts(https_response)
    results = [
        (csp_result, csp_modifier),
        _cookies(https_response, hsts),
        _cors(https_response),
        _redirection(http_response),
        _referrer(https_response),
        (hsts_result, hsts_modifier),
        _sri(https_response),
        _content_type_options(https_response),
        _frame_options(https_response, directives),
    ]
    score.modifiers = dict(results)
    return score
