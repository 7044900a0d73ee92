/**
 * The tabs of the page's lower half: the decoded digit and the manifold (the default), or one of the
 * exploring panels in their place (so the loss and the latent plot stay in view); and the exports.
 * WAI-ARIA tabs: one Tab stop, arrow keys, Home and End move between tabs and open them.
 */
import { useRef, useState } from 'react';
import type { Training } from '../hooks/useTraining';
import { radioTarget } from '../panels/RadioGroup';
import { downloadText, downloadTilesPng, lossCsv } from './export';

/** A tab of the lower half. */
export type DeckTab = 'core' | 'draw' | 'reconstructions' | 'interpolation' | 'kl';

/** The tabs in order, with their names. */
export const DECK_TABS: readonly { value: DeckTab; label: string; title: string }[] = [
  { value: 'core', label: 'Decoded digit & manifold', title: 'The decoding of the current z and the grid of decodings over the latent plane' },
  { value: 'draw', label: 'Draw a digit', title: 'Draw a digit and see where the encoder places it and how the decoder redraws it' },
  { value: 'reconstructions', label: 'Reconstructions', title: 'Test digits encoded and decoded again' },
  { value: 'interpolation', label: 'Interpolation', title: 'Decoded frames along a path between two latent points' },
  { value: 'kl', label: 'KL per dimension', title: 'Which latent dimensions carry information, and which have collapsed onto the prior' },
];

/** Id of a tab's button. */
export const tabId = (t: DeckTab) => `deck-tab-${t}`;
/** Id of a tab's panel (the core tab controls the decoded and manifold sections). */
export const tabPanelIds = (t: DeckTab) => (t === 'core' ? 'deck-decoded deck-manifold' : `deck-panel-${t}`);

/** Props of `ExploreTabs`. */
export interface ExploreTabsProps {
  tab: DeckTab;
  onTab: (tab: DeckTab) => void;
  training: Pick<Training, 'manifold' | 'history' | 'evaluations'>;
}

/** The tab strip, with Export buttons at its end. */
export function ExploreTabs({ tab, onTab, training }: ExploreTabsProps) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const [note, setNote] = useState('');
  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const at = DECK_TABS.findIndex((t) => t.value === tab);
    const next = radioTarget(e.key, at, DECK_TABS.length);
    if (next < 0 || e.key === 'ArrowUp' || e.key === 'ArrowDown') return;
    e.preventDefault();
    onTab(DECK_TABS[next].value);
    buttons.current[next]?.focus();
  };
  const { manifold } = training;
  const exportManifold = async () => {
    if (!manifold) return;
    const side = Math.round(Math.sqrt(manifold.pixels));
    const ok = await downloadTilesPng(`manifold-${manifold.n}x${manifold.n}-step${manifold.step}.png`, manifold.images, manifold.n, manifold.n, side, 2);
    setNote(ok ? '' : 'This browser cannot make PNG files.');
  };
  return (
    <div className="deck-tabs">
      <div role="tablist" aria-label="Lower panels" className="deck-tablist" onKeyDown={onKeyDown}>
        {DECK_TABS.map((t, k) => (
          <button
            key={t.value}
            ref={(el) => {
              buttons.current[k] = el;
            }}
            type="button"
            role="tab"
            id={tabId(t.value)}
            aria-selected={t.value === tab}
            aria-controls={tabPanelIds(t.value)}
            tabIndex={t.value === tab ? 0 : -1}
            className={t.value === tab ? 'on' : ''}
            onClick={() => onTab(t.value)}
            title={t.title}
            data-testid={`tab-${t.value}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="deck-exports" role="group" aria-label="Export">
        <span className="deck-exports-name">Export</span>
        <button type="button" className="small-button" disabled={!manifold} onClick={() => void exportManifold()} title="Save the manifold grid as a PNG image" data-testid="export-manifold">
          manifold PNG
        </button>
        <button
          type="button"
          className="small-button"
          disabled={training.history.length === 0 && training.evaluations.length === 0}
          onClick={() => void downloadText('loss-history.csv', lossCsv(training.history, training.evaluations))}
          title="Save the loss of every training step (and the test-set evaluations) as CSV"
          data-testid="export-loss"
        >
          loss CSV
        </button>
        {note ? <span className="deck-note">{note}</span> : null}
      </div>
    </div>
  );
}
