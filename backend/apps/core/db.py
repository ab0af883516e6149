"""Database statements the ORM does not offer in one round trip."""

from collections.abc import Sequence

from django.db import NotSupportedError, connections, router
from django.db.models import AutoField, BigAutoField, Model, SmallAutoField

AUTO_FIELDS = (AutoField, BigAutoField, SmallAutoField)


def insert_unless_conflict(instance: Model, *, conflict_fields: Sequence[str]) -> bool:
    """
    Inserts `instance` unless a row with the same values of `conflict_fields` (the fields of one of
    its unique constraints) exists, in one statement: `INSERT ... ON CONFLICT (...) DO NOTHING
    RETURNING <pk>`. Returns True and sets the primary key when it inserted; False when the row
    exists (it is left as it is). A concurrent transaction inserting the same values is waited for,
    as a plain insert would be; a conflict is no error, so the caller needs no savepoint.

    What `Model.save()` would do first, `pre_save` (`auto_now_add`...), is done; signals are not
    sent. Django's `bulk_create(ignore_conflicts=True)` runs the same statement but tells neither
    whether the row was inserted nor its key.
    """
    model = type(instance)
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    features = connection.features
    if not (features.can_return_columns_from_insert and features.supports_update_conflicts_with_target):
        raise NotSupportedError(f"INSERT ... ON CONFLICT ... RETURNING is not supported on {connection.vendor}")
    opts = model._meta
    # The database fills the key and the generated columns (a search document) itself.
    fields = [field for field in opts.concrete_fields if not isinstance(field, AUTO_FIELDS) and not field.generated]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    by_name = {field.name: field for field in opts.concrete_fields}
    conflict_columns = ", ".join(quote(str(by_name[name].column)) for name in conflict_fields)
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({conflict_columns}) DO NOTHING RETURNING {quote(str(opts.pk.column))}"
    )
    params = [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding, instance._state.db = False, alias
    return True
