"""Where a customer's, a contact person's or an address's data came from (seed §7; GDPR
Art. 14(2)(f) and 15(1)(g)): the rule on the note, and the sources a report states.

The codes are ``models.DATA_SOURCES``; their names ``services.vocabulary.customers``.
An empty source is a row recorded before the source was asked: "not recorded".
"""

from services.errors import N_

# The sources that need a note saying which one: "other" (what it was). An import file's
# note (which file) is welcome but not required.
NOTE_REQUIRED = ("other",)

NOTE_MESSAGE = N_("Write in the field %(field)s where the data came from: the source "
                  "\"%(source)s\" needs a note.")


def note_missing(source, note):
    """Tell whether ``source`` needs a note and ``note`` is empty."""
    return source in NOTE_REQUIRED and not (note or "").strip()
