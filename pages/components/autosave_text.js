// A text area that sends what is typed about one second after the last keystroke (and when
// the field is left or the page hidden), without waiting for the field to be left; the line
// under it says in French whether the text is saved. Streamlit custom component (v2): no
// build step, nothing fetched from anywhere. `data` comes from pages/_autosave.py:
// {label, hidden_label, value, max, disabled, ack, state, delay, saved_word}.
const RETRY_MS = 3000; // a text sent and not acknowledged after this is asked again
const WORDS = {
  typing: "Modification en cours…",
  saving: "Enregistrement…",
  saved: "Enregistré",
  pending: "Pas encore enregistré : la base de données ne répond pas, votre texte est gardé " +
    "dans cette page et sera renvoyé",
  error: "Non enregistré : voir le message en haut de la page",
};

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue, key } = component;
  const root = parentElement.querySelector(".as-field");
  if (!root) return undefined;
  const box = root.querySelector("textarea");
  const label = root.querySelector("label");
  const status = root.querySelector(".as-status");
  const count = root.querySelector(".as-count");
  let s = root.autosave;
  if (!s) {
    s = root.autosave = { sent: null, timer: null, dirty: false };
    const id = `${String(key).replace(/[^A-Za-z0-9_-]/g, "")}-texte`;
    box.id = id;
    label.htmlFor = id;
    status.id = `${id}-etat`;
    count.id = `${id}-compte`;
    box.setAttribute("aria-describedby", `${status.id} ${count.id}`);
    box.value = data.value || "";
    const counted = () => {
      count.textContent = `${box.value.length} / ${s.max} caractères`;
    };
    const show = (state) => {
      status.textContent = (state === "saved" && s.savedWord) || WORDS[state] || "";
      root.dataset.state = state || "";
    };
    s.counted = counted;
    s.show = show;
    s.send = () => {
      clearTimeout(s.timer);
      s.timer = null;
      if (!s.dirty) return;
      s.dirty = false;
      s.sent = box.value;
      setStateValue("value", box.value);
      show("saving");
      s.watch();
    };
    // No receipt for the text sent within a few seconds (the connection was down when it
    // left, or the process that served the page died and the page reconnected to another):
    // ask again, the text goes with the request, until the server says it has it.
    s.watch = () => {
      clearTimeout(s.retry);
      s.retry = setTimeout(() => {
        if (!root.isConnected || s.sent === null || s.acked === s.sent) return;
        if (s.dirty || s.timer !== null) return; // being typed: it will be sent anyway
        setTriggerValue("resend", Date.now());
        s.watch();
      }, RETRY_MS);
    };
    box.addEventListener("input", () => {
      s.dirty = true;
      counted();
      show("typing");
      clearTimeout(s.timer);
      s.timer = setTimeout(s.send, s.delay);
    });
    box.addEventListener("blur", s.send);
    s.hidden = () => {
      if (document.visibilityState === "hidden") s.send();
    };
    window.addEventListener("pagehide", s.send);
    document.addEventListener("visibilitychange", s.hidden);
    s.cleanup = () => {
      s.send();
      window.removeEventListener("pagehide", s.send);
      document.removeEventListener("visibilitychange", s.hidden);
    };
  }
  // Every call: the server's latest view of this field.
  s.max = data.max;
  s.delay = data.delay;
  s.savedWord = data.saved_word;
  label.textContent = data.label;
  label.classList.toggle("as-hidden", Boolean(data.hidden_label));
  box.maxLength = data.max;
  box.disabled = Boolean(data.disabled);
  const mine = s.sent !== null && data.ack === s.sent;
  s.acked = data.ack;
  if (mine || data.state === "pending" || data.state === "error") clearTimeout(s.retry);
  const idle = !s.dirty && s.timer === null;
  if (idle && (s.sent === null || mine) && document.activeElement !== box) {
    if (box.value !== (data.value || "")) box.value = data.value || "";
  }
  s.counted();
  if (idle && s.sent !== null) {
    if (data.state === "pending" || data.state === "error") s.show(data.state);
    else if (mine) s.show("saved");
  } else if (idle && data.value) {
    s.show("saved");
  }
  return s.cleanup;
}
