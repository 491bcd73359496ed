// Screen readers: each question card of the questionnaire becomes a group named by its
// question (aria-labelledby, like a fieldset's legend), and every control in it is described
// by the question's help text (aria-describedby). Streamlit custom component (v2), in the
// page's DOM; it reads the cards Streamlit draws (class st-key-card_<id>, help st-key-help_<id>)
// and ties them again whenever Streamlit draws them anew. Constants only; nothing fetched.
export default function () {
  if (window.__questionCards) return undefined;
  window.__questionCards = true;
  const CONTROLS = '[role="radiogroup"], input:not([type="radio"]), textarea';
  const tie = () => {
    for (const card of document.querySelectorAll('[class*="st-key-card_"]')) {
      const name = [...card.classList].find((c) => c.startsWith("st-key-card_"));
      const id = name.slice("st-key-".length).replace(/[^A-Za-z0-9_-]/g, "");
      const question = card.querySelector('[data-testid="stMarkdownContainer"]');
      if (question) {
        if (!question.id) question.id = `${id}-question`;
        if (card.getAttribute("aria-labelledby") !== question.id) {
          card.setAttribute("role", "group");
          card.setAttribute("aria-labelledby", question.id);
        }
      }
      const help = card.querySelector('[class*="st-key-help_"]');
      if (!help) continue;
      if (!help.id) help.id = `${id}-aide`;
      for (const control of card.querySelectorAll(CONTROLS)) {
        const ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (!ids.includes(help.id)) {
          control.setAttribute("aria-describedby", [help.id, ...ids].join(" "));
        }
      }
    }
  };
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(() => {
      queued = false;
      tie();
    });
  }).observe(document.body, { childList: true, subtree: true });
  tie();
  return undefined;
}
