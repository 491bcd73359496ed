"""French labels of the codes stored in the database (territory kinds, roles, statuses), and
French dates."""

from datetime import date

KIND_LABELS = {
    "cc": "Communauté de communes",
    "ca": "Communauté d'agglomération",
    "cu": "Communauté urbaine",
    "metropole": "Métropole",
    "commune": "Commune",
    "autre": "Autre",
}
ROLE_LABELS = {
    "dgs": "DGS",
    "dga": "DGA",
    "dst": "DST",
    "encadrant": "Encadrant·e",
    "elu": "Élu·e",
    "autre": "Autre",
}
STATUS_LABELS = {"draft": "En préparation", "open": "Ouverte", "closed": "Close"}
MEMBERSHIP_LABELS = {
    "coordinator": "Coordination",
    "consultant": "Consultant·e",
    "facilitator": "Animation d'atelier",
}

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_date(day: date) -> str:
    """« 1er mars 2027 », « 29 novembre 2026 »."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


__all__ = [
    "KIND_LABELS",
    "MEMBERSHIP_LABELS",
    "MONTHS",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "agree",
    "count",
    "french_date",
    "ordinal",
]


def agree(n: int, singular: str, plural: str | None = None) -> str:
    """The words agreed with `n`, without the number: « absent·e » for 1, « absent·es » for 3
    (French puts 0 and 1 in the singular); without `plural`, each word takes an « s »."""
    if plural is None:
        plural = " ".join(w + "s" for w in singular.split(" "))
    return singular if abs(n) < 2 else plural


def count(n: int, singular: str, plural: str | None = None) -> str:
    """« 0 action », « 1 action », « 3 actions »: French puts 0 and 1 in the singular. `singular`
    and `plural` may hold several words (« réponse enregistrée », « réponses enregistrées »)."""
    return f"{n} {agree(n, singular, plural)}"


def ordinal(n: int, *, feminine: bool = False) -> str:
    """« 1er » (« 1re » for a feminine noun), « 2e », « 3e »: the Imprimerie nationale's forms."""
    if n == 1:
        return "1re" if feminine else "1er"
    return f"{n}e"
