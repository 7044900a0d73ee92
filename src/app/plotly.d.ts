/** Types for plotly.js' partial-bundle entry points (the library's own types describe the full bundle). */
declare module 'plotly.js/lib/core' {
  import * as Plotly from 'plotly.js';
  const core: typeof Plotly;
  export default core;
}
declare module 'plotly.js/lib/scatter' {
  const trace: import('plotly.js').PlotlyModule;
  export default trace;
}
declare module 'plotly.js/src/traces/scattergl/strict' {
  const trace: import('plotly.js').PlotlyModule;
  export default trace;
}
