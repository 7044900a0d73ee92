/**
 * Which latent dimensions are alive: the KL of each dimension averaged over the test digits (from the
 * codes the worker streams for the scatter, so it costs the worker nothing and follows training),
 * as bars on a log or linear scale; dimensions under 0.01 nats are marked inactive (posterior collapse).
 */
import { useMemo, useState } from 'react';
import { ACTIVE_KL_THRESHOLD, activeDimensions, klPerDimension } from '../../core/latent/kl-per-dim';
import type { LatentCodes } from '../hooks/useTraining';
import { RadioGroup } from '../panels/RadioGroup';

/** Props of `KlPanel`. */
export interface KlPanelProps {
  latents: LatentCodes | null;
  /** The KL weight β now (for the explanation). */
  beta: number;
  /** False for a decoder alone (no codes). */
  hasEncoder: boolean;
}

type Scale = 'log' | 'linear';

const SCALES = [
  { value: 'log' as const, label: 'log', title: 'Logarithmic axis: collapsed dimensions, orders of magnitude below the threshold, stay visible' },
  { value: 'linear' as const, label: 'linear', title: 'Linear axis: each bar in proportion to the information the dimension carries' },
];

/** The log axis starts here (nats). */
const LOG_FLOOR = 1e-3;

/** Bar height in [0, 1] for a value on the axis up to `top`. */
function heightOf(v: number, top: number, scale: Scale): number {
  if (!(v > 0)) return 0;
  if (scale === 'linear') return Math.min(1, v / top);
  const lo = Math.log10(LOG_FLOOR);
  return Math.min(1, Math.max(0, (Math.log10(v) - lo) / (Math.log10(top) - lo)));
}

/** Axis top and ticks: powers of ten on a log axis, round steps on a linear one. */
function axisOf(max: number, scale: Scale): { top: number; ticks: number[] } {
  if (scale === 'log') {
    const top = 10 ** Math.max(0, Math.ceil(Math.log10(Math.max(max, 1.0001))));
    const ticks: number[] = [];
    for (let t = LOG_FLOOR; t <= top * 1.0001; t *= 10) ticks.push(Number(t.toPrecision(1)));
    return { top, ticks };
  }
  const raw = Math.max(max, 0.05) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const top = Math.ceil(Math.max(max, 0.05) / step) * step;
  return { top, ticks: Array.from({ length: Math.round(top / step) + 1 }, (_, i) => Number((i * step).toPrecision(6))) };
}

/** The KL-per-dimension panel, chart `data-testid="kl-per-dim"`. */
export function KlPanel({ latents, beta, hasEncoder }: KlPanelProps) {
  const [scale, setScale] = useState<Scale>('log');
  const perDim = useMemo(() => (latents ? klPerDimension(latents.means, latents.logVars, latents.count, latents.latentDim) : null), [latents]);
  const valid = perDim !== null && perDim.every((v) => Number.isFinite(v));
  const active = valid ? activeDimensions(perDim) : [];
  const total = valid ? perDim.reduce((s, v) => s + v, 0) : NaN;
  const { top, ticks } = axisOf(valid ? Math.max(...perDim) : 1, scale);
  const dims = perDim?.length ?? 0;

  let body: React.ReactNode;
  if (!hasEncoder) body = <p className="panel-note">This model is a decoder alone: without an encoder there is no posterior, so no KL to show.</p>;
  else if (!perDim) body = <p className="panel-note">Encoding the test digits…</p>;
  else if (!valid) body = <p className="panel-note">This model's encoder gives the mean alone (no σ), so the KL of its dimensions cannot be computed.</p>;
  else {
    body = (
      <div className="kl-chart" data-testid="kl-per-dim" data-dims={dims} data-active={active.length} data-total={total.toFixed(4)} data-step={latents?.step} role="img" aria-label={`KL per latent dimension: ${active.length} of ${dims} dimensions active; total KL ${total.toFixed(1)} nats`}>
        <span className="kl-y-title">KL, nats</span>
        <div className="kl-axis">
          {ticks.map((t) => (
            <span key={t} className="kl-tick" style={{ bottom: `${heightOf(t, top, scale) * 100}%` }}>
              {t}
            </span>
          ))}
        </div>
        <div className="kl-plot">
          {ticks.map((t) => (
            <span key={t} className="kl-grid" style={{ bottom: `${heightOf(t, top, scale) * 100}%` }} />
          ))}
          <span className="kl-threshold" style={{ bottom: `${heightOf(ACTIVE_KL_THRESHOLD, top, scale) * 100}%` }} title={`${ACTIVE_KL_THRESHOLD} nats: below this a dimension counts as inactive`} />
          {Array.from(perDim, (v, k) => {
            const on = v >= ACTIVE_KL_THRESHOLD;
            return (
              <div key={k} className="kl-col" title={`z${k + 1}: ${v < 0.001 ? v.toExponential(1) : v.toFixed(3)} nats${on ? '' : ' (inactive)'}`}>
                <div className={`kl-bar${on ? '' : ' inactive'}`} data-kl={v.toFixed(5)} style={{ height: `${heightOf(v, top, scale) * 100}%` }} />
              </div>
            );
          })}
        </div>
        <div className="kl-names">
          {Array.from(perDim, (v, k) => (
            <span key={k} className={v >= ACTIVE_KL_THRESHOLD ? '' : 'inactive'}>
              {dims <= 24 || k % 2 === 0 ? `z${k + 1}` : ''}
            </span>
          ))}
        </div>
      </div>
    );
  }

  return (
    <>
      <div className="panel-header">
        <h2>KL per dimension</h2>
        <span className="panel-sub">
          {valid ? (
            <>
              <strong>
                {active.length} of {dims} dimensions active
              </strong>{' '}
              (KL ≥ {ACTIVE_KL_THRESHOLD} nats, averaged over {latents!.count.toLocaleString('en')} test digits, step {latents!.step}); total KL {total.toFixed(1)} nats
            </>
          ) : (
            'the KL term of the loss, split by latent dimension'
          )}
        </span>
        <RadioGroup label="KL axis" options={SCALES} value={scale} onChange={setScale} />
      </div>
      {body}
      <p className="panel-note kl-explain">
        <span className="kl-key" /> active <span className="kl-key inactive" /> inactive: q(z<sub>k</sub>|x) equals the prior N(0, 1) for every digit, so the dimension carries no
        information and the decoder ignores it (<em>posterior collapse</em>). {dims < 10 ? 'Raise the latent dimension to 20 to see only some stay active; a' : 'A'} larger β (now {beta}) collapses more.
      </p>
    </>
  );
}
