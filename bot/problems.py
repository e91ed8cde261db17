"""Error answers as the OpenAPI schema declares them: ``{"detail": "why"}`` for refusals, and
FastAPI's own 422 shape (``{"detail": [{"loc", "msg", "type"}]}``) for input the gateway cannot
take, whether a model or a route refused it."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel


class Problem(BaseModel):
    detail: str


def problems(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router: each status code answers a :class:`Problem`."""
    return {code: {"model": Problem, "description": text} for code, text in descriptions.items()}


def invalid(loc: tuple[str, ...], why: str) -> RequestValidationError:
    """A 422 for input a route refused after the models accepted it (a rule across fields)."""
    return RequestValidationError([{"loc": loc, "msg": why, "type": "value_error"}])
