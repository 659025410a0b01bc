"""Practices, therapists, patients, protocols and the patients' programs.

A program is a patient's own copy of a protocol. Its items are the working
draft; publishing freezes a numbered `ProgramRevision` (a snapshot of the
program and its exercises' texts, `programs.snapshot`) so a printed handout
stays reproducible and the patient always sees the latest published revision.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from exercises.models import Dose, Exercise, LocalisedNameMixin, ProtocolVariant
from programs.snapshot import Snapshot


class Practice(models.Model):
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone number"), max_length=40)
    call_hours = models.CharField(_("call hours"), max_length=200, blank=True)
    address = models.CharField(_("address or department"), max_length=300, blank=True)
    # The pain-monitoring rule the practice works with: pain up to this score
    # (0-10) during exercise is acceptable; above it, do less and tell the
    # practice. Data with its source, editable per practice.
    pain_limit = models.PositiveSmallIntegerField(
        _("highest acceptable pain (0-10)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    pain_rule_source = models.CharField(
        _("source of the pain rule"),
        max_length=300,
        default=(
            "Pijnmonitoringsmodel (Thomeé 1997), zoals gebruikt in o.a. GLA:D: "
            "pijn tot 5 op 10 tijdens het oefenen is aanvaardbaar als die de "
            "volgende ochtend weer gezakt is."
        ),
    )

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self) -> str:
        return self.name


class Therapist(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist"
    )
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="therapists", verbose_name=_("practice")
    )
    is_practice_admin = models.BooleanField(_("practice administrator"), default=False)

    class Meta:
        verbose_name = _("therapist")
        verbose_name_plural = _("therapists")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Patient(models.Model):
    """The minimum: a first name or pseudonym and the practice's own reference."""

    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="patients", verbose_name=_("practice")
    )
    name = models.CharField(_("first name or pseudonym"), max_length=60)
    reference = models.CharField(_("practice reference"), max_length=40, blank=True)
    # The language of the handout and the first language of a new patient link.
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="nl"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "reference"],
                condition=~models.Q(reference=""),
                name="patient_unique_reference_per_practice",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("therapist:patient_detail", args=[self.pk])


class ProtocolManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> "Protocol":
        return self.get(slug=slug)


class Protocol(LocalisedNameMixin, models.Model):
    """A program template: one per leaflet variant, shipped as a fixture."""

    slug = models.SlugField(primary_key=True, max_length=60)
    name = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    variant = models.ForeignKey(ProtocolVariant, on_delete=models.PROTECT, related_name="protocols")
    default_weeks = models.PositiveSmallIntegerField(
        _("length in weeks"), validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    asks_affected_side = models.BooleanField(_("asks for the affected side"), default=False)
    # The osteoarthritis guideline: one training type per session (at least 75 %
    # of its time), so aerobic work gets a session of its own.
    one_type_per_session = models.BooleanField(_("one training type per session"), default=False)
    # Lists of {"text": ..., "from_leaflet": bool}: every line a patient reads is
    # either the leaflet's or visibly the app's own default.
    rules = models.JSONField(_("rules"), default=list, blank=True)
    precautions = models.JSONField(_("precautions"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ProtocolManager()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")

    def __str__(self) -> str:
        return self.display_name


class ProtocolItemManager(models.Manager):
    def get_by_natural_key(self, protocol: str, exercise: str) -> "ProtocolItem":
        return self.get(protocol_id=protocol, exercise__slug=exercise)


class ProtocolItem(models.Model):
    """An exercise in a protocol; its dose is the exercise's leaflet dose."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    objects = ProtocolItemManager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "exercise"], name="protocol_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.protocol_id}: {self.exercise}"

    def natural_key(self) -> tuple[str, str]:
        return (self.protocol_id, self.exercise.slug)

    natural_key.dependencies = ["exercises.exercise", "programs.protocol"]


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    BOTH = "both", _("Both")


class Program(models.Model):
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="programs", verbose_name=_("patient")
    )
    protocol = models.ForeignKey(
        Protocol, on_delete=models.PROTECT, related_name="+", verbose_name=_("protocol")
    )
    variant = models.ForeignKey(
        ProtocolVariant, on_delete=models.PROTECT, related_name="+", verbose_name=_("variant")
    )
    start_date = models.DateField(_("start date"))
    weeks = models.PositiveSmallIntegerField(
        _("length in weeks"), validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    affected_side = models.CharField(
        _("affected side"), max_length=5, choices=Side.choices, blank=True
    )
    has_draft_changes = models.BooleanField(default=True, editable=False)
    # One more with every change to the draft (services._touch), never reset: the
    # editor keeps its rendered item list per version (therapist/line_cache.py).
    draft_version = models.PositiveIntegerField(default=0, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the retention period after the program's end removed its notes,
    # ticks and printed handouts (programs.services.program_apply_retention).
    data_removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return f"{self.protocol} ({self.patient})"

    def get_absolute_url(self) -> str:
        return reverse("therapist:program_edit", args=[self.pk])

    @property
    def end_date(self) -> datetime.date:
        """The last day of the program's last week."""
        return self.start_date + datetime.timedelta(days=7 * self.weeks - 1)

    @property
    def ended_on(self) -> datetime.date:
        """The day the program ended: its last day, or the day it was archived if sooner."""
        if self.archived_at is not None:
            return min(self.end_date, timezone.localdate(self.archived_at))
        return self.end_date


class ProgramItem(Dose):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    # Days of the week as digits, Monday = 1 ... Sunday = 7 ("1357" = Mon, Wed,
    # Fri, Sun), fixed by the therapist; empty: any days that meet the dose's
    # weekly target (days_per_week_*), or every day when it has none.
    days = models.CharField(_("days of the week"), max_length=7, default="", blank=True)
    note = models.TextField(_("note to the patient"), max_length=500, blank=True)
    # The therapist saw the warnings on this item and kept it: who, when, which.
    warnings_kept = models.JSONField(default=list, blank=True, editable=False)
    warnings_kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    warnings_kept_at = models.DateTimeField(null=True, blank=True)
    # Why: the patient's plan and handout show it as the therapist's deliberate choice.
    warnings_kept_reason = models.CharField(_("why you keep it"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            *Dose.range_constraints("program_item"),
        ]

    def __str__(self) -> str:
        return str(self.exercise)


class ProgramRevision(models.Model):
    """A published, frozen copy of a program: what the patient and the handout see."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    # The JSON document as stored, in whatever format it was published in;
    # read it through `content`, which upgrades it.
    snapshot = models.JSONField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.program} r{self.number}"

    @cached_property
    def content(self) -> Snapshot:
        """The snapshot, typed and in the current format."""
        return Snapshot.from_json(self.snapshot)


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    LIST = "list", _("Listed or searched")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    PUBLISH = "publish", _("Published")
    COPY = "copy", _("Copied")
    ARCHIVE = "archive", _("Archived")
    EXPORT = "export", _("Exported")
    ERASE = "erase", _("Erased")
    RETENTION = "retention", _("Removed after the retention period")
    LOG_READ = "log_read", _("Read the access log")
    LINK_OPEN = "link_open", _("Plan opened with the link")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")


class AccessOutcome(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    REFUSED = "refused", _("refused")


class AppendOnlyError(Exception):
    """The access log is written once and never changed or removed."""


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("access log entries are never changed")

    def delete(self):
        raise AppendOnlyError("access log entries are never removed")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("access log entries are never changed")


class AccessLogEntry(models.Model):
    """One access to patient data or to the app, as NEN 7513 asks: the event, its
    time, the patient, the user, on whose behalf, from which address, and
    whether it was allowed or refused.

    Append-only: the model refuses changes and deletes (and on PostgreSQL a
    trigger refuses UPDATE and DELETE); each entry carries a SHA-256 hash over
    its contents and the previous entry's hash, so a row changed or removed
    around the app breaks the chain (`manage.py verify_access_log`). The
    patient is referenced by number only, without a database constraint:
    erasing a patient leaves their log rows in place and in the chain, and
    the number no longer leads to a person (pseudonymised).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf_of = models.CharField(max_length=200, blank=True)
    patient = models.ForeignKey(
        Patient,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="access_log",
    )
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    outcome = models.CharField(
        max_length=10, choices=AccessOutcome.choices, default=AccessOutcome.ALLOWED
    )
    source_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["practice", "patient", "at"]),
            # The practice's log newest first, a page at a time, read in index
            # order: without it a page sorts all the practice's lines (SQLite) or
            # walks every practice's lines by time (PostgreSQL).
            models.Index(fields=["practice", "at", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.patient_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("access log entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("access log entries are never removed")

    def content_hash(self) -> str:
        return access_log_entry_hash(self)


def access_log_entry_hash(entry) -> str:
    """SHA-256 over the previous entry's hash and everything this entry says.

    A plain function of the entry's values, so the migration that chained the
    lines written before the chain existed hashes them the same way."""
    content = {
        "previous": entry.previous_hash,
        "at": entry.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "practice": entry.practice_id,
        "user": entry.user_id,
        "on_behalf_of": entry.on_behalf_of,
        "patient": entry.patient_id,
        "action": entry.action,
        "outcome": entry.outcome,
        "source": entry.source_address,
        "detail": entry.detail,
    }
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


class PatientLink(models.Model):
    """A private link to the patient's plan: no login, no password.

    The database keeps only a SHA-256 hash of the token, so a copy of the
    database alone opens nothing. The token itself is an HMAC of `nonce` under
    the server's secret key, which lets the therapist show the same link (and
    its QR code, and print it on a handout) again later; see `programs.links`.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    nonce = models.CharField(max_length=32, editable=False)
    # Chosen by the patient on their phone; remembered for this link.
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="nl")
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("patient link")
        verbose_name_plural = _("patient links")

    def __str__(self) -> str:
        return f"{self.patient} link {self.pk}"


class TickSource(models.TextChoices):
    PHONE = "phone", _("On the phone, that day")
    LATER = "later", _("On the phone, added later")
    PAPER = "paper", _("From the paper schedule, typed in by the therapist")


class ExerciseTick(models.Model):
    """One exercise done in one session of one day, as the patient reported it.

    `item_id` is the program item's id as frozen in the revision snapshot, not a
    foreign key: removing an exercise from the draft must not erase history.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="ticks")
    item_id = models.PositiveBigIntegerField()
    date = models.DateField()
    session = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    pain = models.PositiveSmallIntegerField(
        _("pain (0-10)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    note = models.CharField(_("how did it go?"), max_length=300, blank=True)
    source = models.CharField(
        _("ticked off"), max_length=5, choices=TickSource.choices, default=TickSource.PHONE
    )
    # The therapist who typed in a paper tick (NEN 7513: whose hand changed the record).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "session", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "item_id", "date", "session"], name="tick_once_per_session"
            ),
            models.CheckConstraint(
                condition=models.Q(pain__isnull=True) | models.Q(pain__lte=10),
                name="tick_pain_0_to_10",
            ),
        ]
        indexes = [models.Index(fields=["program", "date"])]

    def __str__(self) -> str:
        return f"{self.program_id} item {self.item_id} {self.date} #{self.session}"

    @property
    def source_note(self) -> str:
        """How a tick that was not made on the phone that day came in, or ""."""
        return "" if self.source == TickSource.PHONE else self.get_source_display()
