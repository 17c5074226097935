"""The error every service raises for a user's mistake, with a message that says what to do."""


def N_(message):
    """Mark ``message`` for translation; the page or command showing it translates it."""
    return message


class RegisterError(Exception):
    """A refused operation; ``message`` is an untranslated msgid with %(name)s parameters."""

    def __init__(self, message, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
