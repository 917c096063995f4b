from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def is_mapping(value) -> bool:
    return isinstance(value, dict)


@register.filter
def is_list(value) -> bool:
    return isinstance(value, list)


@register.filter
def is_nested(value) -> bool:
    """A part of its own: a related record, or a list of them (a list of plain values stays inline)."""
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict) for v in value))


@register.filter
def shown(value) -> str:
    """A value as text for the readable copy: yes/no for booleans, a dash for nothing."""
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if value in (None, ""):
        return "–"
    return str(value)


class HeadingNode(template.Node):
    def __init__(self, level, nodelist):
        self.level, self.nodelist = level, nodelist

    def render(self, context):
        level = min(max(int(self.level.resolve(context) or 3), 2), 6)
        return format_html(
            '<h{} class="utrecht-heading-{}">{}</h{}>', level, level, self.nodelist.render(context), level
        )


@register.tag
def heading(parser, token):
    """`{% heading level %}text{% endheading %}`: a heading of the given level (2–6), so nested parts
    of the copy keep a correct heading outline."""
    _, level = token.split_contents()
    nodelist = parser.parse(("endheading",))
    parser.delete_first_token()
    return HeadingNode(parser.compile_filter(level), nodelist)
