"""The public rankings page (/rankings/): a thin view over clusters.rankings."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from clusters import rankings, selectors


@require_safe
def rankings_view(request):
    """GET `scheme` (code), `period`, `field` (slug), `province` (GB/T 2260 code); defaults to the latest ranking."""
    schemes = list(rankings.schemes_with_rankings())
    code = request.GET.get("scheme")
    if code:
        scheme = next((s for s in schemes if s.code == code), None)
        if scheme is None:
            raise Http404("没有这个评估方案的已发布排名。")
    else:
        scheme = schemes[0] if schemes else None

    periods = rankings.periods_for(scheme) if scheme else []
    period = request.GET.get("period") or (periods[0] if periods else None)
    if period is not None and period not in periods:
        raise Http404("该评估方案在这一期没有已发布的排名。")

    options = selectors.filter_options()
    field_slug = request.GET.get("field") or None
    province_code = request.GET.get("province") or None
    if field_slug and field_slug not in {f.slug for f in options["fields"]}:
        field_slug = None
    if province_code and province_code not in {p.code for p in options["provinces"]}:
        province_code = None

    result = rankings.ranking(scheme, period, field_slug=field_slug, province_code=province_code)
    return render(
        request,
        "clusters/rankings.html",
        {
            "ranking": result,
            "schemes": schemes,
            "periods": periods,
            "fields": options["fields"],
            "provinces": options["provinces"],
            "selected_field": field_slug or "",
            "selected_province": province_code or "",
            "has_synthetic": any(row.is_synthetic for row in result.rows),
        },
    )
