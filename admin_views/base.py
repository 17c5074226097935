"""The secure base every admin page stands on: login, role and section checks."""

from flask import abort, redirect, request, url_for
from flask_admin import BaseView
from flask_login import current_user


class SecureMixin:
    """Allow a page only to logged-in users whose role is in ``allowed_roles``.

    Hiding a menu item is not security: every endpoint of the view checks this.
    """

    # None: every role. A page for some roles names them.
    allowed_roles = None

    def is_accessible(self):
        if not current_user.is_authenticated:
            return False
        return self.allowed_roles is None or current_user.role in self.allowed_roles

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)


class SecureBaseView(SecureMixin, BaseView):
    """A custom page of the register."""
