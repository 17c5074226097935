"""Handing messages to the mail server with the standard library's ``smtplib``.

The settings are those Flask-Mail made the convention (``MAIL_SERVER``, ``MAIL_PORT``,
``MAIL_USE_TLS``, ``MAIL_USE_SSL``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``,
``MAIL_DEFAULT_SENDER``), read from the application's configuration; with no server set,
mail is off and the outbox keeps its messages.
"""

import email.message
import email.utils
import smtplib
from dataclasses import dataclass

from services.access.common import plain_address


@dataclass(frozen=True)
class MailSettings:
    server: str | None = None
    port: int = 25
    use_tls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    sender: str | None = None
    base_url: str = "http://127.0.0.1:5000"
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config):
        """Return the settings of a configuration mapping (the app's ``config``)."""
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT") or (465 if config.get("MAIL_USE_SSL") else 25)),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            sender=config.get("MAIL_DEFAULT_SENDER") or None,
            base_url=(config.get("BASE_URL") or cls.base_url).rstrip("/"),
            timeout=float(config.get("MAIL_TIMEOUT") or 30),
        )

    @property
    def enabled(self):
        """Tell whether mail is on (a server is set)."""
        return bool(self.server)

    def connect(self):
        """Open a connection to the mail server; return it (``send``, ``close``)."""
        return SmtpConnection(self)


def compose(settings, address, subject, body, language):
    """Return the plain-text message of ``subject`` and ``body`` to ``address``; refuse an
    address that is no plain one (stored before the check): the header and ``smtplib``
    alike would read it as another address."""
    if not plain_address(address):
        raise ValueError("the address is not a plain email address")
    message = email.message.EmailMessage()
    message["From"] = settings.sender or f"asiakasrekisteri@{settings.server}"
    message["To"] = address
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = email.utils.make_msgid(domain="asiakasrekisteri")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    message["Content-Language"] = language  # after set_content, which clears Content-*
    return message


class SmtpConnection:
    """One SMTP session: TLS and login as configured, then any number of messages."""

    def __init__(self, settings):
        self.settings = settings
        kind = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
        self.smtp = kind(settings.server, settings.port, timeout=settings.timeout)
        try:
            if settings.use_tls and not settings.use_ssl:
                self.smtp.starttls()
            if settings.username:
                self.smtp.login(settings.username, settings.password or "")
        except BaseException:
            self.close()
            raise

    def send(self, composed, address):
        """Send the message ``composed`` (``compose``) to ``address``, and nowhere else:
        the envelope names the address, whatever its header says."""
        self.smtp.send_message(composed, to_addrs=[address])

    def close(self):
        """End the session (quietly, when the server is already gone)."""
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
