// The API's validation errors at the field they name: each input carries the ARM property path it fills in
// data-target; an error's target (or the nearest field above or below it) gets aria-invalid and the message.
import { $$, el } from './dom.js';

export function clearFieldErrors(form) {
  $$('[aria-invalid]', form).forEach((input) => {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  });
  $$('.field-error', form).forEach((e) => e.remove());
}

/** Shows {@code message} at the field {@code target} names; false when no field of the form matches. */
export function showFieldError(form, target, message) {
  if (!target) return false;
  const fields = $$('[data-target]', form);
  const wanted = target.replace(/\[\d+\]/g, '').toLowerCase();
  const input = fields.find((i) => i.dataset.target.toLowerCase() === wanted)
    || fields.find((i) => wanted.startsWith(i.dataset.target.toLowerCase() + '.'))
    || fields.find((i) => i.dataset.target.toLowerCase().startsWith(wanted + '.'));
  if (!input) return false;
  const id = input.id + '-error';
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', id);
  input.after(el('span', { id, class: 'field-error', text: message }));
  return true;
}

/** A whole number as a number, anything else as typed (so the API, not the page, judges it). */
export function number(text) {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : t;
}
