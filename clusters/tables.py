"""What the list and ranking tables show of each row, computed in Python once per row instead of through
template lookups, filters and loops per cell.

At 5,025 clusters the template work per row (a `reverse()` for the link, a loop over provinces and one over
cities with a `{% translate %}` per separator, the lead enterprises sliced and looped) was most of the list
page's time after its queries. Here the detail URL comes from its pattern, reversed once per request, and
each list of names is one joined string (escaped by the template like any other value).
"""

import html
from types import SimpleNamespace
from urllib.parse import quote

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from clusters import selectors
from clusters.choices import ClusterStatus, Conclusion, Grade, Tier
from clusters.formatting import loc, original_name, plain
from clusters.models import Cluster

LEADS_SHOWN = 4  # lead enterprises a list row names
SLUG_MARKER = "cluster-slug-marker"


def fill(template, **values):
    """`format_html(template, **values)` without its per-value overhead (a lazy-string check on every escape,
    a third of the ranking table's time): each value is escaped as django.utils.html.conditional_escape does
    (HTML already, e.g. a SafeString, is kept; anything else goes through html.escape, as Django's escape)."""
    return mark_safe(  # every value escaped just above
        template.format(
            **{name: v.__html__() if hasattr(v, "__html__") else html.escape(str(v)) for name, v in values.items()}
        )
    )


def choice_labels(choices):
    """{value: label} of a TextChoices in the active language, each label translated once."""
    return {value: str(label) for value, label in choices.choices}


def url_maker(url_for):
    """`slug -> url_for(slug)` for every row of a table, download or API page, at the cost of one call: the URL
    is made once around a marker slug and split there (a reverse() per row was a large part of those pages).

    The slug is quoted as reverse() quotes it (a slug is ASCII letters, digits, - and _, so it stays as is)."""
    head, tail = url_for(SLUG_MARKER).rsplit(SLUG_MARKER, 1)
    return lambda slug: f"{head}{quote(slug, safe='')}{tail}"


def detail_url_maker(request=None):
    """`slug -> the cluster page's URL` in the active language; absolute with a request."""

    def url_for(slug):
        url = reverse("clusters:detail", kwargs={"slug": slug})
        return request.build_absolute_uri(url) if request else url

    return url_maker(url_for)


# The list table's body (rankings.html's rows likewise below): 20 rows of ~25 template nodes were most of the
# list page's rendering. The markup is the one cluster_list.html had.
LIST_ROW = (
    '<tr><td class="cell-pick" data-label="{pick_label}"><input type="checkbox" name="clusters" value="{slug}" '
    'aria-label="{pick}"{picked}></td>'
    '<th scope="row" class="cell-name"><a href="{url}">{name}</a>{original}{badge}{batch}</th>'
    '<td class="cell-field" data-label="{field_label}">{field}</td>'
    '<td data-label="{place_label}"><span>{provinces}<span class="meta">{cities}</span></span></td>'
    '<td data-label="{tier_label}"><span><span class="badge badge-tier">{tier}</span> '
    '<span class="badge status-{status}">{status_label}</span></span></td>'
    '<td data-label="{leads_label}"><span>{leads}</span></td></tr>'
)


def list_table_body(clusters, picked=()):
    """The <tr>s of the list table for `clusters` (from `list_rows`), in the active language; the clusters in
    `picked` (slugs picked for comparison) have a ticked, disabled box. Escaped by `fill`."""
    labels = {
        "pick_label": gettext("比较"),
        "field_label": gettext("领域"),
        "place_label": gettext("所在地"),
        "tier_label": gettext("层级 / 状态"),
        "leads_label": gettext("链主企业"),
    }
    badge = format_html(' <span class="badge badge-synthetic">{}</span>', gettext("演示数据"))
    none = mark_safe('<span class="muted">—</span>')
    tiers, statuses = choice_labels(Tier), choice_labels(ClusterStatus)
    pick = gettext("比较 %(name)s")
    rows = []
    for cluster in clusters:
        rows.append(
            fill(
                LIST_ROW,
                slug=cluster.slug,
                pick=pick % {"name": cluster.name},
                picked=mark_safe(" checked disabled") if cluster.slug in picked else "",
                url=cluster.url,
                name=cluster.label,
                original=format_html('<span class="meta" lang="zh-Hans">{}</span>', cluster.original)
                if cluster.original
                else "",
                badge=badge if cluster.is_synthetic else "",
                batch=format_html(' <span class="meta">{}</span>', cluster.batch) if cluster.batch else "",
                field=cluster.field,
                provinces=cluster.province_names,
                cities=cluster.city_names,
                tier=tiers.get(cluster.tier, cluster.tier),
                status=cluster.status,
                status_label=statuses.get(cluster.status, cluster.status),
                leads=cluster.lead_names or none,
                **labels,
            )
        )
    return mark_safe("".join(rows))  # each row escaped by fill


# What a list row reads of a cluster: a page of these as ``values()`` rows, then the page's cities (with their
# provinces) and lead enterprises in one query of tuples each. Model instances and their prefetches (5 kinds
# per row) cost more than the rest of the rows' work (issue 14).
LIST_ROW_FIELDS = (
    "id",
    "slug",
    "name",
    "name_en",
    "is_synthetic",
    "tier",
    "status",
    "batch__name",
    "field__name",
    "field__name_en",
)


class ListRow(SimpleNamespace):
    """One row of the list table, as `list_rows` writes it."""


Named = SimpleNamespace  # a name and its English form, read by `loc` as a model instance would be


def list_rows(rows):
    """The list table's rows for a page of `LIST_ROW_FIELDS` dicts: with the cluster's `url`, `label` (its name
    in the active language), `original` (the Chinese name beside an English one), `field`, `batch`,
    `province_names`, `city_names` and `lead_names` ('' for none). Cities and lead enterprises are memoised
    (``selectors.cities_of``, ``selectors.lead_names``): no query, whatever the page holds."""
    url = detail_url_maker()
    comma = gettext("、")
    language = get_language()  # read once: each read is a context-local lookup, 140 of them a page
    rows = list(rows)
    cities = selectors.cities_of([row["id"] for row in rows])
    leads = selectors.lead_names()
    result = []
    for row in rows:
        cluster = Named(name=row["name"], name_en=row["name_en"])
        field = Named(name=row["field__name"], name_en=row["field__name_en"])
        provinces = Cluster.provinces_in(cities[row["id"]])
        result.append(
            ListRow(
                **row,
                url=url(row["slug"]),
                label=loc(cluster, language=language),
                original=original_name(cluster, language),
                field=loc(field, language=language) if row["field__name"] else "",
                batch=row["batch__name"] or "",
                province_names=comma.join(loc(p, "short_name", language) for p in provinces),
                city_names=comma.join(loc(city, language=language) for city in cities[row["id"]]),
                lead_names=comma.join(leads.get(row["id"], ())[:LEADS_SHOWN]),
            )
        )
    return result


# The ranking table's body, written here rather than by a template loop: 50 rows of 20 nodes each were 1,000
# of the page's 1,336 template nodes and most of its time. The markup is the one rankings.html had.
RANKING_ROW = (
    '<tr><td class="rank" data-label="{rank_label}">{rank}</td>'
    '<td class="rank-change" data-label="{change_label}">{change}</td>'
    '<th scope="row" class="cell-name"><a href="{url}">{name}</a>{badge}<span class="meta">{field}</span></th>'
    '<td class="cell-province" data-label="{province_label}">{provinces}</td>'
    '<td class="score" data-label="{total_label}">{total}</td>'
    '<td class="word" data-label="{grade_label}">{grade}</td>'
    '<td class="word" data-label="{conclusion_label}">{conclusion}</td></tr>'
)
MOVED = '<span class="{direction}" title="{words}"><span aria-hidden="true">{arrow}{places}</span><span class="visually-hidden">{words}</span></span>'


def _change(row, words):
    """The change cell: 新 (not ranked before), ↑n / ↓n with the words for screen readers, or – (unchanged)."""
    if row.change is None:
        return words["new"]
    if row.change == 0:
        return words["unchanged"]
    up = row.change > 0
    moved = (
        ngettext("上升 %(n)s 位", "上升 %(n)s 位", row.places)
        if up
        else ngettext("下降 %(n)s 位", "下降 %(n)s 位", row.places)
    ) % {"n": row.places}
    return fill(MOVED, direction="up" if up else "down", words=moved, arrow="↑" if up else "↓", places=row.places)


def ranking_table_body(rows):
    """The <tr>s of the ranking table for `rows` (RankingRows), in the active language, escaped by `fill`."""
    url = detail_url_maker()
    comma = gettext("、")
    language = get_language()
    not_ranked = gettext("上一期未参评")
    unchanged = gettext("名次不变")
    words = {
        "new": format_html(
            '<span class="rank-new" title="{}">{}<span class="visually-hidden"> {}</span></span>',
            not_ranked,
            gettext("新"),
            not_ranked,
        ),
        "unchanged": format_html(
            '<span title="{}"><span aria-hidden="true">–</span><span class="visually-hidden">{}</span></span>',
            unchanged,
            unchanged,
        ),
    }
    labels = {
        "rank_label": gettext("名次"),
        "change_label": gettext("变化"),
        "province_label": gettext("所在省份"),
        "total_label": gettext("总分"),
        "grade_label": gettext("等级"),
        "conclusion_label": gettext("结论"),
    }
    badge = format_html(' <span class="badge badge-synthetic">{}</span>', gettext("演示数据"))
    # get_FOO_display() hashes every lazy choice label on each call: translate the labels once instead.
    grades, conclusions = choice_labels(Grade), choice_labels(Conclusion)
    cells = [
        fill(
            RANKING_ROW,
            rank=row.rank,
            change=_change(row, words),
            url=url(row.cluster.slug),
            name=loc(row.cluster, "display_name", language),
            badge=badge if row.is_synthetic else "",
            field=loc(row.cluster.field, language=language),
            provinces=comma.join(loc(p, language=language) for p in row.provinces),
            total=plain(row.total),
            grade=grades.get(row.record.grade) or "—",
            conclusion=conclusions.get(row.record.conclusion) or "—",
            **labels,
        )
        for row in rows
    ]
    return mark_safe("".join(cells))  # each row escaped by fill


def pager(query, page, page_range):
    """The pager of the list and the rankings: `page` and `page_range` from views.paginate, each link keeping
    the other parameters of `query` (request.GET) as `{% querystring page=… %}` would, and a gap (…) for the
    pages left out. '' for a single page. Escaped by `fill`.

    Written here, as the rows are: the template loop with a `{% querystring %}` per link cost 0.5 ms of the
    list page, one copy of the query string now serves every link."""
    if page.paginator.num_pages <= 1:
        return ""
    params = query.copy()

    def href(number):
        params["page"] = number
        return f"?{params.urlencode()}"

    def step(number, rel, text):  # the link to the previous or the next page
        return fill('  <a href="{href}" rel="{rel}">{text}</a>\n', href=href(number), rel=rel, text=text)

    parts = [fill('<nav class="pagination" aria-label="{label}">\n', label=gettext("分页"))]
    if page.has_previous():
        parts.append(step(page.previous_page_number(), "prev", "‹ " + gettext("上一页")))
    page_label = gettext("第 %(n)s 页")
    for number in page_range:
        if number == page.paginator.ELLIPSIS:
            parts.append(fill('  <span class="pagination-gap" aria-hidden="true">{gap}</span>\n', gap=number))
        elif number == page.number:
            parts.append(fill('  <span aria-current="page">{number}</span>\n', number=number))
        else:
            link = '  <a href="{href}" aria-label="{label}">{number}</a>\n'
            parts.append(fill(link, href=href(number), label=page_label % {"n": number}, number=number))
    if page.has_next():
        parts.append(step(page.next_page_number(), "next", gettext("下一页") + " ›"))
    parts.append("</nav>\n")
    return mark_safe("".join(parts))  # each part escaped by fill
