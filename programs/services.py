"""Writes for patients and programs. Each changes a patient's record, so each
takes the acting user and leaves a line in the access log, in the same
transaction as the change: both land, or neither does."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exercises.models import DOSE_FIELDS, Dose, Exercise
from programs.access_log import access_log_append, access_log_record
from programs.models import (
    AccessAction,
    ExerciseTick,
    Patient,
    Practice,
    Program,
    ProgramItem,
    ProgramRevision,
    Protocol,
    TickSource,
)
from programs.schedule import EVERY_DAY
from programs.selectors import program_draft_snapshot, program_open_warnings
from programs.signals import handout_changed, revisions_withdrawn
from programs.snapshot import snapshot_without_notes

PROGRAM_EMPTY = _("A program needs at least one exercise before it can be published.")
PROGRAM_ARCHIVED = _("This program is archived and can no longer be changed.")
KEEP_WITHOUT_REASON = _("Say why you keep it: the patient's plan shows your reason.")
OPEN_WARNINGS = _(
    "An exercise still has a warning: keep it on purpose, with your reason, or change it."
)


PRACTICE_PRINTED = ("name", "phone", "call_hours")  # what every handout prints of it


@transaction.atomic
def practice_update(*, practice: Practice) -> Practice:
    """Save the practice's details (a validated form has set them). Not a patient's
    record, so no access-log line; new handouts print the new details, and when
    what they print changed, the current ones are rendered anew (handout_changed)."""
    practice.full_clean()
    before = Practice.objects.filter(pk=practice.pk).values_list(*PRACTICE_PRINTED).first()
    practice.save()
    if before != tuple(getattr(practice, field) for field in PRACTICE_PRINTED):
        published = Program.objects.filter(
            patient__practice=practice, archived_at__isnull=True
        ).exclude(revisions=None)
        handout_changed.send(
            sender=Practice, program_ids=list(published.values_list("pk", flat=True))
        )
    return practice


@transaction.atomic
def patient_create(
    *, practice: Practice, name: str, reference: str, user: User, language: str = "nl"
) -> Patient:
    patient = Patient(
        practice=practice, name=name.strip(), reference=reference.strip(), language=language
    )
    patient.full_clean()
    patient.save()
    access_log_record(user=user, patient=patient, action=AccessAction.CREATE)
    return patient


def _dose_of(source: Dose) -> dict:
    """The exercise's dose for a new item, and its days: any days that meet the
    leaflet's weekly target, or every day when the leaflet gives none."""
    dose = {field: getattr(source, field) for field in DOSE_FIELDS}
    return {**dose, "days": "" if source.days_per_week_min else EVERY_DAY}


def _touch(program: Program) -> None:
    """Every change to a program's draft goes through here: marked for publishing,
    and a new draft version."""
    if program.archived_at is not None:
        raise ValidationError(PROGRAM_ARCHIVED)
    program.has_draft_changes = True
    _save_with_new_draft_version(program, "has_draft_changes")


def _save_with_new_draft_version(program: Program, *fields: str) -> None:
    """Saves `fields` and raises the draft version the editor keeps its lines by
    (programs/therapist/line_cache.py), in one UPDATE with F(): two changes at
    once both count."""
    program.draft_version = F("draft_version") + 1
    program.save(update_fields=[*fields, "draft_version"])
    program.refresh_from_db(fields=["draft_version"])


@transaction.atomic
def program_create_from_protocol(
    *,
    patient: Patient,
    protocol: Protocol,
    start_date: datetime.date,
    weeks: int,
    affected_side: str,
    user: User,
) -> Program:
    program = Program(
        patient=patient,
        protocol=protocol,
        variant=protocol.variant,
        start_date=start_date,
        weeks=weeks,
        affected_side=affected_side,
    )
    program.full_clean()
    program.save()
    ProgramItem.objects.bulk_create(
        ProgramItem(program=program, exercise=item.exercise, order=index, **_dose_of(item.exercise))
        for index, item in enumerate(protocol.items.select_related("exercise"))
    )
    access_log_record(
        user=user, patient=patient, action=AccessAction.CREATE, detail=f"program {program.pk}"
    )
    return program


@transaction.atomic
def program_add_exercise(*, program: Program, exercise: Exercise, user: User) -> ProgramItem:
    _touch(program)
    next_order = (program.items.aggregate(highest=Max("order"))["highest"] or 0) + 1
    item = ProgramItem(program=program, exercise=exercise, order=next_order, **_dose_of(exercise))
    item.full_clean()
    item.save()
    access_log_record(
        user=user,
        patient=program.patient,
        action=AccessAction.CHANGE,
        detail=f"add {exercise.slug}",
    )
    return item


@transaction.atomic
def program_item_update(*, item: ProgramItem, user: User) -> ProgramItem:
    """Save an item whose fields a validated form has set; new warnings need a new choice."""
    _touch(item.program)
    item.warnings_kept, item.warnings_kept_by, item.warnings_kept_at = [], None, None
    item.warnings_kept_reason = ""
    item.full_clean()
    item.save()
    access_log_record(
        user=user,
        patient=item.program.patient,
        action=AccessAction.CHANGE,
        detail=f"dose {item.exercise.slug}",
    )
    return item


@transaction.atomic
def program_item_keep_warnings(
    *, item: ProgramItem, warnings: list[str], reason: str, user: User
) -> None:
    """The therapist keeps the item as it is despite its warnings, and says why: the
    plan and handout show it as their deliberate choice."""
    _touch(item.program)
    reason = reason.strip()
    if not reason:
        raise ValidationError(KEEP_WITHOUT_REASON)
    item.warnings_kept = warnings
    item.warnings_kept_by = user
    item.warnings_kept_at = timezone.now()
    item.warnings_kept_reason = reason
    item.full_clean()
    item.save(
        update_fields=[
            "warnings_kept",
            "warnings_kept_by",
            "warnings_kept_at",
            "warnings_kept_reason",
        ]
    )
    access_log_record(
        user=user,
        patient=item.program.patient,
        action=AccessAction.CHANGE,
        detail=f"kept warnings {item.exercise.slug}",
    )


@transaction.atomic
def program_item_remove(*, item: ProgramItem, user: User) -> None:
    _touch(item.program)
    item.delete()
    access_log_record(
        user=user,
        patient=item.program.patient,
        action=AccessAction.CHANGE,
        detail=f"remove {item.exercise.slug}",
    )


@transaction.atomic
def program_item_move(*, item: ProgramItem, offset: int, user: User) -> None:
    """Move an item up (-1) or down (+1); orders are renumbered 1..n."""
    _touch(item.program)
    items = list(item.program.items.order_by("order", "pk"))
    index = items.index(item)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    for position, each in enumerate(items, start=1):
        each.order = position
    ProgramItem.objects.bulk_update(items, ["order"])
    access_log_record(
        user=user,
        patient=item.program.patient,
        action=AccessAction.CHANGE,
        detail=f"move {item.exercise.slug}",
    )


@transaction.atomic
def program_reschedule(
    *, program: Program, start_date: datetime.date, weeks: int, user: User
) -> None:
    _touch(program)
    program.start_date, program.weeks = start_date, weeks
    program.full_clean()
    program.save(update_fields=["start_date", "weeks"])
    access_log_record(
        user=user,
        patient=program.patient,
        action=AccessAction.CHANGE,
        detail=f"schedule {start_date.isoformat()} {weeks}w",
    )


@transaction.atomic
def program_publish(
    *, program: Program, user: User, keep: dict[int, str] | None = None
) -> ProgramRevision:
    """Freeze the draft as the next revision. Every open warning must be kept on
    purpose first: `keep` gives the reason per item id, recorded with who and when."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.archived_at is not None:
        raise ValidationError(PROGRAM_ARCHIVED)
    keep = keep or {}
    for item, warnings in program_open_warnings(program=program):
        if not keep.get(item.pk, "").strip():
            raise ValidationError(OPEN_WARNINGS)
        program_item_keep_warnings(item=item, warnings=warnings, reason=keep[item.pk], user=user)
    snapshot = program_draft_snapshot(program=program)
    if not snapshot.items:
        raise ValidationError(PROGRAM_EMPTY)
    number = (program.revisions.aggregate(highest=Max("number"))["highest"] or 0) + 1
    revision = ProgramRevision.objects.create(
        program=program, number=number, snapshot=snapshot.to_json(), published_by=user
    )
    program.has_draft_changes = False
    program.save(update_fields=["has_draft_changes"])
    access_log_record(
        user=user, patient=program.patient, action=AccessAction.PUBLISH, detail=f"r{number}"
    )
    handout_changed.send(sender=ProgramRevision, program_ids=[program.pk])
    return revision


@transaction.atomic
def program_copy(*, program: Program, patient: Patient, user: User) -> Program:
    if patient.practice_id != program.patient.practice_id:
        raise ValidationError(_("Programs can only be copied within the practice."))
    copy = Program.objects.create(
        patient=patient,
        protocol=program.protocol,
        variant=program.variant,
        start_date=timezone.localdate(),
        weeks=program.weeks,
        affected_side="",
    )
    items = list(program.items.all())
    for item in items:
        item.pk = None
        item.program = copy
        item.warnings_kept, item.warnings_kept_by, item.warnings_kept_at = [], None, None
        item.warnings_kept_reason = ""
    ProgramItem.objects.bulk_create(items)
    access_log_record(
        user=user, patient=patient, action=AccessAction.COPY, detail=f"from program {program.pk}"
    )
    return copy


@transaction.atomic
def program_archive(*, program: Program, user: User) -> None:
    program.archived_at = timezone.now()
    program.save(update_fields=["archived_at"])
    access_log_record(
        user=user, patient=program.patient, action=AccessAction.ARCHIVE, detail=f"{program.pk}"
    )


# Ticks: written by the patient through their link, so no user and no access log.
# The form has already checked the item, day and session against today's plan.
# Each is one statement (update_or_create brings its own transaction), so
# atomic on its own.


def tick_save(
    *,
    program: Program,
    item_id: int,
    day: datetime.date,
    session: int,
    pain,
    note: str,
    source: str = TickSource.PHONE,
) -> ExerciseTick:
    """Mark one exercise done in one session; the same tick twice counts once."""
    tick, _created = ExerciseTick.objects.update_or_create(
        program=program,
        item_id=item_id,
        date=day,
        session=session,
        defaults={"pain": pain, "note": note.strip(), "source": source},
    )
    return tick


def tick_undo(*, program: Program, item_id: int, day: datetime.date, session: int) -> None:
    ExerciseTick.objects.filter(
        program=program, item_id=item_id, date=day, session=session
    ).delete()


@transaction.atomic
def session_tick_all(
    *,
    program: Program,
    item_ids: list[int],
    day: datetime.date,
    session: int,
    source: str = TickSource.PHONE,
) -> None:
    """The whole session done: tick every exercise not yet ticked, keep existing notes."""
    done = set(
        ExerciseTick.objects.filter(
            program=program, date=day, session=session, item_id__in=item_ids
        ).values_list("item_id", flat=True)
    )
    ExerciseTick.objects.bulk_create(
        [
            ExerciseTick(program=program, item_id=item_id, date=day, session=session, source=source)
            for item_id in item_ids
            if item_id not in done
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def ticks_enter_from_paper(
    *,
    program: Program,
    days: tuple[datetime.date, ...],
    allowed: set[tuple[int, datetime.date, int]],
    ticked: set[tuple[int, datetime.date, int]],
    user: User,
) -> tuple[int, int]:
    """Type in a returned paper schedule for some days: `ticked` (item id, date,
    session) boxes of the `allowed` ones. Ticks from the phone stay as they are;
    paper ticks follow the paper. Returns (added, removed)."""
    ticked = ticked & allowed
    existing = {
        (tick.item_id, tick.date, tick.session): tick
        for tick in ExerciseTick.objects.filter(program=program, date__in=days)
    }
    new = [
        ExerciseTick(
            program=program,
            item_id=item_id,
            date=day,
            session=session,
            source=TickSource.PAPER,
            entered_by=user,
        )
        for item_id, day, session in sorted(ticked - set(existing))
    ]
    ExerciseTick.objects.bulk_create(new)
    gone = [
        tick.pk
        for key, tick in existing.items()
        if tick.source == TickSource.PAPER and key in allowed and key not in ticked
    ]
    ExerciseTick.objects.filter(pk__in=gone).delete()
    access_log_record(
        user=user,
        patient=program.patient,
        action=AccessAction.CHANGE,
        detail=f"paper ticks {days[0].isoformat()}: +{len(new)} -{len(gone)}",
    )
    return len(new), len(gone)


# GDPR: erasure and retention ----------------------------------------------------------


@transaction.atomic
def patient_erase(*, patient: Patient, user: User) -> int:
    """Erase the patient (GDPR art. 17): the patient, their programs, revisions,
    ticks and links go; their cached handouts go with them (revisions_withdrawn).

    The access log keeps its lines about the patient, unchanged and in the
    chain: they refer to the patient by number only, and the number no longer
    leads to a name. One more line records the erasure itself. Returns the
    patient's former number."""
    number = patient.pk
    revision_ids = list(
        ProgramRevision.objects.filter(program__patient=patient).values_list("pk", flat=True)
    )
    access_log_record(user=user, patient=patient, action=AccessAction.ERASE)
    patient.delete()
    transaction.on_commit(
        lambda: revisions_withdrawn.send(sender=Patient, revision_ids=revision_ids)
    )
    return number


def retention_due(*, today: datetime.date) -> list[Program]:
    """Programs whose retention period after their end has passed and whose notes
    and ticks are still there."""
    cutoff = today - datetime.timedelta(days=settings.PROGRAM_DATA_RETENTION_DAYS)
    candidates = Program.objects.filter(
        data_removed_at__isnull=True, start_date__lte=cutoff
    ).select_related("patient__practice")
    return [program for program in candidates if program.ended_on <= cutoff]


@transaction.atomic
def program_apply_retention(*, program: Program) -> None:
    """Remove what an ended program gathered about the patient once the retention
    period has passed: the ticks (with pain and notes), the therapist's notes in
    the draft and in every published revision, and the printed handouts. The
    exercises and doses stay, so the program can still be read and copied."""
    revisions = list(program.revisions.all())
    program.ticks.all().delete()
    program.items.update(note="")
    for revision in revisions:
        revision.snapshot = snapshot_without_notes(revision.snapshot)
        revision.save(update_fields=["snapshot"])
    program.data_removed_at = timezone.now()
    _save_with_new_draft_version(program, "data_removed_at")  # the editor's lines showed the notes
    access_log_append(
        patient=program.patient,
        action=AccessAction.RETENTION,
        on_behalf_of="retention period",
        detail=f"program {program.pk}: notes, ticks and handouts removed",
    )
    revision_ids = [revision.pk for revision in revisions]
    transaction.on_commit(
        lambda: revisions_withdrawn.send(sender=Program, revision_ids=revision_ids)
    )
