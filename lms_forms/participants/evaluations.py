"""Evaluation results in the admin: the evaluation forms, and each one's answers question by question,
as a chart drawn on the server (SVG) with its numbers in a table beside it, filtered by group, and as a
CSV or XLSX download. A selection with fewer answers than the threshold shows counts only."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from lms_pages.formats import local_number
from lms_pages.models import OfferingGroup

from ..models import EvaluationResponse
from ..models.evaluation import SCALE
from ..permissions import participants_only
from ..services.evaluations import min_answers, results
from ..transfer.columns import DATE_FORMAT, neutralise
from ..transfer.exporting import EXPORT_FORMATS, rows_response
from . import scope

# The drawing area of a chart, in the SVG's own units (it scales to the width it is given).
CHART_WIDTH = 440
CHART_HEIGHT = 160
BAR_GAP = 6
LABEL_SPACE = 22


@participants_only
def evaluations_view(request):
    pages = (
        scope.evaluation_pages(request)
        .annotate(
            answer_count=Count("responses", distinct=True),
            invited_count=Count("invitations", filter=Q(invitations__sent_at__isnull=False), distinct=True),
        )
        .order_by("title")
        .specific()
    )
    return TemplateResponse(request, "lms_forms/participants/evaluations.html", {"pages": pages})


def _page(request, pk):
    return get_object_or_404(scope.evaluation_pages(request), pk=pk)


def _chosen_group(request, page):
    groups = (
        list(OfferingGroup.objects.filter(offering__pk=page.offering_page.pk)) if page.offering_page else []
    )
    chosen = request.GET.get("group", "")
    group = next((group for group in groups if chosen.isdigit() and group.pk == int(chosen)), None)
    return groups, group


@participants_only
def results_view(request, pk):
    page = _page(request, pk)
    groups, group = _chosen_group(request, page)
    shown = results(page, group=group)
    for question in shown["questions"]:
        if "distribution" in question:
            question["chart"] = bar_chart(question["distribution"], vertical=question["kind"] == SCALE)
            question["mean_text"] = (
                local_number(question.get("mean"), 1) if question.get("mean") is not None else ""
            )
            question["median_text"] = (
                local_number(question.get("median"), 1) if question.get("median") is not None else ""
            )
    return TemplateResponse(
        request,
        "lms_forms/participants/evaluation_results.html",
        {
            "page": page,
            "groups": groups,
            "group": group,
            "results": shown,
            "rate_text": local_number(shown["rate"] * 100) if shown["rate"] is not None else "",
            "export_formats": [(key, fmt.label) for key, fmt in EXPORT_FORMATS.items() if key != "json"],
        },
    )


def bar_chart(distribution, *, vertical):
    """The geometry of a bar chart of [(label, count)]: columns for a scale, rows for choices."""
    peak = max((count for _label, count in distribution), default=0) or 1
    bars = []
    if vertical:
        step = CHART_WIDTH / len(distribution)
        for index, (label, count) in enumerate(distribution):
            height = (CHART_HEIGHT - LABEL_SPACE * 2) * count / peak
            bars.append(
                {
                    "label": label,
                    "count": count,
                    "x": round(index * step + BAR_GAP / 2, 1),
                    "y": round(CHART_HEIGHT - LABEL_SPACE - height, 1),
                    "width": round(step - BAR_GAP, 1),
                    "height": round(height, 1),
                    "label_x": round(index * step + step / 2, 1),
                    "label_y": CHART_HEIGHT - 6,
                    "count_y": round(CHART_HEIGHT - LABEL_SPACE - height - 5, 1),
                }
            )
        return {"vertical": True, "bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT}
    row = 28
    label_width = 160
    for index, (label, count) in enumerate(distribution):
        width = (CHART_WIDTH - label_width - 40) * count / peak
        bars.append(
            {
                "label": label,
                "count": count,
                "x": label_width,
                "y": index * row + 4,
                "width": round(width, 1),
                "height": row - 8,
                "label_x": label_width - 8,
                "label_y": index * row + row / 2 + 5,
                "count_x": round(label_width + width + 6, 1),
            }
        )
    return {"vertical": False, "bars": bars, "width": CHART_WIDTH, "height": max(row * len(bars), row)}


class EvaluationRows:
    """The answers of one evaluation as rows for a download: the day, the group, then each question."""

    def __init__(self, page, responses):
        self.page = page
        self.responses = responses
        self.fields = page.get_form_fields()

    def headers(self):
        return [neutralise(text) for text in [_("Answered on"), _("Group"), *(f.label for f in self.fields)]]

    def __iter__(self):
        for response in self.responses:
            values = [
                response.submitted_on.strftime(DATE_FORMAT),
                response.group.name if response.group else "",
            ]
            for field in self.fields:
                value = response.answers.get(field.clean_name, "")
                values.append(", ".join(map(str, value)) if isinstance(value, list) else value)
            yield [neutralise(value) for value in values]


@participants_only
def export_view(request, pk, export_format):
    page = _page(request, pk)
    if export_format not in EXPORT_FORMATS or export_format == "json":
        raise Http404
    _groups, group = _chosen_group(request, page)
    responses = (
        EvaluationResponse.objects.filter(page=page).select_related("group").order_by("submitted_on", "pk")
    )
    if group is not None:
        responses = responses.filter(group=group)
    if responses.count() < min_answers():
        messages.error(
            request,
            _("There are fewer than %(count)d answers, so they cannot be downloaded.")
            % {"count": min_answers()},
        )
        return redirect(reverse("participants_modeladmin_evaluation", args=[page.pk]))
    filename = f"evaluering-{page.slug}.{EXPORT_FORMATS[export_format].extension}"
    return rows_response(EvaluationRows(page, responses), export_format, filename)
