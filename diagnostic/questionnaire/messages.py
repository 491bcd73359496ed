"""The one catalogue of coded French messages of the YAML data files (docs/codes-erreur.md).

Every problem found in a data file of `questions/` (questionnaire, action library, « repères et
outils », workshop programme, renamed questions, demo territories, mandate calendar, legal
obligations) is one `Message` of this
catalogue, in the spirit of pyxform's error codes: a stable code (`YAML-005`), what is wrong and
how to fix it. A `Problem` adds where: the file, the line and the key path, and reads

    fichier:ligne: chemin : ce qui ne va pas — comment corriger [CODE]

Families: YAML (reading and syntax, every file), CHAMP (the shape of any file: missing, unknown
or mistyped fields), QUESTION (questionnaires), ACTION and REPERE (action library and
references), ATELIER (workshop programme), RENOMME (renamed questions), CALENDRIER and
OBLIGATION (the mandate calendar and the legal obligations, territory/), CHANTIER (the chantiers
of the roadmap, roadmap/chantiers.py). A model validator
raises `broken(MESSAGE, …)` so that the rule it checks keeps its code through pydantic.
FICHE: the fiche du territoire (fiche.yaml) and the demo territories' fiches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError

from diagnostic.errors import ProblemsError


@dataclass(frozen=True)
class Problem:
    """One coded problem found in a file, at a line (1-based; 0 when the file cannot be read)."""

    path: str
    line: int
    message: str  # where (the key path, when there is one) and what is wrong
    code: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message} — {self.fix} [{self.code}]"


class QuestionnaireError(ProblemsError):
    """A data file could not be loaded; carries every problem found."""

    problems: list[Problem]


@dataclass(frozen=True)
class Message:
    """One entry of the catalogue: `what` and `fix` are French templates with {fields}."""

    code: str
    what: str
    fix: str

    def at(self, path: str, line: int, where: str = "", **values: Any) -> Problem:
        """This message as a problem of `path` at `line`, `where` being the key path."""
        what = self.what.format(**values)
        return Problem(
            path, line, f"{where} : {what}" if where else what, self.code, self.fix.format(**values)
        )

    def fail(self, path: str, line: int, where: str = "", **values: Any) -> QuestionnaireError:
        """This message as the one problem of an error."""
        return QuestionnaireError([self.at(path, line, where, **values)])


@dataclass(frozen=True)
class Form:
    """How a constrained text is written, in French: metadata of an Annotated type, shown in
    the fix of CHAMP-007 (`Annotated[str, StringConstraints(pattern=…), Form("une date…")]`)."""

    text: str


def broken(message: Message, **values: Any) -> PydanticCustomError:
    """The error a model validator raises: pydantic keeps the code as the error's type."""
    return PydanticCustomError(message.code, message.what, values)


GUIDE = "questions/README.md"

# --- YAML: reading and syntax, the same for every file (questionnaire/source.py) ---------------

FILE_NOT_FOUND = Message(
    "YAML-001", "fichier introuvable", "vérifiez le chemin et le nom du fichier"
)
FILE_IS_FOLDER = Message(
    "YAML-002", "c'est un dossier, pas un fichier", "indiquez l'un des fichiers .yaml du dossier"
)
FILE_UNREADABLE = Message(
    "YAML-003",
    "lecture impossible ({reason})",
    "vérifiez que le fichier existe sous ce nom et que vous avez le droit de le lire",
)
FILE_TOO_BIG = Message(
    "YAML-004",
    "fichier trop volumineux ({size}) : un fichier de données fait au plus {limit} Kio",
    "vérifiez qu'il s'agit bien d'un fichier de données, sans texte collé par erreur",
)
BAD_ENCODING = Message(
    "YAML-005",
    "encodage invalide (octet 0x{byte} illisible en UTF-8, sans doute un accent enregistré "
    "dans un autre encodage)",
    "enregistrez le fichier en UTF-8",
)
TOO_DEEP = Message(
    "YAML-006",
    "imbrication trop profonde : plus de {limit} niveaux {what} (un fichier de données en "
    "compte moins de 10)",
    "vérifiez l'indentation et les crochets",
)
ALIAS_IN_ITS_ANCHOR = Message(
    "YAML-007",
    "alias « *{alias} » à l'intérieur de sa propre ancre : la structure ne finirait jamais",
    "placez l'alias hors de l'élément qui porte l'ancre « &{alias} »",
)
TOO_MANY_NODES = Message(
    "YAML-008",
    "fichier trop grand : plus de {limit} éléments",
    "vérifiez qu'il s'agit bien d'un fichier de données, sans texte collé par erreur",
)
ALIAS_BOMB = Message(
    "YAML-009",
    "les alias (ici « *{alias} ») dépliés donneraient plus de {limit} éléments",
    "n'utilisez les ancres et alias que pour de courtes répétitions",
)
BAD_SYNTAX = Message(
    "YAML-010",
    "syntaxe YAML invalide : {problem}",
    "vérifiez l'indentation (des espaces, pas de tabulation) et les guillemets ou crochets "
    "non refermés, sur cette ligne ou juste avant",
)
FORBIDDEN_CHARACTER = Message(
    "YAML-011",
    "caractère interdit (U+{char}, invisible dans la plupart des éditeurs)",
    "retirez-le (il vient souvent d'un copier-coller)",
)
EMPTY_FILE = Message(
    "YAML-012",
    "le fichier est vide",
    f"écrivez-y les clés attendues (voir {GUIDE}) ou retirez-le du dossier",
)

# --- CHAMP: the shape of any file, from its schema (questionnaire/loader.schema_problems) -------

NOT_A_MAPPING = Message(
    "CHAMP-001",
    "le fichier doit décrire {expected}",
    "écrivez ces clés en tête du fichier, une par ligne (« clé: valeur »), sans tiret ni retrait",
)
MISSING_FIELD = Message(
    "CHAMP-002", "champ obligatoire manquant : « {field} »", "ajoutez « {field}: » et sa valeur"
)
UNKNOWN_FIELD = Message(
    "CHAMP-003",
    "champ inconnu « {field} »",
    "corrigez son nom (faute de frappe ?) ou retirez-le ; champs permis ici : {allowed}",
)
NOT_ALLOWED = Message(
    "CHAMP-004",
    "valeur « {value} » non permise pour « {field} »",
    "choisissez parmi : {allowed}",
)
UNKNOWN_TYPE = Message(
    "CHAMP-005", "{noun} inconnu « {value} »", "choisissez parmi les types possibles : {allowed}"
)
BAD_IDENTIFIER = Message(
    "CHAMP-006",
    "identifiant invalide « {value} »",
    "écrivez-le en lettres minuscules sans accent, chiffres et _ seulement, en commençant par "
    "une lettre",
)
BAD_FORM = Message("CHAMP-007", "« {field} » a une forme invalide : « {value} »", "écrivez {form}")
NOT_TEXT = Message(
    "CHAMP-008",
    "« {field} » doit être un texte (valeur lue : {value})",
    "écrivez le texte sur la même ligne que « {field}: », entre guillemets s'il commence par un "
    "chiffre ou contient « : »",
)
NOT_NUMBER = Message(
    "CHAMP-009",
    "« {field} » doit être {number} (valeur lue : {value})",
    "écrivez {number} seul, sans unité ni guillemets",
)
NOT_BOOLEAN = Message(
    "CHAMP-010",
    "« {field} » doit valoir true ou false (valeur lue : {value})",
    "écrivez true (oui) ou false (non)",
)
NOT_LIST = Message(
    "CHAMP-011",
    "« {field} » doit être une liste",
    "écrivez un élément par ligne, chaque ligne commençant par « - », en retrait sous « {field}: »",
)
NOT_TABLE = Message(
    "CHAMP-012",
    "« {field} » doit être une table de clés: valeurs",
    "écrivez une ligne « clé: valeur » par élément, en retrait sous « {field}: »",
)
EMPTY_FIELD = Message(
    "CHAMP-013", "« {field} » ne doit pas être vide", "complétez-le ou retirez la ligne"
)
OUT_OF_BOUNDS = Message(
    "CHAMP-014",
    "« {field} » doit valoir {bound}",
    "remplacez {value} par un nombre {bounds}",
)
TOO_LONG = Message(
    "CHAMP-015",
    "« {field} » est trop long (au plus {limit} caractères)",
    "raccourcissez-le",
)
INVALID_VALUE = Message(
    "CHAMP-016",
    "« {field} » : valeur invalide ({value})",
    f"corrigez-la d'après les exemples de {GUIDE} et des fichiers livrés",
)
DUPLICATE = Message(
    "CHAMP-017",
    "{noun} « {id} » en double{earlier}",
    "changez l'un des deux identifiants : chacun doit être unique",
)

# --- QUESTION: questionnaires (questionnaire/schema.py and loader.check_references) ------------

UNKNOWN_SCALE = Message(
    "QUESTION-001",
    "échelle inconnue « {scale} »",
    "choisissez parmi les échelles définies sous « scales » : {scales}",
)
LEVELS_MISMATCH = Message(
    "QUESTION-002",
    "les niveaux décrits ({levels}) ne correspondent pas à l'échelle « {scale} » ({values})",
    "décrivez exactement les niveaux {values}, un par ligne sous « levels: »",
)
SAME_LEVEL_TEXT = Message(
    "QUESTION-003",
    "deux niveaux ont la même description",
    "donnez à chaque niveau sa propre description",
)
SHOW_IF_UNKNOWN = Message(
    "QUESTION-004",
    "show_if renvoie à une question inconnue « {target} »",
    "écrivez l'identifiant d'une question placée avant celle-ci",
)
SHOW_IF_LATER = Message(
    "QUESTION-005",
    "show_if doit renvoyer à une question placée avant elle (« {target} » vient après)",
    "placez « {target} » avant cette question, ou changez la condition",
)
SHOW_IF_OPTION = Message(
    "QUESTION-006",
    "show_if teste une option inconnue de « {target} » : {unknown}",
    "options de « {target} » : {options}",
)
SCALE_GAP = Message(
    "QUESTION-007",
    "les niveaux d'une échelle doivent se suivre (ici {levels})",
    "numérotez-les sans trou (ex. 1, 2, 3, 4, 5)",
)
CONDITION_TESTS = Message(
    "QUESTION-008",
    "une condition show_if précise exactement un test parmi equals, in, includes, at_least, "
    "at_most (ici {count})",
    "gardez un seul de ces tests",
)
OPTIONS_ON_SCALE = Message(
    "QUESTION-009",
    "une question « {type} » n'a pas d'options : elle utilise une échelle",
    "retirez « options » ou choisissez un autre type de question",
)
CHOICE_WITHOUT_OPTIONS = Message(
    "QUESTION-010",
    "une question à choix unique demande des options ou une échelle",
    "ajoutez « options: » (la liste des choix) ou « scale: » (une échelle définie)",
)
OPTIONS_MISSING = Message(
    "QUESTION-011",
    "une question « {type} » demande une liste d'options",
    "ajoutez « options: » avec un choix par ligne (id et label)",
)
GRID_INCOMPLETE = Message(
    "QUESTION-012",
    "une grille demande des lignes (rows) et une échelle (scale)",
    "ajoutez ce qui manque : « rows: » (une ligne par acteur) et « scale: »",
)
ROWS_OUTSIDE_GRID = Message(
    "QUESTION-013",
    "seules les grilles ont des lignes (rows)",
    "retirez « rows » ou choisissez le type grid",
)
TOO_MANY_CHOICES = Message(
    "QUESTION-014",
    "max_choices dépasse le nombre d'options ({count})",
    "abaissez max_choices à {count} au plus, ou ajoutez des options",
)
KNOWLEDGE_TYPE = Message(
    "QUESTION-015",
    "« fact » ne s'applique qu'à une question à choix (single_choice ou multiple_choice) avec "
    "des options, pas à une question « {type} »",
    "retirez « fact » ou changez le type de la question",
)
KNOWLEDGE_OPTION = Message(
    "QUESTION-016",
    "fact › options nomme une option inconnue de la question : {unknown}",
    "options de la question : {options}",
)
KNOWLEDGE_WITHOUT_FACT = Message(
    "QUESTION-017",
    "l'option « {option} » de fact › options donne une valeur sans dire de quelle information "
    "de la fiche",
    "ajoutez « id: » (l'information de la fiche) sous « fact: », ou écrivez la valeur sous la "
    "forme « information: valeur »",
)
PREFILL_TYPE = Message(
    "QUESTION-018",
    "« prefill » ne s'applique qu'à une question à choix unique (single_choice) avec des "
    "options, pas à une question « {type} »",
    "retirez « prefill » ou changez le type de la question",
)
PREFILL_OPTION = Message(
    "QUESTION-019",
    "prefill › options mène à une option inconnue de la question : {unknown}",
    "options de la question : {options}",
)
PREFILL_CODE = Message(
    "QUESTION-020",
    "prefill › options nomme un code que l'invitation ne peut pas porter : {unknown}",
    "codes possibles pour « from: {source} » : {codes}",
)

# --- ACTION and REPERE: the action library and « repères et outils » (roadmap/library.py) ------

ACTION_UNKNOWN_ITEM = Message(
    "ACTION-001",
    "question inconnue « {item} » dans items",
    "écrivez l'identifiant d'une question du questionnaire « {questionnaire} »",
)
ACTION_UNKNOWN_DIMENSION = Message(
    "ACTION-002",
    "dimension inconnue « {dimension} »",
    "choisissez parmi les dimensions du questionnaire : {dimensions}",
)
TRIGGER_UNKNOWN_ITEM = Message(
    "ACTION-003",
    "le déclencheur renvoie à une question inconnue « {item} »",
    "écrivez l'identifiant d'une question du questionnaire « {questionnaire} »",
)
TRIGGER_ITEM_NOT_LISTED = Message(
    "ACTION-004",
    "la question « {item} » du déclencheur manque dans items",
    "ajoutez « {item} » à la liste items de l'action",
)
TRIGGER_ROW_OUTSIDE_GRID = Message(
    "ACTION-005",
    "« row » ne s'applique qu'à une grille, pas à « {item} » ({type})",
    "retirez « row » de ce déclencheur",
)
TRIGGER_UNKNOWN_ROW = Message(
    "ACTION-006",
    "ligne inconnue « {row} » dans la grille « {item} »",
    "choisissez parmi les lignes de la grille : {rows}",
)
TRIGGER_TEST_DOES_NOT_APPLY = Message(
    "ACTION-007",
    "le test « {test} » ne s'applique pas à « {item} » (question {type})",
    "tests possibles pour cette question : {tests}",
)
TRIGGER_UNKNOWN_LEVEL = Message(
    "ACTION-008",
    "niveau {value} absent de l'échelle de « {item} » ({levels})",
    "choisissez un niveau parmi {levels}",
)
TRIGGER_IMPOSSIBLE_GAP = Message(
    "ACTION-009",
    "écart {value} impossible sur l'échelle de « {item} »",
    "choisissez un écart de 1 à {largest}",
)
TRIGGER_UNKNOWN_OPTION = Message(
    "ACTION-010",
    "option inconnue de « {item} » : {unknown}",
    "options de « {item} » : {options}",
)
TRIGGER_WITHOUT_TEST = Message(
    "ACTION-011",
    "un déclencheur précise au moins un test parmi {tests}",
    "ajoutez l'un de ces tests au déclencheur",
)
TRIGGER_ITEM_OR_FACT = Message(
    "ACTION-012",
    "un déclencheur porte soit sur une question (item), soit sur une information de la fiche du "
    "territoire (fact) : {given}",
    "gardez « item: » ou « fact: », l'un des deux",
)
TRIGGER_FACT_TEST = Message(
    "ACTION-013",
    "le test « {test} » ne s'applique pas à l'information « {fact} » de la fiche ({type})",
    "tests possibles pour cette information : {tests}",
)
ACTION_INTERIM_PILOT = Message(
    "ACTION-014",
    "le pilote « {pilot} » nomme {body} : « pilot_interim » {problem}",
    "écrivez dans « pilot_interim » le pilote tant que {body} n'existe pas, sans le nommer",
)
REFERENCE_FIELD_MISSING = Message(
    "REPERE-001",
    "un repère « {kind} » précise {noun} (champ {field})",
    "ajoutez « {field}: » à ce repère",
)
UNKNOWN_REFERENCE = Message(
    "REPERE-002",
    "repère inconnu « {reference} »",
    "ajoutez-le à questions/references.yaml ou corrigez l'identifiant",
)

# --- ATELIER: the workshop programme (workshop/programme.py) -----------------------------------

STEP_ITEMS = Message(
    "ATELIER-001",
    "« items » ne sert qu'aux étapes results et revote",
    "retirez « items » de cette étape",
)
STEP_WELCOME_FIRST = Message(
    "ATELIER-002",
    "l'accueil (welcome) est la première étape",
    "placez cette étape en tête du déroulé, ou retirez-la",
)
STEP_SOURCE_OUTSIDE_GRID = Message(
    "ATELIER-003",
    "« source » ne sert qu'aux étapes grid et dots",
    "retirez « source » de cette étape",
)
GRID_WITHOUT_SOURCE = Message(
    "ATELIER-004",
    "une étape grid ou dots indique sa « source », l'étape collective dont elle reprend les "
    "contributions",
    "ajoutez « source: » suivi de l'identifiant d'une étape collective placée avant : {steps}",
)
GRID_SOURCE_NOT_BEFORE = Message(
    "ATELIER-005",
    "« source » renvoie à « {source} », qui n'est pas une étape placée avant celle-ci",
    "choisissez une étape collective placée avant : {steps}",
)
GRID_SOURCE_NOT_COLLECTIVE = Message(
    "ATELIER-006",
    "« source » doit être une étape collective (« {source} » est de type {kind})",
    "choisissez une étape collective placée avant : {steps}",
)
STEP_DOTS = Message(
    "ATELIER-007",
    "« dots » (le nombre de points par personne) ne sert qu'aux étapes dots",
    "retirez « dots » de cette étape, ou donnez-lui le type dots",
)
DOTS_SOURCE_TWICE = Message(
    "ATELIER-008",
    "les contributions de « {source} » ont déjà une étape de points (« {other} »)",
    "gardez une seule étape dots par étape collective, ou choisissez une autre « source »",
)

# --- RENOMME: the renamed questions (comparison/service.py) ------------------------------------

RENAMED_NOT_A_TABLE = Message(
    "RENOMME-001",
    "une table « ancien_identifiant: nouvel_identifiant » attendue",
    "écrivez une ligne « ancien: nouveau » par question renommée, en retrait sous le questionnaire",
)
RENAMED_UNKNOWN_QUESTIONNAIRE = Message(
    "RENOMME-002",
    "questionnaire inconnu « {questionnaire} » (questionnaires : {questionnaires})",
    "écrivez l'identifiant (id) de l'un de ces questionnaires",
)
RENAMED_OLD_UNKNOWN = Message(
    "RENOMME-003",
    "« {old} » ne figure dans aucune version du questionnaire",
    "écrivez à gauche l'identifiant de la question dans une version passée",
)
RENAMED_NEW_UNKNOWN = Message(
    "RENOMME-004",
    "« {new} » ne figure pas dans la dernière version du questionnaire",
    "écrivez à droite l'identifiant de la question dans la dernière version",
)

# --- CALENDRIER: the mandate calendar (territory/calendar.py) ----------------------------------

RENEWALS_NOT_IN_ORDER = Message(
    "CALENDRIER-001",
    "les renouvellements ne sont pas dans l'ordre chronologique (« {renewal} » commence avant "
    "« {previous} »)",
    "rangez les renouvellements du plus ancien au plus récent, le renouvellement attendu en "
    "dernier",
)
ROUNDS_NOT_IN_ORDER = Message(
    "CALENDRIER-002",
    "les tours de scrutin ne se suivent pas ({rounds})",
    "écrivez les dates des tours dans l'ordre, le premier tour d'abord",
)
RENEWAL_DATES = Message(
    "CALENDRIER-003",
    "un renouvellement donne soit ses tours (dates), soit, s'il est attendu, son mois",
    "écrivez « tours: [AAAA-MM-JJ, AAAA-MM-JJ] », ou « mois: AAAA-MM » avec « attendu: true »",
)
DEADLINE_FIELD_MISSING = Message(
    "CALENDRIER-004",
    "une échéance « depuis: {anchor} » précise « {field} »",
    "ajoutez « {field}: » ({form})",
)
DEADLINE_FIELD_UNUSED = Message(
    "CALENDRIER-005",
    "« {field} » ne sert pas à une échéance « depuis: {anchor} »",
    "retirez « {field} », ou changez « depuis: »",
)
IMPOSSIBLE_DAY = Message(
    "CALENDRIER-006",
    "le {day}/{month} n'existe pas (ou pas chaque année)",
    "choisissez un jour qui existe chaque année dans ce mois",
)
DELAY_UNITS = Message(
    "CALENDRIER-007",
    "un délai se compte soit en mois, soit en jours (ici {count})",
    "gardez un seul de « mois: » et « jours: »",
)
TITLE_PLACEHOLDER = Message(
    "CALENDRIER-008",
    "le titre utilise un champ inconnu « {name} »",
    "n'utilisez que les champs moment et mandat, chacun entre accolades",
)

# --- OBLIGATION: the legal obligations checked from the fiche (territory/obligations.py) -------

UNKNOWN_DEADLINE = Message(
    "OBLIGATION-001",
    "échéance inconnue « {deadline} »",
    "choisissez une échéance de questions/calendrier.yaml : {deadlines}",
)
OBLIGATION_WITHOUT_FACT = Message(
    "OBLIGATION-002",
    "une obligation dit quel fait de la fiche la montre remplie",
    "ajoutez « fait: » (un fait oui/non) ou « date: » (une date de la fiche)",
)
WINDOW_WITH_FACT = Message(
    "OBLIGATION-003",
    "l'échéance « {deadline} » est une fenêtre : elle ne se vérifie pas sur la fiche",
    "retirez « fait: » et « date: » de cette obligation",
)
DATED_DEADLINE_WITHOUT_DATE = Message(
    "OBLIGATION-004",
    "l'échéance « {deadline} » ({anchor}) se vérifie sur une date de la fiche",
    "ajoutez « date: » suivi du fait de la fiche qui donne la date de l'acte",
)
OBLIGATION_UNKNOWN_ACTION = Message(
    "OBLIGATION-005",
    "action inconnue « {action} » : elle n'est pas dans questions/actions.yaml",
    "choisissez une action de la bibliothèque ({actions}) ou retirez-la de « actions: »",
)

# --- CHANTIER: the chantiers of the roadmap (roadmap/chantiers.py) -------------------------------

CHANTIER_UNKNOWN_ACTION = Message(
    "CHANTIER-001",
    "action inconnue « {action} » : elle n'est pas dans questions/actions.yaml",
    "écrivez l'identifiant d'une action de la bibliothèque ou retirez-la",
)
CHANTIER_ACTION_MISSING = Message(
    "CHANTIER-002",
    "l'action « {action} » de questions/actions.yaml n'est rangée dans aucun chantier",
    "ajoutez « - action: {action} » aux actions du chantier auquel elle appartient",
)
CHANTIER_ACTION_TWICE = Message(
    "CHANTIER-003",
    "l'action « {action} » est déjà rangée dans le chantier « {chantier} » (ligne {earlier})",
    "gardez chaque action dans un seul chantier",
)
CHANTIER_REQUIRES_CYCLE = Message(
    "CHANTIER-004",
    "les actions se requièrent en boucle : {cycle}",
    "retirez l'une de ces actions de « requiert » : l'une d'elles doit passer la première",
)
EXCLUSION_TOO_SMALL = Message(
    "CHANTIER-005",
    "un groupe d'exclusion réunit au moins deux actions distinctes (ici {count})",
    "ajoutez l'action avec laquelle elle fait double emploi, ou retirez le groupe",
)
CONDITION_NOT_A_NUMBER = Message(
    "CHANTIER-006",
    "« {test} » compare un nombre, or « {fact} » est une information de type {type}",
    "choisissez une information de type int de la fiche, ou écrivez le test dans « si: »",
)
RANGE_REVERSED = Message(
    "CHANTIER-007",
    "fourchette [{low}, {high}] : le minimum dépasse le maximum",
    "écrivez le minimum d'abord, par exemple [{high}, {low}]",
)
UNKNOWN_SUPPORT = Message(
    "CHANTIER-008",
    "appui inconnu « {support} »",
    "choisissez l'un des appuis déclarés en tête du fichier : {supports}",
)
SUPPORT_DAYS_ALONE = Message(
    "CHANTIER-009",
    "« jours_appui » et « appui » vont ensemble (ici seul « {given} » est donné)",
    "donnez les deux : « appui: cnfpt, jours_appui: [1, 2] », ou aucun",
)
INDICATOR_ITEM_NOT_OF_ACTION = Message(
    "CHANTIER-010",
    "« {item} » n'est pas l'un des items de l'action « {action} » ({items})",
    "choisissez parmi les items de l'action dans questions/actions.yaml",
)
CLAUSE_UNKNOWN_CHANTIER = Message(
    "CHANTIER-011",
    "chantier inconnu « {chantier} »",
    "choisissez l'un des chantiers du fichier : {chantiers}",
)
CLAUSE_TWICE = Message(
    "CHANTIER-012",
    "la clause {number}° du pacte de gouvernance est déjà décrite (ligne {earlier})",
    "gardez une seule entrée par clause de la loi et réunissez leurs « quand »",
)
TRIGGER_EMPTY = Message(
    "CHANTIER-013",
    "un déclencheur de clause ne dit rien : ni « items », ni « actions », ni « chantiers », "
    "ni « fiche »",
    "donnez au moins l'un d'eux, ou retirez le déclencheur",
)
TRIGGER_WITHOUT_REASON = Message(
    "CHANTIER-014",
    "un déclencheur qui lit la fiche doit dire son « motif » en clair",
    "ajoutez « motif: » : la condition en mots, telle que le lecteur la lira",
)

CHANTIER_INTERIM_PILOT = Message(
    "CHANTIER-015",
    "le pilote « {pilot} » nomme {body} : « pilote_interim » {problem}",
    "écrivez dans « pilote_interim » le pilote du chantier tant que {body} n'existe pas, sans le "
    "nommer",
)

# --- FICHE: the territory's fiche (territory/facts.py) and the demo territories' fiches --------

FACT_KEY_MISSING = Message(
    "FICHE-001",
    "une information de type {type} demande « {key} »",
    "ajoutez « {key}: » : {what}",
)
FACT_KEY_NOT_APPLICABLE = Message(
    "FICHE-002",
    "« {key} » ne s'applique pas à une information de type {type}",
    "retirez « {key} » ou changez le type de l'information",
)
DEPENDS_ON_INVALID = Message(
    "FICHE-003",
    "depends_on renvoie à « {target} », qui n'est pas une information oui/non (bool) placée avant",
    "écrivez l'identifiant d'une information de type bool placée avant celle-ci",
)
REQUIRED_FACT = Message(
    "FICHE-004",
    "l'information « {fact} » de type {type} manque : l'application la lit",
    "ajoutez-la avec ce type et cet identifiant",
)
UNKNOWN_FACT = Message(
    "FICHE-005",
    "information inconnue « {fact} »",
    "choisissez parmi les informations de fiche.yaml : {facts}",
)
BAD_FACT_VALUE = Message(
    "FICHE-006",
    "« {fact} » : {reason}",
    "écrivez {expected}",
)
FACT_WITHOUT_CONDITION = Message(
    "FICHE-007",
    "« {fact} » est renseignée alors que « {parent} » ne vaut pas true",
    "retirez « {fact} » ou écrivez « {parent}: true »",
)

CATALOGUE: dict[str, Message] = {
    m.code: m for m in list(globals().values()) if isinstance(m, Message)
}
