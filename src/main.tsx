/**
 * Entry point, kept tiny: it starts the training worker (a large script, then the tfjs backend and
 * the bundled model) before the page's own large script (React, Plotly) is loaded and evaluated.
 */
import { startTrainingWorkerEarly } from './app/worker-port';

startTrainingWorkerEarly();
void import('./boot');
