"""A list page remembers the user's last filters and sort, and offers saved filters.

Each list (by its endpoint) keeps the filters and the sort it was last shown with, in
the user's session (signed, cleared at logout, and bound to the user's id). Opening the
list with no arguments — from the menu — shows it so again; any other opening states the
list's whole state and is remembered in turn. The search and the page are not remembered.
"Clear filters" (``?clear=1``) shows the list as it is by default, and so does every link
of the page that would otherwise have no arguments, so that removing the last filter does
not bring the remembered ones back.

What is remembered is only the list's own arguments, read back through the same scoped
query: a remembered filter narrows what the list shows, never widens it, and a value
that no longer makes sense (a filter since removed, a section since taken away) filters
nothing or finds nothing, never an error.
"""

from urllib.parse import parse_qsl, urlencode

from flask import redirect, request, session, url_for
from flask_admin import expose
from flask_login import current_user

from services.inputs import has_unstorable

SESSION_KEY = "list_memory"
# The argument of "clear filters", and of the list's own links that carry nothing else.
CLEAR = "clear"
# A longer state is not remembered (the session is a cookie of at most 4 kB).
MAX_LENGTH = 1000
# Besides the filters (flt…): the page size is fixed on the register's lists.
REMEMBERED = ("sort", "desc")


def _remembered(pairs):
    """Return the pairs of ``pairs`` that are remembered: the filters and the sort (none
    with a character the register refuses in any input, which would refuse the list)."""
    return [(key, value) for key, value in pairs
            if (key in REMEMBERED or key.startswith("flt"))
            and not has_unstorable(key) and not has_unstorable(value)]


def _lists():
    """Return the current user's remembered lists (another user's are none of theirs)."""
    memory = session.get(SESSION_KEY)
    if not isinstance(memory, dict) or memory.get("user") != current_user.get_id():
        return {}
    lists = memory.get("lists")
    return lists if isinstance(lists, dict) else {}


def remember(endpoint, args):
    """Remember ``args`` (what of them is remembered) as the state of list ``endpoint``."""
    lists = dict(_lists())
    state = urlencode(_remembered(args.items(multi=True)))
    if state and len(state) <= MAX_LENGTH:
        lists[endpoint] = state
    else:
        lists.pop(endpoint, None)
    memory = {"user": current_user.get_id(), "lists": lists}
    if session.get(SESSION_KEY) != memory:  # the cookie is sent again only on a change
        session[SESSION_KEY] = memory


def recall(endpoint):
    """Return the remembered arguments of list ``endpoint`` as a query string, or ""."""
    state = _lists().get(endpoint)
    if not isinstance(state, str) or len(state) > MAX_LENGTH:
        return ""
    return urlencode(_remembered(parse_qsl(state, keep_blank_values=True)))


class RememberedListMixin:
    """A model view whose list page remembers its filters and sort, with saved filters."""

    @expose("/")
    def index_view(self):
        if not request.args:
            state = recall(self.endpoint)
            if state:
                return redirect(f"{self.get_url('.index_view')}?{state}")
        self._get_list_extra_args()  # arguments refused (400) are not remembered
        remember(self.endpoint, request.args)
        return super().index_view()

    def _get_list_extra_args(self):
        view_args = super()._get_list_extra_args()
        view_args.extra_args.pop(CLEAR, None)  # stated once, not carried by every link
        return view_args

    def _get_list_url(self, view_args):
        # A link to the list with nothing in it means "no filters": say so, or the list
        # would bring the remembered ones back.
        url = super()._get_list_url(view_args)
        return url if "?" in url else self.get_url(".index_view", **{CLEAR: 1})

    def clear_filters_url(self):
        """Return the list as it is by default, its remembered state forgotten."""
        return self.get_url(".index_view", **{CLEAR: 1})

    def saved_filters(self):
        """Return the list's saved filters, one click each: ``(label, url)`` pairs."""
        return []

    def filtered_url(self, *choices):
        """Return the list filtered by ``choices``, ``(filter, value)`` pairs of this view's
        filters (the filters' arguments are read from the view, not written by hand)."""
        args = {}
        for flt, value in choices:
            index = self._filters.index(flt)
            args[f"flt{len(args)}_{self.get_filter_arg(index, flt)}"] = value
        # By the endpoint's full name: the front page links here too.
        return url_for(f"{self.endpoint}.index_view", **args)
