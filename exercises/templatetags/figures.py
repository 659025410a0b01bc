"""{% exercise_figure exercise as figure %}: the exercise's figure for this page.

The variant comes from the page: `snapshot` (a published program: its variant,
so a patient with an above-knee amputation sees the figure without a lower leg)
or the tag's `variant` argument; without one, the library's choice.
"""

from django import template

from exercises.figures.lookup import figure_of, figures_of

register = template.Library()


@register.simple_tag(takes_context=True)
def exercise_figure(context, exercise, variant=""):
    if not variant:
        snapshot = context.get("snapshot")
        variant = getattr(getattr(snapshot, "variant", None), "slug", "") or ""
    return figure_of(exercise.slug, variant)


@register.simple_tag
def exercise_figures(exercise):
    return figures_of(exercise.slug)
