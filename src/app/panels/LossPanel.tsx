/** The loss chart: reconstruction, KL and total per step (smoothed, raw faint) and the test set per epoch. */
import type { Data, Layout } from 'plotly.js';
import { useMemo } from 'react';
import { LOSS_TERMS, type Evaluation, type LossHistory, type LossTerm } from '../loss-series';
import { Plot } from '../Plot';

/** Props of `LossPanel`. */
export interface LossPanelProps {
  history: LossHistory;
  /** Changes when `history` grew. */
  version: number;
  evaluations: Evaluation[];
  logY: boolean;
  onLogYChange: (logY: boolean) => void;
}

const COLORS: Record<LossTerm, string> = { total: '#222222', reconstruction: '#1f77b4', kl: '#d62728' };
const NAMES: Record<LossTerm, string> = { total: 'total', reconstruction: 'reconstruction', kl: 'KL' };
const TEST_NAMES: Record<LossTerm, string> = { total: 'test −ELBO', reconstruction: 'test reconstruction', kl: 'test KL' };
/** Points per curve: about one per two pixels of the chart; each redraw draws and rasterises every point of its nine curves. */
const MAX_POINTS = 300;
/** New losses redraw the chart at most this often (a redraw is a long task on a slow machine). */
const LOSS_INTERVAL_MS = 800;
const FONT = { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12, color: '#222' };

/** The chart in words (its accessible name): what it plots and where the loss stands now. */
export function describeLoss(history: LossHistory, evaluations: readonly Evaluation[]): string {
  const what = 'Loss per training step: reconstruction, KL and total, in nats per example';
  const last = history.length - 1;
  if (last < 0) return `${what}; no steps yet.`;
  const { smooth } = history;
  const now = `after step ${history.steps[last]}, smoothed: total ${smooth.total[last].toFixed(1)}, reconstruction ${smooth.reconstruction[last].toFixed(1)}, KL ${smooth.kl[last].toFixed(1)}`;
  const test = evaluations.at(-1);
  return `${what}; ${now}${test ? `; test −ELBO ${test.total.toFixed(1)} after epoch ${test.epoch}` : ''}.`;
}

/** The loss panel, `data-testid="loss-chart"`. */
export function LossPanel({ history, version, evaluations, logY, onLogYChange }: LossPanelProps) {
  const data = useMemo<Data[]>(() => {
    const series = history.thinned(MAX_POINTS);
    const traces: Data[] = [];
    for (const term of LOSS_TERMS) {
      traces.push({
        type: 'scatter',
        mode: 'lines',
        x: series.steps,
        y: series.raw[term],
        name: `${NAMES[term]} (raw)`,
        legendgroup: term,
        showlegend: false,
        hoverinfo: 'skip',
        line: { color: COLORS[term], width: 1 },
        opacity: 0.22,
      });
      traces.push({
        type: 'scatter',
        mode: 'lines',
        x: series.steps,
        y: series.smooth[term],
        name: NAMES[term],
        legendgroup: term,
        line: { color: COLORS[term], width: 2 },
        hovertemplate: `${NAMES[term]}: %{y:.1f} nats<extra>step %{x}</extra>`,
      });
    }
    for (const term of LOSS_TERMS) {
      traces.push({
        type: 'scatter',
        mode: 'markers',
        x: evaluations.map((e) => e.step),
        y: evaluations.map((e) => e[term]),
        name: TEST_NAMES[term],
        legendgroup: term,
        showlegend: term === 'total' && evaluations.length > 0,
        marker: { color: 'white', size: 9, symbol: 'diamond', line: { color: COLORS[term], width: 2 } },
        hovertemplate: `${TEST_NAMES[term]}: %{y:.1f} nats<extra>after epoch %{customdata}</extra>`,
        customdata: evaluations.map((e) => e.epoch),
      });
    }
    return traces;
    // `version` signals that the (mutable) history grew.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [history, version, evaluations]);

  const layout = useMemo<Partial<Layout>>(
    () => ({
      uirevision: logY ? 'log' : 'linear',
      margin: { l: 58, r: 12, t: 8, b: 42 },
      font: FONT,
      paper_bgcolor: 'white',
      plot_bgcolor: 'white',
      // ticklabeloverflow 'allow': Plotly's default measures every tick label against every other
      // (getBoundingClientRect in a double loop), a third of a redraw; the margins leave room anyway.
      xaxis: { title: { text: 'training step', standoff: 6 }, zeroline: false, gridcolor: '#eee', rangemode: 'tozero', ticklabeloverflow: 'allow' },
      yaxis: { title: { text: 'nats per example', standoff: 4 }, type: logY ? 'log' : 'linear', gridcolor: '#eee', zeroline: false, rangemode: logY ? 'normal' : 'tozero', ticklabeloverflow: 'allow' },
      hovermode: 'closest',
      showlegend: false,
    }),
    [logY],
  );

  const config = useMemo(() => ({ modeBarButtonsToRemove: ['select2d', 'lasso2d', 'toImage'] as never[], displayModeBar: 'hover' as const }), []);
  const empty = history.length === 0;
  const label = useMemo(() => describeLoss(history, evaluations), [history, version, evaluations]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <>
      <div className="panel-header">
        <h2>Loss</h2>
        <span className="panel-sub">loss = reconstruction + β·KL per training step (bold: smoothed, faint: raw)</span>
        <label className="inline-toggle" title="Show the loss axis on a logarithmic scale (the KL term is much smaller than the reconstruction)">
          <input type="checkbox" checked={logY} onChange={(e) => onLogYChange(e.target.checked)} /> log scale
        </label>
      </div>
      <div className="loss-legend" aria-label="Legend">
        {LOSS_TERMS.map((t) => (
          <span key={t} className="legend-item">
            <span className="legend-line" style={{ background: COLORS[t] }} /> {NAMES[t]}
          </span>
        ))}
        <span className="legend-item">
          <span className="legend-diamond">◇</span> test set after each epoch (β = 1)
        </span>
      </div>
      <div className="plot-box">
        <Plot className="plot" testId="loss-chart" role="figure" ariaLabel={label} toolbarLabel="Loss chart tools" data={data} layout={layout} config={config} minIntervalMs={LOSS_INTERVAL_MS} />
        {empty ? <div className="plot-empty">Press Train to watch the loss fall.</div> : null}
      </div>
    </>
  );
}
