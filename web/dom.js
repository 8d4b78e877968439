// Building the pages' elements: text is always set as text, never parsed as
// HTML, so nothing a declarant typed can run in an officer's browser.

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false || value === '') continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function clear(node) { node.replaceChildren(); }

// A table: `columns` are [heading, value(row), numeric?].
export function table(columns, rows, id) {
  return element('table', { id },
    element('thead', {}, element('tr', {},
      columns.map(([heading, , numeric]) => element('th', { class: numeric ? 'n' : '' }, heading)))),
    element('tbody', {}, rows.map((row) => element('tr', {},
      columns.map(([, value, numeric]) => element('td', { class: numeric ? 'n' : '' }, value(row)))))));
}

export function lane(name) { return element('span', { class: `lane ${name}` }, name); }

// "350443835.67" → "350,443,835.67": the API's exact decimal strings, grouped.
export function money(text) {
  if (text === null || text === undefined) return '–';
  const [whole, fraction] = String(text).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return sign + digits + (fraction !== undefined ? `.${fraction}` : '');
}

export function seconds(value) {
  if (value === null || value === undefined) return '–';
  if (value < 120) return `${value} s`;
  if (value < 7200) return `${Math.round(value / 60)} min`;
  return `${(value / 3600).toFixed(1)} h`;
}

// The contract's errors shown in a form: each at the input whose
// data-field names its field ("items[0].hs"), or else its nearest parent
// field ("items[0]", "items"); the rest in the form's [data-errors] slot.
// Earlier errors are cleared first.
export function showErrors(form, errors) {
  for (const node of form.querySelectorAll('.error')) node.textContent = '';
  for (const node of form.querySelectorAll('.bad')) node.classList.remove('bad');
  const general = form.querySelector('[data-errors]');
  general.replaceChildren();
  for (const e of errors) {
    // "items[0].hs" first, then its parents ("items[0]", "items").
    let field = e.field;
    let target = null;
    while (field && !(target = form.querySelector(`[data-field="${CSS.escape(field)}"]`))) {
      field = field.includes('.') ? field.slice(0, field.lastIndexOf('.'))
        : field.includes('[') ? field.slice(0, field.lastIndexOf('[')) : '';
    }
    if (target) {
      target.classList.add('bad');
      const slot = target.parentElement.querySelector('.error');
      slot.textContent = slot.textContent ? `${slot.textContent}; ${e.message}` : e.message;
    } else {
      general.append(element('span', { class: 'error' }, `${e.field ? `${e.field}: ` : ''}${e.message}`));
    }
  }
}
