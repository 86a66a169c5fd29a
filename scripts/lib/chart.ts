/** A small self-contained SVG line chart (accuracy per round), readable in any browser. */

export interface ChartSeries {
  label: string;
  points: { x: number; y: number }[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export function lineChartSvg(
  title: string,
  xLabel: string,
  yLabel: string,
  series: ChartSeries[],
  opts: { yMin?: number; yMax?: number } = {},
): string {
  const W = 640,
    H = 400,
    L = 64,
    R = 24,
    T = 48,
    B = 56;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xMin = Math.min(...xs, 0),
    xMax = Math.max(...xs, 1);
  const yMin = opts.yMin ?? Math.min(...ys, 0),
    yMax = opts.yMax ?? Math.max(...ys, 1);
  const px = (x: number) => L + ((x - xMin) / (xMax - xMin || 1)) * (W - L - R);
  const py = (y: number) => H - B - ((y - yMin) / (yMax - yMin || 1)) * (H - T - B);
  const colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16">${esc(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const y = yMin + ((yMax - yMin) * i) / 5;
    parts.push(
      `<line x1="${L}" y1="${py(y)}" x2="${W - R}" y2="${py(y)}" stroke="#ddd"/>`,
      `<text x="${L - 8}" y="${py(y) + 4}" text-anchor="end">${(y * 100).toFixed(0)}%</text>`,
    );
  }
  for (let x = Math.ceil(xMin); x <= xMax; x++)
    parts.push(`<text x="${px(x)}" y="${H - B + 18}" text-anchor="middle">${x}</text>`);
  parts.push(
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 16}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${esc(yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const c = colors[k % colors.length]!;
    parts.push(
      `<polyline fill="none" stroke="${c}" stroke-width="2" points="${s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ")}"/>`,
    );
    for (const p of s.points)
      parts.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${c}"><title>${esc(`${s.label} round ${p.x}: ${(p.y * 100).toFixed(2)}%`)}</title></circle>`,
      );
    parts.push(`<text x="${W - R - 4}" y="${T + 16 * (k + 1)}" text-anchor="end" fill="${c}">${esc(s.label)}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
