"""Backups leave the server (seed §11, issue 17): each backup encrypted at rest (in a stream,
never whole in memory) and copied to a second place with the copy's checksum checked; the
restore drill restores from there; the status shows both copies; a backup late or failed
and a restore drill failed are mailed to maintenance and the responsible person, once."""

import dataclasses
import datetime
import json
import os
import pathlib
import re
import tracemalloc

import pytest

from admin_views import backup as backup_views
from models import OutboxMessage, User, utcnow
from services import backup
from services.backup import crypto
from services.backup import offsite as offsite_copies
from services.backup.files import sha256, write_private
from services.backup.scheduler import Scheduler
from tests.conftest import csrf_token
from tests import test_backup, test_notifications
from tests.test_backup import add_customers, fabricate, flip_bytes, utc
from tests.test_notifications import BASE_URL, text_of

# The fixtures of a database to restore into and of a real SMTP server on loopback.
restore_url = test_backup.restore_url
smtp = test_notifications.smtp

PEOPLE = ("handler_t", "controller", "responsible", "maint")
KEY = crypto.new_key()
CUSTOMER = "Yritys 1 Oy"  # add_customers names the customers so


@pytest.fixture
def settings(db_url, tmp_path):
    """Backup settings with a key and an off-site folder (that exists: "mounted")."""
    (tmp_path / "offsite").mkdir()
    return backup.Settings(db_url, tmp_path / "backups", key=crypto.parse_key(KEY),
                           offsite=tmp_path / "offsite")


@pytest.fixture
def configured(app, tmp_path):
    """The app configured as in production: BACKUP_KEY_FILE and BACKUP_OFFSITE."""
    key_file = tmp_path / "secrets" / "backup.key"
    key_file.parent.mkdir()
    key_file.write_text(KEY + "\n")
    (tmp_path / "offsite").mkdir()
    app.config.update(BACKUP_KEY_FILE=str(key_file), BACKUP_OFFSITE=str(tmp_path / "offsite"))
    return backup_views.settings(app)


@pytest.fixture
def addresses(people):
    """Give every account an address; maintenance reads Swedish, the responsible person
    English, the rest Finnish."""
    languages = {"maint": "sv", "responsible": "en"}
    for name in PEOPLE:
        User.update(email=f"{name}@hel.fi", language=languages.get(name, "fi")).where(
            User.username == name).execute()


def outbox(kind):
    return sorted((m.address, m.language) for m in OutboxMessage.select().where(
        OutboxMessage.kind == kind))


# --- the encryption -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, crypto.CHUNK, 2 * crypto.CHUNK + 17])
def test_encryption_round_trip_in_chunks(tmp_path, size):
    key = crypto.parse_key(KEY)
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(size))
    sealed, opened = tmp_path / "sealed", tmp_path / "opened"
    digest, counted = crypto.encrypt_file(key, plain, sealed)
    assert counted == size and sealed.read_bytes()[:len(crypto.MAGIC)] == crypto.MAGIC
    assert size < 64 or plain.read_bytes()[:64] not in sealed.read_bytes()
    assert crypto.decrypt_file(key, sealed, opened, "b") == digest
    assert opened.read_bytes() == plain.read_bytes()


def test_a_changed_cut_or_misread_file_is_refused(tmp_path):
    key = crypto.parse_key(KEY)
    plain, sealed = tmp_path / "plain", tmp_path / "sealed"
    plain.write_bytes(os.urandom(3 * crypto.CHUNK))
    crypto.encrypt_file(key, plain, sealed)
    whole = sealed.read_bytes()
    frame = 4 + 12 + crypto.CHUNK + 16
    header = len(crypto.MAGIC) + 16
    damaged = {
        "flipped": None,
        "cut short": whole[:header + 2 * frame],  # the last frame dropped
        "frames swapped": (whole[:header] + whole[header + frame:header + 2 * frame]
                           + whole[header:header + frame] + whole[header + 2 * frame:]),
        "appended": whole + whole[header:header + frame],
        "not a backup": b"SQLite format 3\x00" + whole[16:],
    }
    for how, data in damaged.items():
        if data is None:
            sealed.write_bytes(whole)
            flip_bytes(sealed)
        else:
            sealed.write_bytes(data)
        with pytest.raises(backup.BackupError) as refused:
            crypto.decrypt_file(key, sealed, tmp_path / "out", "register-x")
        assert "cannot be decrypted" in refused.value.message, how
    sealed.write_bytes(whole)
    with pytest.raises(backup.BackupError):  # another key
        crypto.decrypt_file(crypto.parse_key(crypto.new_key()), sealed, tmp_path / "out", "x")


def test_encryption_streams_a_large_file_in_little_memory(tmp_path):
    key = crypto.parse_key(KEY)
    plain, sealed, opened = tmp_path / "plain", tmp_path / "sealed", tmp_path / "opened"
    with open(plain, "wb") as f:
        for _ in range(24):
            f.write(os.urandom(crypto.CHUNK))
    tracemalloc.start()
    try:
        crypto.encrypt_file(key, plain, sealed)
        crypto.decrypt_file(key, sealed, opened, "big")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * crypto.CHUNK  # the file is 24 chunks
    assert opened.stat().st_size == 24 * crypto.CHUNK


def test_keys_are_checked_and_kept_out_of_the_backup_folders(db_url, tmp_path):
    base = {"DATABASE_URL": db_url, "BACKUP_DIR": str(tmp_path / "backups")}
    with pytest.raises(ValueError, match="backup key"):
        backup.Settings.from_config({**base, "BACKUP_KEY": "short"}, tmp_path)
    (tmp_path / "backups").mkdir()
    inside = tmp_path / "backups" / "key"
    inside.write_text(KEY)
    with pytest.raises(ValueError, match="outside the backup folders"):
        backup.Settings.from_config({**base, "BACKUP_KEY_FILE": str(inside)}, tmp_path)
    with pytest.raises(ValueError, match="cannot be read"):
        backup.Settings.from_config({**base, "BACKUP_KEY_FILE": str(tmp_path / "no")}, tmp_path)
    with pytest.raises(ValueError, match="another disk"):
        backup.Settings.from_config({**base, "BACKUP_OFFSITE": str(tmp_path / "backups/x")},
                                    tmp_path)
    read = backup.Settings.from_config({**base, "BACKUP_KEY": KEY}, tmp_path)
    assert read.key == crypto.parse_key(KEY) and KEY not in repr(read)


# --- a backup encrypted, copied, restored, drilled ------------------------------------------


def test_a_backup_is_encrypted_and_copied_with_its_checksum_checked(settings, restore_url):
    add_customers(3)
    taken = backup.create_backup(settings)
    assert taken.good and taken.encrypted, taken.manifest["error"]
    assert taken.path.name.endswith(".enc") and taken.path.exists()
    assert sorted(p.name for p in settings.directory.glob("register-*")) == sorted(
        [taken.path.name, taken.manifest_path.name])  # the plain file is gone
    assert CUSTOMER.encode() not in taken.path.read_bytes()
    copy = settings.offsite / taken.path.name
    assert copy.read_bytes() == taken.path.read_bytes()
    assert sha256(copy) == taken.manifest["sha256"]
    assert taken.offsite["verified"] and taken.offsite["error"] is None
    assert (settings.offsite / taken.manifest_path.name).exists()
    assert copy.stat().st_mode & 0o777 == 0o600
    assert backup.verify_backup(settings, taken.name)[1] == []
    report = backup.restore(settings, taken.path, restore_url)  # the .enc file names it
    assert report.ok, report.problems
    assert dict((t, n) for t, _r, n in report.tables)["customer"] == 3


def test_a_tampered_copy_is_refused_with_a_clear_error(settings, restore_url):
    add_customers(2)
    taken = backup.create_backup(settings)
    flip_bytes(taken.path)
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(settings, taken.name, restore_url)
    assert "checksum does not match" in refused.value.message
    # Changed by someone who also wrote the new checksum into the manifest: the
    # encryption's own check refuses it.
    taken.manifest["sha256"] = sha256(taken.path)
    write_private(taken.manifest_path, json.dumps(taken.manifest))
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(settings, taken.name, restore_url)
    assert "cannot be decrypted" in refused.value.message
    assert list(settings.directory.glob(".plain-*")) == []  # no plain leftovers


def test_an_encrypted_backup_needs_its_own_key(settings, restore_url):
    add_customers(1)
    taken = backup.create_backup(settings)
    for key, words in ((None, "is encrypted"), (crypto.parse_key(crypto.new_key()),
                                                  "another key")):
        with pytest.raises(backup.BackupError) as refused:
            backup.restore(dataclasses.replace(settings, key=key), taken.name, restore_url)
        assert words in refused.value.message


def test_a_damaged_copy_is_flagged(settings, monkeypatch):
    def damaging_copy(source, destination):
        pathlib.Path(destination).write_bytes(pathlib.Path(source).read_bytes()[:-1] + b"!")

    monkeypatch.setattr(offsite_copies, "copy_private", damaging_copy)
    taken = backup.create_backup(settings)
    assert taken.good and not taken.offsite["verified"]
    assert "does not match its checksum" in taken.offsite["error"]["message"]
    assert not (settings.offsite / taken.manifest_path.name).exists()  # never listed there
    status = backup.status(settings)["offsite"]
    assert status["problem"] == "failed" and status["copied"] is None
    assert "does not match" in status["error"][0]


def test_an_unmounted_offsite_folder_fails_and_is_not_made(settings):
    missing = dataclasses.replace(settings, offsite=settings.offsite / "not-mounted")
    taken = backup.create_backup(missing)
    assert taken.good and "not mounted" in taken.offsite["error"]["message"]
    assert not missing.offsite.exists()
    assert backup.status(missing)["offsite"]["problem"] == "failed"


def test_the_drill_restores_from_the_offsite_copy(settings):
    add_customers(2)
    taken = backup.create_backup(settings)
    taken.path.unlink()  # the local disk lost it: the second place is enough
    entry = backup.drill(settings)
    assert entry["ok"], entry["problems"]
    assert (entry["source"], entry["backup"], entry["encrypted"]) == (
        "offsite", taken.name, True)
    assert backup.status(settings)["last_drill"]["source"] == "offsite"
    flip_bytes(settings.offsite / taken.path.name)
    failed = backup.drill(settings)
    assert not failed["ok"] and "checksum" in failed["problems"][0][0]


def test_rotation_removes_the_offsite_copies_too(settings):
    add_customers(1)
    old = backup.create_backup(settings, now=utc(2020, 1, 1, 12))
    new = backup.create_backup(settings)
    assert {p.name for p in settings.offsite.iterdir()} == {
        new.path.name, new.manifest_path.name}
    assert not old.path.exists()


# --- no key, and the status of both copies ---------------------------------------------------


def test_without_a_key_backups_work_and_the_page_warns(client, auth, app, people):
    add_customers(1)
    config = backup_views.settings(app)
    assert config.key is None and config.offsite is None
    taken = backup.create_backup(config)
    assert taken.good and not taken.encrypted and taken.path.suffix in (".sqlite3", ".pgdump")
    status = backup.status(config)
    assert status["encrypted"] is False and status["offsite"] is None
    assert backup.drill(config)["source"] == "local"
    auth.login_as("maint")
    html = client.get("/backups/").get_data(as_text=True)
    assert "ei käytössä: varmuuskopioita ja niiden kopioita ei ole salattu" in html
    assert "erillistä säilytyspaikkaa ei ole asetettu" in html
    assert "erillistä säilytyspaikkaa ei ole asetettu" in client.get("/").get_data(as_text=True)


def test_the_status_shows_both_copies(client, auth, configured, people, runner):
    add_customers(1)
    taken = backup.create_backup(configured)
    status = backup.status(configured)
    assert status["encrypted"] and status["last_good"]["encrypted"]
    assert status["offsite"]["copied"]["name"] == taken.name
    assert status["offsite"]["problem"] is None
    auth.login_as("responsible")
    for page in ("/backups/", "/"):
        html = client.get(page).get_data(as_text=True)
        assert "Paikallinen kopio" in html and "Erillinen kopio" in html
        assert "kopioitu" in html and "tarkistussumma tarkistettu" in html
        assert "käytössä: varmuuskopiot tallennetaan salattuina" in html
    overview = client.get("/access/security/").get_data(as_text=True)  # the same, in short
    assert 'data-line="encryption">Salaus: käytössä' in overview
    assert re.search(r'data-line="offsite">Erillinen kopio: kopioitu [^<]*tarkistussumma', overview)
    printed = runner.invoke(args=["backup", "status"])
    assert printed.exit_code == 0 and "checksum verified" in printed.output
    # The copy disappears from the second place: flagged on the page and by the command.
    (configured.offsite / taken.path.name).unlink()
    assert backup.status(configured)["offsite"]["problem"] == "missing"
    html = client.get("/").get_data(as_text=True)
    assert "Uusimmalla varmuuskopiolla ei ole tarkistettua erillistä kopiota." in html
    assert "Uusimmalla varmuuskopiolla ei ole tarkistettua erillistä kopiota." in client.get(
        "/access/security/").get_data(as_text=True)
    assert runner.invoke(args=["backup", "status"]).exit_code == 1


def test_the_commands_make_a_key_and_restore_an_encrypted_backup(runner, configured,
                                                                 restore_url):
    key = runner.invoke(args=["backup", "key"]).output.strip()
    assert len(crypto.parse_key(key)) == 32
    created = runner.invoke(args=["backup", "create"])
    assert created.exit_code == 0 and "encrypted" in created.output, created.output
    assert "checksum verified" in created.output
    name = backup.list_backups(configured)[0].name
    restored = runner.invoke(args=["backup", "restore", name, "--to", restore_url])
    assert restored.exit_code == 0 and "restore verified" in restored.output, restored.output
    drill = runner.invoke(args=["backup", "drill"])
    assert drill.exit_code == 0 and "offsite copy" in drill.output


# --- the notifications ------------------------------------------------------------------------


def test_a_failed_backup_is_mailed_once_to_maintenance_and_the_responsible_person(
        app, runner, smtp, addresses, configured):
    add_customers(1)
    yesterday = utcnow() - datetime.timedelta(hours=25)
    assert backup.create_backup(configured, now=yesterday).offsite["verified"]
    assert runner.invoke(args=["duties", "check"]).exit_code == 0
    assert outbox("backup_problem") == []  # nothing wrong
    configured.offsite.rename(configured.offsite.with_name("unmounted"))
    assert Scheduler(configured).run_once().offsite["error"]
    assert outbox("backup_problem") == [("maint@hel.fi", "sv"),
                                        ("responsible@hel.fi", "en")]
    backup.create_backup(configured)  # it fails again: the same incident
    assert runner.invoke(args=["backup", "create"]).exit_code == 1
    assert runner.invoke(args=["duties", "check"]).exit_code == 0
    assert backup.notify_problems(configured) == 0
    assert len(outbox("backup_problem")) == 2
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    sv = text_of(smtp.inbox.to("maint@hel.fi")[0])
    en = text_of(smtp.inbox.to("responsible@hel.fi")[0])
    assert "säkerhetskopia av kundregistret är försenad" in sv
    assert "A backup of the customer register is late or has failed" in en
    assert BASE_URL + "/backups/" in sv and BASE_URL + "/backups/" in en
    assert "Yritys" not in sv + en and "unmounted" not in sv + en
    assert smtp.inbox.to("controller@hel.fi") == smtp.inbox.to("handler_t@hel.fi") == []
    # Mounted again: the next backup is copied, the incident is over; the next failure is
    # a new one, told again.
    later = utcnow() + datetime.timedelta(days=1)  # the next day's backup
    configured.offsite.with_name("unmounted").rename(configured.offsite)
    assert backup.create_backup(configured, now=later).offsite["verified"]
    assert backup.notify_problems(configured, later) == 0
    configured.offsite.rename(configured.offsite.with_name("unmounted"))
    later += datetime.timedelta(days=1)
    backup.create_backup(configured, now=later)
    assert backup.notify_problems(configured, later) == 2


def test_a_late_backup_is_mailed_once_by_the_duties_check(app, runner, addresses):
    fabricate(backup_views.settings(app), [utc(2020, 1, 1)])
    for _ in range(2):
        assert runner.invoke(args=["duties", "check"]).exit_code == 0
    assert outbox("backup_problem") == [("maint@hel.fi", "sv"),
                                        ("responsible@hel.fi", "en")]


def test_a_failed_drill_is_mailed_once_per_drill(app, client, auth, smtp, addresses,
                                                 configured):
    taken = backup.create_backup(configured)
    flip_bytes(configured.offsite / taken.path.name)
    auth.login_as("maint")
    token = csrf_token(client.get("/backups/").get_data(as_text=True))
    assert client.post("/backups/drill", data={"csrf_token": token}).status_code == 302
    assert outbox("drill_failed") == [("maint@hel.fi", "sv"), ("responsible@hel.fi", "en")]
    assert backup.drill_log(configured)[0]["source"] == "offsite"
    backup.drill(configured)  # a second failed drill is a second incident
    assert len(outbox("drill_failed")) == 4
    assert app.test_cli_runner().invoke(args=["outbox", "send"]).exit_code == 0
    en = text_of(smtp.inbox.to("responsible@hel.fi")[0])
    assert "restore drill of the customer register's backups failed" in en
    assert BASE_URL + "/backups/" in en and taken.name not in en
