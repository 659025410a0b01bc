import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exercises.models import MAX_REPS, MAX_SETS
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

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            if end < start:
                self.add_error("end_date", END_BEFORE_START)
            else:
                cleaned["weeks"] = max(1, -(-((end - start).days + 1) // 7))
        protocol = cleaned.get("protocol")
        if not cleaned.get("weeks") and protocol is not None:
            cleaned["weeks"] = protocol.default_weeks
        if cleaned.get("weeks") and cleaned["weeks"] > 52:
            self.add_error("end_date", _("A program lasts at most 52 weeks."))
        return cleaned


class ProgramScheduleForm(forms.ModelForm):
    """Start date and length of a running program (the patient sees them once published)."""

    class Meta:
        model = Program
        fields = ["start_date", "weeks"]
        widgets = {"start_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


class ProgramItemForm(forms.ModelForm):
    """The inline dose editor of one item."""

    days = forms.MultipleChoiceField(
        label=_("Days"),
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # clean_days says what is missing, in plain words
    )

    class Meta:
        model = ProgramItem
        fields = [
            "sets_min",
            "reps_min",
            "hold_min",
            "hold_unit",
            "rest_seconds_min",
            "duration_minutes",
            "progression",
            "progression_start",
            "progression_step",
            "progression_target",
            "times_per_day_min",
            "days_per_week_min",
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

    def clean_days(self) -> str:
        return "".join(sorted(set(self.cleaned_data["days"])))

    def clean(self):
        cleaned = super().clean()
        # No fixed days is fine when the dose has a weekly target (any days).
        if "days" in cleaned and not cleaned["days"] and not cleaned.get("days_per_week_min"):
            self.add_error("days", NO_DAYS)
        # The editor shows one value per field: a range's upper bound goes with it.
        for field in ("sets", "reps", "hold", "rest_seconds", "times_per_day", "days_per_week"):
            low = cleaned.get(f"{field}_min")
            high = getattr(self.instance, f"{field}_max")
            if low is None or (high is not None and high < low):
                setattr(self.instance, f"{field}_max", None)
        start, target = cleaned.get("progression_start"), cleaned.get("progression_target")
        if start is not None and target is not None and target < start:
            self.add_error("progression_target", _("The target is below the start."))
        maximum = self.instance.progression_target_max
        if target is None or (maximum is not None and maximum < target):
            self.instance.progression_target_max = None
        return cleaned


class PatientLinkForm(forms.Form):
    LIFETIMES = [
        ("", _("Until revoked")),
        ("30", _("30 days")),
        ("90", _("90 days")),
        ("180", _("180 days")),
    ]
    lifetime = forms.ChoiceField(label=_("Valid"), choices=LIFETIMES, required=False)

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
