/**
 * Entry point, kept tiny: it starts the training worker (a large script, then the tfjs backend and
 * the bundled model) before the page's own large script (React, Plotly) is loaded and evaluated.
 */
import { backendOfQuery, kernelsOfQuery, startTrainingWorkerEarly } from './app/worker-port';

startTrainingWorkerEarly(backendOfQuery(window.location.search), kernelsOfQuery(window.location.search));
void import('./boot');
