import dataclasses
import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from exercises.models import MAX_REPS, MAX_SETS, DoseSource
from programs.handout.fonts import printable_text
from programs.models import Patient, Practice, Program, ProgramItem, Protocol, Side

DAY_CHOICES = [
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("7", _("Sun")),
]
NO_DAYS = _("Choose at least one day of the week.")
END_BEFORE_START = _("The program ends before it starts.")
START_OUT_OF_RANGE = _(
    "Choose a start date from %(first)s to %(last)s: at most a year back or a year ahead."
)
END_TOO_LATE = _("A program lasts at most 52 weeks: choose an end date up to %(last)s.")
REPLACE_LINK_UNCONFIRMED = _("Tick the box to confirm that the old link may stop working.")


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["name", "reference", "language"]
        help_texts = {
            "name": _("A first name or a pseudonym: nothing more identifying."),
            "reference": _("Optional: your practice's own reference."),
            "language": _("The language of the handout and of the phone plan at first."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False  # Dutch unless chosen otherwise

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or Patient._meta.get_field("language").default

    def clean_name(self) -> str:
        printable_text(self.cleaned_data["name"])  # it is printed on the handout
        return self.cleaned_data["name"]


class PatientSearchForm(forms.Form):
    """The patient list's search text and page, from the address: a browser sends
    what the page offers; anything else (a NUL, which PostgreSQL refuses, a page
    that is no number) is answered with the form's error and no patients."""

    q = forms.CharField(label=_("Search by name or reference"), max_length=100, required=False)
    page = forms.IntegerField(label=_("Page number"), min_value=1, required=False)


# A program starts at most a year before or after the day it is planned: room
# for an entry made late and for an operation booked months ahead, while a
# typing slip (2062 for 2026) or a tampered form is refused with the range,
# instead of giving a plan no one follows or, at the calendar's end, dates
# that overflow. A program lasts at most 52 weeks (the model's limit too).
START_DATE_SPAN = datetime.timedelta(days=365)
LONGEST_PROGRAM = datetime.timedelta(weeks=52)


def start_date_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today - START_DATE_SPAN, today + START_DATE_SPAN


def _long_date(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def _check_start_date(day: datetime.date) -> None:
    first, last = start_date_range(timezone.localdate())
    if not first <= day <= last:
        raise forms.ValidationError(
            START_OUT_OF_RANGE, params={"first": _long_date(first), "last": _long_date(last)}
        )


def _offer_dates(field: forms.Field, first: datetime.date, last: datetime.date) -> None:
    """The date picker offers the dates the form accepts."""
    field.widget.attrs.update(min=first.isoformat(), max=last.isoformat())


class ProgramStartForm(forms.Form):
    protocol = forms.ModelChoiceField(
        label=_("Protocol and variant"), queryset=Protocol.objects.select_related("variant")
    )
    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    weeks = forms.IntegerField(
        label=_("Length in weeks"), min_value=1, max_value=52, required=False
    )
    affected_side = forms.ChoiceField(
        label=_("Affected side"), choices=[("", "-"), *Side.choices], required=False
    )

    end_date = forms.DateField(
        label=_("End date (instead of weeks)"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate()
        first, last = start_date_range(timezone.localdate())
        _offer_dates(self.fields["start_date"], first, last)
        _offer_dates(self.fields["end_date"], first, last + LONGEST_PROGRAM)

    def clean_start_date(self) -> datetime.date:
        _check_start_date(self.cleaned_data["start_date"])
        return self.cleaned_data["start_date"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            if end < start:
                self.add_error("end_date", END_BEFORE_START)
            elif end - start >= LONGEST_PROGRAM:
                last = start + LONGEST_PROGRAM - datetime.timedelta(days=1)
                error = forms.ValidationError(END_TOO_LATE, params={"last": _long_date(last)})
                self.add_error("end_date", error)
            else:
                cleaned["weeks"] = max(1, -(-((end - start).days + 1) // 7))
        protocol = cleaned.get("protocol")
        if not cleaned.get("weeks") and protocol is not None:
            cleaned["weeks"] = protocol.default_weeks
        return cleaned


class ProgramScheduleForm(forms.ModelForm):
    """Start date and length of a running program (the patient sees them once published).
    A new start date is bounded as a first one is; the saved one stays allowed, so a
    program that started long ago can still change its length."""

    class Meta:
        model = Program
        fields = ["start_date", "weeks"]
        widgets = {"start_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.saved_start_date = saved = self.instance.start_date
        first, last = start_date_range(timezone.localdate())
        _offer_dates(self.fields["start_date"], min(first, saved), max(last, saved))

    def clean_start_date(self) -> datetime.date:
        start = self.cleaned_data["start_date"]
        if start != self.saved_start_date:
            _check_start_date(start)
        return start


@dataclasses.dataclass(frozen=True)
class DoseRow:
    """One line of the compact dose form: a value, or a range, with the leaflet's beside it."""

    label: str
    low: forms.BoundField
    high: forms.BoundField | None
    extra: forms.BoundField | None  # a unit
    hint: str


# The dose form's rows: (label, lower field, upper field, extra field).
DOSE_ROWS = (
    (_("Sets"), "sets_min", "sets_max", None),
    (_("Repetitions"), "reps_min", "reps_max", None),
    (_("Hold"), "hold_min", "hold_max", "hold_unit"),
    (_("Rest between sets (s)"), "rest_seconds_min", "rest_seconds_max", None),
    (_("Minutes"), "duration_minutes", None, None),
    (_("Times a day"), "times_per_day_min", "times_per_day_max", None),
    (_("Days a week"), "days_per_week_min", "days_per_week_max", None),
)
BUILD_UP_FIELDS = (
    "progression",
    "progression_start",
    "progression_step",
    "progression_target",
    "progression_target_max",
)
RANGE_BELOW = _("The upper bound is below the lower one.")


class ProgramItemForm(forms.ModelForm):
    """One item's dose, as one compact form: ranges as ranges, a build-up as a
    start, a weekly step and a target, and the leaflet's dose beside each row."""

    days = forms.MultipleChoiceField(
        label=_("Fixed days (none: the patient picks the days)"),
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # clean() says what is missing, in plain words
    )

    class Meta:
        model = ProgramItem
        fields = [
            *(
                field
                for _label, low, high, extra in DOSE_ROWS
                for field in (low, high, extra)
                if field
            ),
            "reps_per_side",
            *BUILD_UP_FIELDS,
            "days",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial["days"] = list(self.instance.days)
        for name, field in self.fields.items():
            if isinstance(field, forms.IntegerField):
                field.widget.attrs.update({"inputmode": "numeric", "class": "dose-input"})
            field.widget.attrs["id"] = f"item-{self.instance.pk}-{name}"
        self.fields["sets_min"].max_value = MAX_SETS
        self.fields["reps_min"].max_value = MAX_REPS
        self.fields["note"].validators.append(printable_text)

    def dose_rows(self) -> list[DoseRow]:
        exercise = self.instance.exercise
        return [
            DoseRow(
                label=label,
                low=self[low],
                high=self[high] if high else None,
                extra=self[extra] if extra else None,
                hint=_leaflet_value(exercise, low, high),
            )
            for label, low, high, extra in DOSE_ROWS
        ]

    def build_up_hint(self) -> str:
        exercise = self.instance.exercise
        if not exercise.progression:
            return ""
        return _leaflet_value(exercise, "progression_start", "progression_target")

    def clean(self):
        cleaned = super().clean()
        for _label, low, high, _extra in DOSE_ROWS:
            low_value, high_value = cleaned.get(low), cleaned.get(high) if high else None
            if low_value is not None and high_value is not None and high_value < low_value:
                self.add_error(high, RANGE_BELOW)
        if cleaned.get("days"):
            # Fixed days replace a weekly target: the plan never says both.
            cleaned["days_per_week_min"] = cleaned["days_per_week_max"] = None
        elif "days" in cleaned and not cleaned.get("days_per_week_min"):
            self.add_error("days", NO_DAYS)
        start, target = cleaned.get("progression_start"), cleaned.get("progression_target")
        if cleaned.get("progression"):
            if start is None:
                self.add_error("progression_start", _("A build-up needs a start."))
            if target is None:
                self.add_error("progression_target", _("A build-up needs a target."))
            elif start is not None and target < start:
                self.add_error("progression_target", _("The target is below the start."))
            highest = cleaned.get("progression_target_max")
            if highest is not None and target is not None and highest < target:
                self.add_error("progression_target_max", RANGE_BELOW)
        else:
            for field in BUILD_UP_FIELDS[1:]:
                cleaned[field] = None
        return cleaned

    def clean_days(self) -> str:
        return "".join(sorted(set(self.cleaned_data["days"])))


def _leaflet_value(exercise, low: str, high: str | None) -> str:
    """ "Leaflet: 2 to 4", or "App: 3" when the leaflet gives no dose."""
    first = getattr(exercise, low)
    last = getattr(exercise, high) if high else None
    if first is None:
        return ""
    value = str(first) if last in (None, first) else f"{first}–{last}"
    if exercise.dose_source == DoseSource.LEAFLET:
        return _("Leaflet: %(value)s") % {"value": value}
    return _("App default: %(value)s") % {"value": value}


class PatientLinkForm(forms.Form):
    """A new link for the patient's phone. Replacing a working link cuts off the
    phone that has it open and every printed QR code, so that needs a yes."""

    LIFETIMES = [
        ("", _("Until revoked")),
        ("30", _("30 days")),
        ("90", _("90 days")),
        ("180", _("180 days")),
    ]
    lifetime = forms.ChoiceField(label=_("Valid"), choices=LIFETIMES, required=False)
    replace = forms.BooleanField(
        label=_(
            "Yes, replace the link: the old link, every printed QR code and a phone that "
            "has the plan open stop working."
        ),
        required=False,
    )

    def __init__(self, *args, replacing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.replacing = replacing
        if not replacing:
            del self.fields["replace"]

    def clean(self):
        cleaned = super().clean()
        if self.replacing and not cleaned.get("replace"):
            self.add_error("replace", REPLACE_LINK_UNCONFIRMED)
        return cleaned

    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("lifetime")
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None


class PracticeForm(forms.ModelForm):
    """What every handout and phone prints of the practice, and its pain rule."""

    class Meta:
        model = Practice
        fields = ["name", "phone", "call_hours", "address", "pain_limit", "pain_rule_source"]
        widgets = {"pain_rule_source": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "pain_limit": _(
                "Pain up to this score while exercising is acceptable; above it the patient "
                "is told to do less and to call you, and the patient list flags it."
            ),
            "pain_rule_source": _("Where the rule comes from, for the next colleague."),
        }

    def clean(self):
        cleaned = super().clean()
        for field in ("name", "phone", "call_hours", "address"):  # printed on every handout
            try:
                printable_text(cleaned.get(field, ""))
            except forms.ValidationError as error:
                self.add_error(field, error)
        return cleaned


class KeepWarningsForm(forms.Form):
    """The therapist keeps an item despite its warnings, and says why."""

    reason = forms.CharField(
        label=_("Why you keep it this way"),
        max_length=300,
        validators=[printable_text],
        help_text=_("The patient's plan and handout show it as your deliberate choice."),
    )


class PublishForm(forms.Form):
    """Publishing asks for every open warning to be kept on purpose: a reason each."""

    def __init__(self, *args, open_warnings, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.open_warnings = open_warnings
        for item, _warnings in open_warnings:
            self.fields[f"reason-{item.pk}"] = forms.CharField(
                label=_("Why you keep %(title)s as it is") % {"title": item.exercise.title},
                max_length=300,
                validators=[printable_text],
                error_messages={"required": _("Say why you keep it, or change it first.")},
            )

    def rows(self) -> list[tuple]:
        return [
            (item, warnings, self[f"reason-{item.pk}"]) for item, warnings in self.open_warnings
        ]

    def keep(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[f"reason-{item.pk}"] for item, _w in self.open_warnings}


# A period filter reaches back no further than the log can hold lines.
LOG_PERIOD_START = datetime.date(2020, 1, 1)


class AccessLogFilterForm(forms.Form):
    """The practice's access log, narrowed to a patient (by name) and a period."""

    patient = forms.CharField(
        label=_("Patient (name or reference)"), max_length=100, required=False
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Up to and including"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for field in ("since", "until"):
            day = cleaned.get(field)
            if day is not None and not LOG_PERIOD_START <= day <= today:
                self.add_error(
                    field,
                    _("Choose a day between %(first)s and today.")
                    % {"first": date_format(LOG_PERIOD_START, "j F Y")},
                )
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The period ends before it begins."))
        return cleaned


class PatientEraseForm(forms.Form):
    """Typing the name is the confirmation: erasure cannot be undone."""

    name = forms.CharField(label=_("Type the patient's name to confirm"), max_length=60)

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name.strip() != self.patient.name.strip():
            raise forms.ValidationError(
                _("That is not the patient's name. Nothing has been erased.")
            )
        return name
