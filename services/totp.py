"""The optional second login factor: time-based one-time codes (TOTP, RFC 6238) with pyotp.

A user enrols by adding the key to an authenticator app (a QR code, or the key typed in)
and typing one code from it; from then on a login asks for a code after the password.
Codes are six digits for 30-second steps; the step before and after count too (clock
drift), and a code once accepted is never accepted again (``last_step``). Keys are
stored encrypted with Fernet under the instance's TOTP key, so a copy of the database
(a backup) does not give them away; a key is shown only while enrolling.
"""

import datetime
import hmac
import html
import io

import pyotp
import qrcode
import qrcode.image.svg
from cryptography.fernet import Fernet, InvalidToken

from models import TotpCredential, utcnow

ISSUER = "Helsinki customer register"
STEP_SECONDS = 30
# A key offered for enrolment is shown again on reload for this long, then replaced.
ENROLMENT_MINUTES = 10


def new_encryption_key():
    """Return a new key to encrypt the TOTP keys with (for the instance's key file)."""
    return Fernet.generate_key().decode("ascii")


def is_enrolled(user):
    """Tell whether ``user`` has a confirmed second factor."""
    return (TotpCredential.select()
            .where((TotpCredential.user == user) & TotpCredential.confirmed_at.is_null(False))
            .exists())


def enrolment_secret(user, encryption_key):
    """Return the key ``user`` is enrolling with: the one offered lately, else a new one.

    Returns None when the user is already enrolled (a confirmed key is never shown again).
    """
    credential = TotpCredential.get_or_none(TotpCredential.user == user)
    moment = utcnow()
    if credential is not None:
        if credential.confirmed_at is not None:
            return None
        fresh = moment - credential.created_at < datetime.timedelta(minutes=ENROLMENT_MINUTES)
        secret = _decrypt(credential.secret, encryption_key)
        if fresh and secret:
            return secret
        credential.delete_instance()
    secret = pyotp.random_base32()
    TotpCredential.create(user=user, secret=_encrypt(secret, encryption_key), created_at=moment)
    return secret


def provisioning_uri(secret, username):
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri, label):
    """Return the QR code of ``uri`` as an inline SVG element (text) named ``label``."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=4)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]  # without the XML declaration
    return svg.replace("<svg", f'<svg role="img" aria-label="{html.escape(label)}"', 1)


def confirm_enrolment(user, code, encryption_key):
    """Confirm the enrolment with a code from the new key; return whether it was right."""
    credential = TotpCredential.get_or_none(
        (TotpCredential.user == user) & TotpCredential.confirmed_at.is_null())
    if credential is None:
        return False
    if not _accept(credential, code, encryption_key):
        return False
    credential.confirmed_at = utcnow()
    credential.save()
    return True


def verify(user, code, encryption_key):
    """Check a login code of an enrolled ``user``; a right code is used up."""
    credential = TotpCredential.get_or_none(
        (TotpCredential.user == user) & TotpCredential.confirmed_at.is_null(False))
    return credential is not None and _accept(credential, code, encryption_key)


def remove(user):
    """Remove ``user``'s second factor (enrolled or not); return whether there was one."""
    return TotpCredential.delete().where(TotpCredential.user == user).execute() > 0


def current_code(secret, moment=None):
    """Return the code of ``secret`` at ``moment`` (naive UTC; default now) — for tests."""
    return pyotp.TOTP(secret).generate_otp(_step(moment or utcnow()))


def _accept(credential, code, encryption_key):
    """Accept ``code`` for a step within ±1 of now and newer than the last one used."""
    code = "".join((code or "").split())
    if len(code) != 6 or not (code.isascii() and code.isdigit()):  # not "١٢٣٤٥٦"
        return False
    secret = _decrypt(credential.secret, encryption_key)
    if not secret:
        return False
    totp = pyotp.TOTP(secret)
    now_step = _step(utcnow())
    for step in (now_step - 1, now_step, now_step + 1):
        if step > credential.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            # Conditional: of two requests with the same code, one wins.
            used = (TotpCredential.update(last_step=step)
                    .where((TotpCredential.id == credential.id)
                           & (TotpCredential.last_step < step))
                    .execute())
            if used:
                credential.last_step = step
            return bool(used)
    return False


def _step(moment):
    seconds = moment.replace(tzinfo=datetime.timezone.utc).timestamp()
    return int(seconds // STEP_SECONDS)


def _encrypt(secret, encryption_key):
    return Fernet(encryption_key).encrypt(secret.encode("ascii")).decode("ascii")


def _decrypt(token, encryption_key):
    """Return the stored key in clear, or None when the instance's TOTP key cannot open it."""
    try:
        return Fernet(encryption_key).decrypt(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        return None
