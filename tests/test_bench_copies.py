"""The benches that write (import, purge) write into a copy of the dataset: the copy holds
the dataset's rows, what is written into it stays out of the dataset, and it goes when
removed. On SQLite and on PostgreSQL."""

import sqlite3
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from psycopg2 import sql

from bench import copies
from tests.conftest import _postgres_url


def _names(connection):
    cursor = connection.cursor()
    cursor.execute("SELECT name FROM customer ORDER BY id")
    return [name for (name,) in cursor.fetchall()]


def test_a_sqlite_copy_is_written_apart_from_the_dataset(tmp_path):
    source = tmp_path / "register-10-seed1.db"
    with sqlite3.connect(source) as connection:
        connection.execute("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("INSERT INTO customer (name) VALUES ('Aino')")
    url = copies.make_copy(f"sqlite:///{source}", "import", tmp_path)
    assert url == f"sqlite:///{tmp_path / 'register-10-seed1-import.db'}"
    copy = sqlite3.connect(url[len("sqlite:///"):])
    copy.execute("INSERT INTO customer (name) VALUES ('Eino')")
    copy.commit()
    assert _names(copy) == ["Aino", "Eino"]
    copy.close()
    with sqlite3.connect(source) as connection:
        assert _names(connection) == ["Aino"]
    # A second copy replaces the first, with the dataset's rows only.
    again = copies.make_copy(f"sqlite:///{source}", "import", tmp_path)
    with sqlite3.connect(again[len("sqlite:///"):]) as connection:
        assert _names(connection) == ["Aino"]
    copies.remove_copy(again)
    assert not (tmp_path / "register-10-seed1-import.db").exists()
    assert source.exists()


def test_a_missing_sqlite_dataset_says_how_to_build_it(tmp_path):
    with pytest.raises(SystemExit, match="build it first"):
        copies.make_copy(f"sqlite:///{tmp_path / 'register-5-seed1.db'}", "purge", tmp_path)


def _exists(server_url, name):
    connection = psycopg2.connect(server_url)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return cursor.fetchone() is not None
    finally:
        connection.close()


def test_a_postgresql_copy_is_a_database_of_its_own():
    base = urlsplit(_postgres_url())
    name = base.path.lstrip("/") + "_copy_source"
    source = urlunsplit(base._replace(path="/" + name))
    server = urlunsplit(base._replace(path="/postgres"))
    admin = psycopg2.connect(server)
    admin.autocommit = True
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
    try:
        admin.cursor().execute(drop.format(sql.Identifier(name)))
        admin.cursor().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        with psycopg2.connect(source) as connection:
            connection.cursor().execute(
                "CREATE TABLE customer (id serial PRIMARY KEY, name text);"
                "INSERT INTO customer (name) VALUES ('Aino')")
        connection.close()

        url = copies.make_copy(source, "purge", "/nonexistent")
        assert urlsplit(url).path == f"/{name}_purge"
        copy = psycopg2.connect(url)
        copy.autocommit = True
        copy.cursor().execute("INSERT INTO customer (name) VALUES ('Eino')")
        assert _names(copy) == ["Aino", "Eino"]
        source_connection = psycopg2.connect(source)
        assert _names(source_connection) == ["Aino"]
        source_connection.close()
        # Removed while the bench still holds a connection to it.
        copies.remove_copy(url)
        assert not _exists(server, f"{name}_purge")
        assert _exists(server, name)
    finally:
        admin.cursor().execute(drop.format(sql.Identifier(f"{name}_purge")))
        admin.cursor().execute(drop.format(sql.Identifier(name)))
        admin.close()
