// priorauth's only script (the Content-Security-Policy allows no inline script).
// A form with data-confirm="question" asks before it is sent; "Cancel" keeps the page as is.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
