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
