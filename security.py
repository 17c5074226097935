"""Security headers on every response, and the nonce that lets our own scripts run.

The Content-Security-Policy allows scripts only from this site and inline scripts only
with the request's nonce (``csp_nonce()``; Flask-Admin puts the same one on its scripts
through ``Admin(csp_nonce_generator=…)``). No template has an inline event handler or a
``javascript:`` link that runs: ``static/register.js`` binds the few behaviours (confirm
before delete, add an inline row, run a bulk action, print) from data attributes.
"""

import logging
import secrets
import threading

from flask import g, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

# Endpoints serving the style sheets, scripts and fonts: the same on every request and
# free of personal data, so the browser may cache them.
STATIC_ENDPOINTS = {"static", "admin.static"}

# 'unsafe-inline' for styles: pages of the register and Flask-Admin's own form.js and
# select2 set style="…" attributes (in markup and in HTML strings they insert), which no
# nonce or hash can allow. Styles cannot run code; scripts stay strict. A nonce is not
# added to style-src because a nonce there makes browsers ignore 'unsafe-inline'.
CSP = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "  # Bootstrap draws its menu and select arrows as data: SVGs
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app):
    """Add the headers to every response of ``app``; trust PROXY_COUNT proxies in front."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # Behind a TLS-terminating proxy: the client's address (for the lockout) and
        # https (for HSTS and secure cookies) come from its X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    else:
        app.before_request(_warn_of_an_untrusted_proxy())
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_add_headers)


def _warn_of_an_untrusted_proxy():
    """Return a hook that warns, once, of requests forwarded by a proxy PROXY_COUNT ignores.

    Behind a reverse proxy with PROXY_COUNT 0 every user seems to come from the proxy's
    address: the login lockout then slows everyone down together, and HTTPS is not seen.
    """
    warned = threading.Event()

    def check():
        if not warned.is_set() and "X-Forwarded-For" in request.headers:
            warned.set()
            log.warning(
                "Requests arrive with X-Forwarded-For, but PROXY_COUNT is 0: every user "
                "seems to come from the proxy's address %s (the login lockout slows them "
                "down together) and HTTPS is not seen. Behind a reverse proxy set "
                "REGISTER_PROXY_COUNT to the number of proxies in front of the register.",
                request.remote_addr)

    return check


def csp_nonce():
    """Return this request's script nonce (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _add_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint not in STATIC_ENDPOINTS:
        # Pages, exports and reports hold personal data: never kept in any cache.
        headers["Cache-Control"] = "no-store"
    return response
