# Written by hand: PostgreSQL's storage strategy of Article.search_document, which Django does not model.
#
# A metadata change (no rewrite, no lock held beyond a moment): rows written from now on keep their
# document in the table's own pages; older rows keep theirs where they are until rewritten (VACUUM FULL
# or pg_repack, in a maintenance window; docs/search.md, "The document kept inline").

from django.db import migrations


def storage(strategy):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE articles_article ALTER COLUMN search_document SET STORAGE {strategy}")

    return alter


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0006_article_search"),
    ]

    operations = [
        # MAIN: compressed if it must be, moved out of line only when the row cannot fit otherwise. Each
        # candidate's document is read twice per search (the match, then the rank); out of line (EXTENDED,
        # the default, for most documents here: with the body they pass the 2 kB threshold), each read is
        # a lookup in the TOAST table's index and its pages.
        migrations.RunPython(storage("MAIN"), storage("EXTENDED"), elidable=False),
    ]
