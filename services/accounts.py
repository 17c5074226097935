"""Personal accounts (seed §9): creating and authenticating them, the password policy and
the login lockout (OWASP ASVS 4.0 level 2, V2). Granting and ending access, the first
controller included, go through services/access.py, which calls ``create_user``.
"""

import dataclasses
import datetime
import functools
import gzip
import hashlib
import hmac
import math
import pathlib
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from database import is_sqlite, write_transaction
from models import (
    ROLES,
    LoginFailure,
    LoginLock,
    Section,
    User,
    UserSection,
    db,
    utcnow,
)
from services import audit, sessions
from services.errors import N_, RegisterError
from services.hetu import refusal

MIN_PASSWORD_LENGTH = 12
BOOTSTRAP_USERNAME = "admin"
# The most common passwords, lower-cased (source and licence: data/README.md).
COMMON_PASSWORDS_FILE = (pathlib.Path(__file__).resolve().parent.parent / "data"
                         / "common-passwords.txt.gz")
# A username shorter than this is only refused as the whole password, not as a part.
MIN_USERNAME_IN_PASSWORD = 3
# Failed logins are kept this long: long enough for any window, short for the addresses.
KEEP_FAILURES = datetime.timedelta(days=1)

# argon2id at OWASP's recommended minimum (m=19 MiB, t=2, p=1).
hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)
# Verified when the username is unknown, so both answers take the same time.
_DUMMY_HASH = hasher.hash(secrets.token_hex(16))


def check_password_policy(password, username=None):
    """Raise RegisterError when ``password`` is too weak to be set.

    At least 12 characters, not among the most common passwords, not the username and
    not containing it (case-insensitively). Every message says what to do instead.
    """
    password = password or ""
    if len(password.strip()) < MIN_PASSWORD_LENGTH:  # spaces at the ends do not count
        raise RegisterError(
            N_("The password must be at least %(min)d characters long. Several words "
               "make a long password that is easy to remember."),
            min=MIN_PASSWORD_LENGTH,
        )
    folded = password.casefold()
    if folded in common_passwords() or folded.strip() in common_passwords():
        raise RegisterError(
            N_("This password is one of the most common passwords and easy to guess. "
               "Choose another one, for example a few words that do not belong together.")
        )
    name = (username or "").strip().casefold()
    if name and (folded == name or (len(name) >= MIN_USERNAME_IN_PASSWORD and name in folded)):
        raise RegisterError(
            N_("The password must not contain your username. Choose a password without it.")
        )


@functools.cache
def common_passwords():
    """Return the set of common passwords (lower-case), read once."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def hash_password(password):
    """Return the argon2id hash of ``password``."""
    return hasher.hash(password)


def set_password(user, password, must_change=False):
    """Check the policy, then store a new password for ``user``."""
    check_password_policy(password, user.username)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    # Only these columns: the account was read before the hashing, and ending its access
    # or changing its role meanwhile must not be written back over.
    user.save(only=[User.password_hash, User.must_change_password])


def authenticate(username, password):
    """Return the active user with these credentials, or None (never says which was wrong).

    It writes nothing; a login that follows records itself with ``record_login``. The
    name is read as usernames are stored: without the spaces around it and in lower case
    ("Anna " from a phone's keyboard or a paste is anna).
    """
    name = (username or "").strip()
    user = (User.by_username(name) or User.by_username(name.lower())) if name else None
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    try:
        hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    return user


def record_login(user, password=None):
    """Note the login time; rehash the password if the hashing parameters have changed."""
    if password is not None:
        rehash_if_needed(user, password)
    user.last_login_at = utcnow()
    user.save(only=[User.last_login_at])  # as ``set_password``: nothing read earlier


def rehash_if_needed(user, password):
    """Store a new hash of ``password`` when the stored one has weaker parameters."""
    if user.password_hash and hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        user.save(only=[User.password_hash])


def create_user(username, role, section_codes=(), password=None, must_change=True):
    """Create an account; return ``(user, password)``, generating a one-time password if none."""
    username = (username or "").strip()
    if not username:
        raise RegisterError(N_("Give a username."))
    # The command line's `users create` stores the name as typed: no form has checked it.
    message = refusal(username, message=N_(
        "A henkilötunnus (personal identity code) must not be stored in the register: remove "
        "it from the username."))
    if message:
        raise RegisterError(message)
    sections = known_role_and_sections(role, section_codes)
    if User.by_username(username) is not None:
        raise RegisterError(
            N_("The username %(username)s is already in use; choose another."), username=username
        )
    if password is None:
        password = generate_password()
    else:
        check_password_policy(password, username)
    with db.atomic():
        user = User.create(
            username=username,
            role=role,
            password_hash=hash_password(password),
            must_change_password=must_change,
        )
        for section in sections:
            UserSection.create(user=user, section=section)
    return user, password


def known_role_and_sections(role, section_codes):
    """Return the sections of ``section_codes``; an unknown role or section code is
    refused with the known ones named (where there is no list to choose from)."""
    if role not in ROLES:
        raise RegisterError(
            N_("Unknown role %(role)s. Choose one of: %(roles)s."),
            role=role,
            roles=", ".join(ROLES),
        )
    sections = []
    for code in section_codes:
        section = Section.get_or_none(Section.code == code)
        if section is None:
            known = ", ".join(s.code for s in Section.select().order_by(Section.code))
            raise RegisterError(
                N_("Unknown section %(code)s. Choose from: %(known)s."), code=code, known=known
            )
        sections.append(section)
    return sections


def generate_password():
    """Return a random one-time password (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


# --- the login lockout (ASVS 2.2.1) ---------------------------------------------------
#
# Two counts of failed logins (and of wrong second-factor codes and wrong current
# passwords at a password change), kept in the database so that every process sees them:
#
# - per username: LOGIN_MAX_FAILURES (5) within LOGIN_WINDOW_MINUTES (15) lock the username
#   for LOGIN_LOCK_MINUTES (15); while locked even the right password is refused, with the
#   same words as a wrong one;
# - per address: an address never refuses the right password of an account that is not
#   itself locked (a city office behind one NAT address, or every user when the register
#   sits behind a proxy and PROXY_COUNT is unset). From LOGIN_ADDRESS_MAX_FAILURES (20)
#   failures within the window on, each further failure makes the address wait before its
#   next attempt: LOGIN_ADDRESS_DELAY_SECONDS (1), doubling with every failure, at most
#   LOGIN_ADDRESS_MAX_DELAY_SECONDS (30). An attempt that comes before its time is refused
#   with "wait N s" before its password is even checked, so the answer is the same for a
#   right and a wrong one, and it costs no hashing; it is not counted. A login that
#   succeeds neither lengthens nor ends the wait (it forgets only the failures of its
#   own username). The wait is a "not before" time in the database (``LoginLock`` of
#   kind "address"): no thread sleeps, and no test waits.


@dataclasses.dataclass(frozen=True)
class LoginLimits:
    """How many failures lock a username or slow an address down, within and for how long.

    ``secret`` keys the hash under which a typed username is counted (the app's
    SECRET_KEY): the typed text itself is never stored.
    """

    secret: str
    max_failures: int = 5
    address_max_failures: int = 20
    address_delay_seconds: int = 1
    address_max_delay_seconds: int = 30
    window_minutes: int = 15
    lock_minutes: int = 15


class SlowDown(RegisterError):
    """Too many failed logins from the address: this attempt came before its time."""

    def __init__(self, seconds):
        super().__init__(
            N_("Too many failed logins have come from your network address. Wait "
               "%(seconds)d s, then try again."),
            seconds=seconds)
        self.seconds = seconds


def username_key(username, secret):
    """Return the keyed hash a typed username is counted under (case-insensitive)."""
    name = (username or "").strip().casefold()
    return hmac.new(str(secret).encode("utf-8"), name.encode("utf-8"), hashlib.sha256).hexdigest()


def check_address(address, limits, for_update=False):
    """Raise :class:`SlowDown` when ``address`` must still wait before its next attempt.

    Call it before hashing the password (a cheap refusal), and again inside the login's
    write transaction with ``for_update`` (``check_login`` does), where the address's row
    is locked on PostgreSQL so that concurrent attempts take their turns one by one.
    """
    if not address:
        return
    query = LoginLock.select().where((LoginLock.kind == "address") & (LoginLock.key == address))
    if for_update and not is_sqlite():
        query = query.for_update()
    row = query.first()
    moment = utcnow()
    if row is not None and row.until > moment:
        raise SlowDown(math.ceil((row.until - moment).total_seconds()))


def check_login(user, username, address, limits, second_factor=False):
    """Return ``user`` (the result of :func:`authenticate`) if the login may go on, else None.

    Raises :class:`SlowDown` when the address must still wait (nothing is counted then).
    None when the username is locked, whatever the password (the caller shows the same
    message as for a wrong password), or when ``user`` is None: then the failure is
    counted and may lock the username or slow the address down. ``second_factor``: the
    check is of the code after the password (``user`` None when the code was wrong).
    Writes the failure, the lock and their audit events: call it inside the login's
    write transaction.
    """
    check_address(address, limits, for_update=True)
    if is_locked(username, limits):
        _audit_failed(username, fields=("totp",) if second_factor else ())
        return None
    if user is not None:
        # Read again in the transaction (locked on PostgreSQL until the session is
        # written): the password was checked outside it, and the account may have been
        # ended, closed or given another role meanwhile.
        query = User.select().where(User.id == user.id)
        user = (query if is_sqlite() else query.for_update()).get_or_none()
        user = user if user is not None and user.is_active else None
    if user is None:
        record_failure(username, address, limits, second_factor=second_factor)
        return None
    return user


def check_current_password(user, password, address, limits):
    """Check the current password typed at a password change, under the login lockout.

    Returns "right", "wrong" or "locked". A wrong password counts as a failed login of
    the username and the address; "locked" when the username is locked after the check
    (this failure locked it, or it was locked already: then even the right password is
    refused, as at the login). Raises :class:`SlowDown` like a login.
    """
    check_address(address, limits)
    found = authenticate(user.username, password)
    if found is not None and found.id != user.id:
        found = None
    with write_transaction():
        if check_login(found, user.username, address, limits) is not None:
            return "right"
        return "locked" if is_locked(user.username, limits) else "wrong"


def check_current_code(user, right_code, address, limits):
    """Check a second-factor code typed to turn the second factor off, under the login
    lockout as :func:`check_current_password`: "right", "wrong" or "locked"; a wrong code
    counts as a failed login. ``right_code()`` is not called (nor the code used up) while
    the username is locked. Raises :class:`SlowDown` like a login."""
    check_address(address, limits)
    with write_transaction():
        right = not is_locked(user.username, limits) and right_code()
        if check_login(user if right else None, user.username, address, limits,
                       second_factor=True) is not None:
            return "right"
        return "locked" if is_locked(user.username, limits) else "wrong"


@dataclasses.dataclass
class Login:
    """How a login attempt ended: ``user`` None when refused (a wrong password, an unknown
    username and a lock alike); ``token`` the new session's when the login is complete;
    ``stage`` "code" or "enrol" when a second factor comes next."""

    user: User = None
    token: str = None
    stage: str = None


def login(username, password, address, limits, second_factor_stage=lambda user: None):
    """Check a password login under the lockout; return a :class:`Login`.

    Hashing takes its time outside the transaction; the checks, the counting and the audit
    events are one transaction (a failed login and its event, or a login, its session and
    its event). ``second_factor_stage(user)`` tells whether the login needs a code next
    ("code"), an enrolment first ("enrol") or neither (None): then the session starts now.
    Raises :class:`SlowDown` while the address must wait; an early attempt costs no hashing.
    """
    check_address(address, limits)
    found = authenticate(username, password)
    with write_transaction():
        user = check_login(found, username, address, limits)  # the account as it is now
        if user is None:
            return Login()
        rehash_if_needed(user, password)
        stage = second_factor_stage(user)
        return Login(user, complete_login(user, limits) if stage is None else None, stage)


def login_with_code(user, right_code, address, limits):
    """Finish ``user``'s login with the second factor; return the session's token or None.

    ``right_code()`` checks the typed code; it is not called (the code is not used up)
    while the username is locked or the address must wait (:class:`SlowDown`). A wrong
    code counts like a wrong password. One transaction, like :func:`login`.
    """
    with write_transaction():
        check_address(address, limits, for_update=True)
        right = not is_locked(user.username, limits) and right_code()
        current = check_login(user if right else None, user.username, address, limits,
                              second_factor=True)
        if current is not None:
            return complete_login(current, limits)
    return None


def is_locked(username, limits):
    """Tell whether logging in as ``username`` is locked now."""
    return LoginLock.select().where(
        (LoginLock.kind == "username")
        & (LoginLock.key == username_key(username, limits.secret))
        & (LoginLock.until > utcnow())).exists()


def record_failure(username, address, limits, second_factor=False):
    """Count a failed login; lock the username, or slow the address down, past its limit.

    Audited as ``login_failed`` (the account's id when the username exists, never the
    typed text; field ``totp`` when the second factor failed), ``lockout`` and
    ``login_slowdown`` (when an address starts to wait).
    """
    moment = utcnow()
    key = username_key(username, limits.secret)
    user = User.by_username(username) if username else None
    LoginFailure.create(at=moment, username_key=key, address=address)
    LoginFailure.delete().where(LoginFailure.at < moment - KEEP_FAILURES).execute()
    _audit_failed(username, user, fields=("totp",) if second_factor else ())
    if _failures_since_lock("username", key, LoginFailure.username_key == key,
                            moment, limits) >= limits.max_failures:
        _lock("username", key, user, moment, limits)
    if address:
        _slow_down(address, moment, limits)


def address_delay(failures, limits):
    """Return how many seconds an address with ``failures`` in the window waits (0: none)."""
    over = failures - limits.address_max_failures
    if over < 0:
        return 0
    return min(limits.address_max_delay_seconds,
               limits.address_delay_seconds * 2 ** min(over, 32))


def complete_login(user, limits):
    """Log ``user`` in: note the time, reset the username's failures, audit, open a session.

    Returns the new session's token. An expired lock of the username ends here, audited
    as ``lockout_reset``. The wait of the address stays. Call it inside the login's write
    transaction.
    """
    record_login(user)
    key = username_key(user.username, limits.secret)
    LoginFailure.delete().where(LoginFailure.username_key == key).execute()
    ended = (LoginLock.delete()
             .where((LoginLock.kind == "username") & (LoginLock.key == key)).execute())
    if ended:
        audit.record("lockout_reset", actor=user, object_type="user", object_id=user.id)
    audit.record("login", actor=user)
    return sessions.start(user)


def _failures_since_lock(kind, key, condition, moment, limits):
    """Count the failures within the window that came after the key's last lock began."""
    since = moment - datetime.timedelta(minutes=limits.window_minutes)
    last = LoginLock.get_or_none((LoginLock.kind == kind) & (LoginLock.key == key))
    if last is not None and last.locked_at > since:
        since = last.locked_at
    return LoginFailure.select().where(condition & (LoginFailure.at > since)).count()


def _lock(kind, key, user, moment, limits):
    until = moment + datetime.timedelta(minutes=limits.lock_minutes)
    _set_lock(kind, key, user, moment, until)
    audit.record("lockout", object_type="user" if user else None,
                 object_id=user.id if user else None)


def _slow_down(address, moment, limits):
    """Make ``address`` wait before its next attempt when its failures have passed the limit."""
    since = moment - datetime.timedelta(minutes=limits.window_minutes)
    failures = LoginFailure.select().where((LoginFailure.address == address)
                                           & (LoginFailure.at > since)).count()
    delay = address_delay(failures, limits)
    if not delay:
        return
    previous = LoginLock.get_or_none((LoginLock.kind == "address") & (LoginLock.key == address))
    _set_lock("address", address, None, moment, moment + datetime.timedelta(seconds=delay))
    if previous is None or previous.locked_at <= since:
        audit.record("login_slowdown", object_type="address", object_id=address)


def _set_lock(kind, key, user, moment, until):
    """Write the lock (or the wait) of ``key``: one row per kind and key, kept up to date."""
    (LoginLock.insert(kind=kind, key=key, user=user, locked_at=moment, until=until)
     .on_conflict(conflict_target=[LoginLock.kind, LoginLock.key],
                  update={LoginLock.user: user, LoginLock.locked_at: moment,
                          LoginLock.until: until})
     .execute())


def _audit_failed(username, user=None, fields=()):
    """Record a failed login: the account's id when the username exists, never what was typed."""
    if user is None and username:
        user = User.by_username(username)
    audit.record("login_failed", object_type="user" if user else None,
                 object_id=user.id if user else None, fields=fields)
