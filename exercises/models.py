"""The exercise library: leaflets, their exercises and the exercises' photos.

Exercise text is the source leaflet's, word for word (see fixtures/README.md);
the dose fields live in the abstract `Dose` so a program item can carry its own
copy of exactly the same shape.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from exercises.text import searchable


class LocalisedNameMixin:
    """Lookup rows carry a Dutch `name` and an English `name_en`."""

    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        if (get_language() or "nl").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def __str__(self) -> str:
        return self.display_name


class Leaflet(models.Model):
    slug = models.SlugField(primary_key=True, max_length=60)
    title = models.CharField(_("title"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    source_file = models.CharField(_("source file name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("leaflet")
        verbose_name_plural = _("leaflets")

    def __str__(self) -> str:
        return self.title

    @property
    def source_line(self) -> str:
        """How a page or handout names the source: publisher, title."""
        return f"{self.publisher}, {self.title}" if self.publisher else self.title


class ProtocolVariant(LocalisedNameMixin, models.Model):
    """A variant of a leaflet's protocol: transtibial, anterior approach, knee OA..."""

    slug = models.SlugField(primary_key=True, max_length=40)
    leaflet = models.ForeignKey(
        Leaflet, on_delete=models.PROTECT, related_name="variants", verbose_name=_("leaflet")
    )
    name = models.CharField(_("name (Dutch)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("protocol variant")
        verbose_name_plural = _("protocol variants")


class Equipment(LocalisedNameMixin, models.Model):
    slug = models.SlugField(primary_key=True, max_length=40)
    name = models.CharField(_("name (Dutch)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    # A sling trainer or a sports frame is in the practice's gym, not at home:
    # protocols leave such exercises out of the home program by default.
    gym_only = models.BooleanField(_("only in a gym or practice"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")


class Category(models.TextChoices):
    MOBILITY = "mobility", _("Mobility")
    STRENGTH = "strength", _("Strength")
    AEROBIC = "aerobic", _("Aerobic")
    RANGE_OF_MOTION = "range_of_motion", _("Range of motion / stretch")
    BALANCE = "balance", _("Balance")
    POSITIONING = "positioning", _("Positioning")


class BodyRegion(models.TextChoices):
    HIP = "hip", _("Hip")
    KNEE = "knee", _("Knee")
    LEG = "leg", _("Leg")
    ANKLE_FOOT = "ankle_foot", _("Ankle and foot")
    TRUNK = "trunk", _("Trunk and back")
    WHOLE_BODY = "whole_body", _("Whole body")


class Position(models.TextChoices):
    SUPINE = "supine", _("Lying on your back")
    PRONE = "prone", _("Lying on your stomach")
    SIDE_LYING = "side_lying", _("Lying on your side")
    SITTING = "sitting", _("Sitting")
    STANDING = "standing", _("Standing")
    HANDS_KNEES = "hands_knees", _("On hands and knees")
    ON_BALL = "on_ball", _("On a ball")
    KNEELING = "kneeling", _("Kneeling")


def pictogram_path(position: str) -> str:
    """The static path of the drawing of a starting position; the one place it is built."""
    return f"exercises/pictograms/{position}.svg"


class VariationKind(models.TextChoices):
    """How a variation relates to the exercise; a plain variation gets no label."""

    EASIER = "easier", _("Easier")
    HARDER = "harder", _("Harder")
    VARIANT = "variant", _("Variation")


class HoldUnit(models.TextChoices):
    SECONDS = "seconds", _("seconds")
    COUNTS = "counts", pgettext_lazy("hold unit", "counts")
    # Balance exercises say "een paar seconden" or "zo lang mogelijk": no number,
    # so no timer pushes an older person to stand on one leg for 30 seconds.
    A_FEW_SECONDS = "few_seconds", _("a few seconds")
    AS_LONG_AS_YOU_CAN = "as_long", _("as long as you can")


class Progression(models.TextChoices):
    """What grows week by week (from a start, by a step, up to a target)."""

    NONE = "", _("nothing: the same every week")
    REPS = "reps", _("repetitions")
    HOLD = "hold", _("hold")
    MINUTES = "minutes", _("minutes")


class DoseSource(models.TextChoices):
    LEAFLET = "leaflet", _("From the leaflet")
    DEFAULT = "default", _("App default (the leaflet gives no dose)")


def _count_field(verbose_name, maximum: int):
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(maximum)],
    )


# Upper bounds for any dose: generous for real programs, refusing absurd input.
MAX_SETS = 10
MAX_REPS = 100
MAX_HOLD = 600
MAX_REST_SECONDS = 600
MAX_DURATION_MINUTES = 240
MAX_TIMES_PER_DAY = 10
MAX_PROGRESSION = 600  # the largest of the quantities a progression may grow

NEXT_STAGE_KEYS = {"variant", "sets", "start", "step", "target", "target_max"}


class Dose(models.Model):
    """How much of an exercise: a value, or a range when *_max is set.

    A `*_max` left empty means the value is fixed at `*_min`. One quantity may
    grow week by week (`progression`): it starts at `progression_start`, adds
    `progression_step` each week and stops at `progression_target` (the patient
    may go on to `progression_target_max`). `next_stage` is the leaflet's harder
    variant that follows once the target is reached, again from a low start:
    {"variant": index into the exercise's variations, "sets", "start", "step",
    "target", "target_max"}. `days_per_week_*` is a weekly target, met on any
    days unless the therapist fixes them.
    """

    sets_min = _count_field(pgettext_lazy("dose", "sets"), MAX_SETS)
    sets_max = _count_field(pgettext_lazy("dose", "sets (up to)"), MAX_SETS)
    reps_min = _count_field(_("repetitions"), MAX_REPS)
    reps_max = _count_field(_("repetitions (up to)"), MAX_REPS)
    reps_per_side = models.BooleanField(_("repetitions on each side"), default=False)
    hold_min = _count_field(pgettext_lazy("dose", "hold"), MAX_HOLD)
    hold_max = _count_field(pgettext_lazy("dose", "hold (up to)"), MAX_HOLD)
    hold_unit = models.CharField(
        _("hold unit"), max_length=12, choices=HoldUnit.choices, blank=True
    )
    rest_seconds_min = _count_field(_("rest between sets (seconds)"), MAX_REST_SECONDS)
    rest_seconds_max = _count_field(_("rest between sets, up to (seconds)"), MAX_REST_SECONDS)
    duration_minutes = _count_field(_("duration (minutes)"), MAX_DURATION_MINUTES)
    times_per_day_min = _count_field(_("times per day"), MAX_TIMES_PER_DAY)
    times_per_day_max = _count_field(_("times per day (up to)"), MAX_TIMES_PER_DAY)
    days_per_week_min = _count_field(_("days per week"), 7)
    days_per_week_max = _count_field(_("days per week (up to)"), 7)
    borg_min = models.PositiveSmallIntegerField(
        _("intensity (Borg 6-20)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(6), MaxValueValidator(20)],
    )
    borg_max = models.PositiveSmallIntegerField(
        _("intensity up to (Borg 6-20)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(6), MaxValueValidator(20)],
    )
    progression = models.CharField(
        _("builds up"), max_length=10, choices=Progression.choices, blank=True
    )
    progression_start = _count_field(_("start (week 1)"), MAX_PROGRESSION)
    progression_step = _count_field(_("more each week"), MAX_PROGRESSION)
    progression_target = _count_field(_("target"), MAX_PROGRESSION)
    progression_target_max = _count_field(_("target, up to"), MAX_PROGRESSION)
    next_stage = models.JSONField(_("next stage"), null=True, blank=True, default=None)

    RANGE_PAIRS = (
        ("sets_min", "sets_max"),
        ("reps_min", "reps_max"),
        ("hold_min", "hold_max"),
        ("rest_seconds_min", "rest_seconds_max"),
        ("times_per_day_min", "times_per_day_max"),
        ("days_per_week_min", "days_per_week_max"),
        ("borg_min", "borg_max"),
        ("progression_start", "progression_target"),
        ("progression_target", "progression_target_max"),
    )

    class Meta:
        abstract = True

    @classmethod
    def range_constraints(cls, prefix: str) -> list[models.CheckConstraint]:
        """A database check per range: the upper bound is empty or not below the lower."""
        return [
            models.CheckConstraint(
                condition=Q(**{f"{high}__isnull": True})
                | Q(**{f"{low}__isnull": True})
                | Q(**{f"{high}__gte": F(low)}),
                name=f"{prefix}_{low}_le_{high}",
            )
            for low, high in cls.RANGE_PAIRS
        ]

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.progression and (self.progression_start is None or self.progression_target is None):
            errors["progression_target"] = _("A build-up needs a start and a target.")
        if self.next_stage is not None and not _valid_stage(self.next_stage):
            errors["next_stage"] = _("The next stage names a variation and its start and target.")
        if errors:
            raise ValidationError(errors)

    @property
    def has_dose(self) -> bool:
        return any(
            getattr(self, field) is not None
            for field in (
                "sets_min",
                "reps_min",
                "progression_start",
                "hold_min",
                "duration_minutes",
            )
        ) or self.hold_unit in (HoldUnit.A_FEW_SECONDS, HoldUnit.AS_LONG_AS_YOU_CAN)


def _valid_stage(stage) -> bool:
    if not isinstance(stage, dict) or not set(stage) <= NEXT_STAGE_KEYS:
        return False
    numbers = [stage.get(key) for key in NEXT_STAGE_KEYS]
    if not all(value is None or (isinstance(value, int) and value >= 0) for value in numbers):
        return False
    return stage.get("start") is not None and stage.get("target") is not None


# Every field of a dose, for copying a dose from one row to another.
DOSE_FIELDS = [field.name for field in Dose._meta.local_fields]


class ExerciseManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> "Exercise":
        return self.get(slug=slug)


class Exercise(Dose):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    leaflet = models.ForeignKey(
        Leaflet, on_delete=models.PROTECT, related_name="exercises", verbose_name=_("leaflet")
    )
    number = models.CharField(_("number in the leaflet"), max_length=10)
    section = models.CharField(_("section in the leaflet"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order in the leaflet"), default=0)
    title = models.CharField(_("title"), max_length=200)
    title_from_leaflet = models.BooleanField(
        _("title is the leaflet's"),
        default=True,
        help_text=_("Off when the leaflet has no title and the app wrote one."),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    body_region = models.CharField(_("body region"), max_length=20, choices=BodyRegion.choices)
    position = models.CharField(_("starting position"), max_length=20, choices=Position.choices)
    equipment = models.ManyToManyField(
        Equipment, blank=True, related_name="exercises", verbose_name=_("equipment")
    )
    applies_to = models.ManyToManyField(
        ProtocolVariant,
        related_name="exercises",
        verbose_name=_("protocol variants it applies to"),
    )
    # Ordered lists of plain text, exactly as the leaflet gives them.
    steps = models.JSONField(_("steps"), default=list)
    variants = models.JSONField(
        _("variants"), default=list, blank=True, help_text=_("A list of {kind, text}.")
    )
    attention_points = models.JSONField(_("attention points"), default=list, blank=True)
    cautions = models.JSONField(_("cautions"), default=list, blank=True)
    # Where a step speaks to two variants at once ("above the knee (below-knee
    # amputation) or under the stump (above-knee)"), the steps as a patient of
    # one variant reads them, adapted from the leaflet and marked so:
    # {"transtibial": ["...", ...], "transfemoral": [...]}.
    steps_by_variant = models.JSONField(_("steps adapted per variant"), default=dict, blank=True)
    dose_source = models.CharField(
        _("dose source"), max_length=10, choices=DoseSource.choices, default=DoseSource.LEAFLET
    )
    dose_source_text = models.TextField(_("leaflet text the dose comes from"), blank=True)
    # What the app decided where the leaflet's dose leaves something open (how
    # much "a little more each week" is): shown to the therapist beside the dose.
    dose_note = models.TextField(_("what the app chose where the leaflet is open"), blank=True)
    # Lower-cased, accent-free copy of the texts, kept in step by the pre_save
    # signal (which also runs for loaddata), so "knieen" finds "knieën" with a
    # plain LIKE on SQLite and PostgreSQL alike.
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = ExerciseManager()

    class Meta:
        ordering = ["leaflet__order", "order", "pk"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        constraints = [
            *Dose.range_constraints("exercise"),
            models.UniqueConstraint(
                fields=["leaflet", "section", "number"], name="exercise_unique_number_in_section"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exercises:detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def pictogram(self) -> str:
        """Static path of the drawing for the starting position."""
        return pictogram_path(self.position)

    def steps_for(self, variant_slug: str) -> tuple[list[str], bool]:
        """The steps a patient of this variant reads, and whether they are adapted."""
        adapted = self.steps_by_variant.get(variant_slug)
        return (list(adapted), True) if adapted else (list(self.steps), False)

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.steps_by_variant, dict) or not all(
            isinstance(steps, list) and steps and all(isinstance(step, str) for step in steps)
            for steps in self.steps_by_variant.values()
        ):
            raise ValidationError({"steps_by_variant": _("Give each variant its list of steps.")})

    def build_search_text(self) -> str:
        parts = [self.title, *self.steps, *self.attention_points, *self.cautions]
        parts += [variant.get("text", "") for variant in self.variants]
        return searchable(" ".join(parts))


def exercise_photo_path(instance: "ExercisePhoto", filename: str) -> str:
    """A random name for every stored file (the photo and its thumbnail alike).

    Media files are served to anyone who knows their address, so the address
    must say nothing: not the exercise, not the practice, not the uploader's
    file name, and it cannot be guessed from another photo's (uuid4 is random).
    Every stored photo is a JPEG the app encoded itself.
    """
    return f"exercises/photos/{uuid.uuid4().hex}.jpg"


class ExercisePhoto(models.Model):
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="photos", verbose_name=_("exercise")
    )
    image = models.ImageField(_("photo"), upload_to=exercise_photo_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=exercise_photo_path)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    alt_text = models.CharField(_("description for screen readers"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Who sees a photo: the therapists and patients of the practice that uploaded
    # it, and everyone once a site admin (a superuser, in the Django admin) has
    # approved it for all. A photo of no practice that is not approved (made
    # before photos had an owner, or its practice is gone) is seen by nobody.
    # By string: the exercise library imports nothing of programs.
    practice = models.ForeignKey(
        "programs.Practice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exercise_photos",
        verbose_name=_("practice"),
    )
    approved_for_all = models.BooleanField(
        _("approved for every practice"),
        default=False,
        help_text=_("Only a site administrator approves a photo for every practice."),
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("exercise photo")
        verbose_name_plural = _("exercise photos")

    def __str__(self) -> str:
        return self.alt_text or self.exercise.title
