"""One clock (DESIGN.md §4 item 15): times typed in Helsinki time are stored as UTC, stored
times are shown in Helsinki time by one formatter — on the pages, in the report, in the
audit viewer and in exports — "today" is Helsinki's today, and a typed time that names no
moment (year 1, year 9999, the hour skipped in March) is a form error, never a 500; the
hour shown twice in October is the moment that just passed. On SQLite and PostgreSQL."""

import datetime

import pytest
import time_machine

from models import (
    ContactEvent,
    Customer,
    InspectionRequest,
    InspectionSubject,
    Prohibition,
    RectificationRequest,
    Section,
    User,
)
from services import localtime, prohibitions
from services import statistics as stats
from tests.conftest import csrf_token, typed_now

pytestmark = pytest.mark.clock

UTC = datetime.timezone.utc
# 23:24 UTC on 25 November is 01:24 on 26 November in Helsinki (winter time, UTC+2).
LATE_EVENING_UTC = datetime.datetime(2026, 11, 25, 23, 24)


PEOPLE = ("staff_t", "staff_b", "responsible", "controller")


def token(client):
    return csrf_token(client.get("/").get_data(as_text=True))


def to_english(client):
    """Show the pages in English (messages new to the register have no translation yet)."""
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token(client)})


def person_form(client, **extra):
    data = {"csrf_token": token(client), "version": "", "kind": "person", "first_name": "Åsa",
            "last_name": "Öberg", "birth_date": "1980-05-17", "language": "sv",
            "informed_how": "post", "informed_at": typed_now(minutes_ago=1), "own_info": "",
            "addresses-0-kind": "postal", "addresses-0-street": "Runebergsgatan 3",
            "addresses-0-postal_code": "00100", "addresses-0-city": "Helsingfors",
            "addresses-0-country": "FI"}
    data.update(extra)
    return data


# --- the clock and Helsinki's today ------------------------------------------------------------


@pytest.mark.parametrize("instant, today", [
    ("2026-10-24T23:30:00Z", datetime.date(2026, 10, 25)),  # the night summer time ends
    ("2027-03-27T23:30:00Z", datetime.date(2027, 3, 28)),   # the night summer time starts
    ("2026-12-31T21:59:00Z", datetime.date(2026, 12, 31)),
    ("2026-12-31T22:00:00Z", datetime.date(2027, 1, 1)),
    ("2027-07-31T21:00:00Z", datetime.date(2027, 8, 1)),    # summer time, UTC+3
])
def test_today_is_helsinkis_today(instant, today):
    with time_machine.travel(instant, tick=False):
        assert localtime.helsinki_today() == today


def test_statistics_default_to_helsinkis_month(app):
    """At 23:30 UTC on 31 January it is already February in Helsinki: the default period
    ends with February."""
    with time_machine.travel("2027-01-31T23:30:00Z", tick=False):
        filters = stats.default_filters()
    assert filters.months()[-1] == "2027-02"


def test_statistics_count_stored_times_in_helsinkis_months(app):
    """Five contacts at 00:30 on 1 February in Helsinki (22:30 UTC on 31 January) and five
    at 23:30 on 31 March (20:30 UTC, summer time) count in February and March."""
    customer = Customer.create(section=Section.get(code="tourism"), kind="company",
                               name="Kuukausi Oy",
                               created_at=datetime.datetime(2027, 1, 31, 22, 30))
    for i in range(5):
        ContactEvent.create(customer=customer, direction="in", channel="phone", summary="Soitto",
                            occurred_at=datetime.datetime(2027, 1, 31, 22, 30 + i))
        ContactEvent.create(customer=customer, direction="out", channel="email", summary="Viesti",
                            occurred_at=datetime.datetime(2027, 3, 31, 20, 30 + i))
    period = stats.month_range("2027-01", "2027-04")
    events = stats.contact_events(period)
    assert events.values[("2027-02", "phone/in")] == 5
    assert events.values[("2027-01", "phone/in")] == 0
    assert events.values[("2027-03", "email/out")] == 5
    assert events.values[("2027-04", "email/out")] == 0
    assert stats.new_customers(period).values[("2027-02", "tourism")] == 1
    # One month alone, and a period ending before the contacts, count them or not alike.
    assert stats.contact_events(stats.month_range("2027-02", "2027-02")).values[
        ("2027-02", "phone/in")] == 5
    assert stats.contact_events(stats.month_range("2027-01", "2027-01")).values[
        ("2027-01", "phone/in")] == 0


def test_a_prohibition_effective_helsinkis_today_is_recorded_at_2330_utc(app, people):
    customer = Customer.create(section=Section.get(code="tourism"), kind="person",
                               first_name="Pekka", last_name="Pohjola")
    with time_machine.travel("2026-10-24T23:30:00Z", tick=False):
        row = prohibitions.record(customer, purpose="direct_marketing", action="given",
                                  effective_on=datetime.date(2026, 10, 25), source="letter",
                                  actor=User.get(User.username == "staff_t"))
    assert Prohibition.get_by_id(row.id).effective_on == datetime.date(2026, 10, 25)


# --- typed in Helsinki time, stored as UTC ------------------------------------------------------


def at(moment):
    """Move the register's clock to the naive UTC ``moment`` (it runs on from there).

    Log in inside: a session cookie signed later than the clock shows is refused.
    """
    return time_machine.travel(moment.replace(tzinfo=UTC), tick=True)


def test_informed_at_typed_as_the_present_helsinki_time_is_saved_as_utc(client, auth, people):
    """At 23:24 UTC a person types the Helsinki time on the wall, 01:24 the next day: it is
    not "in the future", it is stored as 23:24 UTC and the form shows 01:24 again."""
    with at(LATE_EVENING_UTC):
        auth.login_as("staff_b")
        r = client.post("/customers/new/", data=person_form(
            client, informed_at="2026-11-26T01:24"))
        assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
        customer = Customer.get(Customer.last_name == "Öberg")
        assert customer.informed_at == LATE_EVENING_UTC
        page = client.get(f"/customers/edit/?id={customer.id}").get_data(as_text=True)
        assert 'value="2026-11-26T01:24"' in page


def test_a_time_an_hour_ahead_is_still_in_the_future(client, auth, people):
    with at(LATE_EVENING_UTC):
        auth.login_as("staff_b")
        r = client.post("/customers/new/", data=person_form(
            client, informed_at="2026-11-26T02:30"))
    assert r.status_code == 200 and "ei voi olla tulevaisuudessa" in r.get_data(as_text=True)
    assert Customer.select().count() == 0


def test_a_contact_event_typed_in_helsinki_time_is_stored_as_utc(client, auth, people):
    """The inline rows of the customer form take Helsinki time too (summer time, UTC+3)."""
    auth.login_as("staff_b")
    r = client.post("/customers/new/", data=person_form(
        client, **{"events-0-occurred_at": "2026-07-01 00:30:00", "events-0-direction": "in",
                   "events-0-channel": "phone", "events-0-summary": "Soitti yöllä"}))
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    event = ContactEvent.get()
    assert event.occurred_at == datetime.datetime(2026, 6, 30, 21, 30)


def test_a_birth_date_of_helsinkis_today_is_accepted_at_0030_helsinki(client, auth, people):
    """At 00:30 in Helsinki (21:30 UTC the day before) a child born today can be entered."""
    with at(datetime.datetime(2026, 6, 1, 21, 30)):
        auth.login_as("staff_b")
        r = client.post("/customers/new/", data=person_form(client, birth_date="2026-06-02"))
        assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
        r = client.post("/customers/new/", data=person_form(
            client, last_name="Huominen", birth_date="2026-06-03"))
        assert r.status_code == 200  # tomorrow in Helsinki is still the future
    assert Customer.get(Customer.last_name == "Öberg").birth_date == datetime.date(2026, 6, 2)


def test_request_received_now_in_helsinki_is_due_in_a_week_of_helsinki_time(client, auth,
                                                                            people):
    with at(LATE_EVENING_UTC):
        auth.login_as("staff_t")
        page = client.get("/requests/new/").get_data(as_text=True)
        assert 'value="2026-11-26T01:24"' in page  # the form offers the present, in Helsinki
        r = client.post("/requests/new/", data={
            "csrf_token": csrf_token(page), "received_at": "26.11.2026 01:24",
            "channel": "written", "requester_name": "Anna Äijälä", "requester_contact": "",
            "description": "", "sections": "tourism", "language": "fi"})
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    row = InspectionRequest.get()
    assert row.received_at == LATE_EVENING_UTC
    assert row.due_at == datetime.datetime(2026, 12, 2, 23, 24)


# --- shown in Helsinki time, the same everywhere ---------------------------------------------


def test_customer_page_list_and_report_show_the_same_helsinki_time(client, auth, people):
    """The details page, the list, the export and the inspection report all show a stored
    time in Helsinki time: 23:24 UTC is 01:24 on the next day, never 23:24."""
    customer = Customer.create(
        section=Section.get(code="business"), kind="person", first_name="Bertta",
        last_name="Bisnes", created_at=LATE_EVENING_UTC, updated_at=LATE_EVENING_UTC,
        last_activity_at=LATE_EVENING_UTC, informed_at=datetime.datetime(2026, 1, 10, 10, 0),
        informed_how="post")
    auth.login_as("responsible")
    page = client.get(f"/customers/details/?id={customer.id}").get_data(as_text=True)
    assert "26.11.2026 1.24" in page  # created, updated, last activity
    assert "23.24" not in page and "23:24" not in page
    assert "10.1.2026 12.00" in page  # informed: 10:00 UTC in winter is 12:00 in Helsinki

    listed = client.get("/customers/").get_data(as_text=True)
    assert "26.11.2026" in listed and "25.11.2026" not in listed
    exported = client.get("/customers/export/csv/").get_data(as_text=True)
    assert "26.11.2026" in exported and "25.11.2026" not in exported

    request = InspectionRequest.create(
        received_at=datetime.datetime(2026, 11, 27, 9, 0),
        due_at=datetime.datetime(2026, 12, 4, 9, 0), channel="written",
        requester_name="Bertta Bisnes", language="fi", section=Section.get(code="business"),
        decision="approved", decided_at=datetime.datetime(2026, 11, 27, 10, 0))
    InspectionSubject.create(request=request, customer=customer.id)
    report = client.get(f"/requests/{request.id}/report.html").get_data(as_text=True)
    assert "26.11.2026 klo 1.24" in report and "klo 23.24" not in report
    assert "10.1.2026 klo 12.00" in report
    data = client.get(f"/requests/{request.id}/report.json").get_json()
    assert "2026-11-26T01:24:00+02:00" in str(data)  # ISO 8601 with Helsinki's offset


def test_a_form_typed_time_and_its_page_agree(client, auth, people):
    """What a person types is what the page and the report show back."""
    auth.login_as("staff_b")
    r = client.post("/customers/new/", data=person_form(client, informed_at="2026-01-10T12:00"))
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    customer = Customer.get()
    assert customer.informed_at == datetime.datetime(2026, 1, 10, 10, 0)
    auth.login_as("responsible")
    page = client.get(f"/customers/details/?id={customer.id}").get_data(as_text=True)
    assert "10.1.2026 12.00" in page


# --- a typed time outside any sane range is a form error, never a 500 ------------------------

# The last Sunday of March 2026 is the 29th: the clocks go from 03:00 to 04:00.
NO_SUCH_TIMES = [
    ("01.01.0001 00:00", "from 1900 to 2100"),
    ("0001-01-01T00:00", "from 1900 to 2100"),
    ("0001-01-01 00:00:00", "from 1900 to 2100"),
    ("31.12.9999 23:59", "from 1900 to 2100"),
    ("29.03.2026 03:30", "There was no 29.03.2026 03:30 in Helsinki"),
    ("32.01.2026 10:00", "Write the date and time as day.month.year"),
]


@pytest.mark.parametrize("typed, message", NO_SUCH_TIMES)
def test_request_received_at_outside_any_sane_range_is_a_form_error(client, auth, people,
                                                                    typed, message):
    auth.login_as("staff_t")
    to_english(client)
    page = client.get("/requests/new/").get_data(as_text=True)
    r = client.post("/requests/new/", data={
        "csrf_token": csrf_token(page), "received_at": typed, "channel": "written",
        "requester_name": "Anna Äijälä", "requester_contact": "", "description": "",
        "sections": "tourism", "language": "fi"})
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    assert typed in r.get_data(as_text=True)  # the input stays
    assert InspectionRequest.select().count() == 0


@pytest.mark.parametrize("typed, message", NO_SUCH_TIMES)
def test_customer_informed_at_outside_any_sane_range_is_a_form_error(client, auth, people,
                                                                    typed, message):
    auth.login_as("staff_b")
    to_english(client)
    r = client.post("/customers/new/", data=person_form(client, informed_at=typed))
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    assert Customer.select().count() == 0


@pytest.mark.parametrize("typed, message", NO_SUCH_TIMES)
def test_rectification_received_at_outside_any_sane_range_is_a_form_error(client, auth,
                                                                          people, typed,
                                                                          message):
    customer = Customer.create(section=Section.get(code="tourism"), kind="person",
                               first_name="Matti", last_name="Meikäläinen")
    auth.login_as("staff_t")
    to_english(client)
    url = f"/rectification/new/?customer={customer.id}"
    page = client.get(url).get_data(as_text=True)
    r = client.post(url, data={
        "csrf_token": csrf_token(page), "received_at": typed, "requester_name": "Matti",
        "description": "Sukunimi", "new-last_name": "Virtanen"})
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    assert RectificationRequest.select().count() == 0


def test_the_hours_around_the_changes_are_typed_as_on_the_wall():
    """02:59 and 04:00 on the night summer time starts, 02:59 and 04:00 on the night it
    ends, are each one moment."""
    typed = localtime.from_helsinki_typed
    assert typed(datetime.datetime(2026, 3, 29, 2, 59)) == datetime.datetime(2026, 3, 29, 0, 59)
    assert typed(datetime.datetime(2026, 3, 29, 4, 0)) == datetime.datetime(2026, 3, 29, 1, 0)
    assert typed(datetime.datetime(2026, 10, 25, 2, 59)) == datetime.datetime(2026, 10, 24, 23, 59)
    assert typed(datetime.datetime(2026, 10, 25, 4, 0)) == datetime.datetime(2026, 10, 25, 2, 0)


def test_the_hour_shown_twice_is_the_moment_that_just_passed():
    """03:30 on 25 October 2026 is 00:30 UTC (summer time) and again 01:30 UTC (winter time).
    Typed during the first of those hours it is the first (the second is still to come);
    typed later, it is the second, the one that passed last."""
    typed = localtime.from_helsinki_typed
    wall = datetime.datetime(2026, 10, 25, 3, 30)
    first, second = datetime.datetime(2026, 10, 25, 0, 30), datetime.datetime(2026, 10, 25, 1, 30)
    assert typed(wall, now=datetime.datetime(2026, 10, 25, 0, 31)) == first
    assert typed(wall, now=datetime.datetime(2026, 10, 25, 1, 31)) == second
    assert typed(wall, now=datetime.datetime(2026, 11, 1, 12, 0)) == second


def test_the_present_time_typed_during_the_hour_shown_twice_is_saved(client, auth, people):
    """At 03:40 summer time on 25 October 2026 (00:40 UTC), the form's own present time is
    taken as the present — never "in the future", never refused."""
    with at(datetime.datetime(2026, 10, 25, 0, 40)):
        auth.login_as("staff_t")
        page = client.get("/requests/new/").get_data(as_text=True)
        assert 'value="2026-10-25T03:40"' in page
        r = client.post("/requests/new/", data={
            "csrf_token": csrf_token(page), "received_at": "2026-10-25T03:40",
            "channel": "written", "requester_name": "Anna Äijälä", "requester_contact": "",
            "description": "", "sections": "tourism", "language": "fi"})
        assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    assert InspectionRequest.get().received_at == datetime.datetime(2026, 10, 25, 0, 40)


def test_a_pattern_writes_every_time_as_babel_writes_it():
    """The report's patterns (and others, with fields Babel must write itself) give what
    Babel's format_datetime gives, for times over two centuries, both changes of the
    clocks included, in the three languages."""
    import random

    from babel import dates as babel_dates

    patterns = ["d.M.yyyy 'klo' H.mm", "d.M.yyyy 'kl.' H.mm", "d MMMM yyyy, HH:mm",
                "dd.MM.yy hh:mm:ss", "MMM d y k K", "MMMMM", "h:mm a", "d.M.yyyy '%' H",
                "EEEE d.M.", "yyyy-MM-dd'T'HH:mm:ss"]
    rng = random.Random(15)
    moments = [datetime.datetime(1900, 1, 1) + datetime.timedelta(
        seconds=rng.randrange(200 * 365 * 86400)) for _ in range(400)]
    moments += [datetime.datetime(2026, 3, 29, 0, 59), datetime.datetime(2026, 3, 29, 1, 0),
                datetime.datetime(2026, 10, 25, 0, 30), datetime.datetime(2026, 10, 25, 1, 30),
                datetime.datetime(2026, 12, 31, 22, 0), datetime.datetime(2026, 1, 1, 12, 0)]
    for moment in moments:
        local = localtime.to_helsinki(moment)
        for pattern in patterns:
            for locale in ("fi_FI", "sv_FI", "en_GB"):
                expected = babel_dates.format_datetime(local, pattern, tzinfo=localtime.HELSINKI,
                                                       locale=locale)
                assert localtime.format_datetime(moment, locale, pattern) == expected, (
                    moment, pattern, locale)
