"""Import of paper answers: the whole file validated first, then one transaction (both bases)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from diagnostic.answering.paper import (
    AnswerImportError,
    ImportedAnswer,
    ParticipantState,
    Place,
    Structures,
    parse_answers,
)
from diagnostic.cli import main
from diagnostic.questionnaire import load_questionnaire, registry
from diagnostic.questionnaire.codecs import NormalizedAnswer
from diagnostic.settings import get_settings
from diagnostic.store import answers as answer_store
from diagnostic.store import campaigns as campaign_store
from diagnostic.store import imports as import_store
from diagnostic.store.answers import SubmittedError
from diagnostic.store.engine import get_engine, session_scope
from diagnostic.store.models import AuditEvent, Participant
from tests.conftest import FIXTURES
from tests.factories import make_world

Q = load_questionnaire(FIXTURES / "mini.yaml")
PEOPLE = {
    1: ParticipantState(campaign_id=10),
    2: ParticipantState(campaign_id=10),
    3: ParticipantState(campaign_id=10, submitted=True),
    4: ParticipantState(campaign_id=11),
    5: ParticipantState(campaign_id=10, erased=True),
}
HEADER = "participant;question;value;current;target;importance\n"
GOOD = HEADER + (
    "1;ctx_structure;commune;;;\n"
    "1;ctx_outils;pacte | codir;;;\n"
    "1;ctx_commune_taille;petite;;;\n"
    "1;ins_codir;;2;4;3\n"
    "1;ins_debat;nsp;;;\n"
    "1;act_priorites;habitat|mobilites|economie;;;\n"
    "1;act_grille.departement;;1;3;\n"
    "1;act_grille.region;;nsp;2;\n"
    '1;act_libre;"=SUM(A1); la région";;;\n'
    "2;ins_debat;4;;;\n"
    "2;act_libre;;;;\n"
)


def parse(text: str | bytes, people=PEOPLE, campaign_id: int = 10):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_answers(data, "fichier.csv", Q, campaign_id, lambda ids: people)


def problems(text: str | bytes, **kwargs) -> list[str]:
    with pytest.raises(AnswerImportError) as info:
        parse(text, **kwargs)
    return [str(p) for p in info.value.problems]


# --- pure parsing and validation --------------------------------------------------------------


def test_a_good_file_gives_one_normalised_answer_per_question():
    plan = parse(GOOD)
    got = {(a.participant_id, a.question_id): a.answer.value for a in plan.answers}
    assert got == {
        (1, "ctx_structure"): {"choice": "commune"},
        (1, "ctx_outils"): {"choices": ["pacte", "codir"]},
        (1, "ctx_commune_taille"): {"choice": "petite"},
        (1, "ins_codir"): {"current": 2, "target": 4, "importance": 3},
        (1, "ins_debat"): {"dont_know": True},
        (1, "act_priorites"): {"ranking": ["habitat", "mobilites", "economie"]},
        (1, "act_grille"): {
            "rows": {
                "departement": {"current": 1, "desired": 3},
                "region": {"current": "nsp", "desired": 2},
            }
        },
        (1, "act_libre"): {"text": "=SUM(A1); la région"},  # formula-looking text stays text
        (2, "ins_debat"): {"level": 4},
    }
    assert plan.skipped == 1  # the blank act_libre line
    assert plan.participants == {1, 2}
    codir = next(a for a in plan.answers if a.question_id == "ins_codir")
    assert (codir.answer.level, codir.answer.target, codir.line) == (2, 4, 5)


def test_comma_separator_bom_and_windows_line_ends():
    text = '\ufeffParticipant,Question,Value\r\n2,ins_debat,3\r\n\r\n2,act_libre,"Oui, et non"\r\n'
    plan = parse(text)
    assert [(a.question_id, a.answer.value) for a in plan.answers] == [
        ("ins_debat", {"level": 3}),
        ("act_libre", {"text": "Oui, et non"}),
    ]


def test_bad_encoding_names_the_line():
    data = (HEADER + "1;ins_debat;3;;;\n1;act_libre;Très bien;;;\n").encode("latin-1")
    assert problems(data) == [
        "fichier.csv:3: le fichier n'est pas encodé en UTF-8 (caractère illisible) : dans le "
        "tableur, enregistrez-le au format « CSV UTF-8 »"
    ]


def test_header_problems_are_reported_together():
    found = problems("participant;questoin;valeur\n1;ins_debat;3\n")
    assert found[0].startswith("fichier.csv:1: colonne inconnue « questoin »")
    assert "colonne « question » manquante" in found[2]
    assert "colonne « value » manquante" in found[3]
    assert len(found) == 4
    assert problems("") == ["fichier.csv:1: le fichier est vide"]


def test_every_line_problem_is_reported_at_once_with_line_and_column():
    text = HEADER + (
        "1;ins_debat;7;;;\n"
        "1;inconnue;3;;;\n"
        "x;ins_debat;3;;;\n"
        "9;ins_debat;3;;;\n"
        "4;ins_debat;3;;;\n"
        "3;ins_debat;3;;;\n"
        "5;ins_debat;3;;;\n"
        "2;ctx_structure;mairie;;;\n"
        "2;ctx_structure;nsp;;;\n"
        "2;ins_codir;3;;;\n"
        "2;ins_debat;2;;;\n"
        "2;ins_debat;3;;;\n"
        "2;act_grille.commune;;1;;\n"
        "2;act_grille.region;;6;;\n"
        "2;ins_codir;;;;5\n"
        "1;act_priorites;habitat|habitat;;;\n"
        "1;ins_debat.x;3;;;\n"
    )
    found = problems(text)
    assert found == [
        "fichier.csv:2: colonne « value » : niveau : niveau 7 hors de l'échelle (1 à 5)",
        "fichier.csv:3: colonne « question » : question « inconnue » inconnue dans le "
        "questionnaire « mini » version 1 (identifiants des questions : commande `validate`)",
        "fichier.csv:4: colonne « participant » : « x » n'est pas un numéro : indiquez le "
        "numéro de la personne (commande `participants --campaign ID`)",
        "fichier.csv:5: colonne « participant » : participant·e 9 inconnu·e : la liste des "
        "numéros de la campagne s'obtient avec `python -m diagnostic participants --campaign 10`",
        "fichier.csv:6: colonne « participant » : participant·e 4 invité·e à une autre campagne "
        "(n° 11), pas à la campagne 10",
        "fichier.csv:7: colonne « participant » : participant·e 3 a déjà envoyé ses réponses : "
        "rouvrez-les depuis la page « Campagnes » (« Rouvrir ses réponses ») avant l'import",
        "fichier.csv:8: colonne « participant » : les données de la participant·e 5 ont été "
        "effacées : invitez de nouveau la personne pour importer ses réponses",
        "fichier.csv:9: colonne « value » : choix inconnu : 'mairie' (options : epci, commune)",
        "fichier.csv:10: colonne « question » : deuxième réponse de la participant·e 2 à "
        "« ctx_structure » (déjà ligne 9) : gardez une seule ligne",
        "fichier.csv:11: colonne « value » : inutile pour « ins_codir » (niveau actuel et visé) : "
        "mettez les niveaux dans current, target, importance",
        "fichier.csv:13: colonne « question » : deuxième réponse de la participant·e 2 à "
        "« ins_debat » (déjà ligne 12) : gardez une seule ligne",
        "fichier.csv:14: colonne « question » : ligne « commune » inconnue dans la grille "
        "« act_grille » (lignes : departement, region)",
        "fichier.csv:15: colonne « current » : « 6 » hors de l'échelle : un nombre entier de 0 à "
        "4 ou « nsp » est attendu",
        "fichier.csv:16: colonne « question » : deuxième réponse de la participant·e 2 à "
        "« ins_codir » (déjà ligne 11) : gardez une seule ligne",
        "fichier.csv:17: colonne « value » : une option est choisie deux fois (options : "
        "mobilites, habitat, economie, transition)",
        "fichier.csv:18: colonne « question » : « ins_debat » n'est pas une grille : écrivez "
        "seulement « ins_debat »",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1;ctx_structure;nsp;;;", "« Je ne sais pas » n'est pas proposé pour cette question"),
        ("1;ins_codir;;2;9;", "colonne « target » : « 9 » hors de l'échelle"),
        (
            "1;ins_codir;;2;4;4",
            "colonne « importance » : « 4 » hors de l'échelle : un nombre entier de 1 à 3",
        ),
        ("1;ins_codir;;2,5;4;", "colonne « current » : « 2,5 » hors de l'échelle"),
        ("1;ins_debat;3;2;;", "colonne « current » : inutile pour « ins_debat »"),
        ("1;act_grille;3;;;", "« act_grille » est une grille : une ligne par rangée"),
        ("1;act_priorites;habitat|eau;;;", "option inconnue dans la réponse"),
        (
            "1;ins_debat;nsp;1;;",
            "colonne « current » : inutile pour « ins_debat » (niveau de "
            "maturité) : « nsp » se suffit à lui-même",
        ),
        ("1;ins_debat;3;;;;extra", "7 cellules pour 6 colonnes"),
        (";ins_debat;3;;;", "colonne « participant » : vide"),
    ],
)
def test_refused_lines(line, message):
    found = problems(HEADER + line + "\n")
    assert len(found) == 1 and found[0].startswith("fichier.csv:2: ")
    assert message in found[0]


def test_too_long_text_is_refused():
    found = problems(HEADER + "1;act_libre;" + "x" * 501 + ";;;\n")
    assert found == ["fichier.csv:2: colonne « value » : le texte dépasse 500 caractères (501)"]


def test_whole_grid_dont_know_cannot_be_mixed_with_rows():
    found = problems(HEADER + "1;act_grille;nsp;;;\n1;act_grille.region;;1;;\n")
    assert found == [
        "fichier.csv:3: colonne « question » : « act_grille » a aussi une ligne sans rangée "
        "(« nsp ») : gardez l'un ou l'autre"
    ]
    plan = parse(HEADER + "1;act_grille;nsp;;;\n")
    assert plan.answers[0].answer.value == {"dont_know": True}


# --- malformed CSV: clean `fichier:ligne` errors, never a swallowed line or a traceback ----------


def test_an_unterminated_quote_is_refused_with_its_line():
    text = HEADER + '1;ins_debat;3;;;\n1;act_libre;"Bien, mais;;;\n2;ins_debat;4;;;\n'
    assert problems(text) == [
        'fichier.csv:3: guillemet « " » ouvert et jamais refermé : la suite du fichier (lignes 3 '
        "à 4) serait lue comme une seule cellule ; refermez-le, ou doublez les guillemets qui "
        'font partie du texte (« "" »)'
    ]


def test_a_quote_followed_by_text_is_refused():
    text = HEADER + '1;act_libre;"Bien" mais non;;;\n'
    assert problems(text) == [
        "fichier.csv:2: guillemet mal placé : un texte entre guillemets doit être suivi de « ; » "
        'ou de la fin de la ligne ; doublez les guillemets qui font partie du texte (« "" »)'
    ]


def test_a_line_swallowed_by_a_quote_is_refused():
    # the quote opened line 3 closes at the end of line 4: line 4 would become free text
    text = HEADER + '1;ins_debat;3;;;\n1;act_libre;"Bien\n2;ins_debat;4;;"\n2;act_libre;Oui;;;\n'
    assert problems(text) == [
        "fichier.csv:3: le guillemet ouvert sur cette ligne ne se referme que ligne 4 : la ligne "
        '4 (« 2;ins_debat;4;;" ») serait lue comme du texte de la cellule ; refermez le '
        'guillemet, ou doublez ceux qui font partie du texte (« "" »)'
    ]
    # a text written on several lines, in quotes, is still one answer
    plan = parse(HEADER + '1;act_libre;"Premier point.\nSecond point : 2; voire 3.";;;\n')
    assert plan.answers[0].answer.value == {"text": "Premier point.\nSecond point : 2; voire 3."}
    assert plan.answers[0].line == 2


def test_a_200_kib_cell_is_refused_with_its_line():
    text = HEADER + "1;ins_debat;3;;;\n1;act_libre;" + "x" * 200 * 1024 + ";;;\n"
    assert problems(text) == [
        "fichier.csv:3: cellule de plus de 131 072 caractères (bien plus qu'une réponse libre) : "
        "vérifiez qu'aucun guillemet n'est resté ouvert"
    ]
    quoted = HEADER + '1;act_libre;"Début\n' + ("2;ins_debat;4;;;\n" * 12_000) + '";;;\n'
    assert problems(quoted)[0].startswith("fichier.csv:2: cellule de plus de 131 072 caractères")


# --- storage and command line, on SQLite and PostgreSQL ---------------------------------------


@pytest.fixture
def cli_env(engine, questions_dir, monkeypatch):
    """The command line pointed at the test engine's database and the test questionnaire."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("QUESTIONS_DIR", str(questions_dir))
    monkeypatch.setenv("LOAD_DEMO", "false")
    get_settings.cache_clear()
    registry.clear_cache()
    get_engine.cache_clear()
    yield engine
    get_settings.cache_clear()
    registry.clear_cache()
    get_engine.cache_clear()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stored(engine, pid):
    with session_scope(engine) as s:
        return answer_store.answers_of(s, participant_id=pid)


def write(tmp_path, text: str, name: str = "papier.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_imports_a_file_in_one_transaction_and_logs_it(cli_env, tmp_path, capsys):
    world = make_world(cli_env, n_participants=2)
    a, b = (p.id for p in world.participants)
    path = write(tmp_path, GOOD.replace("\n1;", f"\n{a};").replace("\n2;", f"\n{b};"))
    code, out, err = run(capsys, "import-answers", str(path), "--campaign", str(world.campaign_id))
    assert (code, err) == (0, "")
    assert out.strip() == (
        f"9 réponses importées pour 2 participant·es de la campagne {world.campaign_id} ; "
        "1 ligne sans valeur ignorée"
    )
    mine = stored(cli_env, a)
    assert mine["ins_codir"] == {"current": 2, "target": 4, "importance": 3}
    assert mine["act_libre"] == {"text": "=SUM(A1); la région"}
    assert stored(cli_env, b) == {"ins_debat": {"level": 4}}
    with session_scope(cli_env) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "answers.import")).one()
        assert event.details["answers"] == 9 and event.details["source"] == "papier.csv"
        assert s.get(Participant, a).started_at is not None
        assert s.get(Participant, a).submitted_at is None


def test_cli_refuses_a_malformed_file_and_stores_nothing(cli_env, tmp_path, capsys):
    world = make_world(cli_env, n_participants=1)
    pid = world.participants[0].id
    text = HEADER + f"{pid};ins_debat;3;;;\n{pid};act_libre;Bien;;;\n{pid};ins_codir;;2;8;\n"
    path = write(tmp_path, text)
    code, out, err = run(capsys, "import-answers", str(path), "--campaign", str(world.campaign_id))
    assert code == 1
    assert out.strip() == (
        f"{path}:4: colonne « target » : « 8 » hors de l'échelle : un nombre entier de 1 à 5 "
        "est attendu"
    )
    assert err.strip() == f"Erreur : 1 erreur dans {path} : aucune réponse importée"
    assert stored(cli_env, pid) == {}  # the two valid lines were not written either
    with session_scope(cli_env) as s:
        assert not s.exec(select(AuditEvent).where(AuditEvent.action == "answers.import")).all()


def test_cli_refuses_bad_encoding_missing_file_and_unknown_campaign(cli_env, tmp_path, capsys):
    world = make_world(cli_env, n_participants=1)
    bad = tmp_path / "latin.csv"
    bad.write_bytes("participant;question;value\n1;act_libre;Élu\n".encode("latin-1"))
    code, out, err = run(capsys, "import-answers", str(bad), "--campaign", str(world.campaign_id))
    assert code == 1 and f"{bad}:2: le fichier n'est pas encodé en UTF-8" in out
    code, _, err = run(capsys, "import-answers", str(tmp_path / "absent.csv"), "--campaign", "1")
    assert code == 1 and "lecture impossible" in err
    code, _, err = run(capsys, "import-answers", str(bad), "--campaign", "999")
    assert code == 1 and err.strip() == (
        "Erreur : campagne 999 introuvable (liste : commande campaigns)"
    )
    assert "Traceback" not in out + err


def test_cli_refuses_an_unterminated_quote_and_stores_nothing(cli_env, tmp_path, capsys):
    world = make_world(cli_env, n_participants=2)
    a, b = (p.id for p in world.participants)
    text = HEADER + f'{a};ins_debat;3;;;\n{a};act_libre;"Bien, mais;;;\n{b};ins_debat;4;;;\n'
    path = write(tmp_path, text)
    code, out, err = run(capsys, "import-answers", str(path), "--campaign", str(world.campaign_id))
    assert code == 1
    assert out.startswith(f'{path}:3: guillemet « " » ouvert et jamais refermé')
    assert err.strip() == f"Erreur : 1 erreur dans {path} : aucune réponse importée"
    assert stored(cli_env, a) == {} and stored(cli_env, b) == {}
    assert "Traceback" not in out + err


def test_cli_submit_flag_and_submitted_participants(cli_env, tmp_path, capsys):
    world = make_world(cli_env, n_participants=1)
    pid, cid = world.participants[0].id, str(world.campaign_id)
    path = write(tmp_path, HEADER + f"{pid};ins_debat;3;;;\n")
    code, out, _ = run(capsys, "import-answers", str(path), "--campaign", cid, "--submit")
    assert code == 0 and "réponses marquées comme envoyées" in out
    with session_scope(cli_env) as s:
        assert s.get(Participant, pid).submitted_at is not None
    code, out, err = run(capsys, "import-answers", str(path), "--campaign", cid)
    assert code == 1 and "a déjà envoyé ses réponses" in out


def test_cli_refuses_a_closed_campaign(cli_env, tmp_path, capsys):
    world = make_world(cli_env, n_participants=1)
    with session_scope(cli_env) as s:
        campaign_store.set_status(s, campaign_id=world.campaign_id, status="closed", actor="t")
    path = write(tmp_path, HEADER + f"{world.participants[0].id};ins_debat;3;;;\n")
    code, _, err = run(capsys, "import-answers", str(path), "--campaign", str(world.campaign_id))
    assert code == 1 and "est close : rouvrez-la" in err


def test_cli_lists_participants(cli_env, capsys):
    world = make_world(cli_env, n_participants=2)
    code, out, _ = run(capsys, "participants", "--campaign", str(world.campaign_id))
    assert code == 0
    header, *rows = out.strip().splitlines()
    assert header == "id\tnom\tfonction\tstructure\tstatut"
    assert rows[0].split("\t") == [
        str(world.participants[0].id),
        "",
        "DGS",
        "CC Test",
        "pas commencé",
    ]
    assert len(rows) == 2


def test_store_write_is_all_or_nothing(engine):
    """A participant who submitted between validation and writing aborts the whole import."""
    world = make_world(engine, n_participants=2)
    a, b = (p.id for p in world.participants)
    with session_scope(engine) as s:
        campaign_store.mark_submitted(s, participant_id=b)
    items = [
        ImportedAnswer(a, "ins_debat", NormalizedAnswer({"level": 3}, level=3), 2),
        ImportedAnswer(b, "ins_debat", NormalizedAnswer({"level": 2}, level=2), 3),
    ]
    with pytest.raises(SubmittedError), session_scope(engine) as s:
        import_store.import_answers(
            s, campaign_id=world.campaign_id, answers=items, actor="test", source="x.csv"
        )
    assert stored(engine, a) == {}
    with session_scope(engine) as s:
        states = import_store.participant_states(s, ids=[a, b, 999])
    assert {
        pid: (x.campaign_id, x.submitted, x.erased, x.started) for pid, x in states.items()
    } == {
        a: (world.campaign_id, False, False, False),
        b: (world.campaign_id, True, False, False),
    }


def test_the_readme_example_is_a_valid_file():
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Importer des réponses papier", 1)[1]
    example = section.split("```csv\n", 1)[1].split("```", 1)[0]
    plan = parse(example, people={12: ParticipantState(campaign_id=10)})
    assert len(plan.answers) == 6 and plan.participants == {12}


# --- `_fonction` and `_structure`: who answered a blank form ----------------------------------

PLACES = Structures(
    Place(100, "CC des Trois Rivières"),
    (Place(101, "Saint-Aubin-les-Prés", "44001"), Place(102, "Le Val", "44002")),
)
BLANK = {
    7: ParticipantState(campaign_id=10, role="autre", structure_id=100),
    8: ParticipantState(campaign_id=10, started=True, role="dgs", structure_id=101),
}


def identify(text: str, people=BLANK):
    data = (HEADER + text).encode("utf-8")
    return parse_answers(data, "fichier.csv", Q, 10, lambda ids: people, PLACES)


def test_function_and_structure_of_a_participant_not_started():
    plan = identify(
        "7;_fonction;DST;;;\n7;_structure;  saint-aubin-les-prés ;;;\n7;ins_debat;4;;;\n"
    )
    assert [(i.participant_id, i.role, i.structure_id) for i in plan.identities] == [
        (7, "dst", None),
        (7, None, 101),
    ]
    assert len(plan.answers) == 1 and plan.participants == {7}
    assert [i.structure_id for i in identify("7;_structure;44002;;;\n").identities] == [102]
    assert identify("7;_structure;EPCI;;;\n7;_fonction;;;;\n").identities == []  # unchanged
    # who has started keeps their function, unless the file says the same
    assert identify("8;_fonction;dgs;;;\n8;_structure;44001;;;\n").identities == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "7;_fonction;maire;;;",
            "fichier.csv:2: colonne « value » : fonction « maire » inconnue : un de ces codes "
            "est attendu : dgs, dga, dst, encadrant, elu, autre",
        ),
        (
            "7;_structure;Atlantide;;;",
            "fichier.csv:2: colonne « value » : structure « Atlantide » inconnue : écrivez "
            "« epci » pour l'intercommunalité, ou le code INSEE ou le nom exact d'une de ses 2 "
            "communes membres",
        ),
        ("7;_fonction;dst;2;;", "fichier.csv:2: colonne « current » : inutile pour « _fonction »"),
        (
            "8;_fonction;elu;;;",
            "fichier.csv:2: colonne « value » : participant·e 8 a déjà commencé",
        ),
        (
            "3;_fonction;elu;;;",
            "fichier.csv:2: colonne « participant » : participant·e 3 a déjà envoyé ses réponses",
        ),
    ],
)
def test_refused_identity_lines(line, message):
    people = {**BLANK, 3: ParticipantState(campaign_id=10, submitted=True)}
    with pytest.raises(AnswerImportError) as info:
        identify(line + "\n7;ins_debat;4;;;\n", people)
    assert [str(p) for p in info.value.problems][0].startswith(message)
    assert len(info.value.problems) == 1  # the good line is not stored either: nothing is


def test_a_second_function_line_is_refused():
    with pytest.raises(AnswerImportError) as info:
        identify("7;_fonction;dst;;;\n7;_fonction;elu;;;\n")
    assert "fichier.csv:3: colonne « question » : deuxième ligne « _fonction »" in str(
        info.value.problems[0]
    )
