// After « Partie suivante » / « Partie précédente » (or the part picker): bring the new part's
// heading to the top of the viewport and give it the keyboard focus, once per move; after a
// grid shortcut, focus the widget the person goes on with (the button pressed is gone). Streamlit
// custom component (v2), in the page's DOM; nothing fetched from anywhere. `data` comes from
// pages/_part_focus.py: {target: the heading's id, move: a number that grows at each move}.
export default function (component) {
  const { data } = component;
  const move = Number(data && data.move) || 0;
  if (!move || window.__partFocusDone === move) return undefined;
  let tries = 0;
  const target = String(data.target);
  // A target "#id" or "id" is a heading; ".st-key-<key>" a widget (after a grid shortcut:
  // its chosen option, else its first button or option).
  const find = () => {
    if (!target.startsWith(".")) return document.getElementById(target);
    const box = document.querySelector(target);
    return box && box.querySelector("input:checked, button, input");
  };
  const place = () => {
    const element = find();
    if (!element) {
      if (tries++ < 40) window.setTimeout(place, 50); // still on its way
      return;
    }
    window.__partFocusDone = move;
    if (target.startsWith(".")) {
      element.scrollIntoView({ block: "nearest", behavior: "instant" });
      element.focus({ preventScroll: true });
      return;
    }
    element.setAttribute("tabindex", "-1"); // focusable by script, not an extra Tab stop
    // below Streamlit's top bar: the page's scroll-padding-top (pages/styles/questionnaire.css)
    element.scrollIntoView({ block: "start", behavior: "instant" });
    element.focus({ preventScroll: true });
  };
  place();
  return undefined;
}
