"""« Paroles de directeurs »: the free texts the roadmap quotes (cleaning, threshold,
attribution), the coordinator's audited choice to leave one out, isolation, erasure, the
migration, and the section in the three formats; the Word table of contents and the PDF
bookmarks."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import replace

import docx
import pytest
from alembic import command
from pypdf import PdfReader
from sqlalchemy import inspect, text
from sqlmodel import select

from diagnostic import document
from diagnostic.accounts.permissions import Actor
from diagnostic.document import markdown_writer
from diagnostic.document.blocks import Quotation
from diagnostic.errors import AccessDenied
from diagnostic.privacy import service as privacy
from diagnostic.questionnaire import load_questionnaire
from diagnostic.results.model import compute_results
from diagnostic.results.service import read_campaign_data
from diagnostic.roadmap import planning, quoting
from diagnostic.roadmap import voices as v
from diagnostic.store import accounts, campaigns, consensus
from diagnostic.store.engine import alembic_config, build_engine, session_scope
from diagnostic.store.models import AuditEvent, QuoteChoice
from tests.conftest import FIXTURES
from tests.factories import make_user, make_world, store_answers

Q = load_questionnaire(FIXTURES / "mini.yaml")
K = 3  # the minimum group size of these tests
WORDS = [
    "Le centre de gestion, pour animer le réseau des secrétaires de mairie.",
    "Le Département.",
    "Les bailleurs sociaux, trop peu associés.",
    "RAS",
    "Le Département.",
    "Les associations d'aide à domicile.",
]


def actor_of(engine, user) -> Actor:
    with session_scope(engine) as s:
        return accounts.actor_for(s, user_id=user.id)


def answer(engine, world, texts, *, submit=True):
    """Each participant gives a level and one of `texts` (None: no free text)."""
    with session_scope(engine) as s:
        for p, words in zip(world.participants, texts, strict=False):
            raw = {"ins_debat": {"level": 3}, "ins_codir": {"current": 2, "target": 4}}
            if words is not None:
                raw["act_libre"] = {"text": words}
            store_answers(s, Q, p.id, raw)
            if submit:
                campaigns.mark_submitted(s, participant_id=p.id)


def voices(engine, world, min_group=K):
    return quoting.campaign_voices(engine, world.campaign_id, Q, min_group)


@pytest.fixture
def coordinated(engine):
    user = make_user(engine)
    world = make_world(engine, coordinator=user, n_participants=6)
    return world, actor_of(engine, user)


# --- the words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "quoted"),
    [
        ("  Le manque\tde temps\r\n des secrétaires  ", "Le manque de temps des secrétaires"),
        (
            "- une réunion mensuelle\n- un relevé de décisions",
            "une réunion mensuelle ; un relevé de décisions",
        ),
        ("1. Créer.\n2. Évaluer", "Créer. Évaluer"),
        (
            "Trop de réunions!!! Pas assez de décisions....",
            "Trop de réunions! Pas assez de décisions…",
        ),
        ("« Chacun dans son coin »", "Chacun dans son coin"),
        ('"Chacun dans son coin"', "Chacun dans son coin"),
        ("« Un » et « deux »", "« Un » et « deux »"),
        ("Zéro\u200blargeur\u00ad et\x07 bip", "Zérolargeur et bip"),
    ],
)
def test_a_quote_is_cleaned_of_line_noise_never_reworded(raw, quoted):
    assert v.clean(raw) == quoted


def test_a_long_quote_is_cut_at_a_word_boundary():
    words = "Les comptes rendus du bureau arrivent trois semaines plus tard dans les mairies. " * 8
    cut = v.clean(words, limit=120)
    assert len(cut) <= 120 and cut.endswith(" […]")
    head = cut.removesuffix(" […]")
    assert words.startswith(head) and words[len(head)] == " "  # a whole word, then the cut
    assert v.clean("Court.", limit=120) == "Court."


@pytest.mark.parametrize("empty", ["RAS", "r.a.s.", "Néant", "non", "-", "?", "N/A", "  ", "ok"])
def test_answers_that_say_nothing_are_not_quoted(empty):
    assert not v.substantive(v.clean(empty))


def test_a_group_is_named_only_when_every_group_is_large_enough():
    assert v.attribution({"epci": 3, "commune": 4}, 3)
    # 2 at the intercommunality: naming the communes' quotes would name theirs by elimination
    assert not v.attribution({"epci": 2, "commune": 5}, 3)
    assert v.attribution({"commune": 3}, 3)
    assert not v.attribution({}, 3)
    texts = [v.FreeText(i, "act_libre", f"Réponse numéro {i}", "commune") for i in range(3)]
    named = v.voices(texts, Q, {"commune": 3}, 3)
    assert [q.source for q in named.quotes] == ["une direction communale"] * 3
    texts.append(v.FreeText(9, "act_libre", "Réponse numéro 1", "epci"))
    unnamed = v.voices(texts, Q, {"commune": 3, "epci": 1}, 3)
    assert {q.source for q in unnamed.quotes} == {""}
    merged = {q.text: q.source for q in unnamed.shown()}
    assert merged["Réponse numéro 1"] == "2 réponses identiques"


# --- threshold, choice, audit, isolation, erasure -----------------------------------------------


def test_quotes_appear_from_the_threshold_exactly(engine):
    world = make_world(engine, n_participants=K)
    answer(engine, world, WORDS[: K - 1])  # one below the limit: 2 questionnaires sent
    below = voices(engine, world)
    assert below.respondents == K - 1 and not below.enough and below.quotes == ()
    last = replace(world, participants=world.participants[K - 1 :])
    answer(engine, last, [WORDS[2]])  # the third one sends: at the limit
    at = voices(engine, world)
    assert at.respondents == K and at.enough
    assert [q.text for q in at.quotes] == sorted(WORDS[:3], key=str.casefold)


def test_answers_of_questionnaires_not_sent_are_never_quoted(engine):
    world = make_world(engine, n_participants=4)
    answer(engine, world, WORDS[:3])
    answer(engine, replace(world, participants=world.participants[3:]), ["Brouillon"], submit=False)
    assert "Brouillon" not in [q.text for q in voices(engine, world).quotes]


def test_identical_answers_are_quoted_once_and_empty_ones_not_at_all(engine, coordinated):
    world, _ = coordinated
    answer(engine, world, WORDS)
    found = voices(engine, world)
    assert len(found.quotes) == 5  # « RAS » says nothing
    shown = found.shown()
    assert [q.text for q in shown].count("Le Département.") == 1
    assert next(q for q in shown if q.text == "Le Département.").answer_ids.__len__() == 2
    # 2 answers at the intercommunality, 4 in the communes: no group is named
    assert not found.attributed and {q.source for q in shown} <= {"", "2 réponses identiques"}


def test_the_voices_are_read_again_only_when_the_campaign_changes(engine, coordinated):
    """The roadmap page asks at every rerun: unchanged data gives the same reading; a new
    submitted answer gives a new one that holds it."""
    world, _ = coordinated
    answer(engine, world, WORDS[:5])
    first = voices(engine, world)
    assert voices(engine, world) is first
    assert voices(engine, world, min_group=K + 1) is not first  # another rule, another reading
    last = world.participants[5].id
    with session_scope(engine) as s:
        store_answers(s, Q, last, {"act_libre": {"text": "Les maisons France services."}})
        campaigns.mark_submitted(s, participant_id=last)
    again = voices(engine, world)
    assert again is not first
    assert "Les maisons France services." in [q.text for q in again.quotes]


def test_a_left_out_answer_disappears_and_comes_back_with_an_audit_row(engine, coordinated):
    world, coordinator = coordinated
    answer(engine, world, WORDS)
    quote = next(q for q in voices(engine, world).quotes if q.text.startswith("Les bailleurs"))
    (answer_id,) = quote.answer_ids
    quoting.set_quoted(engine, coordinator, world.campaign_id, answer_id, "act_libre", False)
    found = voices(engine, world)
    assert found.left_out == 1
    assert "Les bailleurs sociaux, trop peu associés." not in [q.text for q in found.shown()]
    quoting.set_quoted(engine, coordinator, world.campaign_id, answer_id, "act_libre", True)
    found = voices(engine, world)
    assert found.left_out == 0
    assert "Les bailleurs sociaux, trop peu associés." in [q.text for q in found.shown()]
    with session_scope(engine) as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        choice = s.exec(select(QuoteChoice)).one()
    logged = [(e.action, e.target, e.details) for e in events if e.action.startswith("roadmap.")]
    details = {"answer_id": answer_id, "question_id": "act_libre"}
    target = f"campaign:{world.campaign_id}"
    assert logged == [
        ("roadmap.quote_left_out", target, details),
        ("roadmap.quote", target, details),
    ]
    assert "bailleurs" not in str([e.details for e in events])  # never the text
    assert (choice.quoted, choice.updated_by) == (True, coordinator.user_id)


def test_another_territorys_coordinator_cannot_read_nor_toggle(engine, coordinated):
    world, _ = coordinated
    answer(engine, world, WORDS)
    answer_id = voices(engine, world).quotes[0].answer_ids[0]
    stranger_user = make_user(engine, "autre@exemple.fr")
    other = make_world(engine, name="CC Autre", coordinator=stranger_user, n_participants=0)
    stranger = actor_of(engine, stranger_user)
    with pytest.raises(AccessDenied):
        quoting.set_quoted(engine, stranger, world.campaign_id, answer_id, "act_libre", False)
    with pytest.raises(AccessDenied):
        quoting.review(engine, stranger, world.campaign_id, Q, K)
    # through their own campaign, another campaign's answer is not found either
    with pytest.raises(AccessDenied, match="réponse introuvable"):
        quoting.set_quoted(engine, stranger, other.campaign_id, answer_id, "act_libre", False)
    # a consultant reads the results but does not choose the quotes
    consultant = make_user(engine, "consultant@exemple.fr")
    with session_scope(engine) as s:
        accounts.grant(
            s, user_id=consultant.id, territory_id=world.territory.id, role="consultant", actor="t"
        )
    with pytest.raises(AccessDenied):
        quoting.set_quoted(
            engine, actor_of(engine, consultant), world.campaign_id, answer_id, "act_libre", False
        )
    assert voices(engine, world).left_out == 0


def test_erasing_a_person_or_the_campaign_erases_the_choices(engine, coordinated):
    world, coordinator = coordinated
    answer(engine, world, WORDS)
    for quote in voices(engine, world).quotes:
        quoting.set_quoted(
            engine, coordinator, world.campaign_id, quote.answer_ids[0], "act_libre", False
        )
    privacy.erase_participant(engine, coordinator, world.participants[0].id)
    with session_scope(engine) as s:
        assert len(s.exec(select(QuoteChoice)).all()) == 4
    privacy.erase_campaign(engine, coordinator, world.campaign_id, "Campagne")
    with session_scope(engine) as s:
        assert s.exec(select(QuoteChoice)).all() == []


def test_consensus_rationales_are_read_cleaned_in_questionnaire_order(engine, coordinated):
    world, _ = coordinated
    answer(engine, world, WORDS)
    with session_scope(engine) as s:
        for qid, level, why in (
            ("ins_codir", 2, "Le CoDir ne s'est pas réuni\ndepuis six mois."),
            ("ins_debat", 3, "Débat réel en bureau, moins en conseil."),
            ("ctx_structure", None, "hors échelle"),
        ):
            consensus.save_consensus(
                s,
                campaign_id=world.campaign_id,
                question_id=qid,
                level=level,
                target=None,
                rationale=why,
                user_id=None,
                actor="t",
            )
    found = voices(engine, world).rationales
    order = [q.id for q in Q.questions()]
    assert [r.question_id for r in found] == sorted(
        ["ins_codir", "ins_debat", "ctx_structure"], key=order.index
    )
    codir = next(r for r in found if r.question_id == "ins_codir")
    assert codir.text == "Le CoDir ne s'est pas réuni depuis six mois." and codir.level == 2


# --- the migration ----------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("postgres_url")


def test_migration_0007_adds_the_table_and_goes_back(empty_url):
    eng = build_engine(empty_url)
    cfg = alembic_config(eng)
    try:
        command.upgrade(cfg, "head")  # today's factories, then the base taken back to 0006
        world = make_world(eng, n_participants=K)
        answer(eng, world, WORDS[:K])
        command.downgrade(cfg, "0006")
        command.upgrade(cfg, "0007")
        assert "quotechoice" in inspect(eng).get_table_names()
        command.upgrade(cfg, "head")  # the services read today's columns
        user = make_user(eng)
        with session_scope(eng) as s:
            accounts.grant(
                s, user_id=user.id, territory_id=world.territory.id, role="coordinator", actor="t"
            )
        coordinator = actor_of(eng, user)
        first = voices(eng, world).quotes[0]
        quoting.set_quoted(
            eng, coordinator, world.campaign_id, first.answer_ids[0], "act_libre", False
        )
        assert voices(eng, world).left_out == 1
        command.downgrade(cfg, "0006")
        assert "quotechoice" not in inspect(eng).get_table_names()
        with eng.connect() as conn:
            assert (
                conn.execute(text("SELECT count(*) FROM answer")).scalar() == 3 * K
            )  # two levels and a free text each
        command.upgrade(cfg, "head")
        assert voices(eng, world).left_out == 0  # the choices went with the table
    finally:
        eng.dispose()


# --- the document -----------------------------------------------------------------------------


@pytest.fixture
def built(engine, coordinated, tmp_path):
    """The roadmap of a campaign with free texts, one left out, and a consensus rationale."""
    world, coordinator = coordinated
    answer(engine, world, WORDS)
    left = next(q for q in voices(engine, world).quotes if q.text.startswith("Les associations"))
    quoting.set_quoted(
        engine, coordinator, world.campaign_id, left.answer_ids[0], "act_libre", False
    )
    with session_scope(engine) as s:
        consensus.save_consensus(
            s,
            campaign_id=world.campaign_id,
            question_id="ins_codir",
            level=2,
            target=4,
            rationale="Le CoDir ne s'est pas réuni depuis six mois.",
            user_id=None,
            actor="t",
        )
    qdir = tmp_path / "questions" / "questionnaires"
    qdir.mkdir(parents=True)
    shutil.copy(FIXTURES / "mini.yaml", qdir / "mini.yaml")
    results = compute_results(
        read_campaign_data(engine, world.campaign_id, qdir.parent), min_group_size=K
    )
    return planning.documents(
        engine, coordinator, world.campaign_id, results, None, document.FORMATS, min_group_size=K
    )


def test_the_section_is_in_the_three_formats(built):
    md = built["md"].data.decode("utf-8")
    section = md[md.index("### 3.5 Paroles de directeurs") : md.index("## 4. Priorités")]
    assert "**Quel acteur manque aujourd'hui autour de la table ?**" in section
    assert "> « Le Département. » — *2 réponses identiques*" in section
    assert "> « Les bailleurs sociaux, trop peu associés. »" in section
    assert "Les associations" not in md and "RAS" not in section
    assert "La coordination a choisi de ne pas citer 1 réponse." in section
    rationale = "Réunion de consensus :** « Une instance régulière"
    assert rationale in md and "> « Le CoDir ne s'est pas réuni depuis six mois. »" in md
    assert md.index(rationale) < md.index("### 3.5")  # beside its item, in section 2
    word = docx.Document(io.BytesIO(built["docx"].data))
    quotes = [p.text for p in word.paragraphs if p.style.name == "Quote"]
    assert "« Les bailleurs sociaux, trop peu associés. »" in [
        q.replace("\u00a0", " ") for q in quotes
    ]
    assert any(
        p.style.name == "Heading 2" and p.text == "3.5 Paroles de directeurs"
        for p in word.paragraphs
    )
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(built["pdf"].data)).pages)
    assert (
        "Paroles de directeurs" in pdf and "bailleurs sociaux" in pdf and "associations" not in pdf
    )


def test_an_address_typed_in_a_quote_is_not_a_link_in_markdown():
    line = markdown_writer._block(Quotation("Voir www.exemple.fr ou [ici](http://x.fr)"))[0]
    assert line.startswith("> « Voir www\\.exemple") and "\\[ici\\]" in line


# --- table of contents and bookmarks -----------------------------------------------------------


def test_word_has_a_table_of_contents_field_updated_on_open(built):
    with zipfile.ZipFile(io.BytesIO(built["docx"].data)) as z:
        body = z.read("word/document.xml").decode("utf-8")
        settings = z.read("word/settings.xml").decode("utf-8")
    assert '<w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText>' in body
    kinds = re.findall(r'w:fldCharType="(\w+)"', body)
    start = kinds.index("begin")
    assert kinds[start : start + 3] == ["begin", "separate", "end"]
    assert '<w:updateFields w:val="true"/>' in settings
    # the element sits where the schema puts it: before w:compat
    assert settings.index("<w:updateFields") < settings.index("<w:compat")
    word = docx.Document(io.BytesIO(built["docx"].data))
    entries = [p.text for p in word.paragraphs if p.style.name.startswith("toc ")]
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert entries == headings and "3.5 Paroles de directeurs" in entries


def test_pdf_has_a_bookmark_for_every_heading_at_its_level(built):
    reader = PdfReader(io.BytesIO(built["pdf"].data))

    def walk(items, level=0):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, level + 1)
            else:
                yield level, item.title

    marks = list(walk(reader.outline))
    md = built["md"].data.decode("utf-8")
    headings = [(len(m[1]) - 2, m[2]) for m in re.finditer(r"^(#{2,4}) (.+)$", md, re.MULTILINE)]
    assert marks == [(level, title.replace("\\", "")) for level, title in headings]
    assert (1, "3.5 Paroles de directeurs") in marks
