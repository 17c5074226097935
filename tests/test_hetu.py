"""Finding a henkilötunnus in free text: every century sign and the ways people write it,
and none of the numbers that only look like one."""

import pytest
from faker import Faker
from stdnum.fi import hetu

from services.hetu import contains_hetu, find_hetu

# 131052-308T is stdnum's own example; the rest are the Digital and Population Data
# Services Agency's test codes for the 2023 century signs (individual numbers 900–999,
# the temporary range, which is still a henkilötunnus in free text).
KNOWN = [
    "131052-308T",
    "010594Y9032",
    "010594Y9021",
    "020594X903P",
    "020594X902N",
    "030594W903B",
    "030694W9024",
    "040594V9030",
    "040594V902Y",
    "050594U903M",
    "050594U902L",
    "010516B903X",
    "010516B902W",
    "020516C903K",
    "020516C902J",
    "030516D9037",
    "030516D9026",
    "010501E9032",
    "020502E902X",
    "020503F9037",
    "020504A902E",
    "020504B904H",
]
VALID = [code for code in KNOWN if hetu.is_valid(code, allow_temporary=True)]


def _with_check(body):
    """Return ``body`` (DDMMYYCNNN) with its check character appended."""
    return body + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(body[:6] + body[7:]) % 31]


# One ordinary (non-temporary) code per century sign, checked by stdnum itself.
PER_SIGN = [_with_check(f"230185{sign}123") for sign in "+-YXWVUABCDEF"]


def test_the_known_codes_are_valid():
    assert VALID == KNOWN


def test_every_century_sign_has_a_code():
    assert all(hetu.is_valid(code) for code in PER_SIGN)
    assert {code[6] for code in PER_SIGN} == set("+-YXWVUABCDEF")


@pytest.mark.parametrize("code", VALID + PER_SIGN)
def test_a_valid_code_is_found_in_text(code):
    text = f"Asiakas soitti, hetu {code}, ja pyysi soittoa."
    assert find_hetu(text) == [code]
    assert contains_hetu(text)


@pytest.mark.parametrize("code", VALID + PER_SIGN)
def test_lower_case_is_found(code):
    assert find_hetu(f"hetu: {code.lower()}") == [code.lower()]


@pytest.mark.parametrize(
    "written",
    [
        "131052–308T",  # en dash
        "131052—308T",  # em dash
        "131052‐308T",  # Unicode hyphen
        "131052−308T",  # minus sign
        "131052 - 308T",
        "131052 – 308T",
        "131052 -308T",
        "131052- 308T",
        "131052 308T",  # the sign written as a space
        "131052 - 308t",
        "010594 y 9032",
        "010516 B903X",
    ],
)
def test_dashes_and_spaces_are_found(written):
    assert find_hetu(f"Tiedot: {written}.") == [written]


def test_every_code_in_a_text_is_found():
    text = "Ensin 131052-308T, sitten (010594Y9032) ja lopuksi 010516b903x."
    assert find_hetu(text) == ["131052-308T", "010594Y9032", "010516b903x"]


def test_faker_codes_are_found_in_surrounding_text():
    fake = Faker("fi_FI")
    fake.seed_instance(20261101)
    codes = [fake.ssn() for _ in range(200)]
    assert all(hetu.is_valid(code) for code in codes)
    for code in codes:
        assert find_hetu(f"Yhteydenotto {code}: asiakas pyysi tarjouksen.") == [code], code


@pytest.mark.parametrize(
    "text",
    [
        "Y-tunnus 0737546-2",
        "Y-tunnus 2617416-4",
        "FI07375462",
        "+358 40 123 4567",
        "+358401234567",
        "040-1234567",
        "040 123 4567",
        "09 310 1641",
        "13.10.1952",
        "1952-10-13",
        "syntynyt 13.10.1952 Helsingissä",
        "Lasku MK-2026-0001234, viite 1234561",
        "lasku 150324-0017",  # date-like, but individual number 001 is never issued
        "00100 Helsinki",
        "PL 1 00099 Helsingin kaupunki",
        "FI21 1234 5600 0007 85",
        "131052-308A",  # the right shape, the wrong check character
        "131052-308U",
        "310252-308Y",  # 31 February
        "x131052-308T",  # glued to a letter on the left
        "131052-308Tx",  # and on the right
        "9131052-308T",  # part of a longer number
        "131052-308T9",
        "",
    ],
)
def test_look_alikes_are_not_flagged(text):
    assert find_hetu(text) == []
    assert not contains_hetu(text)


def test_none_is_not_a_code():
    assert find_hetu(None) == []
    assert not contains_hetu(None)
