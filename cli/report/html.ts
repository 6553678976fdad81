/**
 * The funnel report as one self-contained HTML file: Chartist's JS and CSS (MIT) are inlined, the
 * figures ride along as JSON, and a Content-Security-Policy with `default-src 'none'` (scripts
 * allowed only by their hashes) means the page cannot load anything from the network even if a
 * text in it were hostile. Every figure in a chart is also in a table below it, for screen readers
 * and for printing. Counts and catalog texts only: no patient data.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FUNNEL_STEPS, FUNNEL_STEP_LABELS, type FunnelCounts, type FunnelReport } from '#core/funnel';
import type { FunnelNames } from './names';
import { share } from './text';

const require = createRequire(import.meta.url);
let chartist: { js: string; css: string } | undefined;

/** Chartist's browser build and stylesheet, read once from the installed package. */
function chartistAssets(): { js: string; css: string } {
  chartist ??= {
    js: readFileSync(require.resolve('chartist/dist/index.umd.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, ''),
    css: readFileSync(require.resolve('chartist/dist/index.css'), 'utf8').replace(/\/\*# sourceMappingURL=.*?\*\//g, ''),
  };
  return chartist;
}

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** JSON that is safe inside a `<script>` element (no `</script>`, no HTML comment openers). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function scriptHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/** The top criteria by attrition shown in the chart (all of them are in the table). */
const CHART_CRITERIA = 12;

/** Draws the charts from the embedded figures; runs in the page, after Chartist. */
const DRAW_CHARTS = `
(function () {
  var data = JSON.parse(document.getElementById('funnel-data').textContent);
  var funnel = new Chartist.BarChart('#chart-funnel', { labels: data.funnel.labels, series: data.funnel.series }, {
    horizontalBars: true, stackBars: true, height: 280,
    axisY: { offset: 150 }, axisX: { onlyInteger: true }, chartPadding: { right: 40 }
  });
  funnel.on('draw', function (ctx) {
    if (ctx.type !== 'bar') return;
    ctx.element.attr({ style: 'stroke-width: 26px' });
    // Stacked: the total goes once, after the last segment of the bar.
    if (ctx.seriesIndex === data.funnel.series.length - 1) {
      ctx.group.elem('text', { x: ctx.x2 + 6, y: ctx.y2 + 4, 'class': 'ct-bar-value' }).text(String(data.funnel.totals[ctx.index]));
    }
  });
  new Chartist.LineChart('#chart-weeks', { labels: data.weeks.labels, series: data.weeks.series }, {
    height: 260, fullWidth: true, axisY: { onlyInteger: true, low: 0 }, chartPadding: { right: 30 },
    lineSmooth: false
  });
  if (data.criteria.labels.length > 0) {
    var criteria = new Chartist.BarChart('#chart-criteria', { labels: data.criteria.labels, series: data.criteria.series }, {
      horizontalBars: true, stackBars: true, height: Math.max(160, 34 * data.criteria.labels.length + 40),
      axisY: { offset: 260 }, axisX: { onlyInteger: true }
    });
    criteria.on('draw', function (ctx) { if (ctx.type === 'bar') ctx.element.attr({ style: 'stroke-width: 18px' }); });
  }
})();
`;

const PAGE_STYLE = `
:root { color-scheme: light; --ink: #1d2733; --muted: #5b6673; --line: #d9dee4; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 10px; }
p.meta, p.note { color: var(--muted); margin: 4px 0; }
p.warning { background: #fff4d6; border: 1px solid #e6c35c; padding: 8px 12px; border-radius: 6px; }
.tiles { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); gap: 10px; margin: 20px 0 8px; }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.tile .value { font-size: 26px; font-weight: 650; }
.tile .label { color: var(--muted); font-size: 13px; }
.tile .rate { color: var(--muted); font-size: 12px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
.panel { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.panel h2 { margin-top: 0; font-size: 16px; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; font-size: 13px; color: var(--muted); margin: 4px 0 0; padding: 0; list-style: none; }
.legend span { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 650; }
.ct-label { font-size: 12px; color: var(--muted); }
.ct-bar-value { font-size: 12px; fill: var(--ink); }
.ct-series-a .ct-bar, .ct-series-a .ct-line, .ct-series-a .ct-point { stroke: #2f6fb3; }
.ct-series-b .ct-bar, .ct-series-b .ct-line, .ct-series-b .ct-point { stroke: #e39b2d; }
.ct-series-c .ct-bar, .ct-series-c .ct-line, .ct-series-c .ct-point { stroke: #3f9c5a; }
.ct-series-d .ct-line, .ct-series-d .ct-point { stroke: #8a5bb8; }
@media (max-width: 820px) {
  main { padding: 18px 14px 32px; }
  .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .charts { grid-template-columns: 1fr; }
  table { display: block; overflow-x: auto; }
}
`;

/** The funnel chart's bars: each step, with the two eligibility branches stacked in one. */
const FUNNEL_BARS: { label: string; main: keyof FunnelCounts; stacked?: keyof FunnelCounts }[] = [
  { label: 'Screenings', main: 'screenings' },
  { label: 'Eligible or possibly', main: 'eligible', stacked: 'possiblyEligible' },
  { label: 'Referred', main: 'referred' },
  { label: 'Delivered', main: 'delivered' },
  { label: 'Contacted', main: 'contacted' },
  { label: 'Enrolled', main: 'enrolled' },
];

const WEEK_SERIES: { step: keyof FunnelCounts; color: string }[] = [
  { step: 'screenings', color: '#2f6fb3' },
  { step: 'referred', color: '#e39b2d' },
  { step: 'contacted', color: '#3f9c5a' },
  { step: 'enrolled', color: '#8a5bb8' },
];

/**
 * What each step's rate is a share of: the eligibility steps of the screenings (they are two
 * branches of one step), a referral of those eligible or possibly so, every later step of the one
 * before it.
 */
const STEP_BASES: Record<keyof FunnelCounts, { label: string; of: (counts: FunnelCounts) => number } | undefined> = {
  screenings: undefined,
  possiblyEligible: { label: 'screenings', of: (counts) => counts.screenings },
  eligible: { label: 'screenings', of: (counts) => counts.screenings },
  referred: { label: 'eligible or possibly', of: (counts) => counts.eligible + counts.possiblyEligible },
  delivered: { label: 'referred', of: (counts) => counts.referred },
  contacted: { label: 'delivered', of: (counts) => counts.delivered },
  enrolled: { label: 'contacted', of: (counts) => counts.contacted },
};

export interface HtmlReportContext {
  generatedAt: Date;
  /** Which table the figures came from. */
  source: string;
}

function numberCells(counts: FunnelCounts): string {
  return FUNNEL_STEPS.map((step) => `<td class="n">${counts[step]}</td>`).join('');
}

const stepHeaderCells = FUNNEL_STEPS.map((step) => `<th class="n" scope="col">${FUNNEL_STEP_LABELS[step]}</th>`).join('');

function legend(items: { label: string; color: string }[]): string {
  return `<ul class="legend">${items.map((item) => `<li><span style="background:${item.color}"></span>${escapeHtml(item.label)}</li>`).join('')}</ul>`;
}

/** The whole report page. */
export function renderFunnelHtml(report: FunnelReport, names: FunnelNames, context: HtmlReportContext): string {
  const { js, css } = chartistAssets();
  const total = report.total;
  const topCriteria = report.attrition.filter((entry) => entry.notMet + entry.unknown > 0).slice(0, CHART_CRITERIA);
  const labelEvery = Math.max(1, Math.ceil(report.byWeek.length / 12));
  const chartData = {
    // One bar per stage; "eligible or possibly eligible" is one stage, its two parts stacked.
    // Reversed: Chartist draws a horizontal chart's first label at the bottom.
    funnel: {
      labels: FUNNEL_BARS.map((bar) => bar.label).reverse(),
      series: [
        FUNNEL_BARS.map((bar) => total[bar.main]).reverse(),
        FUNNEL_BARS.map((bar) => (bar.stacked ? total[bar.stacked] : 0)).reverse(),
      ],
      totals: FUNNEL_BARS.map((bar) => total[bar.main] + (bar.stacked ? total[bar.stacked] : 0)).reverse(),
    },
    weeks: {
      // "W49": the year is in the page's range, and full labels collide on a narrow axis.
      labels: report.byWeek.map((week, index) => (index % labelEvery === 0 ? week.week.slice(5) : '')),
      series: WEEK_SERIES.map(({ step }) => report.byWeek.map((week) => week[step])),
    },
    // Chartist draws a horizontal chart's first label at the bottom: reversed, the worst is on top.
    criteria: {
      labels: topCriteria.map((entry) => `${entry.trialId} · ${entry.criterionId}`).reverse(),
      series: [topCriteria.map((entry) => entry.notMet).reverse(), topCriteria.map((entry) => entry.unknown).reverse()],
    },
  };
  const dataScript = scriptJson(chartData);
  const csp = [
    "default-src 'none'",
    `script-src ${scriptHash(js)} ${scriptHash(DRAW_CHARTS)}`,
    "style-src 'unsafe-inline'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const range = report.fromWeek ? `${report.fromWeek} to ${report.toWeek}` : 'no records';
  const scope = report.trialId
    ? `${report.trialId}${names.trialTitle(report.trialId) ? ` — ${names.trialTitle(report.trialId)}` : ''}`
    : 'all trials';

  const tiles = FUNNEL_STEPS.map((step) => {
    const base = STEP_BASES[step];
    const rate = base ? `${share(total[step], base.of(total))} of ${base.label}` : '&nbsp;';
    return `<div class="tile"><div class="value">${total[step]}</div><div class="label">${FUNNEL_STEP_LABELS[step]}</div><div class="rate">${rate}</div></div>`;
  }).join('');

  const trialRows = report.byTrial
    .map(
      (trial) =>
        `<tr><th scope="row">${escapeHtml(trial.trialId)}</th><td>${escapeHtml(names.trialTitle(trial.trialId) ?? '')}</td>${numberCells(trial)}</tr>`,
    )
    .join('');
  const weekRows = report.rows
    .map(
      (row) =>
        `<tr><td>${row.week}${report.partialWeeks.includes(row.week) ? ' (partial)' : ''}</td><td>${escapeHtml(row.trialId)}</td><td>${escapeHtml(names.siteName(row.trialId, row.siteId))}</td>${numberCells(row)}</tr>`,
    )
    .join('');
  const attritionRows = report.attrition
    .map(
      (entry) =>
        `<tr><td>${escapeHtml(entry.trialId)}</td><td>${escapeHtml(entry.criterionId)}</td><td>${entry.kind}</td><td>${escapeHtml(entry.text)}</td>` +
        `<td class="n">${entry.evaluated}</td><td class="n">${entry.notMet}</td><td class="n">${entry.onlyNotMet}</td><td class="n">${entry.unknown}</td></tr>`,
    )
    .join('');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Funnel and attrition, ${escapeHtml(range)}</title>
<style>${css}</style>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<h1>Funnel and attrition</h1>
<p class="meta">${escapeHtml(range)} · ${escapeHtml(scope)} · ${report.screenings.total} screenings (${report.screenings.urgentCare} stopped for urgent care)</p>
<p class="meta">From ${escapeHtml(context.source)}, ${escapeHtml(context.generatedAt.toISOString())}. Counts only: no names, contact details or answers.</p>
${report.partialWeeks.length > 0 ? `<p class="warning">Partial weeks: ${report.partialWeeks.map(escapeHtml).join(', ')}. Screenings that were not referred have expired for these weeks; only referred ones are counted.</p>` : ''}
<div class="tiles">${tiles}</div>
<p class="note">Each step counts per trial: ${report.screenings.withResults} screenings evaluated against the trials make ${total.screenings} trial screenings. A lead is counted in the week of its screening. Contacted: the site recorded any outcome but "could not reach".</p>
<div class="charts">
<section class="panel" aria-labelledby="h-funnel"><h2 id="h-funnel">Funnel, all weeks</h2><div id="chart-funnel" role="img" aria-label="Funnel bar chart; the figures are in the tables below"></div>
${legend([
  { label: 'Eligible', color: '#2f6fb3' },
  { label: 'Possibly eligible', color: '#e39b2d' },
])}</section>
<section class="panel" aria-labelledby="h-weeks"><h2 id="h-weeks">Per week</h2><div id="chart-weeks" role="img" aria-label="Weekly line chart; the figures are in the tables below"></div>
${legend(WEEK_SERIES.map(({ step, color }) => ({ label: FUNNEL_STEP_LABELS[step], color })))}</section>
</div>
<section class="panel" style="margin-top:24px" aria-labelledby="h-criteria"><h2 id="h-criteria">Criteria that screen out the most (top ${CHART_CRITERIA})</h2>
${
  topCriteria.length > 0
    ? `<div id="chart-criteria" role="img" aria-label="Criterion attrition bar chart; the figures are in the table below"></div>${legend(
        [
          { label: 'Not met', color: '#2f6fb3' },
          { label: 'Unknown (not answered or not sure)', color: '#e39b2d' },
        ],
      )}`
    : '<p class="note">No criterion was "not met" or unknown in this range.</p>'
}
</section>
<h2>By trial</h2>
<table><thead><tr><th scope="col">Trial</th><th scope="col">Title</th>${stepHeaderCells}</tr></thead>
<tbody>${trialRows}<tr class="total"><th scope="row">All</th><td></td>${numberCells(total)}</tr></tbody></table>
<h2>By week, trial and site</h2>
<table><thead><tr><th scope="col">Week</th><th scope="col">Trial</th><th scope="col">Site</th>${stepHeaderCells}</tr></thead><tbody>${weekRows}</tbody></table>
<h2>Criterion attrition</h2>
<p class="note">For each criterion: the screenings that evaluated it, those it made "not met" (and those where it was the only criterion not met), and those it left unknown.</p>
<table><thead><tr><th scope="col">Trial</th><th scope="col">Criterion</th><th scope="col">Kind</th><th scope="col">Text</th><th class="n" scope="col">Evaluated</th><th class="n" scope="col">Not met</th><th class="n" scope="col">Only one not met</th><th class="n" scope="col">Unknown</th></tr></thead><tbody>${attritionRows}</tbody></table>
</main>
<script type="application/json" id="funnel-data">${dataScript}</script>
<script>${js}</script>
<script>${DRAW_CHARTS}</script>
</body>
</html>
`;
}
