"""Random, plausible and entirely synthetic holders of specimen documents.

Names come from small embedded lists covering many naming cultures, already transliterated to
the MRZ alphabet (A-Z and single spaces), so that the visual zone and the MRZ agree exactly.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass

# ICAO's fictional state comes first and is drawn most often; real ISO 3166-1 alpha-3 codes give
# the readers variety in the issuing-state and nationality fields (the artwork never imitates them).
FICTIONAL_STATE = "UTO"
REAL_STATES = (
    "ARG AUS AUT BEL BRA CAN CHE CHL COL CZE DNK EGY ESP EST FIN FRA GHA GRC HUN IDN IND IRL ISL ITA JPN KEN "
    "KOR LTU MAR MEX MYS NGA NLD NOR NZL PAK PER PHL POL PRT ROU SEN SWE THA TUR UKR URY USA VNM ZAF"
).split()

SURNAMES = tuple(
    (
        # Western and Northern Europe
        "ERIKSSON;JOHANSSON;VIRTANEN;HANSEN;DE JONG;VAN DER BERG;MUELLER;SCHNEIDER;WEBER;"
        "DUBOIS;LEFEVRE;MOREAU;SMITH;OBRIEN;MACLEOD;JONES;MURPHY;PEETERS;"
        # Southern and Eastern Europe
        "ROSSI;ESPOSITO;GARCIA;FERNANDEZ;DE LA CRUZ;GONCALVES;PAPADOPOULOS;NOWAK;"
        "KOWALSKA;NOVAK;HORVATH;POPESCU;IVANOVA;KOVALENKO;PETROV;YILMAZ;KAYA;"
        # Africa and the Middle East
        "OKAFOR;ADEYEMI;MENSAH;OWUSU;KAMAU;OTIENO;DIALLO;NDIAYE;MOLOI;DLAMINI;"
        "HADDAD;EL AMRANI;MANSOUR;AL FARSI;COHEN;MIZRAHI;TESFAYE;"
        # South and East Asia, Oceania
        "SHARMA;PATEL;IYER;CHATTERJEE;KHAN;RAHMAN;PERERA;NGUYEN;TRAN;PHAM;"
        "WANG;LI;ZHANG;CHEN;TANAKA;SATO;WATANABE;KIM;PARK;CHOI;SANTOS;"
        "REYES;WIJAYA;SUKSAWAT;TUPOU;NGATA;"
        # The Americas
        "HERNANDEZ;LOPEZ;RAMIREZ;SILVA;OLIVEIRA;PEREIRA;MORALES;QUISPE;MAMANI;"
        "JOHNSON;WILLIAMS;BROWN;TREMBLAY;GAGNON;BEGAY;THOMPSON;"
    )
    .rstrip(";")
    .split(";")
)
GIVEN_NAMES = {
    "F": tuple(
        (
            "ANNA MARIA SOFIA EMMA INGRID AOIFE CHLOE CAMILLE GIULIA LUCIA CARMEN ZUZANA AGNIESZKA OLENA ELIF "
            "AYSE NGOZI AMARA ABENA WANJIRU FATOU THANDIWE LEILA FATIMA YASMIN NOA PRIYA ANANYA AISHA NILUFAR "
            "LINH MEI XIAOYU YUKI HANA JIWOO MARISOL VALENTINA LUANA ISABELLA AIYANA OLIVIA GRACE MELE KALANI "
            "MADISON "
        ).split()
    ),
    "M": tuple(
        (
            "ERIK LARS JOHAN MIKKO PIETER LUCAS THOMAS JEAN PIERRE MARCO JAVIER DIEGO JOAO NIKOS PIOTR TOMAS "
            "ANDREI DMYTRO MEHMET EMEKA KWAME KOFI JOMO MAMADOU SIPHO OMAR KARIM YOUSSEF DAVID ARJUN RAHUL IMRAN "
            "TUAN MINH WEI HAORAN HIROSHI KENJI MINJUN RAFAEL MATEO SANTIAGO JAMES NOAH KOA TAMATI ETHAN "
        ).split()
    ),
}
GIVEN_NAMES["X"] = GIVEN_NAMES["F"] + GIVEN_NAMES["M"]
PLACES = tuple(
    (
        "NORTH HAVEN;LAKE MERIDIAN;PORT ALDER;EASTWICK;SAINT CLAREMONT;NEW ARDEN;RIVERTON;VILLA SERENA;"
        "MONTEBELLO;KESTREL BAY;SILVERDALE;OLD HARBOUR;FAIRMONT;CEDAR FALLS;"
    )
    .rstrip(";")
    .split(";")
)
ALPHANUMERIC = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class Identity:
    """One synthetic holder and the document data issued to them."""

    surname: str  # upper case, words separated by single spaces, A-Z only
    given_names: str  # same alphabet; may be empty
    sex: str  # "M", "F" or "X"
    birth_date: dt.date
    nationality: str
    issuing_country: str
    document_number: str  # 9 alphanumerics (12 for a TD1 long document number)
    issue_date: dt.date
    expiry_date: dt.date
    place_of_birth: str
    optional_data: str  # MRZ alphabet without fillers, may be empty

    def mrz_name(self) -> str:
        return mrz_name(self.surname, self.given_names)


def mrz_name(surname: str, given_names: str) -> str:
    """``SURNAME<<GIVEN<NAMES`` as the MRZ name field prints it, before padding."""
    if not given_names:
        return surname.replace(" ", "<")
    return f"{surname.replace(' ', '<')}<<{given_names.replace(' ', '<')}"


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def random_document_number(rng: random.Random, length: int = 9) -> str:
    """Issuer-style numbers: a letter or two, then mostly digits, sometimes fully mixed."""
    style = rng.random()
    if style < 0.4:
        letters = rng.randint(1, 2)
        head = "".join(rng.choice(string.ascii_uppercase) for _ in range(letters))
        return head + "".join(rng.choice(string.digits) for _ in range(length - letters))
    if style < 0.7:
        return "".join(rng.choice(string.digits) for _ in range(length))
    return "".join(rng.choice(ALPHANUMERIC) for _ in range(length))


def random_identity(
    rng: random.Random,
    *,
    today: dt.date,
    name_room: int,
    expired: bool,
    number_length: int = 9,
    optional_room: int = 0,
) -> Identity:
    """A holder whose ``SURNAME<<GIVEN<NAMES`` fits ``name_room`` MRZ characters untruncated.

    Birth dates fall in 1940-2007; the document was issued 0-9 years before ``today`` and is valid
    five or ten years, or, when ``expired``, ran out 1-900 days before ``today``.
    """
    sex = rng.choices(("F", "M", "X"), weights=(47, 47, 6))[0]
    while True:
        surname = rng.choice(SURNAMES)
        if rng.random() < 0.12:  # double-barrelled surnames, printed with a space
            surname = f"{surname} {rng.choice([name for name in SURNAMES if name != surname])}"
        given = rng.sample(GIVEN_NAMES[sex], rng.choices((0, 1, 2, 3), weights=(3, 55, 32, 10))[0])
        while len(mrz_name(surname, " ".join(given))) > name_room and given:
            given.pop()
        if len(mrz_name(surname, " ".join(given))) <= name_room:
            break
    birth_date = random_date(rng, dt.date(1940, 1, 1), dt.date(2007, 12, 31))
    issuing = FICTIONAL_STATE if rng.random() < 0.4 else rng.choice(REAL_STATES)
    nationality = issuing if rng.random() < 0.85 else rng.choice((FICTIONAL_STATE, *REAL_STATES))
    validity_years = rng.choice((5, 10))
    if expired:
        expiry_date = today - dt.timedelta(days=rng.randint(1, 900))
        issue_date = _years_before(expiry_date, validity_years) + dt.timedelta(days=1)
    else:
        issue_date = today - dt.timedelta(days=rng.randint(0, validity_years * 365 - 30))
        expiry_date = _years_before(issue_date, -validity_years) - dt.timedelta(days=1)
    issue_date = max(issue_date, birth_date + dt.timedelta(days=30))
    optional = ""
    if optional_room and rng.random() < 0.5:
        optional = "".join(rng.choice(ALPHANUMERIC) for _ in range(rng.randint(3, optional_room)))
    return Identity(
        surname=surname,
        given_names=" ".join(given),
        sex=sex,
        birth_date=birth_date,
        nationality=nationality,
        issuing_country=issuing,
        document_number=random_document_number(rng, number_length),
        issue_date=issue_date,
        expiry_date=expiry_date,
        place_of_birth=rng.choice(PLACES),
        optional_data=optional,
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
