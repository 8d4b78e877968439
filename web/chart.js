// Small SVG charts drawn here (no chart library: the pages load nothing from
// outside). Values are numbers; labels and titles are set as text.

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

// Bars of `series` ([{name, color}]) stacked for each of `groups`
// ([{label, values: [number per series], href?}]). A bar with `href` links
// to what is behind it.
export function stackedBars(groups, series, { id, height = 180, format = String } = {}) {
  const width = Math.max(320, groups.length * 28 + 60);
  const top = Math.max(1, ...groups.map((g) => g.values.reduce((a, b) => a + b, 0)));
  const plot = height - 40;
  const chart = svg('svg', { id, width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  const step = (width - 60) / Math.max(groups.length, 1);
  groups.forEach((g, i) => {
    let y = plot + 10;
    const x = 50 + i * step;
    const bar = svg('g', { class: 'bar-group' });
    g.values.forEach((v, k) => {
      const h = (v / top) * plot;
      y -= h;
      const rect = svg('rect', { x, y, width: Math.min(Math.max(step - 4, 2), 48), height: h,
        fill: series[k].color });
      rect.append(svg('title', {}, `${g.label} ${series[k].name}: ${format(v)}`));
      bar.append(rect);
    });
    if (g.href) {
      const link = svg('a', { href: g.href });
      link.append(bar);
      chart.append(link);
    } else {
      chart.append(bar);
    }
    if (groups.length <= 31 || i % Math.ceil(groups.length / 24) === 0) {
      chart.append(svg('text', { x: x + Math.min(step - 4, 48) / 2, y: height - 14, 'font-size': 10,
        'text-anchor': 'middle' }, g.label));
    }
  });
  chart.append(svg('text', { x: 2, y: 14, 'font-size': 10 }, format(top)));
  chart.append(svg('line', { x1: 48, y1: plot + 10, x2: width, y2: plot + 10, stroke: '#999' }));
  const legend = svg('g', {});
  series.forEach((s, k) => {
    legend.append(svg('rect', { x: 60 + k * 110, y: height - 10, width: 10, height: 8, fill: s.color }));
    legend.append(svg('text', { x: 74 + k * 110, y: height - 2, 'font-size': 10 }, s.name));
  });
  if (series.length > 1) chart.append(legend);
  return chart;
}
