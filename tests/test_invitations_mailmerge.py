"""Without a mail server: the mail-merge CSV (formula cells neutralised) and the printable
links (PDF with a QR code per person), whose links open and whose old random links die."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pytest

from diagnostic.accounts.permissions import Actor
from diagnostic.campaigns.mailmerge import mail_merge, printable_links, slips
from diagnostic.store import campaigns
from diagnostic.store.engine import build_engine, migrate, session_scope
from tests.conftest import ROOT
from tests.factories import make_world

SECRET = b"secret-de-test-pour-les-liens-0123456789"


@pytest.fixture
def world(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'e.db'}")
    migrate(engine)
    w = make_world(engine, n_participants=1)  # a random link of before
    qdir = tmp_path / "questions"
    qdir.mkdir()
    shutil.copy(ROOT / "questions" / "invitation.md", qdir / "invitation.md")
    with session_scope(engine) as s:
        for name, address in (('=HYPERLINK("http://x")', "a@exemple.fr"), ("Sans", None)):
            campaigns.add_participant(
                s, campaign_id=w.campaign_id, role="dgs", structure_id=w.territory.id,
                name=name, email=address, secret=SECRET,
            )  # fmt: skip
        c = s.get(campaigns.Campaign, w.campaign_id)
        c.invitation_template = "Objet : Diagnostic {territoire}\nBonjour {prenom},\n{lien}\n"
        s.add(c)
    actor = Actor(kind="user", user_id=1, memberships=frozenset({(w.territory.id, "coordinator")}))
    yield engine, actor, w, qdir
    engine.dispose()


def build(world):
    engine, actor, w, qdir = world
    return slips(
        engine, actor, w.campaign_id, "invitation",
        public_url="https://diag.test", questions_dir=qdir, secret=SECRET,
    )  # fmt: skip


def test_the_mail_merge_lists_people_with_an_address_and_neutralises_formulas(world):
    engine, _, w, _ = world
    found = build(world)
    assert len(found) == 3 and [s.reissued for s in found] == [True, False, False]
    with session_scope(engine) as s:
        campaign = s.get(campaigns.Campaign, w.campaign_id)
    export = mail_merge(campaign, found)
    assert export.filename == "publipostage-campagne.csv"
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Nom", "Courriel", "Structure", "Lien", "Objet", "Message"]
    assert len(rows) == 2  # only the person with an address
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][1] == "a@exemple.fr" and rows[1][4] == "Diagnostic CC Test"
    token = re.search(r"\?t=([\w-]+)", rows[1][3]).group(1)
    assert rows[1][3] in rows[1][5]
    with session_scope(engine) as s:
        assert campaigns.participant_by_token(s, token=token) is not None


def test_the_legacy_link_is_reissued_once_and_the_old_one_dies(world):
    engine, _, w, _ = world
    first = build(world)
    with session_scope(engine) as s:
        assert campaigns.participant_by_token(s, token=w.tokens[0]) is None
    again = build(world)
    assert again[0].link == first[0].link and not again[0].reissued  # now recomputed


def test_the_printable_links_are_a_pdf_with_every_person(world, tmp_path):
    from pypdf import PdfReader

    engine, _, w, _ = world
    found = build(world)
    with session_scope(engine) as s:
        campaign = s.get(campaigns.Campaign, w.campaign_id)
    export = printable_links(campaign, "CC Test", found)
    assert export.mime == "application/pdf" and export.filename == "liens-campagne.pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(export.data)).pages)
    for slip in found:
        assert slip.link in text.replace("\n", "")
    assert "Répondant·e n°" in text and "Nouveau lien" in text
