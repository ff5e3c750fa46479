"""The comparison table: 2 to 10 clusters side by side, built once for the page, the downloads and the API.

Sections, each row one attribute, each column one cluster (in the order asked for):
- 概况: field, tier, batch, status, provinces, cities, 起步年份, lead enterprises.
- 指标: one row per (indicator, scope). A scoped figure (南京: 高压继电保护设备 80%) is another row than the
  whole cluster's figure of that indicator, labelled with its scope: they measure different things. A cell
  holds the latest value of its row, as the source states it (超过/约), with its period (“据2021年报道” where
  the period is only the report's year), its note and its source.
- 目标: one row per (indicator, target year); a cell is the target with its progress (`clusters.progress`).
- 动态评估: each cluster's latest current published record (`EvaluationRecord.objects.current()`; latest
  period, then evaluation date, then revision): period and type, total, grade, conclusion, then one row per
  dimension name.
A row where every cluster is empty is left out. Charts: one per (indicator, scope) that at least two of
the clusters have values for in at least two periods each, one line per cluster that has values.

Sources are numbered once, in order of first appearance (the clusters' own sources, the rows, then the
charts' earlier values), and every surface uses those numbers. Words come from `clusters.formatting`, in
the active language.

Queries: the clusters and seven prefetches (cities, lead enterprises, sources, indicator values, targets,
current evaluations, their scores): eight, whether 2 or 10 clusters are compared (tests/test_compare.py).
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from clusters import formatting, selectors
from clusters.models import EvaluationRecord, IndicatorValue, Target
from clusters.progress import Status, latest_by_indicator, period_position, target_progress

from .selection import Selection, parse, unknown_error
from .table import Cell, Chart, Comparison, Line, Row

# Reading -----------------------------------------------------------------------------------------------------------


def comparison_queryset(user=None):
    """The clusters `user` may see, with everything the table reads, in eight queries for any number of them."""
    return (
        selectors.cluster_list(selectors.clusters_visible_to(user))
        .select_related("batch__source")
        .prefetch_related(
            "sources",
            Prefetch(
                "indicator_values",
                queryset=IndicatorValue.objects.select_related("indicator", "source").order_by("id"),
            ),
            Prefetch("targets", queryset=Target.objects.select_related("indicator", "source")),
            Prefetch(
                "evaluations",
                queryset=selectors.evaluation_records(EvaluationRecord.objects.current()),
                to_attr="current_evaluations",
            ),
        )
    )


def compare(selection, user=None):
    """The comparison of the selected clusters (a `Selection`, or slugs), as `user` may see them.

    Raises CompareError naming every slug that is unknown or not visible to `user` (the same words for both).
    """
    if not isinstance(selection, Selection):
        selection = parse(selection)
    if not selection.slugs:
        return Comparison(selection)
    found = {cluster.slug: cluster for cluster in comparison_queryset(user).filter(slug__in=selection.slugs)}
    missing = [slug for slug in selection.slugs if slug not in found]
    if missing:
        raise unknown_error(missing)
    clusters = [found[slug] for slug in selection.slugs]

    rows = [*_overview(clusters), *_indicators(clusters), *_targets(clusters), *_evaluation(clusters)]
    rows = [row for row in rows if any(cell is not None and cell.text for cell in row.cells)]
    for row in rows:
        for cell, cluster in zip(row.cells, clusters, strict=True):
            if cell is not None:
                cell.cluster = cluster
                cell.is_synthetic = cell.is_synthetic or cluster.is_synthetic
                cell.sources = list({source.pk: source for source in cell.sources if source is not None}.values())
    charts = _charts(clusters)
    sources, citations = _number_sources(clusters, rows, charts)
    return Comparison(selection, clusters, rows, charts, sources, citations)


def _number_sources(clusters, rows, charts):
    numbers, sources = {}, []
    cited = [
        *(source for cluster in clusters for source in cluster.sources.all()),
        *(source for row in rows for cell in row.cells if cell is not None for source in cell.sources),
        *(value.source for chart in charts for line in chart.lines for value in line.values),
    ]
    for source in cited:
        if source is not None and source.pk not in numbers:
            numbers[source.pk] = len(numbers) + 1
            sources.append(source)
    return sources, numbers


# Rows --------------------------------------------------------------------------------------------------------------


def _row(key, section, label, clusters, cell_of, **extra):
    return Row(key, section, label, [cell_of(cluster) for cluster in clusters], **extra)


def _batch(cluster):
    batch = cluster.batch
    if batch is None:
        return None
    rank = _("第 %(rank)s 名") % {"rank": cluster.rank_in_batch} if cluster.rank_in_batch else ""
    return Cell(batch.name, detail=rank, sources=[batch.source])


def _enterprises(cluster):
    leads = list(cluster.lead_enterprises.all())
    if not leads:
        return None
    return Cell(_("、").join(lead.enterprise.name for lead in leads), sources=[lead.source for lead in leads])


def _overview(clusters):
    sep = _("、")
    return [
        _row("field", "overview", _("领域"), clusters, lambda c: Cell(formatting.loc(c.field))),
        _row("tier", "overview", _("层级"), clusters, lambda c: Cell(str(c.get_tier_display()))),
        _row("batch", "overview", _("批次"), clusters, _batch),
        _row("status", "overview", _("状态"), clusters, lambda c: Cell(str(c.get_status_display()))),
        _row(
            "provinces",
            "overview",
            _("省级行政区"),
            clusters,
            lambda c: Cell(sep.join(map(formatting.loc, c.provinces))),
        ),
        _row(
            "cities",
            "overview",
            _("城市"),
            clusters,
            lambda c: Cell(sep.join(map(formatting.loc, c.cities.all())), detail=c.area_note),
        ),
        _row(
            "origin_year",
            "overview",
            _("起步年份"),
            clusters,
            lambda c: Cell(str(c.origin_year), detail=c.origin_note) if c.origin_year else None,
        ),
        _row("lead_enterprises", "overview", _("链主企业"), clusters, _enterprises),
    ]


def _indicator_label(indicator):
    """'国内市场占有率（%）', 'Domestic market share (%)'."""
    return f"{formatting.loc(indicator)}{formatting.in_parentheses(indicator.unit)}"


def _later(value, other):
    """Of two values of one row, the later period (the one recorded last within a period)."""
    if other is None:
        return value
    return max(value, other, key=lambda v: (period_position(v.period), v.pk))


def _value_cell(value):
    return Cell(
        formatting.value_figure(value),
        detail=formatting.value_period(value),
        note=value.note,
        sources=[value.source],
        value=value.value,
        qualifier=value.qualifier,
        period=value.period,
        period_is_report_year=value.period_is_report_year,
        is_synthetic=value.is_synthetic,
    )


def _series_keys(clusters):
    """(indicator, scope) -> the indicator, in the cluster page's order: indicator order, the whole cluster's
    figure first, then each scope in the order it was first recorded (the source's order)."""
    first = {}
    for cluster in clusters:
        for value in cluster.indicator_values.all():
            key = (value.indicator_id, value.scope)
            if key not in first or value.pk < first[key][1]:
                first[key] = (value.indicator, value.pk)
    ordered = sorted(first.items(), key=lambda item: (item[1][0].order, item[1][0].code, item[0][1] != "", item[1][1]))
    return {key: indicator for key, (indicator, _pk) in ordered}


def _indicators(clusters):
    keys = _series_keys(clusters)
    latest = [{} for _cluster in clusters]
    for column, cluster in enumerate(clusters):
        for value in cluster.indicator_values.all():
            key = (value.indicator_id, value.scope)
            latest[column][key] = _later(value, latest[column].get(key))
    rows = []
    for (indicator_id, scope), indicator in keys.items():
        cells = [
            _value_cell(by_key[indicator_id, scope]) if (indicator_id, scope) in by_key else None for by_key in latest
        ]
        key = f"indicator:{indicator.code}" + (f":{scope}" if scope else "")
        label = _indicator_label(indicator)
        rows.append(Row(key, "indicators", label, cells, indicator=indicator, scope=scope))
    return rows


def progress_words(progress, latest):
    """'进度落后 · 最新 超过 2000 亿元（2020） · 完成 50%', in the words of the cluster page."""
    words = [str(progress.label)]
    if latest is not None:
        figure = formatting.value_figure(latest)
        words.append(f"{_('最新')} {figure}{formatting.in_parentheses(formatting.value_period(latest))}")
        if progress.status != Status.ACHIEVED and progress.percent is not None:
            words.append(_("完成 %(percent)s%%") % {"percent": formatting.number(progress.percent, "count")})
    text = " · ".join(words)
    return f"{text} {_('（按下限计）')}" if progress.value_is_bound else text


def _target_cell(target, latest):
    indicator = target.indicator
    progress = target_progress(target, latest)
    baseline = ""
    if target.baseline_value is not None:
        baseline = _("基期：%(year)s 年 %(value)s") % {
            "year": target.baseline_year,
            "value": formatting.amount(target.baseline_value, indicator.unit, indicator.kind),
        }
    return Cell(
        formatting.target_figure(target.target_value, target.qualifier, indicator.unit, indicator.kind),
        detail=baseline,
        progress=progress,
        progress_text=progress_words(progress, latest),
        sources=[target.source, latest.source if latest else None],
        value=target.target_value,
        qualifier=target.qualifier,
        period=str(target.target_year),
    )


def _targets(clusters):
    found = {}
    cells = [{} for _cluster in clusters]
    for column, cluster in enumerate(clusters):
        # The cluster's own figures, whole-cluster only: the one rule for progress (clusters.progress).
        latest = latest_by_indicator(cluster.indicator_values.all())
        for target in cluster.targets.all():
            key = (target.indicator_id, target.target_year)
            found[key] = target.indicator
            cells[column][key] = _target_cell(target, latest.get(target.indicator_id))
    rows = []
    for key, indicator in sorted(found.items(), key=lambda item: (item[1].order, item[1].code, item[0][1])):
        year = key[1]
        label = f"{_indicator_label(indicator)} · {_('%(year)s 年') % {'year': year}}"
        rows.append(
            Row(f"target:{indicator.code}:{year}", "targets", label, [by_key.get(key) for by_key in cells], indicator)
        )
    return rows


def latest_record(records):
    """The latest of a cluster's current published records: latest period, then evaluation date, then revision."""
    return max(
        records,
        key=lambda r: (period_position(r.period), r.evaluated_on.toordinal() if r.evaluated_on else 0, r.revision),
        default=None,
    )


def _evaluation(clusters):
    records = [latest_record(cluster.current_evaluations) for cluster in clusters]

    def cells(cell_of):
        return [cell_of(record) if record is not None else None for record in records]

    def cited(record, text, **extra):
        return Cell(text, sources=[record.source], is_synthetic=record.is_synthetic, **extra) if text else None

    def period(record):
        body = " · ".join(filter(None, [record.evaluating_body, record.scheme.name if record.scheme else ""]))
        return cited(record, f"{record.period} · {record.get_evaluation_type_display()}", detail=body)

    def total(record):
        return cited(record, formatting.plain(record.total), value=record.total)

    rows = [
        Row("evaluation:period", "evaluation", _("评估期"), cells(period)),
        Row("evaluation:total", "evaluation", _("总分"), cells(total)),
        Row("evaluation:grade", "evaluation", _("等级"), cells(lambda r: cited(r, str(r.get_grade_display())))),
        Row(
            "evaluation:conclusion",
            "evaluation",
            _("结论"),
            cells(lambda r: cited(r, str(r.get_conclusion_display()))),
        ),
    ]
    # Dimensions by name, in the order the first scheme lists them: schemes that share a name share a row.
    scores = [{s.dimension.name: s for s in record.scores.all()} if record else {} for record in records]
    names = list(dict.fromkeys(name for by_name in scores for name in by_name))
    for name in names:
        row_cells = []
        for record, by_name in zip(records, scores, strict=True):
            score = by_name.get(name)
            row_cells.append(
                cited(
                    record,
                    formatting.plain(score.score),
                    detail=f"{_('满分')} {formatting.plain(score.dimension.max_score)}",
                    value=score.score,
                )
                if score
                else None
            )
        rows.append(Row(f"dimension:{name}", "evaluation", name, row_cells))
    return rows


def _charts(clusters):
    series = {}
    for column, cluster in enumerate(clusters):
        for value in cluster.indicator_values.all():
            series.setdefault((value.indicator_id, value.scope), {}).setdefault(column, []).append(value)
    charts = []
    for key, indicator in _series_keys(clusters).items():
        by_column = series[key]
        moving = [values for values in by_column.values() if len({v.period for v in values}) >= 2]
        if len(moving) < 2:
            continue
        lines = [
            Line(column, clusters[column], sorted(values, key=lambda v: (period_position(v.period), v.pk)))
            for column, values in sorted(by_column.items())
        ]
        scope = key[1]
        charts.append(Chart(f"{indicator.code}:{scope}" if scope else indicator.code, indicator, scope, lines))
    return charts
