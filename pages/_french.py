"""French in every word: Plotly's toolbar in French, and the few English words Streamlit writes
itself (no option sets them) replaced in the page, with the document's language.

Plotly takes a locale through the chart's config (`locales`, no file fetched). Streamlit's own
words (the skip link, the heading anchors, a list's « Open » button, the tables' toolbar, the
placeholder of a list with no `placeholder=`, the « Press Enter to apply » hint of a typed
field, the date and number fields' ARIA labels) are hard-coded in its frontend: `speak_french`
adds one script to the page that sets `<html lang="fr">` and swaps those exact words (texts,
ARIA labels, titles, placeholders, ARIA value texts), and the few texts made of a fixed part
and a label, number or date (STREAMLIT_FR_PATTERNS), for French ones, now and whenever
Streamlit draws them again. The script carries only the constants below, never a text a user
typed."""

from __future__ import annotations

import json

import streamlit as st

from diagnostic.vocabulary import MONTHS

# Plotly's toolbar and messages (the keys are Plotly's English words, see plotly.js locales).
PLOTLY_FR = {
    "Autoscale": "Échelle automatique",
    "Box Select": "Sélection rectangulaire",
    "Compare data on hover": "Comparer les valeurs au survol",
    "Download plot": "Télécharger le graphique",
    "Download plot as a PNG": "Télécharger le graphique (PNG)",
    "Download plot as JSON": "Télécharger le graphique (JSON)",
    "Double-click to zoom back out": "Double-cliquez pour revenir à la vue d'ensemble",
    "Image download succeeded": "Image téléchargée",
    "Lasso Select": "Sélection au lasso",
    "Pan": "Déplacer",
    "Preparing image - this may take a few seconds": "Préparation de l'image…",
    "Reset": "Réinitialiser",
    "Reset axes": "Réinitialiser les axes",
    "Reset view": "Réinitialiser la vue",
    "Reset views": "Réinitialiser les vues",
    "Show closest data on hover": "Valeur la plus proche au survol",
    "Sorry, there was a problem downloading your image!": "Le téléchargement de l'image a échoué.",
    "Toggle Spike Lines": "Lignes de repère",
    "Toggle show closest data on hover": "Valeur la plus proche au survol",
    "Zoom": "Zoomer",
    "Zoom in": "Agrandir",
    "Zoom out": "Réduire",
}
# Numbers and dates in Plotly's ticks and hovers the French way (d3-format / d3-time-format).
PLOTLY_FORMAT = {
    "decimal": ",",
    "thousands": "\u202f",
    "grouping": [3],
    "currency": ["", "\u00a0€"],
    "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
    "months": list(MONTHS),
    "shortMonths": [
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ],
    "date": "%d/%m/%Y",
}
PLOTLY_LOCALE = {
    "locale": "fr",
    "locales": {"fr": {"dictionary": PLOTLY_FR, "format": PLOTLY_FORMAT}},
}

# Streamlit's own English words (exact texts) and their French replacement.
STREAMLIT_FR = {
    "Skip to main content": "Aller au contenu principal",
    "Collapse sidebar": "Replier le menu",
    "Expand sidebar": "Déplier le menu",
    "Link to heading": "Lien vers ce titre",
    "Open": "Ouvrir la liste",
    "Choose an option": "Choisir…",
    "Choose options": "Choisir…",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Select all": "Tout sélectionner",
    "No results": "Aucun résultat",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Exit fullscreen": "Quitter le plein écran",
    "Copy to clipboard": "Copier dans le presse-papiers",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "No options": "Aucune option",
    "No options to select.": "Aucune option à choisir.",
    "No options to select": "Aucune option à choisir",
    "Selectbox options": "Options de la liste",
    "Selected values": "Valeurs choisies",
    "1 option available.": "1 option disponible.",
    # The hint under a text field while it is focused and modified (InputInstructions).
    "Press Enter to apply": "Appuyez sur Entrée pour valider",
    "Press Enter to submit form": "Appuyez sur Entrée pour envoyer le formulaire",
    "Press Ctrl+Enter to apply": "Appuyez sur Ctrl+Entrée pour valider",
    "Press Ctrl+Enter to submit form": "Appuyez sur Ctrl+Entrée pour envoyer le formulaire",
    "Press \u2318+Enter to apply": "Appuyez sur \u2318+Entrée pour valider",
    "Press \u2318+Enter to submit form": "Appuyez sur \u2318+Entrée pour envoyer le formulaire",
    # Number fields' buttons; date fields and their calendar (react-aria set to en-US).
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir une période",
    "Previous month": "Mois précédent",
    "Next month": "Mois suivant",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.": (
        "Flèches pour parcourir les dates, Entrée pour choisir, Échap pour fermer."
    ),
    # Editable tables (st.data_editor) and the tables' column menu.
    "Add row": "Ajouter une ligne",
    # An empty date field: its segments' placeholders and what a screen reader hears.
    "Empty": "vide",
    "dd": "jj",
    "yyyy": "aaaa",
    "Delete row(s)": "Supprimer la ou les lignes",
    "Clear selection": "Effacer la sélection",
    "Sort ascending": "Trier par ordre croissant",
    "Sort descending": "Trier par ordre décroissant",
    "Pin column": "Épingler la colonne",
    "Unpin column": "Détacher la colonne",
    "Hide column": "Masquer la colonne",
    "Autosize": "Largeur automatique",
    "Copy column name": "Copier le nom de la colonne",
    "Type to search": "Tapez pour rechercher",
    "Close Search": "Fermer la recherche",
    "Next Result": "Résultat suivant",
    "Previous Result": "Résultat précédent",
}
# Streamlit's English texts made of a fixed part and a variable one (a label, a number, a
# date): [regular expression on the whole text, replacement]. English month names in a
# replaced text are then put in French (react-aria's date fields are set to en-US).
STREAMLIT_FR_PATTERNS = [
    [r"^Remove (.+)$", "Retirer $1"],
    [r"^Fullscreen: (.+)$", "Plein écran : $1"],
    [r"^day, (.+)$", "jour, $1"],
    [r"^month, (.+)$", "mois, $1"],
    [r"^year, (.+)$", "année, $1"],
    [r"^(.+) start date$", "$1, début"],
    [r"^(.+) end date$", "$1, fin"],
    [r"^Choose date, (.+)$", "Choisir une date, $1"],
    [r"^(\d+) options available\.$", "$1 options disponibles."],
    # thousands written the English way (« 1,255 »): a narrow no-break space in French
    [r"^(\d{1,3}),(\d{3}) options available\.$", "$1\u202f$2 options disponibles."],
    [r"^Selected Date: (\w+) (\d+), (\d+)$", "Date choisie : $2 $1 $3"],
    [r"^(\d+) – (\w+)$", "$1 – $2"],
    [
        r"^You can only select up to (\d+) options?\. Remove an option first\.$",
        "Vous pouvez en choisir $1 au plus. Retirez-en une d'abord.",
    ],
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_ATTRIBUTES = [
    "aria-label",
    "title",
    "placeholder",
    "aria-description",
    "data-title",
    "aria-valuetext",
]
_SCRIPT = """<script>
(() => {
  const root = window.parent && window.parent.document.body ? window.parent : window;
  if (root.__frenchWords) return;
  root.__frenchWords = true;
  const words = %(words)s, attrs = %(attrs)s, doc = root.document;
  const rules = %(patterns)s.map(([p, r]) => [new RegExp(p), r]);
  const months = %(months)s, french = %(french_months)s;
  const monthRe = new RegExp(months.join('|'), 'g');
  const say = (t) => {
    if (words[t]) return words[t];
    for (const [re, r] of rules) {
      if (re.test(t)) return t.replace(re, r).replace(monthRe, m => french[months.indexOf(m)]);
    }
    return null;
  };
  const fix = (node) => {
    if (node.nodeType === 3) {
      const t = node.nodeValue.trim();
      const f = t && say(t);
      if (f && f !== t) node.nodeValue = node.nodeValue.replace(t, () => f);
      return;
    }
    if (node.nodeType !== 1) return;
    const all = [node, ...node.querySelectorAll('*')];
    for (const e of all) {
      for (const a of attrs) {
        const v = e.getAttribute(a);
        const f = v && say(v);
        if (f && f !== v) e.setAttribute(a, f);
      }
    }
    const walker = doc.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) fix(walker.currentNode);
  };
  doc.documentElement.lang = 'fr';
  fix(doc.body);
  new root.MutationObserver((changes) => {
    if (doc.documentElement.lang !== 'fr') doc.documentElement.lang = 'fr';
    for (const c of changes) {
      if (c.type === 'childList') c.addedNodes.forEach(fix);
      else fix(c.target);
    }
  }).observe(doc.documentElement, {subtree: true, childList: true, characterData: true,
                                   attributes: true, attributeFilter: attrs.concat(['lang'])});
})();
</script>"""


# The page's one script: constants only (the escaping tests recognise it and skip it).
SCRIPT = _SCRIPT % {
    "words": json.dumps(STREAMLIT_FR),
    "attrs": json.dumps(_ATTRIBUTES),
    "patterns": json.dumps(STREAMLIT_FR_PATTERNS),
    "months": json.dumps(MONTHS_EN),
    "french_months": json.dumps(list(MONTHS)),
}


def speak_french() -> None:
    """Once per page: `<html lang="fr">` and Streamlit's own English words in French."""
    st.html(SCRIPT, unsafe_allow_javascript=True)
