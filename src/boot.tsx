/** Mounts the playground (loaded by main.tsx once the training worker is on its way). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installPerfLog } from './app/perf';
import './app/styles.css';

installPerfLog();
const root = document.getElementById('root');
if (!root) throw new Error('The page has no #root element.');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
