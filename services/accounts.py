"""Personal accounts (seed §9): creating, authenticating, deactivating, the first controller."""

import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from models import ROLES, Section, User, UserSection, db, utcnow
from services.errors import N_, RegisterError

MIN_PASSWORD_LENGTH = 12
BOOTSTRAP_USERNAME = "admin"

# argon2id at OWASP's recommended minimum (m=19 MiB, t=2, p=1).
hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)
# Verified when the username is unknown, so both answers take the same time.
_DUMMY_HASH = hasher.hash(secrets.token_hex(16))


def check_password_policy(password, username=None):
    """Raise RegisterError when ``password`` is too weak to be set."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RegisterError(
            N_("The password must be at least %(min)d characters long."),
            min=MIN_PASSWORD_LENGTH,
        )
    if username and password.casefold() == username.casefold():
        raise RegisterError(N_("The password must not be the username."))


def hash_password(password):
    """Return the argon2id hash of ``password``."""
    return hasher.hash(password)


def set_password(user, password, must_change=False):
    """Check the policy, then store a new password for ``user``."""
    check_password_policy(password, user.username)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.save()


def authenticate(username, password):
    """Return the active user with these credentials, or None (never says which was wrong).

    It writes nothing; a login that follows records itself with ``record_login``.
    """
    user = User.by_username(username) if username else None
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    try:
        hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    return user


def record_login(user, password):
    """Note the login time; rehash the password if the hashing parameters have changed."""
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    user.save()


def create_user(username, role, section_codes=(), password=None, must_change=True):
    """Create an account; return ``(user, password)``, generating a one-time password if none."""
    username = (username or "").strip()
    if not username:
        raise RegisterError(N_("Give a username."))
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


def deactivate_user(username):
    """Close an account so that it can no longer log in; return it."""
    user = User.by_username(username)
    if user is None:
        raise RegisterError(N_("No account has the username %(username)s."), username=username)
    user.active = False
    user.save()
    return user


def generate_password():
    """Return a random one-time password (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def bootstrap_controller():
    """Create the first controller ``admin`` when there are no accounts; return its password.

    Returns None when accounts already exist: the password is shown only once.
    """
    with db.atomic():
        if User.select().exists():
            return None
        _, password = create_user(BOOTSTRAP_USERNAME, "controller", must_change=True)
    return password
