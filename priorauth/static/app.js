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

// A form that comes back with errors: focus goes to its error summary (at the form's top),
// so the page scrolls there and a screen reader reads it. A link in the summary moves focus
// to its field in the same form, whatever the field's id prefix.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[data-field]") : null;
  const form = link ? link.closest("form") : null;
  const field = form ? form.elements.namedItem(link.dataset.field) : null;
  if (field instanceof HTMLElement && field.type !== "hidden") {
    event.preventDefault();
    field.focus();
  }
});

// A dose field with data-mg-per-unit="J1439:1 J1437:10" (mg per billing unit of each code)
// and data-max-mg="J1439:750" (the payer's limit per dose) shows, as the user types, the
// billing units and the limit in the <output> named by data-dose-output. The drug code comes
// from the form's hcpcs_code field, or data-code when the form has none.
function pairs(text) {
  const found = new Map();
  for (const part of (text || "").split(/\s+/)) {
    const [code, value] = part.split(":");
    if (code && value) {
      found.set(code, Number(value));
    }
  }
  return found;
}

function dosePreview(input) {
  const output = document.getElementById(input.dataset.doseOutput || "");
  if (!output) {
    return;
  }
  const codeField = input.form ? input.form.elements.namedItem("hcpcs_code") : null;
  const code = codeField && codeField.value ? codeField.value : input.dataset.code;
  const perUnit = pairs(input.dataset.mgPerUnit).get(code);
  const limit = pairs(input.dataset.maxMg).get(code);
  const dose = Number(input.value);
  const parts = [];
  if (perUnit && input.value !== "" && dose > 0) {
    const units = Math.ceil(dose / perUnit - 1e-9);
    parts.push(`${dose} mg of ${code} bills as ${units} unit${units === 1 ? "" : "s"}`);
  }
  if (limit) {
    parts.push(`payer limit ${limit} mg per dose${dose > limit ? " (this dose is over it)" : ""}`);
  }
  if (output.dataset.static === undefined) {
    output.dataset.static = output.textContent;
  }
  output.textContent = parts.length ? parts.join(" · ") : output.dataset.static;
}

document.addEventListener("input", (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.dataset.doseOutput) {
    dosePreview(target);
  } else if (target instanceof HTMLSelectElement && target.name === "hcpcs_code" && target.form) {
    target.form.querySelectorAll("input[data-dose-output]").forEach(dosePreview);
  }
});

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-dose-output]").forEach(dosePreview);
});
