// The spreadsheet import's progress bar (templates/imports/show.html): while the rows are
// being checked, post the next step (POST .../check, JSON progress back), move the bar, and
// reload the page once every row is checked. Without this script the page's button does it.
"use strict";

async function checkSteps(bar) {
  const form = document.getElementById("import-step");
  const text = document.getElementById("import-progress-text");
  form.hidden = true;
  for (;;) {
    const response = await fetch(bar.dataset.checkUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) {
      form.hidden = false;
      return;
    }
    const progress = await response.json();
    bar.value = progress.processed_rows;
    text.textContent = `${progress.processed_rows} of ${progress.total_rows}`;
    if (progress.status !== "checking") {
      window.location.reload();
      return;
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const bar = document.getElementById("import-progress");
  if (bar && bar.dataset.checkUrl) {
    checkSteps(bar);
  }
});
