"""The main menu as the page frame shows it: Flask-Admin's menu categories (added in
admin_views/registry.py) with the item of the current page marked and, beside the items
that call for action, the count of what waits (services/worklist.py, one query a page).

The template (templates/admin/navigation.html) calls ``main_menu()`` once per page.

Which items a user sees is decided by the views' ``is_accessible`` (admin_views/base):
by the role (services/policy.py, fixed in the code), the sections the user may read and
their data categories (the invoices only where a section keeps billing). The items, their
names and addresses are built once for each such user kind, language and site prefix and
kept on the menu's Admin (``_items``); each page adds only its counts and its current item.
A test compares the kept items with the views' own answers for every role.
"""

import dataclasses
from urllib.parse import urlsplit

from flask import g, request
from flask_admin.menu import MenuLink
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import acting_user, user_may, user_section_ids, user_sections
from services import worklist

# The menu item (by its endpoint) beside which each count of services.worklist shows.
COUNT_ENDPOINTS = {
    "requests": "inspection",
    "rectification": "rectification",
    "access_requests": "access",
    "access_review": "access_review",
    "not_informed": "not_informed",
}


@dataclasses.dataclass
class Entry:
    """A menu item (``url``) or a group of them (``children``), with its count waiting and,
    for the current page's item, its ``aria-current`` value ("page", or "true" on a page
    beneath the item's own)."""

    name: str
    url: str = None
    count: int = 0
    current: str = None
    children: list = dataclasses.field(default_factory=list)

    @property
    def active(self):
        """Tell whether this is the current item or holds it."""
        return bool(self.current) or any(child.active for child in self.children)

    @property
    def count_text(self):
        """The count as a screen reader says it ("3 waiting")."""
        return _("%(count)s waiting", count=self.count)


class NotInformedLink(MenuLink):
    """The customers of the user's sections not yet informed of their registration: the
    customer list with its filter (``list_url()`` gives the address)."""

    def __init__(self, name, list_url, category):
        super().__init__(name, endpoint="not_informed", category=category)
        self.list_url = list_url

    def get_url(self):
        return self.list_url()

    def is_accessible(self):
        return user_may("use_register") and bool(user_section_ids())


def menu_counts():
    """Return the counts waiting for the logged-in user, read once per request."""
    if "menu_counts" not in g:
        g.menu_counts = (worklist.counts(acting_user())
                         if current_user.is_authenticated else {})
    return g.menu_counts


def _endpoint(item):
    view = getattr(item, "_view", None)
    return view.endpoint if view is not None else getattr(item, "endpoint", None)


# At most this many user kinds' items are kept per Admin (then the keeping starts again).
MAX_KEPT_MENUS = 256


def _items(items):
    """Return the accessible, visible ``items`` as ``(name, url, endpoint, children)``
    tuples, a category with its own; a category with nothing the user may see left out."""
    found = []
    for item in items:
        if item.is_category():
            children = _items(item.get_children())
            if children:
                found.append((str(item.name), None, None, children))
        elif item.is_accessible() and item.is_visible():
            found.append((str(item.name), item.get_url(), _endpoint(item), ()))
    return tuple(found)


def _kept_items(admin):
    """Return the menu's items for the logged-in user (``_items``), built once per user
    kind (role, readable sections and their categories), language and site prefix."""
    key = (getattr(current_user, "role", None) if current_user.is_authenticated else None,
           tuple((s.id, s.categories) for s in user_sections()),
           str(get_locale()), request.script_root)
    kept = admin.__dict__.setdefault("_register_menus", {})
    items = kept.get(key)
    if items is None:
        if len(kept) >= MAX_KEPT_MENUS:
            kept.clear()
        items = kept[key] = _items(admin.menu())
    return items


def _entries(items, counts):
    entries = []
    for name, url, endpoint, children in items:
        if children:
            below = _entries(children, counts)
            entries.append(Entry(name, children=below, count=sum(c.count for c in below)))
        else:
            entries.append(Entry(name, url=url,
                                 count=counts.get(COUNT_ENDPOINTS.get(endpoint), 0)))
    return entries


def _leaves(entries):
    for entry in entries:
        if entry.children:
            yield from _leaves(entry.children)
        else:
            yield entry


def mark_current(entries, path, full_path):
    """Mark the entry of the page at ``path`` (``full_path`` with its query): the item whose
    address is the page's own ("page"), else the one whose address is the longest start of
    the page's path ("true": a record or step beneath the item's list)."""
    leaves = list(_leaves(entries))
    exact = ([leaf for leaf in leaves if leaf.url == full_path]
             or [leaf for leaf in leaves
                 if not urlsplit(leaf.url).query and urlsplit(leaf.url).path == path])
    if exact:
        exact[0].current = "page"
        return exact[0]
    beneath = [leaf for leaf in leaves
               if urlsplit(leaf.url).path not in ("", "/")
               and path.startswith(urlsplit(leaf.url).path.rstrip("/") + "/")]
    if beneath:
        found = max(beneath, key=lambda leaf: len(urlsplit(leaf.url).path))
        found.current = "true"
        return found
    return None


def main_menu(admin):
    """Return the menu of ``admin`` for the logged-in user: a list of Entry."""
    entries = _entries(_kept_items(admin), menu_counts())
    mark_current(entries, request.path, request.full_path.rstrip("?"))
    return entries
