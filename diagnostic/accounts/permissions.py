"""Who may do what: roles and actions as data, one pure `can` check, the pages each actor sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from diagnostic.errors import AccessDenied


class Action(StrEnum):
    TERRITORY_CREATE = "territory.create"
    TERRITORY_VIEW = "territory.view"
    TERRITORY_MANAGE = "territory.manage"  # campaigns, participants, opening, closing, fiche
    RESULTS_VIEW = "results.view"
    BENCHMARK_VIEW = "benchmark.view"  # anonymous peer aggregates (comparison page)
    WORKSHOP_RUN = "workshop.run"  # run a live workshop on the territory's campaigns
    ANSWER_OWN = "answer.own"  # a respondent's own answers
    USERS_MANAGE = "users.manage"
    SIGN_IN = "sign_in"
    PUBLIC = "public"


# Territory-scoped actions granted by each membership role (design §2).
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "coordinator": frozenset(
        {
            Action.TERRITORY_VIEW,
            Action.TERRITORY_MANAGE,
            Action.RESULTS_VIEW,
            Action.WORKSHOP_RUN,
            Action.BENCHMARK_VIEW,
        }
    ),
    "consultant": frozenset({Action.TERRITORY_VIEW, Action.RESULTS_VIEW, Action.BENCHMARK_VIEW}),
    "facilitator": frozenset({Action.TERRITORY_VIEW, Action.WORKSHOP_RUN}),
}

TERRITORY_ACTIONS = frozenset(
    {
        Action.TERRITORY_VIEW,
        Action.TERRITORY_MANAGE,
        Action.RESULTS_VIEW,
        Action.WORKSHOP_RUN,
        Action.BENCHMARK_VIEW,
    }
)


@dataclass(frozen=True)
class Actor:
    """The person behind a request: an account, a respondent's link, or nobody."""

    kind: str = "anonymous"  # anonymous | user | respondent
    user_id: int | None = None
    email: str | None = None
    name: str | None = None
    is_admin: bool = False
    memberships: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    participant_id: int | None = None
    campaign_id: int | None = None

    @property
    def is_user(self) -> bool:
        return self.kind == "user" and self.user_id is not None

    @property
    def is_respondent(self) -> bool:
        return self.kind == "respondent" and self.participant_id is not None

    def label(self) -> str:
        """How the actor is named in the audit log."""
        if self.is_user:
            return self.email or f"compte {self.user_id}"
        if self.is_respondent:
            return f"répondant {self.participant_id}"
        return "anonyme"

    def territories(self, action: Action = Action.TERRITORY_VIEW) -> set[int]:
        """Territories on which the actor's memberships grant `action` (admins: use can)."""
        return {t for t, role in self.memberships if action in ROLE_ACTIONS.get(role, ())}


ANONYMOUS = Actor()


def can(
    actor: Actor,
    action: Action,
    *,
    territory_id: int | None = None,
    participant_id: int | None = None,
) -> bool:
    """The one permission check used by every page, export and command."""
    if action == Action.PUBLIC:
        return True
    if action == Action.SIGN_IN:
        return actor.kind == "anonymous"
    if action == Action.ANSWER_OWN:
        return (
            actor.is_respondent
            and participant_id is not None
            and actor.participant_id == participant_id
        )
    if not actor.is_user:
        return False
    if actor.is_admin:
        return True
    if action == Action.TERRITORY_CREATE:
        return True  # accounts are created by an admin; the creator becomes coordinator
    if action == Action.BENCHMARK_VIEW and territory_id is None:
        return bool(actor.territories(action))  # peer aggregates: held on any territory
    if action in TERRITORY_ACTIONS:
        if territory_id is None:
            return False
        return territory_id in actor.territories(action)
    return False


NO_ACCESS = "vous n'avez pas accès à ce territoire"
# What a refusal says, by action (NO_ACCESS for the others): nothing of other people's data.
REFUSALS: dict[Action, str] = {
    Action.USERS_MANAGE: "réservé aux administrateur·rices",
    Action.ANSWER_OWN: "accès refusé",
}


def require(
    actor: Actor,
    action: Action,
    *,
    territory_id: int | None = None,
    participant_id: int | None = None,
    message: str | None = None,
) -> None:
    """`can`, or AccessDenied with `message` (by default the action's refusal, REFUSALS)."""
    if not can(actor, action, territory_id=territory_id, participant_id=participant_id):
        raise AccessDenied(message or REFUSALS.get(action, NO_ACCESS))


@dataclass(frozen=True)
class PageSpec:
    """One screen of the app, and the action that opens it."""

    key: str
    path: str
    title: str
    icon: str
    action: Action
    needs_territory: bool = False  # shown only to actors holding the action on some territory
    link_only: bool = False  # never in the menu: app.py opens it from a link's URL parameter


_T = Action.TERRITORY_CREATE  # any signed-in account

PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "questionnaire",
        "pages/questionnaire.py",
        "Mon questionnaire",
        ":material/edit_note:",
        Action.PUBLIC,
    ),
    PageSpec("accueil", "pages/accueil.py", "Mes territoires", ":material/home:", _T),
    PageSpec(
        "fiche",
        "pages/fiche.py",
        "Fiche du territoire",
        ":material/fact_check:",
        Action.TERRITORY_VIEW,
        needs_territory=True,
    ),
    PageSpec(
        "campagne",
        "pages/campagne.py",
        "Campagnes",
        ":material/assignment:",
        Action.TERRITORY_MANAGE,
        needs_territory=True,
    ),
    PageSpec(
        "resultats",
        "pages/resultats.py",
        "Résultats",
        ":material/monitoring:",
        Action.RESULTS_VIEW,
        needs_territory=True,
    ),
    PageSpec(
        "comparaison",
        "pages/comparaison.py",
        "Comparaison",
        ":material/compare_arrows:",
        Action.BENCHMARK_VIEW,
        needs_territory=True,
    ),
    PageSpec(
        "consensus",
        "pages/consensus.py",
        "Réunion de consensus",
        ":material/groups:",
        Action.TERRITORY_MANAGE,
        needs_territory=True,
    ),
    PageSpec(
        "feuille_de_route",
        "pages/feuille_de_route.py",
        "Feuille de route",
        ":material/flag:",
        Action.TERRITORY_MANAGE,
        needs_territory=True,
    ),
    PageSpec(
        "suivi",
        "pages/suivi.py",
        "Suivi de la feuille de route",
        ":material/event_available:",
        Action.RESULTS_VIEW,
        needs_territory=True,
    ),
    PageSpec(
        "atelier",
        "pages/atelier.py",
        "Atelier",
        ":material/co_present:",
        Action.WORKSHOP_RUN,
        needs_territory=True,
    ),
    PageSpec(
        "projection",
        "pages/atelier_projection.py",
        "Projection",
        ":material/cast:",
        Action.WORKSHOP_RUN,
        needs_territory=True,
    ),
    PageSpec(
        "territoire", "pages/territoire.py", "Nouveau territoire", ":material/add_location_alt:", _T
    ),
    PageSpec(
        "comptes", "pages/comptes.py", "Comptes", ":material/manage_accounts:", Action.USERS_MANAGE
    ),
    PageSpec(
        "journal",
        "pages/journal.py",
        "Journal des actions",
        ":material/history:",
        Action.USERS_MANAGE,
    ),
    PageSpec("connexion", "pages/connexion.py", "Connexion", ":material/login:", Action.SIGN_IN),
    PageSpec(
        "reperes", "pages/reperes.py", "Repères et outils", ":material/menu_book:", Action.PUBLIC
    ),
    PageSpec(
        "confidentialite",
        "pages/confidentialite.py",
        "Données personnelles",
        ":material/shield_person:",
        Action.PUBLIC,
    ),
    PageSpec("deconnexion", "pages/deconnexion.py", "Se déconnecter", ":material/logout:", _T),
    PageSpec(
        "participer",
        "pages/atelier_participant.py",
        "Atelier",
        ":material/co_present:",
        Action.PUBLIC,
        link_only=True,
    ),
)


def pages_for(actor: Actor) -> list[PageSpec]:
    """The pages this actor may open, in menu order; the first one is the default."""
    if actor.is_respondent:
        return [p for p in PAGES if p.key == "questionnaire"]
    visible = []
    for page in PAGES:
        if page.key == "questionnaire" or page.link_only:
            continue
        if page.needs_territory and not actor.is_admin:
            if actor.is_user and actor.territories(page.action):
                visible.append(page)
            continue
        if can(actor, page.action):
            visible.append(page)
    return visible


def page_allowed(actor: Actor, key: str) -> bool:
    """Pages check again at their top that they are in the actor's list."""
    return any(p.key == key for p in pages_for(actor))
