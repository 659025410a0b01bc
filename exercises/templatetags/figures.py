"""{% exercise_figure exercise as figure %}: the exercise's figure for this page.

The variant comes from the page: `snapshot` (a published program: its variant,
so a patient with an above-knee amputation sees the figure without a lower leg)
or the tag's `variant` argument; without one, the library's choice. An
amputation figure is mirrored to the program's affected side.
"""

from django import template

from exercises.figures.lookup import figure_of, figures_of

register = template.Library()


@register.simple_tag(takes_context=True)
def exercise_figure(context, exercise, variant="", affected_side=""):
    snapshot = context.get("snapshot")
    if not variant:
        variant = getattr(getattr(snapshot, "variant", None), "slug", "") or ""
        affected_side = getattr(snapshot, "affected_side", "") or ""
    return figure_of(exercise.slug, variant, affected_side)


@register.simple_tag
def exercise_figures(exercise):
    return figures_of(exercise.slug)
