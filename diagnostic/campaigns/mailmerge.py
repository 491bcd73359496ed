"""Without a mail server: the mail-merge file (CSV for a mail client) and the printable list of
links (PDF, one slip per person with a QR code), built from the same messages (service).

Access: running the campaign (TERRITORY_MANAGE). Building either file recomputes the links in
force; a random link issued before the derived ones cannot be recomputed and is re-issued (its
message says so) — the coordination is told before it asks for the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.links import link_secret
from diagnostic.accounts.permissions import Action, Actor
from diagnostic.campaigns.sending import campaign_template, message_for, territory_name
from diagnostic.exports import Export, file_name, to_csv
from diagnostic.store import campaigns as campaign_store
from diagnostic.store import invitations as invitation_store
from diagnostic.store import territories as territory_store
from diagnostic.store.audit import record_on_campaign
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Campaign

MAIL_MERGE_COLUMNS = ["Nom", "Courriel", "Structure", "Lien", "Objet", "Message"]


@dataclass(frozen=True)
class Slip:
    name: str
    email: str
    structure: str
    link: str
    subject: str
    message: str
    reissued: bool


def slips(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    kind: str,
    *,
    public_url: str,
    questions_dir: Path,
    secret: bytes | None = None,
) -> list[Slip]:
    """The message and link of everyone who has not sent their answers (erased people left
    out), in the participants' order; random links of before are re-issued here."""
    from diagnostic.campaigns.coordination import invitation_link

    campaign = require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    template = campaign_template(campaign, questions_dir)
    territory = territory_name(engine, campaign)
    secret = secret if secret is not None else link_secret()
    found: list[Slip] = []
    reissued = 0
    with session_scope(engine) as s:
        places = {
            t.id: t.name for t in territory_store.structures(s, territory_id=campaign.territory_id)
        }
        people = [
            p
            for p in campaign_store.participants_of(s, campaign_id=campaign_id)
            if p.revoked_at is None and p.submitted_at is None
        ]
        for p in people:
            assert p.id is not None
            token = invitation_store.current_token(p, secret)
            fresh = token is None
            if token is None:
                token = invitation_store.adopt_next_link(s, participant_id=p.id, secret=secret)
                reissued += 1
            assert token is not None
            link = invitation_link(public_url, token)
            message = message_for(
                campaign, territory, template, p.name, link, kind=kind, reissued=fresh
            )
            found.append(
                Slip(
                    p.name or f"Répondant·e n° {p.id}",
                    p.email or "",
                    places.get(p.structure_id, "?"),
                    link,
                    message.subject,
                    message.body,
                    fresh,
                )
            )
        details = {"people": len(found), "reissued": reissued}
        record_on_campaign(s, actor.label(), "invitations.export", campaign_id, **details)
    return found


def mail_merge(campaign: Campaign, found: list[Slip]) -> Export:
    """The CSV a mail client merges (one row per person with an address): name, address,
    structure, link, subject, message. French Excel CSV, formula cells neutralised."""
    rows = [[s.name, s.email, s.structure, s.link, s.subject, s.message] for s in found if s.email]
    return to_csv(pd.DataFrame(rows, columns=MAIL_MERGE_COLUMNS), f"publipostage-{campaign.title}")


def printable_links(campaign: Campaign, territory: str, found: list[Slip]) -> Export:
    """A PDF to print and cut: one slip per person — name, structure, personal link and its QR
    code — for those without an address or to hand out in a meeting."""
    import segno
    from fpdf import FPDF

    from diagnostic.document.pdf_writer import FONT, font_files

    pdf = FPDF(format="A4")
    for style, path in font_files().items():
        pdf.add_font(FONT, style, str(path))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(f"Liens personnels — {campaign.title}")
    pdf.set_lang("fr-FR")
    pdf.set_creation_date(datetime.now(UTC))
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, f"Liens personnels — {campaign.title}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        0,
        5,
        f"{territory}. Chaque lien ouvre le questionnaire d'une seule personne : découpez les "
        "fiches et remettez chacune à la personne nommée. Un lien renouvelé remplace l'ancien.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    slip_height, qr_size = 38.0, 30.0
    for slip in found:
        if pdf.get_y() + slip_height > pdf.h - 15:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_draw_color(170, 170, 170)
        pdf.set_line_width(0.2)
        pdf.set_dash_pattern(dash=1.5, gap=1.5)
        pdf.line(15, top, pdf.w - 15, top)  # where to cut
        pdf.set_dash_pattern()
        buffer = io.BytesIO()
        segno.make(slip.link, error="m").save(buffer, kind="png", scale=6, border=1)
        pdf.image(io.BytesIO(buffer.getvalue()), x=pdf.w - 15 - qr_size, y=top + 4, w=qr_size)
        text_width = pdf.w - 30 - qr_size - 5
        pdf.set_xy(15, top + 4)
        pdf.set_font(FONT, "B", 11)
        pdf.multi_cell(text_width, 6, slip.name, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(text_width, 5, slip.structure, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 8.5)
        pdf.multi_cell(text_width, 4.5, slip.link, new_x="LMARGIN", new_y="NEXT")
        if slip.reissued:
            pdf.set_font(FONT, "I", 8)
            pdf.multi_cell(
                text_width, 4, "Nouveau lien : l'ancien ne fonctionne plus.", new_x="LMARGIN"
            )
        pdf.set_y(top + slip_height)
    return Export(
        bytes(pdf.output()), file_name(f"liens-{campaign.title}", "pdf"), "application/pdf"
    )
