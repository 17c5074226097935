"""The controller's settings (seed §17) and the register's published description (§13).

- ``schema``: the settings document's shape, its flat fields and their check;
- ``seed``: the first version, from the seed's register description;
- ``saving``: the current version, saving a new one, the history;
- ``publishing``: freezing a version with the live configuration as a publication.
"""

from services.register_settings.publishing import (
    ensure_published,
    in_force,
    latest,
    live_configuration,
    previous,
    publication,
    publications,
    publish,
    snapshot,
)
from services.register_settings.saving import (
    SettingsProblems,
    changed_parts,
    current,
    document,
    history,
    save,
    section_codes,
    version,
)
from services.register_settings.schema import (
    ARTICLE_POINTS,
    LANGUAGES,
    LAWFUL_BASES,
    fields,
    flatten,
    in_language,
)

__all__ = [
    "ARTICLE_POINTS", "LANGUAGES", "LAWFUL_BASES", "SettingsProblems", "changed_parts",
    "current", "document", "ensure_published", "fields", "flatten", "history", "in_force",
    "in_language", "latest", "live_configuration", "previous", "publication",
    "publications", "publish", "save", "section_codes", "snapshot", "version",
]
