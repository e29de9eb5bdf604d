"""JSON bodies with numbers read as Decimals, so a figure keeps exactly the digits sent."""

from __future__ import annotations

import json
from decimal import Decimal

from rest_framework import exceptions, parsers


class ExactJSON(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = stream.read().decode("utf-8") if stream is not None else ""
            return json.loads(text, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(f"The body is not valid JSON: {error}") from None
