"""The patient's plan on a phone: the private link, today's plan, ticks and the week.

No login: `access` trades the link's token for a signed cookie and checks the
link again on every request; `throttle` counts wrong guesses of a token.
"""
