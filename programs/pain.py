"""Pain that is acted on: the pain-monitoring rule, with each practice's limit.

Physiotherapists use the pain-monitoring model (Thomeé 1997; GLA:D and other
Dutch and Scandinavian programs): on a 0-10 scale, pain during exercise up to
5 is acceptable, provided it has settled by the next morning and does not rise
from week to week; above it, do less and tell the therapist. The hip leaflet
says the same in its own words. The limit and its source are the practice's
data (`Practice.pain_limit`, `Practice.pain_rule_source`).

- A tick with pain above the limit gets a calm message with the practice's
  phone number instead of "Saved".
- The therapist's patient list flags a patient whose pain was above the limit
  in the last seven days, whose highest pain this week is at least `RISE`
  points above last week's, or who has ticked nothing for `QUIET_DAYS` days
  of a running program.
"""

import dataclasses
import datetime

from programs.models import Practice

RISE = 2
QUIET_DAYS = 7


def pain_is_high(*, pain: int | None, practice: Practice) -> bool:
    return pain is not None and pain > practice.pain_limit


@dataclasses.dataclass(frozen=True)
class PatientFlags:
    high_pain: int | None  # the highest pain above the limit in the last seven days
    rising: bool  # this week's highest pain is RISE or more above last week's
    quiet: bool  # a running program, and nothing ticked for QUIET_DAYS days

    def __bool__(self) -> bool:
        return self.high_pain is not None or self.rising or self.quiet


def patient_flags(
    *,
    practice: Practice,
    today: datetime.date,
    pain_this_week: int | None,
    pain_last_week: int | None,
    last_tick: datetime.date | None,
    running_since: datetime.date | None,
) -> PatientFlags:
    """The flags of one patient on the list, from figures the selector read.

    "This week" is the last seven days up to today, "last week" the seven before.
    """
    high = pain_this_week if pain_is_high(pain=pain_this_week, practice=practice) else None
    rising = (
        pain_this_week is not None
        and pain_last_week is not None
        and pain_this_week >= pain_last_week + RISE
    )
    quiet_since = today - datetime.timedelta(days=QUIET_DAYS)
    quiet = (
        running_since is not None
        and running_since <= quiet_since
        and (last_tick is None or last_tick <= quiet_since)
    )
    return PatientFlags(high_pain=high, rising=rising, quiet=quiet)
