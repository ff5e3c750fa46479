"""portal.template_tags: `{% url %}`, `{% translate %}` and `{% static %}` remembered per process must write
exactly what Django's own tags write, in every form, in both languages; and the project's templates must
use them (a `{% load i18n %}` or `{% load static %}` would quietly put Django's slower tags back)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Engine, RequestContext, engines
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch
from django.utils import translation

from portal import template_tags

# Each template is rendered by the project's engine and by a stock Django engine (with `{% load i18n static %}`).
FORMS = [
    "{% url 'clusters:list' %}",
    '{% url "clusters:home" as home %}[{{ home }}]',
    "{% url 'clusters:detail' slug='shanghai-ic' %}",
    "{% url 'clusters:detail' 'shanghai-ic' %}",
    "{% url view_name %}",
    "{% url 'admin:index' %}",
    "{% url 'no-such-page' as missing %}[{{ missing }}]",
    '{% translate "集群名录" %}',
    '{% trans "集群名录" %}',
    '{% translate "《" context "title" %}',
    '{% translate "《" context word %}',
    '{% translate "集群名录" as title %}[{{ title }}]',
    '{% translate "集群名录" noop %}',
    '{% translate "集群名录"|lower %}',
    "{% translate message %}",
    '{% translate "完成 100% · 50%%" %}',
    '{% translate "<b>粗体</b> & 符号" %}',
    '{% autoescape off %}{% translate "<b>粗体</b>" %}{% url "clusters:list" %}{% endautoescape %}',
    "{% blocktranslate count n=2 %}共 {{ n }} 个集群{% plural %}共 {{ n }} 个集群{% endblocktranslate %}",
    "{% static 'css/portal.css' %}",
    '{% static "img/a b&c.svg" %}',
    "{% static path %}",
    "{% static 'css/portal.css' as css %}[{{ css }}]",
    "{% get_static_prefix %}",
]
CONTEXT = {"view_name": "clusters:rankings", "word": "title", "message": "首页", "path": "js/portal.js"}


def stock_engine():
    return Engine(libraries={"i18n": "django.templatetags.i18n", "static": "django.templatetags.static"})


def render(engine, source, language, prefix=""):
    request = RequestFactory().get("/")
    request.current_app = "admin"
    with translation.override(language):
        return engine.from_string(prefix + source).render(RequestContext(request, CONTEXT))


@pytest.mark.parametrize("source", FORMS)
def test_each_form_writes_what_djangos_tag_writes(source):
    ours, stock = engines["django"].engine, stock_engine()
    for language in ("zh-hans", "en", "zh-hans"):  # the second Chinese pass reads what the first remembered
        assert render(ours, source, language) == render(stock, source, language, "{% load i18n static %}")


def test_a_name_that_does_not_reverse_raises_as_in_django():
    with pytest.raises(NoReverseMatch):
        render(engines["django"].engine, "{% url 'no-such-page' %}", "zh-hans")


def test_a_literal_tag_is_answered_from_the_memo(monkeypatch):
    engine = engines["django"].engine
    source = "{% url 'clusters:list' %} {% translate '集群名录' %} {% static 'css/portal.css' %}"
    first = render(engine, source, "en")

    def fail(*args, **kwargs):
        raise AssertionError("asked Django again")

    for name in ("reverse", "gettext"):
        monkeypatch.setattr(template_tags, name, fail)
    monkeypatch.setattr(template_tags.StaticNode, "handle_simple", fail)
    assert render(engine, source, "en") == first == "/en/clusters/ Clusters " + f"{settings.STATIC_URL}css/portal.css"


def test_a_changed_setting_is_not_answered_from_the_memo():
    engine = engines["django"].engine
    assert render(engine, "{% static 'css/portal.css' %}", "zh-hans") == f"{settings.STATIC_URL}css/portal.css"
    with override_settings(STATIC_URL="/assets/"):
        assert render(engine, "{% static 'css/portal.css' %}", "zh-hans") == "/assets/css/portal.css"


TEMPLATES = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_a_project_template_uses_the_remembered_tags(path):
    loads = re.findall(r"\{%\s*load\s+([^%]*?)\s*%\}", path.read_text())
    assert not {"i18n", "static"} & {name for load in loads for name in load.split()}, (
        f"{path.name} loads Django's i18n or static tags over the remembered ones (portal.template_tags)"
    )
