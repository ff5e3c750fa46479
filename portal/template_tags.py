"""Django's `{% url %}`, `{% translate %}` (`{% trans %}`) and `{% static %}`, answering from a per-process
memo where the answer is written in the template and cannot change while the process runs (issue 14).

Timed alone, a use cost 36 µs for `{% url %}` (a `reverse()`), 28 for `{% static %}` (the manifest's lookup)
and 8 for `{% translate %}` (a lazy translation and its catalogue search), against 2 µs for a variable.
The cluster page uses about 60 of them, the filtered list 40:
remembering them took 14–17% off each, in one process against the floor.
A remembered answer is keyed by everything Django's own answer depends on (the language; for a URL the
urlconf, the script prefix and the current app). Anything else (arguments, variables, filters, noop) takes
Django's own path, and so does a name that does not reverse.

A builtin library (settings.TEMPLATES), with the rest of Django's i18n and static tags: the project's
templates use these without `{% load i18n static %}`, which would put Django's own tags back (correct, only
slower). tests/test_template_tags.py renders every form of the three tags both ways and compares.
"""

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.templatetags import i18n, static
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, pgettext

register = template.Library()
for library in (i18n.register, static.register):
    register.tags.update(library.tags)
    register.filters.update(library.filters)

_answers = {}


def remembered(key, answer):
    """`answer()`, computed once per process for `key`. (Not `portal.caching.memoised`: these answers do not
    change with the data, so they need no data version read per request.)"""
    try:
        return _answers[key]
    except KeyError:
        value = _answers[key] = answer()
        return value


@receiver(setting_changed)
def forget(**_kwargs):
    """A test that overrides a setting (the static storage, the languages, the urlconf) gets fresh answers."""
    _answers.clear()


def is_literal(expression):
    """Whether a tag's argument is a constant written in the template (`"name"`, no filter)."""
    return isinstance(expression.var, str) and not expression.filters


class URLNode(defaulttags.URLNode):
    def render(self, context):
        if self.args or self.kwargs or not is_literal(self.view_name):
            return super().render(context)
        view_name = self.view_name.var
        try:  # the current app as Django's node finds it
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        # What reverse() reads besides the name: the urlconf (its resolver, new when a test swaps it), the
        # language (i18n_patterns' prefix), the script prefix and the current app.
        key = ("url", get_resolver(get_urlconf()), view_name, get_language(), get_script_prefix(), current_app)
        try:
            url = remembered(key, lambda: reverse(view_name, current_app=current_app))
        except NoReverseMatch:
            return super().render(context)  # raises, or gives "" with "as", as Django's node does
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)


class TranslateNode(i18n.TranslateNode):
    def render(self, context):
        # Django's node holds a quoted message as a literal Variable (no lookups).
        message_variable, context_word = self.filter_expression.var, self.message_context
        if (
            self.noop
            or self.filter_expression.filters
            or message_variable.lookups is not None
            or (context_word is not None and not is_literal(context_word))
        ):
            return super().render(context)
        # The literal is safe (the template's own text); its percent signs are doubled in the msgid, as
        # makemessages writes them, and undoubled after translation, as Django's node does.
        literal = message_variable.literal
        word = context_word.var if context_word is not None else None

        def translated():
            message = mark_safe(literal.replace("%", "%%"))
            text = gettext(message) if word is None else pgettext(word, message)
            return mark_safe(text.replace("%%", "%"))

        value = remembered(("translate", literal, word, get_language()), translated)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    return TranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


class StaticNode(static.StaticNode):
    def url(self, context):
        if not is_literal(self.path):
            return super().url(context)
        path = self.path.var
        return remembered(("static", path), lambda: self.handle_simple(path))


@register.tag("static")
def do_static(parser, token):
    return StaticNode.handle_token(parser, token)
