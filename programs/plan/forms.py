"""The patient's ticks: checked against the plan of the day they are for (today,
or one of the last two days, ticked off afterwards), never another day."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.schedule import PatientDay

TICK_NOT_TODAY = _("Only today's exercises, and those of the last two days, can be ticked off.")
TICK_NOT_IN_PLAN = _("This exercise is not in today's plan.")


class _PlanSessionForm(forms.Form):
    """A day and a session, checked against that day's plan (`plan`), which the view
    made for the posted date only when it may still be ticked off."""

    date = forms.DateField()
    session = forms.IntegerField(min_value=1, max_value=10)

    def __init__(self, *args, plan: PatientDay, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        if day != self.plan.date or not self.plan.is_training_day:
            raise forms.ValidationError(TICK_NOT_TODAY)
        return day

    def clean_session(self) -> int:
        session = self.cleaned_data["session"]
        if session > self.plan.sessions_max:
            raise forms.ValidationError(TICK_NOT_IN_PLAN)
        return session


class PlanTickForm(_PlanSessionForm):
    item = forms.IntegerField(min_value=1)
    pain = forms.IntegerField(
        label=_("Pain (0 = none, 10 = worst)"), min_value=0, max_value=10, required=False
    )
    note = forms.CharField(label=_("Note for your therapist"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        item_id, session = cleaned.get("item"), cleaned.get("session")
        if item_id is not None and session is not None:
            exercise = next((e for e in self.plan.exercises if e.item_id == item_id), None)
            if exercise is None or not exercise.in_session(session):
                raise forms.ValidationError(TICK_NOT_IN_PLAN)
            cleaned["exercise"] = exercise
        return cleaned


class PlanSessionDoneForm(_PlanSessionForm):
    pass
