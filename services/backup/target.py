"""The databases a backup is taken from and restored into, and PostgreSQL's programs."""

import dataclasses
import os
import pathlib
import re
import shutil
import subprocess
import time
import urllib.parse

from services.backup.errors import BackupError
from services.errors import N_

# Hosts that name this machine: a PostgreSQL URL naming one of them names the same server.
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
# The longest file name and path the system takes (Linux: NAME_MAX, PATH_MAX), in bytes.
NAME_MAX, PATH_MAX = 255, 4096


@dataclasses.dataclass
class Target:
    """A database named by a URL: a SQLite file or a PostgreSQL database."""

    kind: str
    path: pathlib.Path = None  # SQLite
    params: dict = None  # PostgreSQL: host, port, user, password, dbname, options

    @classmethod
    def parse(cls, url):
        url = str(url)
        if "://" not in url:  # a bare path names a SQLite file
            return cls("sqlite", path=_file_path(url))
        scheme, rest = url.split("://", 1)
        scheme = scheme.split("+", 1)[0]
        if scheme in ("sqlite",):
            path = rest[1:] if rest.startswith("/") else rest
            path = path.split("?", 1)[0]
            if not path or path == ":memory:":
                raise BackupError(N_("An in-memory database cannot be backed up or restored."))
            return cls("sqlite", path=_file_path(urllib.parse.unquote(path)))
        if scheme in ("postgresql", "postgres"):
            parsed = urllib.parse.urlsplit("postgresql://" + rest)
            database = urllib.parse.unquote(parsed.path.lstrip("/"))
            if not database:
                raise BackupError(N_("The PostgreSQL URL %(target)s names no database."),
                                  target=_redact(url))
            options = dict(urllib.parse.parse_qsl(parsed.query))
            return cls("postgresql", params={
                "host": parsed.hostname or "",
                "port": parsed.port or 5432,
                "user": urllib.parse.unquote(parsed.username or ""),
                "password": urllib.parse.unquote(parsed.password or ""),
                "dbname": database,
                "options": options,
            })
        raise BackupError(N_("Give the database as sqlite:///path or "
                             "postgresql://user:password@host/database, not %(target)s."),
                          target=_redact(url))

    # --- names

    @property
    def database(self):
        return self.params["dbname"]

    @property
    def url(self):
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        p = self.params
        auth = urllib.parse.quote(p["user"], safe="")
        if p["password"]:
            auth += ":" + urllib.parse.quote(p["password"], safe="")
        query = ("?" + urllib.parse.urlencode(p["options"])) if p["options"] else ""
        return (f"postgresql://{auth}@{p['host']}:{p['port']}/"
                f"{urllib.parse.quote(p['dbname'], safe='')}{query}")

    @property
    def display_url(self):
        return _redact(self.url)

    @property
    def display_name(self):
        return self.path.name if self.kind == "sqlite" else self.database

    def same_as(self, other):
        """Tell whether two targets name the same database."""
        if self.kind != other.kind:
            return False
        if self.kind == "sqlite":
            try:
                return self.path.resolve() == other.path.resolve() or (
                    self.path.exists() and other.path.exists()
                    and os.path.samefile(self.path, other.path))
            except (OSError, ValueError):
                return False
        a, b = self.params, other.params
        same_host = a["host"] == b["host"] or {a["host"], b["host"]} <= LOCAL_HOSTS
        return same_host and a["port"] == b["port"] and a["dbname"] == b["dbname"]

    def with_database(self, name):
        return Target("postgresql", params={**self.params, "dbname": name})

    def files(self):
        """A SQLite database's files: the database, its write-ahead log and index."""
        return [self.path, self.path.with_name(self.path.name + "-wal"),
                self.path.with_name(self.path.name + "-shm")]

    # --- PostgreSQL connections

    def connect_params(self, database=None):
        p = self.params
        params = {"dbname": database or p["dbname"], "user": p["user"] or None,
                  "password": p["password"] or None, "host": p["host"] or None,
                  "port": p["port"], **p["options"]}
        return {k: v for k, v in params.items() if v is not None}

    def pg_env(self):
        """The environment for pg_dump and pg_restore: the connection, password included."""
        p = self.params
        env = clean_env()
        env.update({"PGHOST": p["host"], "PGPORT": str(p["port"]), "PGUSER": p["user"],
                    "PGPASSWORD": p["password"], "PGDATABASE": p["dbname"]})
        for key, value in p["options"].items():
            if key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"):
                env["PG" + key.upper()] = value
        return {k: v for k, v in env.items() if v != ""}

    def _admin(self):
        """An autocommit connection to the server's maintenance database."""
        import psycopg2

        error = None
        for database in ("postgres", "template1"):
            try:
                conn = psycopg2.connect(**self.connect_params(database))
                conn.autocommit = True
                return conn
            except psycopg2.Error as e:
                error = e
        raise BackupError(N_("Cannot connect to the PostgreSQL server of %(target)s: "
                             "%(error)s"), target=self.display_url, error=first_line(error))

    def exists(self):
        if self.kind == "sqlite":
            try:
                return self.path.exists() and self.path.stat().st_size > 0
            except (OSError, ValueError) as e:
                raise BackupError(N_("%(target)s cannot be looked at: %(error)s"),
                                  target=self.display_url, error=str(e)) from e
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,))
                return cur.fetchone() is not None
        finally:
            conn.close()

    def create_database(self):
        import psycopg2
        from psycopg2 import sql

        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        except psycopg2.Error as e:
            raise BackupError(N_("Cannot create the database %(database)s: %(error)s. The "
                                 "database user needs the CREATEDB right, or create the "
                                 "database first and restore with --force."),
                              database=self.database, error=first_line(e)) from e
        finally:
            conn.close()

    def drop_database(self):
        """Drop the database if it exists (a scratch or replaced one, never the live one)."""
        import psycopg2
        from psycopg2 import sql

        name = sql.Identifier(self.database)
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                # Not WITH (FORCE): that fails when autovacuum works in the database (ending
                # it needs the pg_signal_backend role), while a plain DROP makes it leave.
                for attempt in range(10):
                    try:
                        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
                        break
                    except psycopg2.errors.ObjectInUse:
                        if attempt == 9:
                            raise
                        # Sessions of our own left in it (a killed restore): end them.
                        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = %s AND usename = current_user "
                                    "AND pid <> pg_backend_pid()", (self.database,))
                        time.sleep(0.2)
        except psycopg2.Error as e:
            raise BackupError(N_("Cannot remove the database %(database)s: %(error)s"),
                              database=self.database, error=first_line(e)) from e
        finally:
            conn.close()


def _file_path(text):
    """Return the absolute path of the SQLite file ``text`` names; BackupError when it
    names none: nothing, a folder, a name with a NUL, or one longer than the system takes."""
    if not text:
        raise BackupError(N_("No database file is named. Give a file's name, such as "
                             "sqlite:///var/tmp/restored.db."))
    if "\x00" in text:
        raise BackupError(N_("The database file's name contains a NUL character. Give the "
                             "name of a file."))
    path = pathlib.Path(text).absolute()
    try:
        encoded = os.fsencode(path)
    except UnicodeError as e:
        raise BackupError(N_("The database file's name cannot be written on this system: "
                             "%(error)s"), error=str(e)) from e
    if len(encoded) >= PATH_MAX or any(len(part) > NAME_MAX for part in encoded.split(b"/")):
        raise BackupError(N_("The database file's name is longer than the system takes "
                             "(%(name_max)s bytes a name, %(path_max)s a path). Give a "
                             "shorter one."), name_max=NAME_MAX, path_max=PATH_MAX - 1)
    try:
        folder = text.endswith("/") or path.is_dir()
    except (OSError, ValueError):
        folder = False  # cannot be looked at: the restore says so (Target.exists)
    if folder:
        raise BackupError(N_("%(path)s is a folder, not a database file. Give a file's name, "
                             "such as %(example)s."), path=str(path),
                          example=str(path / "restored.db"))
    return path


def read_snapshot(conn, kind):
    """Return the row count of every table, the audit head and the newest migration, read
    through the DB-API connection ``conn`` (inside its current transaction)."""
    cur = conn.cursor()
    try:
        tables = _table_names(cur, kind)
        counts = {}
        for table in tables:
            cur.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cur.fetchone()[0]
        head = migration = None
        if "audit_head" in counts:
            cur.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
            row = cur.fetchone()
            head = {"last_id": row[0], "last_hash": row[1]} if row else None
        if "migratehistory" in counts:
            cur.execute("SELECT name FROM migratehistory ORDER BY id DESC LIMIT 1")
            row = cur.fetchone()
            migration = row[0] if row else None
        return {"tables": counts, "audit_head": head, "migration": migration}
    finally:
        cur.close()


def _table_names(cur, kind):
    """Return the names of the database's own tables (not SQLite's or FTS5's internals)."""
    if kind == "postgresql":
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    "'public' AND table_type = 'BASE TABLE' ORDER BY table_name")
        return [row[0] for row in cur.fetchall()]
    cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
    rows = cur.fetchall()
    virtual = [name for name, sql_text in rows
               if (sql_text or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return [name for name, _sql in rows
            if not name.startswith("sqlite_") and name not in virtual
            and not any(name.startswith(v + "_") for v in virtual)]


def run_pg_program(pg_bin, program, args, env, stdout=None):
    """Run a PostgreSQL client program; return its output, or raise BackupError."""
    executable = os.path.join(pg_bin, program) if pg_bin else shutil.which(program)
    if not executable or not os.path.exists(executable):
        raise BackupError(N_("%(program)s was not found. Install the PostgreSQL client "
                             "programs (apt-get install postgresql-client-15) or set "
                             "BACKUP_PG_BIN to their folder."), program=program)
    proc = subprocess.run([executable, *args], env=env, check=False,
                          stdout=stdout if stdout is not None else subprocess.PIPE,
                          stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise BackupError(N_("%(program)s failed: %(error)s"), program=program,
                          error=last_lines(proc.stderr.decode("utf-8", "replace")))
    return proc.stdout.decode("utf-8", "replace") if stdout is None else ""


def clean_env():
    """This process's environment without any PostgreSQL connection settings of its own."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _redact(url):
    """Return ``url`` with its password replaced by ***."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(url))


def first_line(error):
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def last_lines(text, count=3):
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return " ".join(lines[-count:]) or "?"
