"""Bulk writes for the import: plain-value INSERTs without a model instance per row, and the version
bump that keeps edit forms opened before the import from overwriting it."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone

CHUNK = 500
INSERT_BATCH = 5000

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT many rows of plain values (keyed by field attname, the same keys in every row) without
    building a model instance per row: at 100,000 rows bulk_create's per-object work is most of an
    import. What bulk_create does otherwise is kept: a field a row leaves out gets its default
    (auto_now / auto_now_add: now), values are prepared for the database per field, no save(), no
    signals. Constants are prepared once; dates cheaply per value."""
    if not rows:
        return
    given = list(rows[0])
    now = timezone.now()
    # The values given come first (in the order of the first row's keys), then the defaults.
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    columns = [_quoted_column(by_name[name]) for name in given]
    converters = []  # (position, convert) for the given values that need preparing
    for position, name in enumerate(given):
        convert = _converter(by_name[name])
        if convert is not None:
            converters.append((position, convert))
    constants = []
    for f in model._meta.concrete_fields:
        if f.attname in given or f is model._meta.pk:
            continue  # given, or assigned by the database
        columns.append(_quoted_column(f))
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants.append(f.get_db_prep_save(now, connection))
        elif f.has_default() and callable(f.default) and f.unique:
            raise ValueError(f"{model.__name__}.{f.name}: a unique default per row; give it a value")
        else:
            constants.append(f.get_db_prep_save(f.get_default(), connection))
    # Table and column names come from the model's own _meta, quoted; every value is a %s parameter.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "  # nosec B608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    only = given[0]
    values: Callable[[dict[str, Any]], tuple[Any, ...]] = (
        operator.itemgetter(*given) if len(given) > 1 else (lambda row: (row[only],))
    )
    with connection.cursor() as cursor:
        for chunk in chunks(rows, INSERT_BATCH):
            params = [[*values(row), *constants] for row in chunk]
            for position, convert in converters:
                for row_params in params:
                    row_params[position] = convert(row_params[position])
            cursor.executemany(sql, params)


def _quoted_column(f: models.Field[Any, Any]) -> str:
    if f.column is None:  # a concrete field always has a column
        raise ValueError(f"{f.name} has no column")
    return connection.ops.quote_name(f.column)


def versions_bump(model: type[models.Model], pks: list[int]) -> None:
    """Raise the optimistic-locking version of the rows the import changed, so that an edit form
    opened before the import refuses instead of overwriting imported data (lvv.core.concurrency)."""
    for chunk in chunks(pks):
        model._default_manager.filter(pk__in=list(chunk)).update(version=models.F("version") + 1)


def _converter(f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a given value of field `f` is prepared for the database (None: as it is)."""
    if isinstance(f, models.DateTimeField | models.JSONField):
        return functools.partial(_prepared, f)
    if isinstance(f, models.DateField):
        cache: dict[Any, Any] = {}  # the same few thousand days over and over

        def date(value: Any, adapt: Callable[[Any], Any] = connection.ops.adapt_datefield_value) -> Any:
            try:
                return cache[value]
            except KeyError:
                cache[value] = adapted = adapt(value)
                return adapted

        return date
    if f.is_relation or isinstance(f, models.CharField | models.TextField | models.IntegerField):
        return None  # text, numbers and keys go to the driver as they are
    if isinstance(f, models.BooleanField):
        return _boolean
    return functools.partial(_prepared, f)


def _prepared(field: models.Field[Any, Any], value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def _boolean(value: Any) -> bool | None:
    return None if value is None else bool(value)
