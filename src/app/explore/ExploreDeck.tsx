/**
 * The exploring panels, one per tab, in the place of the decoded digit and the manifold. All stay
 * mounted (a drawing and chosen endpoints survive a switch of tabs); a hidden one asks the worker for
 * nothing.
 */
import type { Training } from '../hooks/useTraining';
import type { LatentPoint, Store } from '../state/store';
import type { PlaneView } from '../view';
import { DrawPanel } from './DrawPanel';
import type { ExploreState } from './explore-state';
import { tabId, type DeckTab } from './ExploreTabs';
import { InterpolationPanel } from './InterpolationPanel';
import { KlPanel } from './KlPanel';
import { ReconstructionsPanel } from './ReconstructionsPanel';

/** Props of `ExploreDeck`. */
export interface ExploreDeckProps {
  tab: DeckTab;
  training: Training;
  point: Store<LatentPoint>;
  explore: Store<ExploreState>;
  view: PlaneView;
  side: number;
  beta: number;
}

/** One tab panel. */
function Deck({ tab, which, children }: { tab: DeckTab; which: DeckTab; children: React.ReactNode }) {
  return (
    <section className={`panel deck-panel deck-${which}`} id={`deck-panel-${which}`} role="tabpanel" aria-labelledby={tabId(which)} hidden={tab !== which}>
      {children}
    </section>
  );
}

/** The four exploring panels. */
export function ExploreDeck({ tab, training, point, explore, view, side, beta }: ExploreDeckProps) {
  return (
    <>
      <Deck tab={tab} which="draw">
        <DrawPanel training={training} explore={explore} point={point} side={side} live={tab === 'draw' || tab === 'interpolation'} />
      </Deck>
      <Deck tab={tab} which="reconstructions">
        <ReconstructionsPanel training={training} point={point} explore={explore} side={side} active={tab === 'reconstructions'} />
      </Deck>
      <Deck tab={tab} which="interpolation">
        <InterpolationPanel training={training} point={point} explore={explore} view={view} side={side} active={tab === 'interpolation'} />
      </Deck>
      <Deck tab={tab} which="kl">
        <KlPanel latents={training.latents} beta={beta} hasEncoder={training.model?.hasEncoder ?? true} />
      </Deck>
    </>
  );
}
