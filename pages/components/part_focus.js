// After « Partie suivante » / « Partie précédente » (or the part picker): bring the new part's
// heading to the top of the viewport and give it the keyboard focus, once per move. Streamlit
// custom component (v2), in the page's DOM; nothing fetched from anywhere. `data` comes from
// pages/_part_focus.py: {target: the heading's id, move: a number that grows at each move}.
export default function (component) {
  const { data } = component;
  const move = Number(data && data.move) || 0;
  if (!move || window.__partFocusDone === move) return undefined;
  let tries = 0;
  const place = () => {
    const heading = document.getElementById(String(data.target));
    if (!heading) {
      if (tries++ < 40) window.setTimeout(place, 50); // the heading is still on its way
      return;
    }
    window.__partFocusDone = move;
    heading.setAttribute("tabindex", "-1"); // focusable by script, not an extra Tab stop
    heading.style.scrollMarginTop = "4.5rem"; // below Streamlit's fixed top bar
    heading.scrollIntoView({ block: "start", behavior: "instant" });
    heading.focus({ preventScroll: true });
  };
  place();
  return undefined;
}
