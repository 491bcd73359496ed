"""French labels of the codes stored in the database (territory kinds, roles, statuses)."""

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

__all__ = ["KIND_LABELS", "MEMBERSHIP_LABELS", "ROLE_LABELS", "STATUS_LABELS"]
