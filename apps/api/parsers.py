"""The API's JSON parser: DRF's, with a nesting limit.

Python's json module recurses once per level, so a body nested ~1,000 levels deep raised
RecursionError inside DRF (a 500); shallower but still deep bodies could reach the same
limit later (rendering errors, storing JSON). No API field needs more than a few levels.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _depth_exceeds(data, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = _depth_exceeds(data, MAX_DEPTH)
        if too_deep:
            raise ParseError(
                f"The JSON body is nested too deeply (more than {MAX_DEPTH} levels of arrays "
                "and objects); no field of this API needs more than a few. Send the fields "
                "the endpoint documents."
            )
        return data
